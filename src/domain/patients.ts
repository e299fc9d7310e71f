import { inTransaction, type Database } from "../data/db.js";
import type { Patient } from "../data/generated/client.js";
import { recordAudit } from "./audit.js";
import { DomainError, notFound } from "./errors.js";
import type { ClientActor } from "./actor.js";
import { uniqueViolationAsConflict, type StaffActor } from "./staff.js";

/*
 * Staff access to patient records. Every read and write leaves one audit row per patient
 * touched; doctors reach only patients who have or had an appointment with them.
 */

/** Who is looking, from where: what the audit row records. */
export interface PatientAccess {
  clinicId: string;
  actor: StaffActor;
  ip?: string | null;
}

/** Access through a door API clients use too: a staff member, or a client acting for the whole clinic. */
export interface CallerAccess extends Omit<PatientAccess, "actor"> {
  actor: StaffActor | ClientActor;
}

export interface PatientFields {
  firstName: string;
  lastName: string;
  birthDate: Date | null;
  /** E.164. */
  phone: string | null;
  email: string | null;
  preferredLocale: "fr" | "en";
  preferredChannel: "telegram" | "whatsapp" | "sms" | "web" | "console" | "api" | null;
}

/**
 * Doctors see their own patients only (an appointment with them that they did not decline:
 * a refused request is no care relationship); admins and secretaries the whole clinic.
 */
function reachFilter(actor: StaffActor | ClientActor) {
  if (actor.kind !== "staff" || actor.role !== "doctor") return {};
  return { appointments: { some: ownAppointment(actor.doctorId) } };
}

const ownAppointment = (doctorId: string | null | undefined) => ({
  doctorId: doctorId ?? "00000000-0000-0000-0000-000000000000",
  status: { not: "declined" as const },
});

/**
 * Finds patients by name fragments ("mart cla" matches Claire Martin) or by phone digits.
 * Erased patients never appear.
 */
export async function searchPatients(
  db: Database,
  access: CallerAccess,
  query: { q: string; limit?: number },
): Promise<Patient[]> {
  const q = query.q.trim();
  const digits = q.replace(/[\s.\-()]/g, "");
  const byPhone = /^\+?\d{3,}$/.test(digits);
  const words = q.split(/\s+/).filter(Boolean);
  const rows = await db.prisma.patient.findMany({
    where: {
      clinicId: access.clinicId,
      erasedAt: null,
      ...reachFilter(access.actor),
      ...(byPhone
        ? { phone: { contains: phoneCore(digits) } }
        : {
            AND: words.map((w) => ({
              OR: [
                { firstName: { contains: w, mode: "insensitive" as const } },
                { lastName: { contains: w, mode: "insensitive" as const } },
              ],
            })),
          }),
    },
    orderBy: [{ lastName: "asc" }, { firstName: "asc" }, { id: "asc" }],
    take: query.limit ?? 20,
  });
  await recordAudit(
    db,
    rows.map((p) => ({
      actor: access.actor,
      action: "patient.search",
      resourceType: "patient",
      resourceId: p.id,
      patientId: p.id,
      ip: access.ip,
    })),
  );
  return rows;
}

// "+33 6…", "0033 6…" and the national "06…" all end with the same digits once the
// international prefix or the trunk 0 is dropped.
const phoneCore = (digits: string): string => digits.replace(/^\+/, "").replace(/^00/, "").replace(/^0/, "");

export async function readPatient(db: Database, access: CallerAccess, patientId: string): Promise<Patient> {
  const patient = await findReachable(db, access, patientId);
  await recordAudit(db, {
    actor: access.actor,
    action: "patient.read",
    resourceType: "patient",
    resourceId: patient.id,
    patientId: patient.id,
    ip: access.ip,
  });
  return patient;
}

const PATIENT_COLUMNS = `id, clinic_id AS "clinicId", first_name AS "firstName", last_name AS "lastName",
  birth_date::text AS "birthDate", phone, email, preferred_locale AS "preferredLocale",
  preferred_channel AS "preferredChannel", consent_at AS "consentAt", consent_version AS "consentVersion",
  erased_at AS "erasedAt", insurer_id AS "insurerId", insurance_number AS "insuranceNumber",
  insurance_coverage_bp AS "insuranceCoverageBp", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** A patient row read with PATIENT_COLUMNS (a calendar date stays the same day in every zone). */
const toPatient = (row: Omit<Patient, "birthDate"> & { birthDate: string | null }): Patient => ({
  ...row,
  birthDate: row.birthDate ? new Date(`${row.birthDate}T00:00:00Z`) : null,
});

/** Registers a patient with its audit entry, as one unit (SQL only, so it can join a caller's transaction). */
export function createPatient(db: Database, access: CallerAccess, fields: PatientFields): Promise<Patient> {
  return inTransaction(db, (tx) => insertPatient(tx, access, fields));
}

async function insertPatient(db: Database, access: CallerAccess, fields: PatientFields): Promise<Patient> {
  let patient: Patient;
  try {
    const [row] = await db.sql.query<Parameters<typeof toPatient>[0]>(
      `INSERT INTO patient (clinic_id, first_name, last_name, birth_date, phone, email, preferred_locale, preferred_channel)
       VALUES ($1::uuid, $2, $3, $4::date, $5, $6, $7::"Locale", $8::"Channel") RETURNING ${PATIENT_COLUMNS}`,
      [
        access.clinicId,
        fields.firstName,
        fields.lastName,
        fields.birthDate ? fields.birthDate.toISOString().slice(0, 10) : null,
        fields.phone,
        fields.email,
        fields.preferredLocale,
        fields.preferredChannel,
      ],
    );
    patient = toPatient(row!);
  } catch (err) {
    throw uniqueViolationAsConflict(err, "a patient with this phone number already exists");
  }
  await recordAudit(db, {
    actor: access.actor,
    action: "patient.create",
    resourceType: "patient",
    resourceId: patient.id,
    patientId: patient.id,
    ip: access.ip,
  });
  return patient;
}

export async function updatePatient(
  db: Database,
  access: CallerAccess,
  patientId: string,
  changes: Partial<PatientFields>,
): Promise<Patient> {
  const existing = await findReachable(db, access, patientId);
  if (existing.erasedAt) throw new DomainError("conflict", "This patient's record has been erased");
  let patient: Patient;
  try {
    patient = await db.prisma.patient.update({ where: { id: patientId }, data: changes });
  } catch (err) {
    throw uniqueViolationAsConflict(err, "a patient with this phone number already exists");
  }
  // Field names only: the audit log never holds record content.
  await recordAudit(db, {
    actor: access.actor,
    action: "patient.update",
    resourceType: "patient",
    resourceId: patient.id,
    patientId: patient.id,
    ip: access.ip,
    detail: { fields: Object.keys(changes).sort() },
  });
  return patient;
}

/** The patient, when in this clinic and within the actor's reach (not audited: callers audit what they do). */
export async function findReachable(db: Database, access: CallerAccess, patientId: string): Promise<Patient> {
  const patient = await db.prisma.patient.findFirst({ where: { id: patientId, clinicId: access.clinicId } });
  if (!patient) throw notFound("patient", patientId);
  if (access.actor.kind === "staff" && access.actor.role === "doctor") {
    const seen = await db.prisma.appointment.count({ where: { patientId, ...ownAppointment(access.actor.doctorId) } });
    if (!access.actor.doctorId || seen === 0)
      throw new DomainError("forbidden", "Doctors can only open the records of their own patients");
  }
  return patient;
}
