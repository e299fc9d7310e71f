import type { AppContext } from "../context.js";
import type { Database } from "../data/db.js";
import { LIMITS, type Limiter } from "../domain/limits.js";
import { twoFactorRequired } from "../domain/staff.js";
import { SecretBox } from "../lib/secret-box.js";
import { useRecoveryCode } from "./recovery-codes.js";
import { matchTotp } from "./totp.js";
import { sealPlaintextTotpSecrets, totpBox, totpContext } from "./totp-vault.js";

/** Doctors and admins reach patient records and accounts: a password alone is not enough for them. */
export const mfaRequired = twoFactorRequired;

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

/** A staff member's TOTP secret in clear, or null when it cannot be opened (key changed): recovery codes still work. */
export function openTotpSecret(ctx: AppContext, staffUserId: string, sealed: string): string | null {
  try {
    return totpBox(ctx.config).open(sealed, totpContext(staffUserId));
  } catch {
    ctx.logger.warn({ staffUserId }, "TOTP secret does not open with TOTP_ENCRYPTION_KEY");
    return null;
  }
}

export type SecondFactorOutcome = { passed: true } | { passed: false; retryAfterSeconds?: number };

/**
 * Checks the second factor of an enrolled account, the same on every door (console, API): a
 * current authenticator code (each step accepted once) or an unused recovery code. Wrong codes
 * count per account, console and API together, across instances; past the limit nothing is
 * checked until the window frees up.
 */
export async function checkSecondFactor(
  ctx: AppContext,
  limiter: Limiter,
  account: { id: string; totpSecret: string; totpLastStep: number | null },
  code: string,
): Promise<SecondFactorOutcome> {
  const now = ctx.now();
  const gate = await limiter.check(LIMITS.secondFactorFailures, account.id, now);
  if (!gate.allowed) return { passed: false, retryAfterSeconds: gate.retryAfterSeconds };
  const given = code.trim().slice(0, 64);
  const secret = openTotpSecret(ctx, account.id, account.totpSecret);
  const step = secret === null ? null : matchTotp(secret, given, now, account.totpLastStep);
  const passed =
    step !== null
      ? await spendTotpStep(ctx.db, account.id, step)
      : /^\d{6}$/.test(given.replace(/\s/g, ""))
        ? false
        : await useRecoveryCode(ctx.db, account.id, given, now);
  if (!passed) {
    await limiter.record(LIMITS.secondFactorFailures, account.id, now);
    ctx.logger.info({ staffUserId: account.id }, "two-factor code refused");
    return { passed: false };
  }
  // A secret stored before encryption at rest (and not yet sealed at start) is sealed now.
  if (secret !== null && !SecretBox.isSealed(account.totpSecret))
    await sealPlaintextTotpSecrets(ctx.db, totpBox(ctx.config));
  return { passed: true };
}
