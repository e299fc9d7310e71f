import type { Database } from "../data/db.js";
import type { Appointment } from "../data/generated/client.js";
import { actorRef } from "./actor.js";
import { DomainError, invalid } from "./errors.js";
import type { StaffActor } from "./staff.js";
import { RecentFacts } from "./recent-facts.js";

/** One appointment as the clinic calendar draws it. */
export interface CalendarEntry {
  id: string;
  doctorId: string;
  patientId: string;
  patientFirstName: string;
  patientLastName: string;
  /** Start and end as the clinic's wall-clock, "YYYY-MM-DDTHH:MM:SS" (what a calendar shows). */
  start: string;
  end: string;
  status: Appointment["status"];
  overbooked: boolean;
}

export interface CalendarQuery {
  from: Date;
  to: Date;
  /** Only these doctors (a doctor always sees only their own book). */
  doctorId?: string;
  /** Only doctors practising this specialty. */
  specialtyId?: string;
}

/** A month view spans six weeks; anything wider is not a calendar page. */
export const MAX_CALENDAR_DAYS = 43;

// Declined and cancelled appointments no longer hold time: the calendar leaves them out.
const SHOWN = ["requested", "confirmed", "completed", "no_show"];

interface EntryRow {
  id: string;
  doctor_id: string;
  patient_id: string;
  first_name: string;
  last_name: string;
  start_local: string;
  end_local: string;
  status: Appointment["status"];
  overbooked: boolean;
}

const WALL_CLOCK = `'YYYY-MM-DD"T"HH24:MI:SS'`;

const asDate = (v: Date | string) => (v instanceof Date ? v : new Date(v));

/**
 * The appointments a calendar page shows, in one statement that also writes one audit row per
 * appointment shown (a read of its patient's name): a week of a busy clinic stays one round trip.
 */
export async function calendarEntries(
  db: Database,
  clinicId: string,
  actor: StaffActor,
  query: CalendarQuery,
  ip?: string | null,
): Promise<CalendarEntry[]> {
  if (!(query.to > query.from)) throw invalid("to", "must be after from");
  if (+query.to - +query.from > MAX_CALENDAR_DAYS * 86_400_000) throw invalid("to", "range too wide");
  if (actor.role === "doctor" && query.doctorId && query.doctorId !== actor.doctorId)
    throw new DomainError("forbidden", "Doctors see only their own appointments");
  const doctorId =
    actor.role === "doctor" ? (actor.doctorId ?? "00000000-0000-0000-0000-000000000000") : (query.doctorId ?? null);
  const { actorKind, actorId } = actorRef(actor);
  const rows = await db.sql.query<EntryRow>(
    // Postgres writes the wall-clock times itself (DST-correct, in the clinic's zone): 1,000
    // timestamps are cheaper to format there than to parse and convert here.
    `WITH shown AS (
       SELECT a.id, a.doctor_id, a.patient_id, p.first_name, p.last_name, a.starts_at, a.status, a.overbooked,
              to_char(a.starts_at AT TIME ZONE c.time_zone, ${WALL_CLOCK}) AS start_local,
              to_char(a.ends_at AT TIME ZONE c.time_zone, ${WALL_CLOCK}) AS end_local
         FROM appointment a JOIN patient p ON p.id = a.patient_id JOIN clinic c ON c.id = a.clinic_id
        WHERE a.clinic_id = $1::uuid AND a.starts_at >= $2::timestamptz AND a.starts_at < $3::timestamptz
          AND a.status = ANY($4::"AppointmentStatus"[])
          AND ($5::uuid IS NULL OR a.doctor_id = $5::uuid)
          AND ($6::uuid IS NULL OR EXISTS (SELECT 1 FROM doctor_specialty s WHERE s.doctor_id = a.doctor_id AND s.specialty_id = $6::uuid))
     ), audit AS (
       INSERT INTO audit_log (actor_kind, actor_id, action, resource_type, resource_id, patient_id, ip)
       SELECT $7::"ActorKind", $8, 'appointment.list', 'appointment', id::text, patient_id, $9 FROM shown
     )
     SELECT id, doctor_id, patient_id, first_name, last_name, start_local, end_local, status, overbooked
       FROM shown ORDER BY starts_at, id`,
    [clinicId, query.from, query.to, SHOWN, doctorId, query.specialtyId ?? null, actorKind, actorId, ip ?? null],
    { prepare: true },
  );
  return rows.map((r) => ({
    id: r.id,
    doctorId: r.doctor_id,
    patientId: r.patient_id,
    patientFirstName: r.first_name,
    patientLastName: r.last_name,
    start: r.start_local,
    end: r.end_local,
    status: r.status,
    overbooked: r.overbooked,
  }));
}

// ------------------------------------------------------------------ calendar frame
// The calendar's hot path reads through plain SQL: a week view is a handful of small reads
// plus the appointments, and each ORM round trip would cost more than the query itself.

const zones = new RecentFacts<string>();

/** The clinic's IANA time zone, cached a few seconds (a settings change shows up within ten). */
export function clinicTimeZone(db: Database, clinicId: string): Promise<string> {
  return zones.get(clinicId, () => readTimeZone(db, clinicId));
}

async function readTimeZone(db: Database, clinicId: string): Promise<string> {
  const [row] = await db.sql.query<{ time_zone: string }>(`SELECT time_zone FROM clinic WHERE id = $1::uuid`, [
    clinicId,
  ]);
  if (!row) throw new DomainError("not_found", "clinic not found", { resource: "clinic", id: clinicId });
  return row.time_zone;
}

export interface CalendarDoctor {
  id: string;
  title: string;
  firstName: string;
  lastName: string;
  active: boolean;
}

/** The clinic's doctors, by name. */
export async function calendarDoctors(db: Database, clinicId: string): Promise<CalendarDoctor[]> {
  const rows = await db.sql.query<{
    id: string;
    title: string;
    first_name: string;
    last_name: string;
    active: boolean;
  }>(
    `SELECT id, title, first_name, last_name, active FROM doctor WHERE clinic_id = $1::uuid ORDER BY last_name, first_name`,
    [clinicId],
    { prepare: true },
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    firstName: r.first_name,
    lastName: r.last_name,
    active: r.active,
  }));
}

/** The clinic's specialties, in both languages. */
export async function calendarSpecialties(
  db: Database,
  clinicId: string,
): Promise<{ id: string; nameFr: string; nameEn: string }[]> {
  const rows = await db.sql.query<{ id: string; name_fr: string; name_en: string }>(
    `SELECT id, name_fr, name_en FROM specialty WHERE clinic_id = $1::uuid ORDER BY code`,
    [clinicId],
    { prepare: true },
  );
  return rows.map((r) => ({ id: r.id, nameFr: r.name_fr, nameEn: r.name_en }));
}

export interface Closure {
  id: string;
  doctorId: string | null;
  kind: "leave" | "holiday" | "blocked";
  startsAt: Date;
  endsAt: Date;
}

/** Leave and exceptions touching [from, to): clinic-wide ones, plus one doctor's when given. */
export async function calendarClosures(
  db: Database,
  clinicId: string,
  range: { from: Date; to: Date; doctorId?: string },
): Promise<Closure[]> {
  const rows = await db.sql.query<{
    id: string;
    doctor_id: string | null;
    kind: Closure["kind"];
    starts_at: Date | string;
    ends_at: Date | string;
  }>(
    `SELECT id, doctor_id, kind, starts_at, ends_at FROM schedule_exception
      WHERE clinic_id = $1::uuid AND starts_at < $3::timestamptz AND ends_at > $2::timestamptz
        AND (doctor_id IS NULL OR doctor_id = $4::uuid)
      ORDER BY starts_at, id`,
    [clinicId, range.from, range.to, range.doctorId ?? null],
    { prepare: true },
  );
  return rows.map((r) => ({
    id: r.id,
    doctorId: r.doctor_id,
    kind: r.kind,
    startsAt: asDate(r.starts_at),
    endsAt: asDate(r.ends_at),
  }));
}
