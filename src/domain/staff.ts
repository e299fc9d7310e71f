import { hashPassword, verifyPassword } from "../lib/passwords.js";
import { sqlState, type Database } from "../data/db.js";
import type { StaffUser } from "../data/generated/client.js";
import type { Actor, StaffRole } from "./actor.js";
import { DomainError, invalid, notFound } from "./errors.js";

/** A staff member acting through the API or console. */
export type StaffActor = Extract<Actor, { kind: "staff" }>;

/** Who a successful login is: what goes into the staff token. */
export interface StaffIdentity {
  userId: string;
  clinicId: string;
  role: StaffRole;
  doctorId: string | null;
}

export type LoginOutcome =
  | { ok: true; staff: StaffIdentity; tokenVersion: number; enrolled: boolean }
  | { ok: false; reason: "bad_credentials" | "locked" | "inactive" };

/** Doctors and admins reach patient records and accounts: a password alone is not enough for them, on any door. */
export const twoFactorRequired = (role: StaffRole): boolean => role === "doctor" || role === "admin";

/**
 * Ends every console session and API token of the account at once (logout, and whatever
 * changes who may sign in as it): both carry the version they were made under.
 */
export async function endAllSignIns(db: Database, staffUserId: string): Promise<void> {
  await db.sql.query(`UPDATE staff_user SET token_version = token_version + 1 WHERE id = $1::uuid`, [staffUserId]);
}

/** Consecutive wrong passwords before the account is locked. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;
export const MIN_PASSWORD_LENGTH = 12;

// Unknown emails are verified against this hash so they cost as much time as a wrong password.
let dummyHash: Promise<string> | undefined;
const timingDummy = () => (dummyHash ??= hashPassword("tabib-timing-dummy-password"));

/** Computes the dummy hash ahead of the first login, so that login is not slower than the rest. */
export function prepareLoginTiming(): void {
  timingDummy().catch(() => (dummyHash = undefined));
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/**
 * Checks an email/password pair. Unknown email, wrong password, locked and disabled
 * accounts all cost one argon2 verification; callers answer them identically.
 */
export async function verifyStaffLogin(
  db: Database,
  input: { email: string; password: string; now: Date },
): Promise<LoginOutcome> {
  const user = await db.prisma.staffUser.findUnique({ where: { email: normalizeEmail(input.email) } });
  if (!user) {
    await verifyPassword(await timingDummy(), input.password);
    return { ok: false, reason: "bad_credentials" };
  }
  const locked = user.lockedUntil !== null && user.lockedUntil > input.now;
  const passwordOk = await verifyPassword(user.passwordHash, input.password);
  if (locked) return { ok: false, reason: "locked" };
  if (!passwordOk) {
    await recordFailure(db, user, input.now);
    return { ok: false, reason: "bad_credentials" };
  }
  if (!user.active) return { ok: false, reason: "inactive" };
  if (user.failedLogins !== 0 || user.lockedUntil !== null) {
    await db.prisma.staffUser.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null } });
  }
  return {
    ok: true,
    staff: { userId: user.id, clinicId: user.clinicId, role: user.role, doctorId: user.doctorId },
    tokenVersion: user.tokenVersion,
    enrolled: user.totpSecret !== null,
  };
}

async function recordFailure(db: Database, user: StaffUser, now: Date): Promise<void> {
  // A lock that has run out starts a fresh count rather than re-locking on the next typo.
  const expiredLock = user.lockedUntil !== null && user.lockedUntil <= now;
  const rows = await db.sql.query<{ failed_logins: number }>(
    `UPDATE staff_user SET failed_logins = CASE WHEN $2 THEN 1 ELSE failed_logins + 1 END,
            locked_until = CASE WHEN $2 THEN NULL ELSE locked_until END
      WHERE id = $1 RETURNING failed_logins`,
    [user.id, expiredLock],
  );
  if ((rows[0]?.failed_logins ?? 0) >= MAX_FAILED_LOGINS) {
    await db.prisma.staffUser.update({
      where: { id: user.id },
      data: { lockedUntil: new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) },
    });
  }
}

export async function getStaffUser(db: Database, clinicId: string, userId: string): Promise<StaffUser> {
  const user = await db.prisma.staffUser.findFirst({ where: { id: userId, clinicId } });
  if (!user) throw notFound("staff user", userId);
  return user;
}

export async function listStaffUsers(db: Database, clinicId: string): Promise<StaffUser[]> {
  return db.prisma.staffUser.findMany({ where: { clinicId }, orderBy: [{ role: "asc" }, { email: "asc" }] });
}

export interface NewStaffUser {
  email: string;
  displayName: string;
  role: StaffRole;
  password: string;
  doctorId?: string | null;
}

export async function createStaffUser(db: Database, clinicId: string, input: NewStaffUser): Promise<StaffUser> {
  const doctorId = await checkDoctorLink(db, clinicId, input.role, input.doctorId ?? null);
  checkPassword(input.password);
  try {
    return await db.prisma.staffUser.create({
      data: {
        clinicId,
        email: normalizeEmail(input.email),
        displayName: input.displayName,
        role: input.role,
        doctorId,
        passwordHash: await hashPassword(input.password),
      },
    });
  } catch (err) {
    throw uniqueViolationAsConflict(err, "a staff account with this email, or for this doctor, already exists");
  }
}

export interface StaffUserChanges {
  displayName?: string;
  role?: StaffRole;
  doctorId?: string | null;
  active?: boolean;
  password?: string;
  /** Clears a lockout after failed logins. */
  unlock?: boolean;
}

export async function updateStaffUser(
  db: Database,
  clinicId: string,
  userId: string,
  changes: StaffUserChanges,
): Promise<StaffUser> {
  const user = await getStaffUser(db, clinicId, userId);
  const role = changes.role ?? user.role;
  const doctorId = await checkDoctorLink(
    db,
    clinicId,
    role,
    changes.doctorId !== undefined ? changes.doctorId : role === "doctor" ? user.doctorId : null,
  );
  if (changes.password !== undefined) checkPassword(changes.password);
  // A new password, another role or a deactivation ends every sign-in made before it.
  const signInsEnd =
    changes.password !== undefined ||
    role !== user.role ||
    (changes.active !== undefined && changes.active !== user.active);
  try {
    return await db.prisma.staffUser.update({
      where: { id: user.id },
      data: {
        displayName: changes.displayName,
        role,
        doctorId,
        active: changes.active,
        ...(changes.password !== undefined ? { passwordHash: await hashPassword(changes.password) } : {}),
        ...(changes.unlock || changes.password !== undefined ? { failedLogins: 0, lockedUntil: null } : {}),
        ...(signInsEnd ? { tokenVersion: { increment: 1 } } : {}),
      },
    });
  } catch (err) {
    throw uniqueViolationAsConflict(err, "another staff account is already linked to this doctor");
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw invalid("password", `must be at least ${MIN_PASSWORD_LENGTH} characters`);
}

// A doctor login acts for exactly one doctor of the same clinic; other roles act for none.
async function checkDoctorLink(
  db: Database,
  clinicId: string,
  role: StaffRole,
  doctorId: string | null,
): Promise<string | null> {
  if (role !== "doctor") {
    if (doctorId) throw invalid("doctorId", "only doctor accounts are linked to a doctor");
    return null;
  }
  if (!doctorId) throw invalid("doctorId", "a doctor account must name its doctor");
  const doctor = await db.prisma.doctor.findFirst({ where: { id: doctorId, clinicId }, select: { id: true } });
  if (!doctor) throw invalid("doctorId", "no such doctor in this clinic");
  return doctorId;
}

/** Turns a unique-constraint failure into a 409-style DomainError; rethrows anything else. */
export function uniqueViolationAsConflict(err: unknown, message: string): unknown {
  // Prisma's own P2002, or the driver adapter's SQLSTATE 23505 passed through (PGlite).
  const state = sqlState(err);
  if (state === "P2002" || state === "23505") return new DomainError("conflict", message);
  return err;
}
