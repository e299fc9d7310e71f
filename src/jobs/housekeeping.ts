import type { Database } from "../data/db.js";
import { purgeExpiredHolds } from "../domain/holds.js";
import { purgeExpiredSessions } from "../domain/staff-sessions.js";

/** Holds are ignored once expired; rows older than this are deleted so the table stays small. */
const EXPIRED_HOLD_RETENTION_MS = 60 * 60_000;

export interface HousekeepingReport {
  expiredHoldsDeleted: number;
  expiredConsoleSessionsDeleted: number;
}

/** Periodic clean-up that no request depends on. Safe to run from several workers at once. */
export async function runHousekeeping(db: Database, now: Date): Promise<HousekeepingReport> {
  return {
    expiredHoldsDeleted: await purgeExpiredHolds(db, new Date(+now - EXPIRED_HOLD_RETENTION_MS)),
    expiredConsoleSessionsDeleted: await purgeExpiredSessions(db, now),
  };
}
