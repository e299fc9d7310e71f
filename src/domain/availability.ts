import type { Database } from "../data/db.js";
import { ClinicClock, type LocalDate } from "./clinic-time.js";
import { invalid, notFound } from "./errors.js";
import { RecentFacts } from "./recent-facts.js";

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
// Appointments and holds last at most 12 hours (a CHECK constraint), which bounds index scans from below.
const frames = new RecentFacts<ScheduleFrame>();
const clocks = new Map<string, ClinicClock>();

function clockFor(timeZone: string): ClinicClock {
  let clock = clocks.get(timeZone);
  if (!clock) clocks.set(timeZone, (clock = new ClinicClock(timeZone)));
  return clock;
}
const DAY = 24 * 60 * MINUTE;
const MAX_RANGE_DAYS = 366;

async function loadFrame(
  db: Database,
  q: Pick<SlotQuery, "clinicId" | "appointmentTypeId" | "doctorId" | "specialtyId">,
): Promise<ScheduleFrame> {
  const key = `${q.clinicId}|${q.appointmentTypeId}|${q.doctorId ?? ""}|${q.specialtyId ?? ""}`;
  return frames.get(key, () => readFrame(db, q));
}

async function readFrame(
  db: Database,
  q: Pick<SlotQuery, "clinicId" | "appointmentTypeId" | "doctorId" | "specialtyId">,
): Promise<ScheduleFrame> {
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
    { prepare: true },
  );
  const row = rows[0];
  if (!row) throw notFound("Clinic", q.clinicId);
  if (row.duration_minutes == null) throw notFound("AppointmentType", q.appointmentTypeId);
  return {
    clock: clockFor(row.time_zone),
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

/**
 * With `countDayOf`, also counts each doctor's appointments on that instant's local day
 * (kind 3 rows) in the same round trip, for the earliest-slot tie-break.
 */
async function loadBusy(
  db: Database,
  frame: ScheduleFrame,
  clinicId: string,
  fromMs: number,
  toMs: number,
  nowMs: number,
  holder?: string,
  countDayOf?: number,
): Promise<BusyMap> {
  const ids = frame.doctors.map((d) => d.id);
  // Filtered by clinic and time only (one index range); rows of doctors outside the frame are skipped below.
  const rows = await db.sql.query<{ doctor_id: string | null; s: number; e: number; kind: number }>(
    `SELECT doctor_id, extract(epoch FROM starts_at) * 1000 AS s, extract(epoch FROM ends_at) * 1000 AS e, 0 AS kind
       FROM appointment WHERE clinic_id = $1::uuid AND starts_at < $3 AND starts_at > $2::timestamptz - interval '12 hours'
         AND ends_at > $2 AND status IN ('requested', 'confirmed')
     UNION ALL
     SELECT h.doctor_id, extract(epoch FROM h.starts_at) * 1000, extract(epoch FROM h.ends_at) * 1000, 1
       FROM slot_hold h JOIN doctor d ON d.id = h.doctor_id AND d.clinic_id = $1::uuid
       WHERE h.starts_at < $3 AND h.starts_at > $2::timestamptz - interval '12 hours' AND h.ends_at > $2 AND h.expires_at > $4 AND h.holder IS DISTINCT FROM $5
     UNION ALL
     SELECT doctor_id, extract(epoch FROM starts_at) * 1000, extract(epoch FROM ends_at) * 1000, 2
       FROM schedule_exception WHERE clinic_id = $1::uuid AND starts_at < $3 AND ends_at > $2
     UNION ALL
     SELECT doctor_id, count(*), 0, 3
       FROM appointment WHERE $6::timestamptz IS NOT NULL AND clinic_id = $1::uuid AND starts_at >= $6 AND starts_at < $7
         AND status IN ('requested', 'confirmed')
       GROUP BY doctor_id`,
    [
      clinicId,
      new Date(fromMs),
      new Date(toMs),
      new Date(nowMs),
      holder ?? null,
      countDayOf === undefined ? null : new Date(frame.clock.startOfDay(countDayOf)),
      countDayOf === undefined
        ? null
        : new Date(frame.clock.at(frame.clock.addDays(frame.clock.dayOf(countDayOf), 1), 0)),
    ],
    { prepare: true },
  );
  const countedDay = countDayOf === undefined ? undefined : frame.clock.dayOf(countDayOf);
  const days = frame.clock.daysBetween(fromMs, toMs);
  const dayStarts = days.map((d) => frame.clock.at(d, 0));
  const dayOf = (ms: number): LocalDate => {
    let i = dayStarts.length - 1;
    while (i > 0 && dayStarts[i]! > ms) i--;
    return days[i]!;
  };
  const raw = new Map<string, [number, number][]>();
  const bookedPerDay = new Map<string, number>();
  const clinicWide: [number, number][] = [];
  const inFrame = new Set(ids);
  for (const r of rows) {
    if (r.doctor_id !== null && !inFrame.has(r.doctor_id)) continue;
    if (Number(r.kind) === 3) {
      bookedPerDay.set(`${r.doctor_id}|${countedDay}`, Number(r.s));
      continue;
    }
    const s = Number(r.s);
    const e = Number(r.e);
    if (r.doctor_id === null) {
      clinicWide.push([s, e]);
      continue;
    }
    let list = raw.get(r.doctor_id);
    if (!list) raw.set(r.doctor_id, (list = []));
    list.push([s, e]);
    if (Number(r.kind) === 0 && countedDay === undefined) {
      const key = `${r.doctor_id}|${dayOf(s)}`;
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
  if (frame.doctors.length === 0 || fromMs >= toMs)
    return { slots: [], busy: { intervals: new Map(), bookedPerDay: new Map() } };
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

/** The first instant ≥ t at which some doctor has a block long enough for the type, before `until`. */
function nextWorkingStart(frame: ScheduleFrame, t: number, until: number): number | null {
  for (let day = frame.clock.dayOf(t); frame.clock.at(day, 0) < until; day = frame.clock.addDays(day, 1)) {
    const weekday = frame.clock.weekday(day);
    let best = Infinity;
    for (const doctor of frame.doctors) {
      for (const b of doctor.blocks) {
        if (!blockApplies(b, day, weekday, frame.typeId)) continue;
        const blockEnd = frame.clock.at(day, b.end);
        if (blockEnd - frame.durationMs < t) continue;
        best = Math.min(best, Math.max(t, frame.clock.at(day, b.start)));
      }
    }
    if (best < until) return best;
    if (best !== Infinity) return null;
  }
  return null;
}

/**
 * The earliest free slot at or after `from`; with several doctors free at that time, the one
 * with the fewest appointments that day (automatic assignment). Looks only where someone
 * works, in windows that widen while nothing is found but never cross local midnight, so
 * the day's load counts come with the window's busy time in one query.
 */
export async function earliestSlot(
  db: Database,
  q: Omit<SlotQuery, "to" | "limit"> & { horizonDays?: number },
): Promise<Slot | null> {
  const frame = await loadFrame(db, q);
  if (frame.doctors.length === 0) return null;
  const nowMs = +(q.now ?? new Date());
  const horizonEnd = +q.from + (q.horizonDays ?? 60) * DAY;
  let t = Math.max(+q.from, nowMs + frame.noticeMs);
  for (let windowMs = 2 * 3_600_000; t < horizonEnd; windowMs *= 2) {
    const start = nextWorkingStart(frame, t, horizonEnd);
    if (start === null) return null;
    const end = Math.min(
      horizonEnd,
      start + windowMs,
      frame.clock.at(frame.clock.addDays(frame.clock.dayOf(start), 1), 0),
    );
    const busy = await loadBusy(db, frame, q.clinicId, start, end + frame.durationMs, nowMs, q.holder, start);
    const slots = slotsOfDay(frame, busy, frame.clock.dayOf(start), start, end);
    if (slots.length > 0) {
      const first = +slots[0]!.startsAt;
      return leastLoaded(
        frame,
        busy,
        slots.filter((s) => +s.startsAt === first),
      );
    }
    t = end;
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
    const { slots, busy } = await search(db, frame, {
      ...q,
      from: new Date(frame.clock.at(fromDay, 0)),
      to: new Date(frame.clock.at(toDay, 0)),
    });
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
