import type { Database } from "../data/db.js";
import type { Slot } from "./availability.js";

/** A slot reserved for one conversation while the patient decides. */
export interface SlotHold {
  id: string;
  doctorId: string;
  startsAt: Date;
  endsAt: Date;
  expiresAt: Date;
  holder: string;
}

/**
 * Reserves a slot for `holder` for `minutes`, or returns null when another live hold or an
 * active appointment covers it. Expired holds in the way are reclaimed here, so nothing
 * has to sweep them for availability to be right. Re-holding one's own slot extends it.
 */
export async function holdSlot(
  db: Database,
  req: Slot & { holder: string; minutes: number; now?: Date },
): Promise<SlotHold | null> {
  const now = req.now ?? new Date();
  const expiresAt = new Date(+now + req.minutes * 60_000);
  return db.sql.transaction(async (tx) => {
    await tx.query(
      `DELETE FROM slot_hold WHERE doctor_id = $1 AND tstzrange(starts_at, ends_at) && tstzrange($2, $3) AND (expires_at <= $4 OR holder = $5)`,
      [req.doctorId, req.startsAt, req.endsAt, now, req.holder],
    );
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO slot_hold (doctor_id, starts_at, ends_at, expires_at, holder)
       SELECT $1, $2, $3, $4, $5
       WHERE NOT EXISTS (SELECT 1 FROM appointment a WHERE a.doctor_id = $1 AND a.status IN ('requested', 'confirmed')
                           AND tstzrange(a.starts_at, a.ends_at) && tstzrange($2, $3))
       ON CONFLICT DO NOTHING RETURNING id`,
      [req.doctorId, req.startsAt, req.endsAt, expiresAt, req.holder],
    );
    const id = rows[0]?.id;
    return id
      ? { id, doctorId: req.doctorId, startsAt: req.startsAt, endsAt: req.endsAt, expiresAt, holder: req.holder }
      : null;
  });
}

/** Holds the first `count` of `slots` that can still be held; those taken meanwhile are skipped. */
export async function holdSlots(
  db: Database,
  slots: Slot[],
  req: { holder: string; minutes: number; count: number; now?: Date },
): Promise<SlotHold[]> {
  const held: SlotHold[] = [];
  for (const slot of slots) {
    if (held.length >= req.count) break;
    const hold = await holdSlot(db, { ...slot, holder: req.holder, minutes: req.minutes, now: req.now });
    if (hold) held.push(hold);
  }
  return held;
}

/** Frees every hold of a conversation (after booking, or when the patient moves on). */
export async function releaseHolds(db: Database, holder: string): Promise<number> {
  const rows = await db.sql.query<{ n: string }>(
    `WITH d AS (DELETE FROM slot_hold WHERE holder = $1 RETURNING 1) SELECT count(*) AS n FROM d`,
    [holder],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Deletes holds that expired before `before`; housekeeping only, availability already ignores them. */
export async function purgeExpiredHolds(db: Database, before: Date): Promise<number> {
  const rows = await db.sql.query<{ n: string }>(
    `WITH d AS (DELETE FROM slot_hold WHERE expires_at < $1 RETURNING 1) SELECT count(*) AS n FROM d`,
    [before],
  );
  return Number(rows[0]?.n ?? 0);
}
