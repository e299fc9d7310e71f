import type { Database } from "../data/db.js";

/*
 * The lifetime rules of staff console sessions, shared by the console that opens and checks them
 * and the housekeeping job that deletes the ones that are over.
 */

/** A session unused this long is over. */
export const IDLE_TIMEOUT_MS = 30 * 60_000;

/** Deletes sessions past their absolute end or idle for longer than the timeout. */
export async function purgeExpiredSessions(db: Database, now: Date): Promise<number> {
  const rows = await db.sql.query<{ id: string }>(
    `DELETE FROM console_session WHERE expires_at <= $1 OR last_seen_at <= $2 RETURNING id`,
    [now, new Date(now.getTime() - IDLE_TIMEOUT_MS)],
  );
  return rows.length;
}
