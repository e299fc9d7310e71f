import { sqlState, type Database } from "../data/db.js";
import type { Appointment } from "../data/generated/client.js";
import { auditAppointmentList, recordAudit } from "./audit.js";
import { completeAppointment, markNoShow } from "./booking.js";
import { ClinicClock } from "./clinic-time.js";
import { DomainError, notFound } from "./errors.js";
import { findReachable } from "./patients.js";
import type { StaffActor } from "./staff.js";

/*
 * No-shows. A confirmed appointment whose local day is over and that nobody marked completed
 * is a candidate: staff confirm it (markNoShow) or record the visit (completeAppointment).
 * Nothing is marked automatically: a forgotten "completed" must not count against a patient.
 */

/** How far back candidates are looked for. */
const CANDIDATE_DAYS = 60;

export interface NoShowCandidate {
  appointmentId: string;
  startsAt: Date;
  doctorId: string;
  doctorName: string;
  patient: { id: string; firstName: string; lastName: string; phone: string | null };
  /** The patient's confirmed no-shows so far. */
  noShows: number;
}

interface Access {
  clinicId: string;
  actor: StaffActor;
  ip?: string | null;
}

/** The window candidates are looked for in: the clinic's last CANDIDATE_DAYS local days, today excluded. */
async function candidateWindow(db: Database, clinicId: string, now: Date): Promise<{ since: Date; until: Date }> {
  const [clinic] = await db.sql.query<{ time_zone: string }>(`SELECT time_zone FROM clinic WHERE id = $1::uuid`, [
    clinicId,
  ]);
  if (!clinic) throw notFound("Clinic", clinicId);
  const clock = new ClinicClock(clinic.time_zone);
  const today = clock.dayOf(now);
  return {
    since: new Date(clock.at(clock.addDays(today, -CANDIDATE_DAYS), 0)),
    until: new Date(clock.at(today, 0)),
  };
}

/** Candidates of this clinic (doctors: their own), latest first; each row audited as a read. */
export async function noShowCandidates(db: Database, access: Access, now: Date): Promise<NoShowCandidate[]> {
  const doctorOnly = access.actor.role === "doctor" ? (access.actor.doctorId ?? null) : null;
  if (access.actor.role === "doctor" && !doctorOnly) return [];
  const { since, until: startOfToday } = await candidateWindow(db, access.clinicId, now);
  const rows = await db.sql.query<{
    appointment_id: string;
    starts_at: Date | string;
    doctor_id: string;
    doctor_name: string;
    patient_id: string;
    first_name: string;
    last_name: string;
    phone: string | null;
    no_shows: number | string;
  }>(
    `SELECT a.id AS appointment_id, a.starts_at, a.doctor_id, doctor_name(d) AS doctor_name,
            p.id AS patient_id, p.first_name, p.last_name, p.phone,
            (SELECT count(*) FROM appointment n WHERE n.patient_id = p.id AND n.status = 'no_show') AS no_shows
       FROM appointment a JOIN doctor d ON d.id = a.doctor_id JOIN patient p ON p.id = a.patient_id
      WHERE a.clinic_id = $1::uuid AND a.status = 'confirmed' AND a.starts_at >= $2 AND a.starts_at < $3
        AND ($4::uuid IS NULL OR a.doctor_id = $4::uuid)
      ORDER BY a.starts_at DESC, a.id LIMIT 500`,
    [access.clinicId, since, startOfToday, doctorOnly],
  );
  await auditAppointmentList(
    db,
    access,
    rows.map((r) => ({ appointmentId: r.appointment_id, patientId: r.patient_id })),
    "no-show-candidates",
  );
  return rows.map((r) => ({
    appointmentId: r.appointment_id,
    startsAt: new Date(r.starts_at),
    doctorId: r.doctor_id,
    doctorName: r.doctor_name,
    patient: { id: r.patient_id, firstName: r.first_name, lastName: r.last_name, phone: r.phone },
    noShows: Number(r.no_shows),
  }));
}

/**
 * Settles one candidate (secretaries and admins): the patient did not come, or the visit took
 * place and was never closed. Only a candidate of this clinic can be settled this way; one
 * settled meanwhile (another secretary, the doctor) is an invalid_transition. Audited.
 */
export async function settleNoShowCandidate(
  db: Database,
  access: Access,
  req: { appointmentId: string; outcome: "no_show" | "completed"; now: Date },
): Promise<Appointment> {
  if (access.actor.role === "doctor") throw new DomainError("forbidden", "Secretaries and admins settle no-shows");
  const { since, until } = await candidateWindow(db, access.clinicId, req.now);
  const [row] = await db.sql
    .query<{ status: string; starts_at: Date | string; patient_id: string }>(
      `SELECT status, starts_at, patient_id FROM appointment WHERE id = $1::uuid AND clinic_id = $2::uuid`,
      [req.appointmentId, access.clinicId],
    )
    .catch((err: unknown) => {
      if (sqlState(err) === "22P02") return [];
      throw err;
    });
  if (!row) throw notFound("Appointment", req.appointmentId);
  const startsAt = new Date(row.starts_at);
  if (row.status !== "confirmed" || +startsAt < +since || +startsAt >= +until)
    throw new DomainError("invalid_transition", "Only a confirmed appointment of a past day is a no-show candidate");
  const change = { appointmentId: req.appointmentId, actor: access.actor, now: req.now };
  const settled =
    req.outcome === "no_show"
      ? await markNoShow(db, { ...change, reason: "confirmed from the no-show list" })
      : await completeAppointment(db, change);
  await recordAudit(db, {
    actor: access.actor,
    action: req.outcome === "no_show" ? "appointment.no_show" : "appointment.complete",
    resourceType: "appointment",
    resourceId: req.appointmentId,
    patientId: row.patient_id,
    ip: access.ip,
    detail: { list: "no-show-candidates" },
  });
  return settled;
}

export interface NoShowRecord {
  patientId: string;
  count: number;
  /** Start of the latest missed appointment. */
  lastAt: Date | null;
}

/** Confirmed no-shows of each patient of this clinic (patients with none included, count 0). Not audited: counts only. */
export async function noShowCounts(db: Database, clinicId: string, patientIds: string[]): Promise<NoShowRecord[]> {
  if (patientIds.length === 0) return [];
  const rows = await db.sql.query<{ patient_id: string; n: number | string; last_at: Date | string | null }>(
    `SELECT p.id AS patient_id, count(a.id) AS n, max(a.starts_at) AS last_at
       FROM patient p LEFT JOIN appointment a ON a.patient_id = p.id AND a.status = 'no_show'
      WHERE p.clinic_id = $1::uuid AND p.id = ANY($2::uuid[])
      GROUP BY p.id`,
    [clinicId, patientIds],
  );
  return rows.map((r) => ({
    patientId: r.patient_id,
    count: Number(r.n),
    lastAt: r.last_at ? new Date(r.last_at) : null,
  }));
}

/** One patient's no-show record, for staff who may open the patient (doctors: their own patients); audited. */
export async function patientNoShows(db: Database, access: Access, patientId: string): Promise<NoShowRecord> {
  await findReachable(db, access, patientId);
  const [record] = await noShowCounts(db, access.clinicId, [patientId]);
  if (!record) throw notFound("Patient", patientId);
  await recordAudit(db, {
    actor: access.actor,
    action: "patient.read",
    resourceType: "patient",
    resourceId: patientId,
    patientId,
    ip: access.ip,
    detail: { fields: ["noShows"] },
  });
  return record;
}
