import type { Database } from "../data/db.js";
import type {
  Allergy,
  ClinicalNote,
  Diagnosis,
  Patient,
  Prescription,
  PrescriptionItem,
} from "../data/generated/client.js";
import type { StaffRole } from "./actor.js";
import { recordAudit } from "./audit.js";
import { DomainError, invalid, notFound } from "./errors.js";
import { findReachable, type PatientAccess } from "./patients.js";

/*
 * The clinical part of a patient's record: consultation notes, diagnoses, prescriptions and
 * allergies. Who may see what is decided here, not in the pages:
 *
 *   part          admin   secretary   doctor (own patients only)
 *   clinical       –         –        read, write (notes: edit their own)
 *   allergies      –        read      read, write
 *   documents      –        read, upload   read, upload
 *   gdpr          export, erase   –     –
 *
 * "Own patients" are those who have or had an appointment with the doctor. Every read and
 * write leaves an audit row (identifiers only, never the text).
 */

export type RecordPart = "clinical" | "allergies" | "documents" | "gdpr";

const READERS: Record<RecordPart, readonly StaffRole[]> = {
  clinical: ["doctor"],
  // An allergy is a safety fact the front desk needs too (latex gloves, a drug named on the phone).
  allergies: ["secretary", "doctor"],
  documents: ["secretary", "doctor"],
  gdpr: ["admin"],
};

const WRITERS: Record<RecordPart, readonly StaffRole[]> = {
  clinical: ["doctor"],
  allergies: ["doctor"],
  documents: ["secretary", "doctor"],
  gdpr: ["admin"],
};

export const mayRead = (role: StaffRole, part: RecordPart): boolean => READERS[part].includes(role);
export const mayWrite = (role: StaffRole, part: RecordPart): boolean => WRITERS[part].includes(role);

/**
 * The patient, once the actor's role may touch this part of the record and the patient is
 * within reach (a doctor's own patient). Erased records take no new data.
 */
export async function patientForPart(
  db: Database,
  access: PatientAccess,
  patientId: string,
  part: RecordPart,
  mode: "read" | "write",
): Promise<Patient> {
  const allowed = mode === "read" ? mayRead(access.actor.role, part) : mayWrite(access.actor.role, part);
  if (!allowed) throw new DomainError("forbidden", `A ${access.actor.role} may not ${mode} this part of a record`);
  const patient = await findReachable(db, access, patientId);
  if (mode === "write" && patient.erasedAt) throw new DomainError("conflict", "This patient's record has been erased");
  return patient;
}

function doctorOf(access: PatientAccess): string {
  if (access.actor.role !== "doctor" || !access.actor.doctorId)
    throw new DomainError("forbidden", "Only a doctor account linked to a doctor writes clinical data");
  return access.actor.doctorId;
}

const audit = (
  db: Database,
  access: PatientAccess,
  action: string,
  patientId: string,
  resource: { type: string; id: string },
  detail?: Record<string, unknown>,
) =>
  recordAudit(db, {
    actor: access.actor,
    action,
    resourceType: resource.type,
    resourceId: resource.id,
    patientId,
    ip: access.ip,
    detail,
  });

function text(field: string, value: string | null | undefined, max: number, required: true): string;
function text(field: string, value: string | null | undefined, max: number, required?: false): string | null;
function text(field: string, value: string | null | undefined, max: number, required = false): string | null {
  const v = (value ?? "").trim();
  if (!v) {
    if (required) throw invalid(field, "is required");
    return null;
  }
  if (v.length > max) throw invalid(field, `at most ${max} characters`);
  return v;
}

/** An appointment of this patient with this doctor, for a note or prescription tied to a visit. */
async function visitOf(db: Database, patientId: string, doctorId: string, appointmentId: string | null | undefined) {
  if (!appointmentId) return null;
  const visit = await db.prisma.appointment.findFirst({
    where: { id: appointmentId, patientId, doctorId },
    select: { id: true },
  });
  if (!visit) throw invalid("appointmentId", "not one of this patient's visits with this doctor");
  return visit.id;
}

// --------------------------------------------------------------------------- reading

export type NoteView = ClinicalNote & {
  doctor: { title: string; firstName: string; lastName: string };
  appointment: { startsAt: Date } | null;
};
export type PrescriptionView = Prescription & {
  items: PrescriptionItem[];
  doctor: { title: string; firstName: string; lastName: string };
};
export type DiagnosisView = Diagnosis & { doctor: { title: string; firstName: string; lastName: string } };

export interface ClinicalRecord {
  patient: Patient;
  notes: NoteView[];
  diagnoses: DiagnosisView[];
  prescriptions: PrescriptionView[];
  allergies: Allergy[];
}

const doctorName = { select: { title: true, firstName: true, lastName: true } } as const;

/** Notes, diagnoses, prescriptions and allergies: doctors only, their own patients. */
export async function readClinicalRecord(
  db: Database,
  access: PatientAccess,
  patientId: string,
): Promise<ClinicalRecord> {
  const patient = await patientForPart(db, access, patientId, "clinical", "read");
  const [notes, diagnoses, prescriptions, allergies] = await Promise.all([
    db.prisma.clinicalNote.findMany({
      where: { patientId },
      include: { doctor: doctorName, appointment: { select: { startsAt: true } } },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    }),
    db.prisma.diagnosis.findMany({
      where: { patientId },
      include: { doctor: doctorName },
      orderBy: [{ notedAt: "desc" }, { id: "asc" }],
    }),
    db.prisma.prescription.findMany({
      where: { patientId },
      include: { items: { orderBy: { position: "asc" } }, doctor: doctorName },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    }),
    db.prisma.allergy.findMany({ where: { patientId }, orderBy: [{ recordedAt: "desc" }, { id: "asc" }] }),
  ]);
  await audit(db, access, "clinical.read", patientId, { type: "patient", id: patientId });
  return { patient, notes, diagnoses, prescriptions, allergies };
}

export async function listAllergies(db: Database, access: PatientAccess, patientId: string): Promise<Allergy[]> {
  await patientForPart(db, access, patientId, "allergies", "read");
  const rows = await db.prisma.allergy.findMany({
    where: { patientId },
    orderBy: [{ recordedAt: "desc" }, { id: "asc" }],
  });
  await audit(db, access, "allergy.list", patientId, { type: "patient", id: patientId });
  return rows;
}

// --------------------------------------------------------------------------- notes

/** A consultation note, optionally tied to one of the patient's visits with this doctor. */
export async function writeNote(
  db: Database,
  access: PatientAccess,
  patientId: string,
  input: { body: string; appointmentId?: string | null },
  now: Date,
): Promise<ClinicalNote> {
  await patientForPart(db, access, patientId, "clinical", "write");
  const doctorId = doctorOf(access);
  const body = text("body", input.body, 20_000, true);
  const appointmentId = await visitOf(db, patientId, doctorId, input.appointmentId);
  const note = await db.prisma.clinicalNote.create({
    data: { patientId, doctorId, appointmentId, body, createdAt: now, updatedAt: now },
  });
  await audit(db, access, "note.create", patientId, { type: "clinical_note", id: note.id });
  return note;
}

/** Corrects a note; only its author may. */
export async function editNote(
  db: Database,
  access: PatientAccess,
  patientId: string,
  noteId: string,
  body: string,
  now: Date,
): Promise<ClinicalNote> {
  await patientForPart(db, access, patientId, "clinical", "write");
  const doctorId = doctorOf(access);
  const note = await db.prisma.clinicalNote.findFirst({ where: { id: noteId, patientId } });
  if (!note) throw notFound("clinical note", noteId);
  if (note.doctorId !== doctorId) throw new DomainError("forbidden", "Only the author of a note may change it");
  const updated = await db.prisma.clinicalNote.update({
    where: { id: noteId },
    data: { body: text("body", body, 20_000, true), updatedAt: now },
  });
  await audit(db, access, "note.update", patientId, { type: "clinical_note", id: noteId });
  return updated;
}

// --------------------------------------------------------------------------- diagnoses

const ICD10 = /^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$/;

export async function addDiagnosis(
  db: Database,
  access: PatientAccess,
  patientId: string,
  input: { label: string; code?: string | null },
  now: Date,
): Promise<Diagnosis> {
  await patientForPart(db, access, patientId, "clinical", "write");
  const doctorId = doctorOf(access);
  const code = text("code", input.code, 10)?.toUpperCase() ?? null;
  if (code && !ICD10.test(code)) throw invalid("code", "an ICD-10 code such as J06.9");
  const diagnosis = await db.prisma.diagnosis.create({
    data: { patientId, doctorId, code, label: text("label", input.label, 200, true), notedAt: now },
  });
  await audit(db, access, "diagnosis.create", patientId, { type: "diagnosis", id: diagnosis.id });
  return diagnosis;
}

export async function resolveDiagnosis(
  db: Database,
  access: PatientAccess,
  patientId: string,
  diagnosisId: string,
  now: Date,
): Promise<Diagnosis> {
  await patientForPart(db, access, patientId, "clinical", "write");
  doctorOf(access);
  const found = await db.prisma.diagnosis.findFirst({ where: { id: diagnosisId, patientId } });
  if (!found) throw notFound("diagnosis", diagnosisId);
  if (found.resolvedAt) return found;
  const diagnosis = await db.prisma.diagnosis.update({ where: { id: diagnosisId }, data: { resolvedAt: now } });
  await audit(db, access, "diagnosis.resolve", patientId, { type: "diagnosis", id: diagnosisId });
  return diagnosis;
}

// ----------------------------------------------------------------------- prescriptions

export interface PrescriptionLine {
  drug: string;
  dosage: string;
  instructions?: string | null;
}

export const MAX_PRESCRIPTION_LINES = 20;

export async function createPrescription(
  db: Database,
  access: PatientAccess,
  patientId: string,
  input: { items: PrescriptionLine[]; notes?: string | null; appointmentId?: string | null },
  now: Date,
): Promise<PrescriptionView> {
  await patientForPart(db, access, patientId, "clinical", "write");
  const doctorId = doctorOf(access);
  if (input.items.length === 0) throw invalid("items", "at least one drug");
  if (input.items.length > MAX_PRESCRIPTION_LINES) throw invalid("items", `at most ${MAX_PRESCRIPTION_LINES} drugs`);
  const items = input.items.map((item, i) => ({
    position: i + 1,
    drug: text(`items.${i}.drug`, item.drug, 200, true),
    dosage: text(`items.${i}.dosage`, item.dosage, 200, true),
    instructions: text(`items.${i}.instructions`, item.instructions, 500),
  }));
  const appointmentId = await visitOf(db, patientId, doctorId, input.appointmentId);
  const prescription = await db.prisma.prescription.create({
    data: {
      patientId,
      doctorId,
      appointmentId,
      notes: text("notes", input.notes, 2000),
      createdAt: now,
      items: { create: items },
    },
    include: { items: { orderBy: { position: "asc" } }, doctor: doctorName },
  });
  await audit(db, access, "prescription.create", patientId, { type: "prescription", id: prescription.id });
  return prescription;
}

/** One prescription with what its printed page shows (clinic, prescriber, patient). */
export async function readPrescription(db: Database, access: PatientAccess, patientId: string, prescriptionId: string) {
  const patient = await patientForPart(db, access, patientId, "clinical", "read");
  const prescription = await db.prisma.prescription.findFirst({
    where: { id: prescriptionId, patientId },
    include: { items: { orderBy: { position: "asc" } }, doctor: doctorName },
  });
  if (!prescription) throw notFound("prescription", prescriptionId);
  const clinic = await db.prisma.clinic.findUniqueOrThrow({ where: { id: access.clinicId } });
  await audit(db, access, "prescription.read", patientId, { type: "prescription", id: prescriptionId });
  return { prescription, patient, clinic };
}

// --------------------------------------------------------------------------- allergies

export const ALLERGY_SEVERITIES = ["mild", "moderate", "severe"] as const;
export type AllergySeverity = (typeof ALLERGY_SEVERITIES)[number];

export async function addAllergy(
  db: Database,
  access: PatientAccess,
  patientId: string,
  input: { substance: string; reaction?: string | null; severity?: string | null },
  now: Date,
): Promise<Allergy> {
  await patientForPart(db, access, patientId, "allergies", "write");
  const severity = input.severity ? input.severity : null;
  if (severity !== null && !(ALLERGY_SEVERITIES as readonly string[]).includes(severity))
    throw invalid("severity", "mild, moderate or severe");
  const allergy = await db.prisma.allergy.create({
    data: {
      patientId,
      substance: text("substance", input.substance, 200, true),
      reaction: text("reaction", input.reaction, 500),
      severity,
      recordedBy: access.actor.userId,
      recordedAt: now,
    },
  });
  await audit(db, access, "allergy.create", patientId, { type: "allergy", id: allergy.id });
  return allergy;
}

/** Removes an allergy recorded by mistake. */
export async function removeAllergy(
  db: Database,
  access: PatientAccess,
  patientId: string,
  allergyId: string,
): Promise<void> {
  await patientForPart(db, access, patientId, "allergies", "write");
  const { count } = await db.prisma.allergy.deleteMany({ where: { id: allergyId, patientId } });
  if (count === 0) throw notFound("allergy", allergyId);
  await audit(db, access, "allergy.delete", patientId, { type: "allergy", id: allergyId });
}
