import type { Database, Sql } from "../data/db.js";
import { inTransaction, sqlState } from "../data/db.js";
import type { Appointment, AppointmentEvent } from "../data/generated/client.js";
import { SqlParams } from "../data/sql-params.js";
import { actorRef, type Actor } from "./actor.js";
import { slotsNear, type Slot } from "./availability.js";
import { emitCareEvent } from "./care-events.js";
import { DomainError, invalid, notFound } from "./errors.js";
import { followAppointmentChange, type AppointmentChange } from "./follow-up.js";
import { createPatient, type PatientAccess, type PatientFields } from "./patients.js";

export type AppointmentStatus = Appointment["status"];
export type SourceChannel = Appointment["sourceChannel"];

export interface BookingRequest {
  clinicId: string;
  patientId: string;
  appointmentTypeId: string;
  doctorId: string;
  startsAt: Date;
  reason?: string | null;
  sourceChannel: SourceChannel;
  actor: Actor;
  /** The conversation whose hold on this slot the booking consumes. */
  holder?: string;
  /** Same key, same booking: a repeated request returns the first appointment. */
  idempotencyKey?: string;
  now?: Date;
}

const ACTIVE = ["requested", "confirmed"] as const;

/** Which statuses each status may come from. */
const TRANSITIONS: Record<AppointmentStatus, readonly AppointmentStatus[]> = {
  requested: [],
  confirmed: ["requested"],
  declined: ["requested"],
  cancelled: ["requested", "confirmed"],
  completed: ["confirmed"],
  no_show: ["confirmed"],
};

const APPOINTMENT_COLUMNS = `id, clinic_id, doctor_id, patient_id, type_id, starts_at, ends_at, status, reason, source_channel, overbooked, idempotency_key, created_at, updated_at`;

interface AppointmentRow {
  id: string;
  clinic_id: string;
  doctor_id: string;
  patient_id: string;
  type_id: string;
  starts_at: Date | string;
  ends_at: Date | string;
  status: AppointmentStatus;
  reason: string | null;
  source_channel: SourceChannel;
  overbooked: boolean;
  idempotency_key: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const asDate = (v: Date | string) => (v instanceof Date ? v : new Date(v));

function toAppointment(r: AppointmentRow): Appointment {
  return {
    id: r.id,
    clinicId: r.clinic_id,
    doctorId: r.doctor_id,
    patientId: r.patient_id,
    typeId: r.type_id,
    startsAt: asDate(r.starts_at),
    endsAt: asDate(r.ends_at),
    status: r.status,
    reason: r.reason,
    sourceChannel: r.source_channel,
    overbooked: r.overbooked,
    idempotencyKey: r.idempotency_key,
    createdAt: asDate(r.created_at),
    updatedAt: asDate(r.updated_at),
  };
}

interface SlotGuard {
  clinicId: string;
  doctorId: string;
  typeId: string;
  startsAt: Date;
  now: Date;
  holder?: string;
  checkNotice: boolean;
  /** The appointment being moved, which must not count against its own new slot. */
  movingId?: string;
}

/**
 * A CTE named `ok` that yields one row (starts_at, ends_at, booking_mode) when the slot may be
 * taken: inside the doctor's working hours for the type, clear of leave and holidays, not
 * held by another conversation, not in the past nor inside the notice period. Overlap with
 * other appointments is left to the exclusion constraint, which decides races atomically.
 */
function slotGuardCte(p: SqlParams, g: SlotGuard): string {
  const start = p.add(g.startsAt, "timestamptz");
  const doctor = p.add(g.doctorId, "uuid");
  const type = p.add(g.typeId, "uuid");
  const now = p.add(g.now, "timestamptz");
  return `ctx AS (
      SELECT c.booking_mode, c.time_zone, c.min_booking_notice_minutes,
             ${start} AS starts_at, ${start} + make_interval(mins => t.duration_minutes) AS ends_at,
             (${start} AT TIME ZONE c.time_zone) AS local_start,
             ((${start} + make_interval(mins => t.duration_minutes)) AT TIME ZONE c.time_zone) AS local_end
      FROM clinic c
      JOIN appointment_type t ON t.id = ${type} AND t.clinic_id = c.id AND t.active
      JOIN doctor d ON d.id = ${doctor} AND d.clinic_id = c.id AND d.active
      WHERE c.id = ${p.add(g.clinicId, "uuid")}
        -- Writers to one doctor's calendar queue here: concurrent inserts racing on the
        -- exclusion constraint would otherwise deadlock each other (40P01).
        AND pg_advisory_xact_lock(7411002, hashtext(${doctor}::text))::text IS NOT NULL
        AND (t.specialty_id IS NULL OR EXISTS (SELECT 1 FROM doctor_specialty s WHERE s.doctor_id = d.id AND s.specialty_id = t.specialty_id))
    ), ok AS (
      SELECT ctx.starts_at, ctx.ends_at, ctx.booking_mode FROM ctx
      WHERE ctx.starts_at > ${now}
        AND (NOT ${p.add(g.checkNotice, "boolean")} OR ctx.starts_at >= ${now} + make_interval(mins => ctx.min_booking_notice_minutes))
        AND EXISTS (
          SELECT 1 FROM working_hours w
          WHERE w.doctor_id = ${doctor} AND w.weekday = extract(isodow FROM ctx.local_start)
            AND (w.valid_from IS NULL OR w.valid_from <= ctx.local_start::date)
            AND (w.valid_until IS NULL OR w.valid_until >= ctx.local_start::date)
            AND ctx.local_start >= ctx.local_start::date + make_interval(mins => w.start_minute)
            AND ctx.local_end <= ctx.local_start::date + make_interval(mins => w.end_minute)
            AND (NOT EXISTS (SELECT 1 FROM working_hours_appointment_type x WHERE x.working_hours_id = w.id)
                 OR EXISTS (SELECT 1 FROM working_hours_appointment_type x WHERE x.working_hours_id = w.id AND x.appointment_type_id = ${type})))
        AND NOT EXISTS (
          SELECT 1 FROM schedule_exception e
          WHERE e.clinic_id = ${p.add(g.clinicId, "uuid")} AND (e.doctor_id IS NULL OR e.doctor_id = ${doctor})
            AND tstzrange(e.starts_at, e.ends_at) && tstzrange(ctx.starts_at, ctx.ends_at))
        AND NOT EXISTS (
          SELECT 1 FROM slot_hold h
          WHERE h.doctor_id = ${doctor} AND h.expires_at > ${now} AND h.holder IS DISTINCT FROM ${p.add(g.holder ?? null, "text")}
            AND tstzrange(h.starts_at, h.ends_at) && tstzrange(ctx.starts_at, ctx.ends_at))
        AND NOT EXISTS (
          SELECT 1 FROM appointment o
          WHERE o.doctor_id = ${doctor} AND o.overbooked AND o.status IN ('requested', 'confirmed')
            AND o.id IS DISTINCT FROM ${p.add(g.movingId ?? null, "uuid")}
            AND tstzrange(o.starts_at, o.ends_at) && tstzrange(ctx.starts_at, ctx.ends_at))
    )`;
}

function eventInsert(
  p: SqlParams,
  from: string,
  actor: Actor,
  reason: string | null | undefined,
  detail: Record<string, unknown> | null,
  fromStatusExpr: string,
): string {
  const { actorKind, actorId } = actorRef(actor);
  return `INSERT INTO appointment_event (appointment_id, actor_kind, actor_id, from_status, to_status, reason, detail)
    SELECT id, ${p.add(actorKind, '"ActorKind"')}, ${p.add(actorId, "text")}, ${fromStatusExpr}, status, ${p.add(reason ?? null, "text")}, ${p.add(detail ? JSON.stringify(detail) : null, "jsonb")} FROM ${from}`;
}

async function insertAppointment(
  sql: Sql,
  req: BookingRequest,
  opts: { checkNotice: boolean; overbook?: { reason: string } },
): Promise<Appointment | null> {
  const now = req.now ?? new Date();
  const p = new SqlParams();
  const patientDecides = req.actor.kind === "patient";
  const guard = slotGuardCte(p, {
    clinicId: req.clinicId,
    doctorId: req.doctorId,
    typeId: req.appointmentTypeId,
    startsAt: req.startsAt,
    now,
    holder: req.holder,
    checkNotice: opts.checkNotice,
  });
  const text = `WITH ${guard},
    ins AS (
      INSERT INTO appointment (clinic_id, doctor_id, patient_id, type_id, starts_at, ends_at, status, reason, source_channel, overbooked, idempotency_key)
      SELECT ${p.add(req.clinicId, "uuid")}, ${p.add(req.doctorId, "uuid")}, pt.id, ${p.add(req.appointmentTypeId, "uuid")}, ok.starts_at, ok.ends_at,
             CASE WHEN ${p.add(patientDecides, "boolean")} AND ok.booking_mode = 'approval' THEN 'requested' ELSE 'confirmed' END::"AppointmentStatus",
             ${p.add(req.reason ?? null, "text")}, ${p.add(req.sourceChannel, '"Channel"')}, ${p.add(Boolean(opts.overbook), "boolean")}, ${p.add(req.idempotencyKey ?? null, "text")}
      FROM ok JOIN patient pt ON pt.id = ${p.add(req.patientId, "uuid")} AND pt.clinic_id = ${p.add(req.clinicId, "uuid")} AND pt.erased_at IS NULL
      RETURNING ${APPOINTMENT_COLUMNS}
    ), ev AS (${eventInsert(p, "ins", req.actor, opts.overbook?.reason ?? null, opts.overbook ? { overbooked: true } : null, 'NULL::"AppointmentStatus"')})
    SELECT * FROM ins`;
  const rows = await sql.query<AppointmentRow>(text, p.values, { prepare: true });
  return rows[0] ? toAppointment(rows[0]) : null;
}

/** The appointment a request with this idempotency key made, if any. */
export async function findByIdempotencyKey(db: Database, key: string): Promise<Appointment | null> {
  const rows = await db.sql.query<AppointmentRow>(
    `SELECT ${APPOINTMENT_COLUMNS} FROM appointment WHERE idempotency_key = $1`,
    [key],
  );
  return rows[0] ? toAppointment(rows[0]) : null;
}

/** An appointment by id, if it exists. */
export async function findAppointment(db: Database, id: string): Promise<Appointment | null> {
  const rows = await db.sql.query<AppointmentRow>(
    `SELECT ${APPOINTMENT_COLUMNS} FROM appointment WHERE id = $1::uuid`,
    [id],
  );
  return rows[0] ? toAppointment(rows[0]) : null;
}

/** Nearest free alternatives to a refused slot: the same doctor first, else any doctor for the type. */
export async function alternativesTo(
  db: Database,
  req: { clinicId: string; doctorId: string; appointmentTypeId: string; startsAt: Date; holder?: string; now?: Date },
  count = 3,
): Promise<Slot[]> {
  const base = {
    clinicId: req.clinicId,
    appointmentTypeId: req.appointmentTypeId,
    target: req.startsAt,
    holder: req.holder,
    now: req.now,
    count,
  };
  const same = await slotsNear(db, { ...base, doctorId: req.doctorId });
  return same.length > 0 ? same : slotsNear(db, base);
}

/** Works out why a guarded write matched nothing, as the error a patient or secretary can act on. */
async function explainRefusal(
  db: Database,
  req: {
    clinicId: string;
    doctorId: string;
    appointmentTypeId: string;
    patientId?: string;
    startsAt: Date;
    holder?: string;
    now?: Date;
    checkNotice: boolean;
    movingId?: string;
  },
): Promise<DomainError> {
  const now = req.now ?? new Date();
  const [facts] = await db.sql.query<{
    clinic: boolean;
    type: boolean;
    doctor: boolean;
    patient: boolean;
    notice: number;
    held: boolean;
    booked: boolean;
  }>(
    `SELECT EXISTS (SELECT 1 FROM clinic WHERE id = $1) AS clinic,
            EXISTS (SELECT 1 FROM appointment_type WHERE id = $2 AND clinic_id = $1 AND active) AS type,
            EXISTS (SELECT 1 FROM doctor WHERE id = $3 AND clinic_id = $1 AND active) AS doctor,
            ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM patient WHERE id = $4::uuid AND clinic_id = $1 AND erased_at IS NULL)) AS patient,
            COALESCE((SELECT min_booking_notice_minutes FROM clinic WHERE id = $1), 0) AS notice,
            EXISTS (SELECT 1 FROM slot_hold h JOIN appointment_type t ON t.id = $2
                    WHERE h.doctor_id = $3 AND h.expires_at > $6 AND h.holder IS DISTINCT FROM $7
                      AND tstzrange(h.starts_at, h.ends_at) && tstzrange($5, $5::timestamptz + make_interval(mins => t.duration_minutes))) AS held,
            EXISTS (SELECT 1 FROM appointment a JOIN appointment_type t ON t.id = $2
                    WHERE a.doctor_id = $3 AND a.status IN ('requested', 'confirmed') AND a.id IS DISTINCT FROM $8::uuid
                      AND tstzrange(a.starts_at, a.ends_at) && tstzrange($5, $5::timestamptz + make_interval(mins => t.duration_minutes))) AS booked`,
    [
      req.clinicId,
      req.appointmentTypeId,
      req.doctorId,
      req.patientId ?? null,
      req.startsAt,
      now,
      req.holder ?? null,
      req.movingId ?? null,
    ],
  );
  if (!facts?.clinic) return notFound("Clinic", req.clinicId);
  if (!facts.type) return notFound("AppointmentType", req.appointmentTypeId);
  if (!facts.doctor) return notFound("Doctor", req.doctorId);
  if (!facts.patient) return notFound("Patient", req.patientId);
  const alternatives = await alternativesTo(db, req);
  if (+req.startsAt <= +now) return new DomainError("in_the_past", "That time has already passed", { alternatives });
  if (req.checkNotice && +req.startsAt < +now + Number(facts.notice) * 60_000)
    return new DomainError("notice_too_short", `Appointments must be booked at least ${facts.notice} minutes ahead`, {
      noticeMinutes: Number(facts.notice),
      alternatives,
    });
  if (facts.held || facts.booked) return new DomainError("slot_taken", "That slot is taken", { alternatives });
  return new DomainError("slot_unavailable", "The doctor does not see patients of this type at that time", {
    alternatives,
  });
}

function slotTaken(alternatives: Slot[]): DomainError {
  return new DomainError("slot_taken", "That slot was just taken", { alternatives });
}

function checkBookingInput(req: BookingRequest): void {
  if (!(req.startsAt instanceof Date) || Number.isNaN(+req.startsAt)) throw invalid("startsAt", "not a date");
  if (req.actor.kind === "patient" && req.actor.patientId !== req.patientId)
    throw new DomainError("forbidden", "A patient books only for themselves");
}

/**
 * One booking is one unit of work: the appointment, its history event, the hold it consumes, its
 * reminders and notices are saved together or not at all. A refusal is explained after the unit
 * is undone.
 */
async function book(
  db: Database,
  req: BookingRequest,
  opts: { checkNotice: boolean; overbook?: { reason: string } },
): Promise<Appointment> {
  checkBookingInput(req);
  const attempt = (overbook: typeof opts.overbook) =>
    inTransaction(db, async (tx) => {
      const appointment = await insertAppointment(tx.sql, req, { checkNotice: opts.checkNotice, overbook });
      return appointment ? afterBooking(tx, req, appointment) : null;
    });
  let appointment: Appointment | null;
  try {
    appointment = await attempt(undefined);
  } catch (err) {
    const state = sqlState(err);
    if (state === "23505" || state === "23P01") {
      const earlier = req.idempotencyKey ? await findByIdempotencyKey(db, req.idempotencyKey) : null;
      if (earlier) return earlier;
      if (state === "23P01" && opts.overbook) {
        appointment = await attempt(opts.overbook);
        if (appointment) return appointment;
      }
      if (state === "23P01") throw slotTaken(await alternativesTo(db, req));
    }
    throw err;
  }
  if (!appointment) throw await explainRefusal(db, { ...req, checkNotice: opts.checkNotice });
  return appointment;
}

async function afterBooking(db: Database, req: BookingRequest, appointment: Appointment): Promise<Appointment> {
  if (req.holder) await db.sql.query(`DELETE FROM slot_hold WHERE holder = $1`, [req.holder]);
  return followed(db, appointment, "booked", req.actor, req.now);
}

/** Reminders and notices follow every change, whichever door (API, console, chat) it came through. */
async function followed(
  db: Database,
  appointment: Appointment,
  change: AppointmentChange,
  actor: Actor,
  now: Date | undefined,
): Promise<Appointment> {
  await followAppointmentChange(db, { appointment, change, actor, now: now ?? new Date() });
  return appointment;
}

/**
 * Books a slot. Confirmed at once, except a patient's booking in an approval-mode clinic,
 * which waits as "requested". Refusals are DomainErrors carrying the nearest alternatives.
 */
export function bookAppointment(db: Database, req: BookingRequest): Promise<Appointment> {
  return book(db, req, { checkNotice: true });
}

/** Staff squeezing in an urgent patient: no notice period, and overlap only with a recorded reason. */
export async function bookUrgent(
  db: Database,
  req: BookingRequest & { overbook?: { reason: string } },
): Promise<Appointment> {
  if (req.actor.kind !== "staff") throw new DomainError("forbidden", "Only staff can book urgent appointments");
  if (req.overbook && !req.overbook.reason.trim()) throw invalid("overbook.reason", "a reason is required to overbook");
  return book(db, req, { checkNotice: false, overbook: req.overbook });
}

/**
 * Staff squeezing in someone the clinic does not know yet: the patient's record (audited) and the
 * booking are saved together, so a refused slot leaves no patient behind.
 */
export function bookUrgentForNewPatient(
  db: Database,
  access: PatientAccess,
  patient: PatientFields,
  req: Omit<BookingRequest, "patientId" | "clinicId"> & { overbook?: { reason: string } },
): Promise<Appointment> {
  return inTransaction(db, async (tx) => {
    const created = await createPatient(tx, access, patient);
    return bookUrgent(tx, { ...req, clinicId: access.clinicId, patientId: created.id });
  });
}

interface LoadedAppointment extends Appointment {
  cutoffHours: number;
  clinicPhone: string;
}

async function loadForChange(db: Database, appointmentId: string, actor: Actor): Promise<LoadedAppointment> {
  const rows = await db.sql
    .query<AppointmentRow & { cancellation_cutoff_hours: number; phone: string }>(
      `SELECT ${APPOINTMENT_COLUMNS.split(", ")
        .map((c) => `a.${c}`)
        .join(", ")}, c.cancellation_cutoff_hours, c.phone
       FROM appointment a JOIN clinic c ON c.id = a.clinic_id WHERE a.id = $1::uuid`,
      [appointmentId],
    )
    .catch((err) => {
      if (sqlState(err) === "22P02") return [];
      throw err;
    });
  const row = rows[0];
  if (!row) throw notFound("Appointment", appointmentId);
  const appointment = { ...toAppointment(row), cutoffHours: row.cancellation_cutoff_hours, clinicPhone: row.phone };
  if (actor.kind === "patient" && actor.patientId !== appointment.patientId)
    throw notFound("Appointment", appointmentId);
  if (actor.kind === "staff" && actor.role === "doctor" && actor.doctorId !== appointment.doctorId)
    throw new DomainError("forbidden", "Doctors act only on their own appointments");
  return appointment;
}

/** Inside the cutoff a patient is refused with the reason; staff need an explicit override. */
function enforceCutoff(
  appointment: LoadedAppointment,
  actor: Actor,
  override: { reason: string } | undefined,
  now: Date,
): void {
  if (actor.kind === "system") return;
  const insideCutoff = +appointment.startsAt - +now < appointment.cutoffHours * 3_600_000;
  if (!insideCutoff) return;
  if (actor.kind === "staff" && override?.reason.trim()) return;
  throw new DomainError(
    "inside_cutoff",
    `Changes less than ${appointment.cutoffHours} hours before the appointment go through the clinic`,
    {
      cutoffHours: appointment.cutoffHours,
      clinicPhone: appointment.clinicPhone,
      overridable: actor.kind === "staff",
    },
  );
}

async function transition(
  db: Database,
  appointment: Appointment,
  to: AppointmentStatus,
  actor: Actor,
  reason: string | null | undefined,
  detail: Record<string, unknown> | null = null,
): Promise<Appointment> {
  const allowedFrom = TRANSITIONS[to];
  if (!allowedFrom.includes(appointment.status)) {
    throw new DomainError("invalid_transition", `An appointment that is ${appointment.status} cannot become ${to}`, {
      from: appointment.status,
      to,
    });
  }
  const p = new SqlParams();
  const text = `WITH old AS (SELECT id, status FROM appointment WHERE id = ${p.add(appointment.id, "uuid")} FOR UPDATE),
    upd AS (
      UPDATE appointment a SET status = ${p.add(to, '"AppointmentStatus"')}, updated_at = now()
      FROM old WHERE a.id = old.id AND old.status = ANY(${p.add(allowedFrom, '"AppointmentStatus"[]')})
      RETURNING ${APPOINTMENT_COLUMNS.split(", ")
        .map((c) => `a.${c}`)
        .join(", ")}, old.status AS from_status
    ), ev AS (${eventInsert(p, "upd", actor, reason, detail, "from_status")})
    SELECT * FROM upd`;
  const rows = await db.sql.query<AppointmentRow>(text, p.values);
  if (!rows[0])
    throw new DomainError("invalid_transition", `The appointment changed meanwhile and cannot become ${to}`, { to });
  return toAppointment(rows[0]);
}

/** Cancels under the clinic's cutoff rule; frees the slot at once. */
export async function cancelAppointment(
  db: Database,
  req: { appointmentId: string; actor: Actor; reason?: string; override?: { reason: string }; now?: Date },
): Promise<Appointment> {
  const appointment = await loadForChange(db, req.appointmentId, req.actor);
  if (appointment.status === "confirmed") enforceCutoff(appointment, req.actor, req.override, req.now ?? new Date());
  const reason = req.override?.reason
    ? `${req.reason ?? ""}${req.reason ? " — " : ""}override: ${req.override.reason}`
    : req.reason;
  return inTransaction(db, async (tx) => {
    const cancelled = await transition(
      tx,
      appointment,
      "cancelled",
      req.actor,
      reason,
      req.override ? { cutoffOverride: true } : null,
    );
    announceFreed(tx, appointment, req.now);
    return followed(tx, cancelled, "cancelled", req.actor, req.now);
  });
}

/** Approval mode: a doctor (their own requests) or a secretary accepts or declines a request. */
export async function decideRequest(
  db: Database,
  req: { appointmentId: string; decision: "accept" | "decline"; actor: Actor; reason?: string; now?: Date },
): Promise<Appointment> {
  if (req.actor.kind === "patient") throw new DomainError("forbidden", "Patients cannot decide on requests");
  const appointment = await loadForChange(db, req.appointmentId, req.actor);
  return inTransaction(db, async (tx) => {
    const decided = await transition(
      tx,
      appointment,
      req.decision === "accept" ? "confirmed" : "declined",
      req.actor,
      req.reason,
    );
    if (decided.status === "declined") announceFreed(tx, appointment, req.now);
    return followed(tx, decided, req.decision === "accept" ? "accepted" : "declined", req.actor, req.now);
  });
}

export async function completeAppointment(
  db: Database,
  req: { appointmentId: string; actor: Actor; now?: Date },
): Promise<Appointment> {
  if (req.actor.kind === "patient") throw new DomainError("forbidden", "Patients cannot close appointments");
  const appointment = await loadForChange(db, req.appointmentId, req.actor);
  return inTransaction(db, async (tx) =>
    followed(tx, await transition(tx, appointment, "completed", req.actor, null), "closed", req.actor, req.now),
  );
}

export async function markNoShow(
  db: Database,
  req: { appointmentId: string; actor: Actor; reason?: string; now?: Date },
): Promise<Appointment> {
  if (req.actor.kind === "patient") throw new DomainError("forbidden", "Patients cannot mark no-shows");
  const appointment = await loadForChange(db, req.appointmentId, req.actor);
  return inTransaction(db, async (tx) =>
    followed(tx, await transition(tx, appointment, "no_show", req.actor, req.reason), "closed", req.actor, req.now),
  );
}

/**
 * Moves an appointment to a new time (and optionally doctor) in one statement: the new slot
 * is taken and the old one freed together, or nothing changes. Same cutoff rule as cancelling.
 */
export async function rescheduleAppointment(
  db: Database,
  req: {
    appointmentId: string;
    startsAt: Date;
    doctorId?: string;
    actor: Actor;
    reason?: string;
    holder?: string;
    override?: { reason: string };
    now?: Date;
  },
): Promise<Appointment> {
  if (!(req.startsAt instanceof Date) || Number.isNaN(+req.startsAt)) throw invalid("startsAt", "not a date");
  const now = req.now ?? new Date();
  const appointment = await loadForChange(db, req.appointmentId, req.actor);
  if (!ACTIVE.includes(appointment.status as (typeof ACTIVE)[number])) {
    throw new DomainError("invalid_transition", `An appointment that is ${appointment.status} cannot be moved`, {
      from: appointment.status,
    });
  }
  enforceCutoff(appointment, req.actor, req.override, now);
  const doctorId = req.doctorId ?? appointment.doctorId;
  if (req.actor.kind === "staff" && req.actor.role === "doctor" && doctorId !== req.actor.doctorId)
    throw new DomainError("forbidden", "Doctors move appointments only within their own schedule");
  const guard = {
    clinicId: appointment.clinicId,
    doctorId,
    typeId: appointment.typeId,
    startsAt: req.startsAt,
    now,
    holder: req.holder,
    checkNotice: req.actor.kind !== "staff",
    movingId: appointment.id,
  };
  const p = new SqlParams();
  const detail = {
    from: { startsAt: appointment.startsAt.toISOString(), doctorId: appointment.doctorId },
    to: { startsAt: req.startsAt.toISOString(), doctorId },
    ...(req.override ? { cutoffOverride: true } : {}),
  };
  const text = `WITH ${slotGuardCte(p, guard)},
    upd AS (
      UPDATE appointment a SET starts_at = ok.starts_at, ends_at = ok.ends_at, doctor_id = ${p.add(doctorId, "uuid")}, overbooked = false, updated_at = now()
      FROM ok WHERE a.id = ${p.add(appointment.id, "uuid")} AND a.status IN ('requested', 'confirmed')
      RETURNING ${APPOINTMENT_COLUMNS.split(", ")
        .map((c) => `a.${c}`)
        .join(", ")}, a.status AS from_status
    ), ev AS (${eventInsert(p, "upd", req.actor, req.reason ?? req.override?.reason, detail, "from_status")})
    SELECT * FROM upd`;
  let moved: Appointment | null;
  try {
    moved = await inTransaction(db, async (tx) => {
      const [row] = await tx.sql.query<AppointmentRow>(text, p.values);
      if (!row) return null;
      if (req.holder) await tx.sql.query(`DELETE FROM slot_hold WHERE holder = $1`, [req.holder]);
      const changed = toAppointment(row);
      if (changed.doctorId !== appointment.doctorId || +changed.startsAt !== +appointment.startsAt)
        announceFreed(tx, appointment, now);
      return followed(tx, changed, "moved", req.actor, now);
    });
  } catch (err) {
    if (sqlState(err) === "23P01")
      throw slotTaken(await alternativesTo(db, { ...guard, appointmentTypeId: appointment.typeId }));
    throw err;
  }
  if (!moved) throw await explainRefusal(db, { ...guard, appointmentTypeId: appointment.typeId });
  return moved;
}

/** Every status change and move of an appointment, oldest first. */
export async function appointmentHistory(db: Database, appointmentId: string): Promise<AppointmentEvent[]> {
  return db.prisma.appointmentEvent.findMany({ where: { appointmentId }, orderBy: [{ at: "asc" }, { id: "asc" }] });
}

/**
 * Records that the patient confirmed they will come (a reminder's "confirm"): an event with
 * the status unchanged. Only upcoming active appointments; returns false when the appointment
 * has changed meanwhile (cancelled, declined, past).
 */
export async function confirmAttendance(
  db: Database,
  req: { appointmentId: string; actor: Actor; now?: Date },
): Promise<boolean> {
  const appointment = await loadForChange(db, req.appointmentId, req.actor);
  if (!ACTIVE.includes(appointment.status as (typeof ACTIVE)[number])) return false;
  if (+appointment.startsAt <= +(req.now ?? new Date())) return false;
  const { actorKind, actorId } = actorRef(req.actor);
  const rows = await db.sql.query(
    `INSERT INTO appointment_event (appointment_id, actor_kind, actor_id, from_status, to_status, reason, at)
     SELECT id, $2::"ActorKind", $3, status, status, 'reminder confirmed', $4 FROM appointment
      WHERE id = $1::uuid AND status IN ('requested', 'confirmed') RETURNING 1`,
    [appointment.id, actorKind, actorId, req.now ?? new Date()],
  );
  return rows.length > 0;
}

/** Tells the waitlist that an upcoming slot is free again (see care-events.ts). */
function announceFreed(db: Database, was: Appointment, now = new Date()): void {
  if (+was.startsAt <= +now) return;
  const { clinicId, doctorId, startsAt, endsAt, id } = was;
  emitCareEvent(db, { kind: "slotFreed", slot: { clinicId, doctorId, startsAt, endsAt, appointmentId: id } });
}
