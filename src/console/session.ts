import { createHash, randomBytes } from "node:crypto";
import type { Database } from "../data/db.js";
import type { StaffRole } from "../domain/actor.js";
import { IDLE_TIMEOUT_MS } from "../domain/staff-sessions.js";

/*
 * Server-side console sessions. The browser holds a random 32-byte token; the database holds
 * only its SHA-256, so a leaked table (or backup) cannot be replayed as a cookie.
 */

export const SESSION_COOKIE = "tabib_session";
/** However active, a session ends this long after login. */
export const ABSOLUTE_TIMEOUT_MS = 12 * 3600_000;
// last_seen_at is written at most this often: one write per page view would be wasted I/O.
const TOUCH_EVERY_MS = 60_000;

/** The signed-in staff member, read fresh from the account on every request. */
export interface ConsoleUser {
  id: string;
  clinicId: string;
  email: string;
  displayName: string;
  role: StaffRole;
  doctorId: string | null;
  /** Sealed with TOTP_ENCRYPTION_KEY (totp-vault.ts); null until MFA enrolment. */
  totpSecret: string | null;
  totpLastStep: number | null;
  mustChangePassword: boolean;
  consoleLocale: "fr" | "en" | null;
}

export interface ConsoleSession {
  /** SHA-256 of the cookie token. */
  id: string;
  csrfToken: string;
  mfaPassed: boolean;
  /** Sealed like ConsoleUser.totpSecret. */
  pendingTotpSecret: string | null;
  user: ConsoleUser;
}

export const hashSessionToken = (token: string): string => createHash("sha256").update(token).digest("hex");

/** Starts a session; returns the token for the cookie. */
export async function openSession(
  db: Database,
  staffUserId: string,
  now: Date,
  opts: { mfaPassed: boolean },
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db.sql.query(
    `INSERT INTO console_session (id, staff_user_id, created_at, last_seen_at, expires_at, mfa_passed, csrf_token, token_version)
     VALUES ($1, $2::uuid, $3, $3, $4, $5, $6, (SELECT token_version FROM staff_user WHERE id = $2::uuid))`,
    [
      hashSessionToken(token),
      staffUserId,
      now,
      new Date(now.getTime() + ABSOLUTE_TIMEOUT_MS),
      opts.mfaPassed,
      randomBytes(32).toString("base64url"),
    ],
  );
  return token;
}

interface SessionRow {
  id: string;
  csrf_token: string;
  mfa_passed: boolean;
  pending_totp_secret: string | null;
  last_seen_at: Date | string;
  expires_at: Date | string;
  user_id: string;
  clinic_id: string;
  email: string;
  display_name: string;
  role: StaffRole;
  doctor_id: string | null;
  totp_secret: string | null;
  totp_last_step: number | null;
  must_change_password: boolean;
  console_locale: "fr" | "en" | null;
}

/** The live session behind a cookie token, or null (unknown, idle, expired, account disabled). */
export async function loadSession(db: Database, token: string, now: Date): Promise<ConsoleSession | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const id = hashSessionToken(token);
  const rows = await db.sql.query<SessionRow>(
    `SELECT s.id, s.csrf_token, s.mfa_passed, s.pending_totp_secret, s.last_seen_at, s.expires_at,
            u.id AS user_id, u.clinic_id, u.email, u.display_name, u.role, u.doctor_id, u.totp_secret,
            u.totp_last_step, u.must_change_password, u.console_locale
       FROM console_session s JOIN staff_user u ON u.id = s.staff_user_id
      WHERE s.id = $1 AND u.active AND s.token_version = u.token_version`,
    [id],
    { prepare: true },
  );
  const row = rows[0];
  if (!row) return null;
  const lastSeen = new Date(row.last_seen_at).getTime();
  if (new Date(row.expires_at).getTime() <= now.getTime() || lastSeen + IDLE_TIMEOUT_MS <= now.getTime()) {
    await closeSession(db, id);
    return null;
  }
  if (now.getTime() - lastSeen >= TOUCH_EVERY_MS) {
    await db.sql.query(`UPDATE console_session SET last_seen_at = $2 WHERE id = $1`, [id, now]);
  }
  return {
    id,
    csrfToken: row.csrf_token,
    mfaPassed: row.mfa_passed,
    pendingTotpSecret: row.pending_totp_secret,
    user: {
      id: row.user_id,
      clinicId: row.clinic_id,
      email: row.email,
      displayName: row.display_name,
      role: row.role,
      doctorId: row.doctor_id,
      totpSecret: row.totp_secret,
      totpLastStep: row.totp_last_step,
      mustChangePassword: row.must_change_password,
      consoleLocale: row.console_locale,
    },
  };
}

export async function updateSession(
  db: Database,
  id: string,
  changes: { mfaPassed?: boolean; pendingTotpSecret?: string | null },
): Promise<void> {
  await db.prisma.consoleSession.update({ where: { id }, data: changes });
}

export async function closeSession(db: Database, id: string): Promise<void> {
  await db.sql.query(`DELETE FROM console_session WHERE id = $1`, [id]);
}

/**
 * Keeps this session alive across a change that ended every sign-in of its account (its own
 * password change): it moves to the account's new token version; the others are deleted.
 */
export async function keepOnlySession(db: Database, staffUserId: string, keepId: string): Promise<void> {
  await db.sql.query(
    `UPDATE console_session SET token_version = (SELECT token_version FROM staff_user WHERE id = $1::uuid) WHERE id = $2`,
    [staffUserId, keepId],
  );
  await db.sql.query(`DELETE FROM console_session WHERE staff_user_id = $1::uuid AND id <> $2`, [staffUserId, keepId]);
}

/** Signs an account out everywhere (after an admin reset its password). */
export async function closeAllSessions(db: Database, staffUserId: string): Promise<void> {
  await db.sql.query(`DELETE FROM console_session WHERE staff_user_id = $1::uuid`, [staffUserId]);
}
