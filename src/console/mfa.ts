import type { Database } from "../data/db.js";
import type { StaffRole } from "../domain/actor.js";

/** Doctors and admins reach patient records and accounts: a password alone is not enough for them. */
export const mfaRequired = (role: StaffRole): boolean => role === "doctor" || role === "admin";

/** Moves a confirmed secret onto the account, sealed (see totp-vault.ts). */
export async function enableTotp(
  db: Database,
  staffUserId: string,
  sealedSecret: string,
  step: number,
  now: Date,
): Promise<void> {
  await db.prisma.staffUser.update({
    where: { id: staffUserId },
    data: { totpSecret: sealedSecret, totpEnabledAt: now, totpLastStep: step },
  });
}

/**
 * Records the step of an accepted code; false when a concurrent login already used this step
 * or a later one (the same code submitted twice at once counts once).
 */
export async function spendTotpStep(db: Database, staffUserId: string, step: number): Promise<boolean> {
  const rows = await db.sql.query<{ id: string }>(
    `UPDATE staff_user SET totp_last_step = $2
      WHERE id = $1::uuid AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
    [staffUserId, step],
  );
  return rows.length === 1;
}
