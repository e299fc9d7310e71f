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
  const [hold] = await holdSlots(db, [req], { ...req, count: 1 });
  return hold ?? null;
}

/**
 * Holds the first `count` of `slots` that can still be held (same rules as holdSlot), in two
 * statements whatever the number of slots. `releaseOthers` also frees the holder's other holds,
 * as a new offer replaces the last one. A slot another conversation holds at the same instant
 * is skipped (the exclusion constraint decides), so fewer than `count` may come back.
 */
export async function holdSlots(
  db: Database,
  slots: Slot[],
  req: { holder: string; minutes: number; count: number; now?: Date; releaseOthers?: boolean },
): Promise<SlotHold[]> {
  const now = req.now ?? new Date();
  const expiresAt = new Date(+now + req.minutes * 60_000);
  const candidates = [slots.map((s) => s.doctorId), slots.map((s) => s.startsAt), slots.map((s) => s.endsAt)];
  await db.sql.query(
    `DELETE FROM slot_hold h
      WHERE ($6 AND h.holder = $5)
         OR ((h.expires_at <= $4 OR h.holder = $5)
             AND EXISTS (SELECT 1 FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS c(d, s, e)
                          WHERE h.doctor_id = c.d AND tstzrange(h.starts_at, h.ends_at) && tstzrange(c.s, c.e)))`,
    [...candidates, now, req.holder, req.releaseOthers === true],
    { prepare: true },
  );
  const held: SlotHold[] = [];
  let left = slots;
  // Conversations offering the same times at once race for them: the exclusion constraint lets
  // one win each slot and the others skip it, now visibly taken, on their next pass. Inside a
  // conversation's unit of work another's holds are unseen until it commits, and a hold
  // overlapping one waits for that: each pass picks the best slots, then takes them in one
  // order every conversation shares, so two conversations never wait for each other in a circle.
  for (let pass = 0; pass < MAX_HOLD_PASSES && left.length > 0 && held.length < req.count; pass++) {
    const rows = await db.sql.query<{
      id: string;
      doctor_id: string;
      starts_at: Date | string;
      ends_at: Date | string;
    }>(
      `INSERT INTO slot_hold (doctor_id, starts_at, ends_at, expires_at, holder)
       SELECT best.d, best.s, best.e, $4, $5 FROM (
         SELECT c.d, c.s, c.e FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS c(d, s, e, n)
          WHERE NOT EXISTS (SELECT 1 FROM appointment a WHERE a.doctor_id = c.d AND a.status IN ('requested', 'confirmed')
                              AND tstzrange(a.starts_at, a.ends_at) && tstzrange(c.s, c.e))
            AND NOT EXISTS (SELECT 1 FROM slot_hold h WHERE h.doctor_id = c.d AND tstzrange(h.starts_at, h.ends_at) && tstzrange(c.s, c.e))
          ORDER BY c.n LIMIT $6
       ) best ORDER BY best.d, best.s
       ON CONFLICT DO NOTHING RETURNING id, doctor_id, starts_at, ends_at`,
      [
        left.map((s) => s.doctorId),
        left.map((s) => s.startsAt),
        left.map((s) => s.endsAt),
        expiresAt,
        req.holder,
        req.count - held.length,
      ],
      { prepare: true },
    );
    if (rows.length === 0 && pass > 0) break;
    for (const r of rows)
      held.push({
        id: r.id,
        doctorId: r.doctor_id,
        startsAt: new Date(r.starts_at),
        endsAt: new Date(r.ends_at),
        expiresAt,
        holder: req.holder,
      });
    const mine = new Set(rows.map((r) => `${r.doctor_id}|${+new Date(r.starts_at)}`));
    left = left.filter((s) => !mine.has(`${s.doctorId}|${+s.startsAt}`));
  }
  // In the order the slots were given (best first), as callers expect.
  const rank = new Map(slots.map((s, i) => [`${s.doctorId}|${+s.startsAt}`, i]));
  return held.sort((a, b) => rank.get(`${a.doctorId}|${+a.startsAt}`)! - rank.get(`${b.doctorId}|${+b.startsAt}`)!);
}

const MAX_HOLD_PASSES = 4;

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
