import { createHash, randomBytes } from "node:crypto";
import type { Database } from "../data/db.js";

/** How many one-time recovery codes an MFA enrolment hands out. */
export const RECOVERY_CODE_COUNT = 10;

const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** Ten random codes like "k7m2p-9xq4r" (50 bits each: a fast hash is enough to store them). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(10);
    const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

export const hashRecoveryCode = (code: string): string =>
  createHash("sha256").update(code.trim().toLowerCase().replace(/[\s-]/g, "")).digest("hex");

/** Replaces a staff member's recovery codes (a new enrolment voids the old ones). */
export async function replaceRecoveryCodes(db: Database, staffUserId: string, codes: string[]): Promise<void> {
  await db.prisma.$transaction([
    db.prisma.staffRecoveryCode.deleteMany({ where: { staffUserId } }),
    db.prisma.staffRecoveryCode.createMany({
      data: codes.map((c) => ({ staffUserId, codeHash: hashRecoveryCode(c) })),
    }),
  ]);
}

/** Spends a recovery code: true once per code, false for unknown or used ones. */
export async function useRecoveryCode(db: Database, staffUserId: string, code: string, now: Date): Promise<boolean> {
  const rows = await db.sql.query<{ id: string }>(
    `UPDATE staff_recovery_code SET used_at = $3 WHERE staff_user_id = $1::uuid AND code_hash = $2 AND used_at IS NULL RETURNING id`,
    [staffUserId, hashRecoveryCode(code), now],
  );
  return rows.length === 1;
}
