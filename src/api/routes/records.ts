import type { Request } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { DocumentStore } from "../../domain/documents.js";
import { erasePatient, exportPatient } from "../../domain/gdpr.js";
import type { PatientAccess } from "../../domain/patients.js";
import {
  addAllergy,
  addDiagnosis,
  ALLERGY_SEVERITIES,
  createPrescription,
  listAllergies,
  MAX_PRESCRIPTION_LINES,
  readClinicalRecord,
  writeNote,
} from "../../domain/records.js";
import type { StaffPrincipal } from "../../http/auth.js";
import { actorOf, type ApiRoutes } from "../route.js";
import { IdParams, iso, isoOrNull, Timestamp } from "../schemas.js";

const access = (staff: StaffPrincipal, req: Request): PatientAccess => ({
  clinicId: staff.clinicId,
  actor: actorOf(staff),
  ip: req.ip ?? null,
});

const DoctorRef = z.object({ title: z.string(), firstName: z.string(), lastName: z.string() });
const person = (d: { title: string; firstName: string; lastName: string }) => ({
  title: d.title,
  firstName: d.firstName,
  lastName: d.lastName,
});

const NoteDto = z
  .object({
    id: z.uuid(),
    appointmentId: z.uuid().nullable(),
    doctorId: z.uuid(),
    body: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "ClinicalNote" });
const DiagnosisDto = z
  .object({
    id: z.uuid(),
    code: z.string().nullable().meta({ description: "ICD-10" }),
    label: z.string(),
    doctorId: z.uuid(),
    notedAt: Timestamp,
    resolvedAt: Timestamp.nullable(),
  })
  .meta({ id: "Diagnosis" });
const PrescriptionDto = z
  .object({
    id: z.uuid(),
    appointmentId: z.uuid().nullable(),
    doctor: DoctorRef,
    notes: z.string().nullable(),
    createdAt: Timestamp,
    items: z.array(z.object({ drug: z.string(), dosage: z.string(), instructions: z.string().nullable() })),
  })
  .meta({ id: "Prescription" });
const AllergyDto = z
  .object({
    id: z.uuid(),
    substance: z.string(),
    reaction: z.string().nullable(),
    severity: z.enum(ALLERGY_SEVERITIES).nullable(),
    recordedAt: Timestamp,
  })
  .meta({ id: "Allergy" });
const ClinicalRecordDto = z
  .object({
    notes: z.array(NoteDto),
    diagnoses: z.array(DiagnosisDto),
    prescriptions: z.array(PrescriptionDto),
    allergies: z.array(AllergyDto),
  })
  .meta({ id: "ClinicalRecord" });

type Note = {
  id: string;
  appointmentId: string | null;
  doctorId: string;
  body: string;
  createdAt: Date;
  updatedAt: Date;
};
const presentNote = (n: Note) => ({ ...n, createdAt: iso(n.createdAt), updatedAt: iso(n.updatedAt) });
type Dx = { id: string; code: string | null; label: string; doctorId: string; notedAt: Date; resolvedAt: Date | null };
const presentDiagnosis = (d: Dx) => ({
  id: d.id,
  code: d.code,
  label: d.label,
  doctorId: d.doctorId,
  notedAt: iso(d.notedAt),
  resolvedAt: isoOrNull(d.resolvedAt),
});
type Rx = Awaited<ReturnType<typeof createPrescription>>;
const presentPrescription = (rx: Rx) => ({
  id: rx.id,
  appointmentId: rx.appointmentId,
  doctor: person(rx.doctor),
  notes: rx.notes,
  createdAt: iso(rx.createdAt),
  items: rx.items.map((i) => ({ drug: i.drug, dosage: i.dosage, instructions: i.instructions })),
});
type Al = { id: string; substance: string; reaction: string | null; severity: string | null; recordedAt: Date };
const presentAllergy = (a: Al) => ({
  id: a.id,
  substance: a.substance,
  reaction: a.reaction,
  severity: a.severity as (typeof ALLERGY_SEVERITIES)[number] | null,
  recordedAt: iso(a.recordedAt),
});

/** Clinical records and the patient's GDPR rights, with the same role rules as the console. */
export function recordRoutes(api: ApiRoutes, ctx: AppContext): void {
  const store = new DocumentStore(ctx.config.DOCUMENTS_DIR);

  api.add({
    method: "get",
    path: "/patients/:id/clinical",
    tag: "records",
    summary: "A patient's notes, diagnoses, prescriptions and allergies (doctors, own patients; audited)",
    access: ["doctor"],
    scope: "staff-only",
    params: IdParams,
    ok: { description: "The clinical record", schema: ClinicalRecordDto },
    errors: { 404: "No such patient" },
    async handler({ staff, params, req }) {
      const r = await readClinicalRecord(ctx.db, access(staff, req), params.id);
      return {
        notes: r.notes.map(presentNote),
        diagnoses: r.diagnoses.map(presentDiagnosis),
        prescriptions: r.prescriptions.map(presentPrescription),
        allergies: r.allergies.map(presentAllergy),
      };
    },
  });

  api.add({
    method: "post",
    path: "/patients/:id/notes",
    tag: "records",
    summary: "Write a consultation note, optionally on one of the patient's visits with this doctor",
    access: ["doctor"],
    scope: "staff-only",
    params: IdParams,
    body: z
      .strictObject({ body: z.string().trim().min(1).max(20_000), appointmentId: z.uuid().nullable().default(null) })
      .meta({ id: "NewClinicalNote" }),
    ok: { status: 201, description: "Written", schema: NoteDto },
    errors: { 404: "No such patient", 409: "The record was erased" },
    async handler({ staff, params, body, req }) {
      return presentNote(await writeNote(ctx.db, access(staff, req), params.id, body, ctx.now()));
    },
  });

  api.add({
    method: "post",
    path: "/patients/:id/diagnoses",
    tag: "records",
    summary: "Record a diagnosis (ICD-10 code optional)",
    access: ["doctor"],
    scope: "staff-only",
    params: IdParams,
    body: z
      .strictObject({
        label: z.string().trim().min(1).max(200),
        code: z.string().trim().max(10).nullable().default(null),
      })
      .meta({ id: "NewDiagnosis" }),
    ok: { status: 201, description: "Recorded", schema: DiagnosisDto },
    errors: { 404: "No such patient", 409: "The record was erased" },
    async handler({ staff, params, body, req }) {
      return presentDiagnosis(await addDiagnosis(ctx.db, access(staff, req), params.id, body, ctx.now()));
    },
  });

  api.add({
    method: "post",
    path: "/patients/:id/prescriptions",
    tag: "records",
    summary: "Write a prescription",
    access: ["doctor"],
    scope: "staff-only",
    params: IdParams,
    body: z
      .strictObject({
        items: z
          .array(
            z.strictObject({
              drug: z.string().trim().min(1).max(200),
              dosage: z.string().trim().min(1).max(200),
              instructions: z.string().trim().max(500).nullable().default(null),
            }),
          )
          .min(1)
          .max(MAX_PRESCRIPTION_LINES),
        notes: z.string().trim().max(2000).nullable().default(null),
        appointmentId: z.uuid().nullable().default(null),
      })
      .meta({ id: "NewPrescription" }),
    ok: { status: 201, description: "Written", schema: PrescriptionDto },
    errors: { 404: "No such patient", 409: "The record was erased" },
    async handler({ staff, params, body, req }) {
      return presentPrescription(await createPrescription(ctx.db, access(staff, req), params.id, body, ctx.now()));
    },
  });

  api.add({
    method: "get",
    path: "/patients/:id/allergies",
    tag: "records",
    summary: "A patient's allergies (secretaries and doctors; audited)",
    access: ["secretary", "doctor"],
    scope: "staff-only",
    params: IdParams,
    ok: { description: "Allergies, newest first", schema: z.array(AllergyDto) },
    errors: { 404: "No such patient" },
    async handler({ staff, params, req }) {
      return (await listAllergies(ctx.db, access(staff, req), params.id)).map(presentAllergy);
    },
  });

  api.add({
    method: "post",
    path: "/patients/:id/allergies",
    tag: "records",
    summary: "Record an allergy (doctors)",
    access: ["doctor"],
    scope: "staff-only",
    params: IdParams,
    body: z
      .strictObject({
        substance: z.string().trim().min(1).max(200),
        reaction: z.string().trim().max(500).nullable().default(null),
        severity: z.enum(ALLERGY_SEVERITIES).nullable().default(null),
      })
      .meta({ id: "NewAllergy" }),
    ok: { status: 201, description: "Recorded", schema: AllergyDto },
    errors: { 404: "No such patient", 409: "The record was erased" },
    async handler({ staff, params, body, req }) {
      return presentAllergy(await addAllergy(ctx.db, access(staff, req), params.id, body, ctx.now()));
    },
  });

  api.add({
    method: "get",
    path: "/patients/:id/export",
    tag: "records",
    summary: "Everything held about a patient (GDPR access/portability; admins; audited)",
    description:
      "Demographics, channel identities, appointments with their history, clinical notes, diagnoses, prescriptions, allergies, document metadata, invoices with payments, conversation transcripts, waitlist entries and emergencies.",
    access: ["admin"],
    scope: "staff-only",
    params: IdParams,
    ok: { description: "The export (format tabib.patient-export/1)", schema: z.record(z.string(), z.unknown()) },
    errors: { 404: "No such patient" },
    async handler({ staff, params, req }) {
      return JSON.parse(JSON.stringify(await exportPatient(ctx.db, access(staff, req), params.id, ctx.now())));
    },
  });

  api.add({
    method: "post",
    path: "/patients/:id/erase",
    tag: "records",
    summary: "Erase (anonymize) a patient on request, keeping invoices and the name on them (admins; audited)",
    access: ["admin"],
    scope: "staff-only",
    params: IdParams,
    // An irreversible act says so in its body, not only in its URL.
    body: z
      .strictObject({ confirm: z.literal(true).meta({ description: "The patient asked for erasure" }) })
      .meta({ id: "ErasureRequest" }),
    ok: {
      description: "What was done; erased is false when the record had already been erased",
      schema: z
        .object({ erased: z.boolean(), nameKept: z.boolean(), deleted: z.record(z.string(), z.number()) })
        .meta({ id: "ErasureReport" }),
    },
    errors: { 404: "No such patient", 409: "The patient still has upcoming appointments" },
    async handler({ staff, params, req }) {
      return erasePatient(ctx.db, store, access(staff, req), params.id, ctx.now());
    },
  });
}
