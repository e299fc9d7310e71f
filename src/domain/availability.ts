import type { Database } from "../data/db.js";
import { ClinicClock, type LocalDate } from "./clinic-time.js";
import { invalid, notFound } from "./errors.js";

/** A bookable stretch of one doctor's time. */
export interface Slot {
  doctorId: string;
  startsAt: Date;
  endsAt: Date;
}

export interface SlotQuery {
  clinicId: string;
  appointmentTypeId: string;
  /** One doctor; otherwise every doctor who offers the type (optionally of one specialty). */
  doctorId?: string;
  specialtyId?: string;
  from: Date;
  to: Date;
  /** The conversation asking: its own holds do not hide slots from it. */
  holder?: string;
  now?: Date;
  limit?: number;
}

interface WorkingBlock {
  weekday: number;
  start: number;
  end: number;
  validFrom: string | null;
  validUntil: string | null;
  types: string[] | null;
}

interface DoctorSchedule {
  id: string;
  blocks: WorkingBlock[];
}

/** Everything that does not change between two slot searches a second apart. */
interface ScheduleFrame {
  clock: ClinicClock;
  stepMs: number;
  noticeMs: number;
  durationMs: number;
  typeId: string;
  doctors: DoctorSchedule[];
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const MAX_RANGE_DAYS = 366;

async function loadFrame(db: Database, q: Pick<SlotQuery, "clinicId" | "appointmentTypeId" | "doctorId" | "specialtyId">): Promise<ScheduleFrame> {
  // One round trip: clinic rules, the appointment type and every eligible doctor's weekly blocks.
  const rows = await db.sql.query<{
    time_zone: string;
    slot_step_minutes: number;
    min_booking_notice_minutes: number;
    duration_minutes: number | null;
    doctors: DoctorSchedule[] | null;
  }>(
    `SELECT c.time_zone, c.slot_step_minutes, c.min_booking_notice_minutes, t.duration_minutes,
       (SELECT json_agg(json_build_object('id', d.id, 'blocks', COALESCE((
           SELECT json_agg(json_build_object('weekday', w.weekday, 'start', w.start_minute, 'end', w.end_minute,
                    'validFrom', w.valid_from, 'validUntil', w.valid_until,
                    'types', (SELECT json_agg(x.appointment_type_id) FROM working_hours_appointment_type x WHERE x.working_hours_id = w.id)))
           FROM working_hours w WHERE w.doctor_id = d.id), '[]'::json)) ORDER BY d.id)
        FROM doctor d
        WHERE d.clinic_id = c.id AND d.active
          AND ($3::uuid IS NULL OR d.id = $3::uuid)
          AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM doctor_specialty s WHERE s.doctor_id = d.id AND s.specialty_id = $4::uuid))
          AND (t.specialty_id IS NULL OR EXISTS (SELECT 1 FROM doctor_specialty s WHERE s.doctor_id = d.id AND s.specialty_id = t.specialty_id))
       ) AS doctors
     FROM clinic c LEFT JOIN appointment_type t ON t.id = $2::uuid AND t.clinic_id = c.id AND t.active
     WHERE c.id = $1::uuid`,
    [q.clinicId, q.appointmentTypeId, q.doctorId ?? null, q.specialtyId ?? null],
  );
  const row = rows[0];
  if (!row) throw notFound("Clinic", q.clinicId);
  if (row.duration_minutes == null) throw notFound("AppointmentType", q.appointmentTypeId);
  return {
    clock: new ClinicClock(row.time_zone),
    stepMs: row.slot_step_minutes * MINUTE,
    noticeMs: row.min_booking_notice_minutes * MINUTE,
    durationMs: row.duration_minutes * MINUTE,
    typeId: q.appointmentTypeId,
    doctors: row.doctors ?? [],
  };
}

/** Busy time per doctor (appointments, other conversations' live holds, leave) plus booked counts per local day. */
interface BusyMap {
  intervals: Map<string, number[]>;
  bookedPerDay: Map<string, number>;
}

async function loadBusy(db: Database, frame: ScheduleFrame, clinicId: string, fromMs: number, toMs: number, nowMs: number, holder?: string): Promise<BusyMap> {
  const ids = frame.doctors.map((d) => d.id);
  const rows = await db.sql.query<{ doctor_id: string | null; s: number; e: number; kind: number }>(
    `SELECT doctor_id, extract(epoch FROM starts_at) * 1000 AS s, extract(epoch FROM ends_at) * 1000 AS e, 0 AS kind
       FROM appointment WHERE doctor_id = ANY($1::uuid[]) AND status IN ('requested', 'confirmed') AND starts_at < $3 AND ends_at > $2
     UNION ALL
     SELECT doctor_id, extract(epoch FROM starts_at) * 1000, extract(epoch FROM ends_at) * 1000, 1
       FROM slot_hold WHERE doctor_id = ANY($1::uuid[]) AND starts_at < $3 AND ends_at > $2 AND expires_at > $4 AND holder IS DISTINCT FROM $5
     UNION ALL
     SELECT doctor_id, extract(epoch FROM starts_at) * 1000, extract(epoch FROM ends_at) * 1000, 2
       FROM schedule_exception WHERE clinic_id = $6::uuid AND (doctor_id IS NULL OR doctor_id = ANY($1::uuid[])) AND starts_at < $3 AND ends_at > $2`,
    [ids, new Date(fromMs), new Date(toMs), new Date(nowMs), holder ?? null, clinicId],
  );
  const raw = new Map<string, [number, number][]>();
  const bookedPerDay = new Map<string, number>();
  const clinicWide: [number, number][] = [];
  for (const r of rows) {
    const s = Number(r.s);
    const e = Number(r.e);
    if (r.doctor_id === null) {
      clinicWide.push([s, e]);
      continue;
    }
    let list = raw.get(r.doctor_id);
    if (!list) raw.set(r.doctor_id, (list = []));
    list.push([s, e]);
    if (Number(r.kind) === 0) {
      const key = `${r.doctor_id}|${frame.clock.dayOf(s)}`;
      bookedPerDay.set(key, (bookedPerDay.get(key) ?? 0) + 1);
    }
  }
  const intervals = new Map<string, number[]>();
  for (const id of ids) intervals.set(id, mergeIntervals([...(raw.get(id) ?? []), ...clinicWide]));
  return { intervals, bookedPerDay };
}

/** Sorted, merged intervals flattened as [s0, e0, s1, e1, …] for binary search. */
function mergeIntervals(list: [number, number][]): number[] {
  list.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [s, e] of list) {
    const n = out.length;
    if (n > 0 && s <= out[n - 1]!) out[n - 1] = Math.max(out[n - 1]!, e);
    else out.push(s, e);
  }
  return out;
}

function overlapsAny(flat: number[], s: number, e: number): boolean {
  // First interval whose end is after s; it overlaps iff it starts before e.
  let lo = 0;
  let hi = flat.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (flat[mid * 2 + 1]! <= s) lo = mid + 1;
    else hi = mid;
  }
  return lo < flat.length / 2 && flat[lo * 2]! < e;
}

function blockApplies(b: WorkingBlock, day: LocalDate, weekday: number, typeId: string): boolean {
  if (b.weekday !== weekday) return false;
  if (b.validFrom && day < b.validFrom.slice(0, 10)) return false;
  if (b.validUntil && day > b.validUntil.slice(0, 10)) return false;
  return !b.types || b.types.length === 0 || b.types.includes(typeId);
}

/** Free slots of one local day, sorted by start then doctor. */
function slotsOfDay(frame: ScheduleFrame, busy: BusyMap, day: LocalDate, fromMs: number, toMs: number): Slot[] {
  const weekday = frame.clock.weekday(day);
  const out: { doctorId: string; s: number }[] = [];
  for (const doctor of frame.doctors) {
    const flat = busy.intervals.get(doctor.id) ?? [];
    for (const b of doctor.blocks) {
      if (!blockApplies(b, day, weekday, frame.typeId)) continue;
      const blockStart = frame.clock.at(day, b.start);
      const blockEnd = frame.clock.at(day, b.end);
      for (let s = blockStart; s + frame.durationMs <= blockEnd; s += frame.stepMs) {
        if (s < fromMs) continue;
        if (s >= toMs) break;
        if (!overlapsAny(flat, s, s + frame.durationMs)) out.push({ doctorId: doctor.id, s });
      }
    }
  }
  out.sort((a, b) => a.s - b.s || (a.doctorId < b.doctorId ? -1 : a.doctorId > b.doctorId ? 1 : 0));
  return out.map(({ doctorId, s }) => ({ doctorId, startsAt: new Date(s), endsAt: new Date(s + frame.durationMs) }));
}

function checkRange(from: Date, to: Date): void {
  if (!(from instanceof Date) || Number.isNaN(+from)) throw invalid("from", "not a date");
  if (!(to instanceof Date) || Number.isNaN(+to)) throw invalid("to", "not a date");
  if (+to <= +from) throw invalid("to", "must be after from");
  if (+to - +from > MAX_RANGE_DAYS * DAY) throw invalid("to", `range longer than ${MAX_RANGE_DAYS} days`);
}

async function search(db: Database, frame: ScheduleFrame, q: SlotQuery): Promise<{ slots: Slot[]; busy: BusyMap }> {
  const nowMs = +(q.now ?? new Date());
  const fromMs = Math.max(+q.from, nowMs + frame.noticeMs);
  const toMs = +q.to;
  if (frame.doctors.length === 0 || fromMs >= toMs) return { slots: [], busy: { intervals: new Map(), bookedPerDay: new Map() } };
  // Load whole local days so per-day load counts are complete.
  const loadFrom = frame.clock.startOfDay(fromMs);
  const loadTo = frame.clock.at(frame.clock.addDays(frame.clock.dayOf(toMs - 1), 1), 0);
  const busy = await loadBusy(db, frame, q.clinicId, loadFrom, loadTo, nowMs, q.holder);
  const slots: Slot[] = [];
  for (const day of frame.clock.daysBetween(fromMs, toMs)) {
    slots.push(...slotsOfDay(frame, busy, day, fromMs, toMs));
    if (q.limit !== undefined && slots.length >= q.limit) return { slots: slots.slice(0, q.limit), busy };
  }
  return { slots, busy };
}

/** Free slots over a range: working hours minus leave, holidays, appointments, live holds and the notice period. */
export async function findSlots(db: Database, q: SlotQuery): Promise<Slot[]> {
  checkRange(q.from, q.to);
  const frame = await loadFrame(db, q);
  return (await search(db, frame, q)).slots;
}

function leastLoaded(frame: ScheduleFrame, busy: BusyMap, candidates: Slot[]): Slot {
  const load = (s: Slot) => busy.bookedPerDay.get(`${s.doctorId}|${frame.clock.dayOf(s.startsAt)}`) ?? 0;
  return candidates.reduce((best, s) => (load(s) < load(best) ? s : best));
}

/**
 * The earliest free slot at or after `from`; with several doctors free at that time, the one
 * with the fewest appointments that day (automatic assignment). Searches in widening windows.
 */
export async function earliestSlot(db: Database, q: Omit<SlotQuery, "to" | "limit"> & { horizonDays?: number }): Promise<Slot | null> {
  const frame = await loadFrame(db, q);
  const horizonEnd = +q.from + (q.horizonDays ?? 60) * DAY;
  let windowStart = +q.from;
  for (const days of [1, 7, 30, MAX_RANGE_DAYS]) {
    const windowEnd = Math.min(horizonEnd, frame.clock.at(frame.clock.addDays(frame.clock.dayOf(windowStart), days), 0));
    if (windowStart >= windowEnd) break;
    const { slots, busy } = await search(db, frame, { ...q, from: new Date(windowStart), to: new Date(windowEnd) });
    if (slots.length > 0) {
      const first = +slots[0]!.startsAt;
      return leastLoaded(frame, busy, slots.filter((s) => +s.startsAt === first));
    }
    windowStart = windowEnd;
  }
  return null;
}

/**
 * Up to `count` free slots closest to `target` (e.g. "Tuesday around 10"), nearest first.
 * Without a doctor, one slot per start time, given to the least-loaded doctor.
 */
export async function slotsNear(
  db: Database,
  q: Omit<SlotQuery, "from" | "to" | "limit"> & { target: Date; count?: number; maxDistanceDays?: number },
): Promise<Slot[]> {
  const frame = await loadFrame(db, q);
  const count = q.count ?? 3;
  const target = +q.target;
  const maxSpread = q.maxDistanceDays ?? 14;
  for (const spread of [...new Set([0, 1, 3, maxSpread])].filter((d) => d <= maxSpread)) {
    const fromDay = frame.clock.addDays(frame.clock.dayOf(target), -spread);
    const toDay = frame.clock.addDays(frame.clock.dayOf(target), spread + 1);
    const { slots, busy } = await search(db, frame, { ...q, from: new Date(frame.clock.at(fromDay, 0)), to: new Date(frame.clock.at(toDay, 0)) });
    const byStart = new Map<number, Slot[]>();
    for (const s of slots) {
      const list = byStart.get(+s.startsAt);
      if (list) list.push(s);
      else byStart.set(+s.startsAt, [s]);
    }
    const picks = q.doctorId ? slots : [...byStart.values()].map((group) => leastLoaded(frame, busy, group));
    if (picks.length >= count || spread === maxSpread) {
      return picks
        .sort((a, b) => Math.abs(+a.startsAt - target) - Math.abs(+b.startsAt - target) || +a.startsAt - +b.startsAt)
        .slice(0, count);
    }
  }
  return [];
}
