import express, { type Request, type Response, type Router } from "express";
import type { AppContext } from "../context.js";
import {
  addAllergy,
  addDiagnosis,
  ALLERGY_SEVERITIES,
  createPrescription,
  editNote,
  readClinicalRecord,
  readPrescription,
  removeAllergy,
  resolveDiagnosis,
  writeNote,
  type PrescriptionLine,
} from "../domain/records.js";
import { field, idParam, optionalUuid } from "./clinic-forms.js";
import { doctorName, personName, STATUS_LABEL } from "./format.js";
import { guard } from "./http.js";
import type { MessageKey } from "./i18n.js";
import { accessOf, formRefusal, pageContext, RECORDS_ASSET_VERSION } from "./record-kit.js";
import { renderPage } from "./render.js";

const form = express.urlencoded({ extended: false, limit: "64kb" });
// Clinical notes, diagnoses and prescriptions are for doctors; the domain checks again, per patient.
const doctors = guard({ roles: ["doctor"] });
/** Blank prescription lines offered by the form (blank ones are ignored). */
const RX_ROWS = 5;
const SEVERITY_LABEL: Record<(typeof ALLERGY_SEVERITIES)[number], MessageKey> = {
  mild: "recSeverityMild",
  moderate: "recSeverityModerate",
  severe: "recSeveritySevere",
};
const DONE: Record<string, MessageKey> = {
  note: "recNoteSaved",
  diagnosis: "recDiagnosisSaved",
  allergy: "recAllergySaved",
};
const ANCHOR: Record<string, string> = {
  note: "notes",
  diagnosis: "diagnoses",
  allergy: "allergies",
  prescription: "prescriptions",
};

/** The doctor's side of a record: notes per visit, diagnoses, prescriptions (printable), allergies. */
export function clinicalRoutes(router: Router, ctx: AppContext): void {
  async function showClinical(
    req: Request,
    res: Response,
    opts: { status?: number; error?: string; part?: string } = {},
  ) {
    const { session, t, locale, format } = await pageContext(ctx, res);
    const id = idParam(req);
    const record = await readClinicalRecord(ctx.db, accessOf(session, req), id);
    const [visits, types] = await Promise.all([
      ctx.db.prisma.appointment.findMany({
        where: {
          patientId: id,
          doctorId: session.user.doctorId ?? undefined,
          status: { notIn: ["declined", "cancelled"] },
        },
        orderBy: { startsAt: "desc" },
        take: 50,
      }),
      ctx.db.prisma.appointmentType.findMany({ where: { clinicId: session.user.clinicId } }),
    ]);
    const type = new Map(types.map((x) => [x.id, locale === "fr" ? x.nameFr : x.nameEn]));
    const now = ctx.now();
    // The visit a note most likely belongs to: today's or the latest one already started.
    const current = visits.find((v) => v.startsAt <= now) ?? null;
    const done = typeof req.query.done === "string" ? DONE[req.query.done] : undefined;
    const posted = opts.error ? (req.body as Record<string, unknown>) : {};
    renderPage(
      res,
      "clinical",
      {
        title: t("recClinicalTitle", { name: personName(record.patient) }),
        recordsVersion: RECORDS_ASSET_VERSION,
        id,
        patientName: personName(record.patient),
        erased: record.patient.erasedAt !== null,
        flash: done ? t(done) : null,
        error: opts.error,
        errorPart: opts.part,
        draft: { body: field(posted, "body", 20_000) },
        visits: visits.map((v) => ({
          id: v.id,
          label: `${format.dateTimeOf(v.startsAt)} · ${type.get(v.typeId) ?? "—"} · ${t(STATUS_LABEL[v.status])}`,
          selected: v.id === current?.id,
        })),
        notes: record.notes.map((n) => ({
          id: n.id,
          when: format.dateTimeOf(n.createdAt),
          edited: n.updatedAt.getTime() - n.createdAt.getTime() > 1000 ? format.dateTimeOf(n.updatedAt) : null,
          visit: n.appointment ? format.dateTimeOf(n.appointment.startsAt) : null,
          doctor: doctorName(n.doctor),
          mine: n.doctorId === session.user.doctorId,
          body: n.body,
        })),
        diagnoses: record.diagnoses.map((d) => ({
          id: d.id,
          code: d.code ?? "—",
          label: d.label,
          noted: format.calendarDate(d.notedAt),
          resolved: d.resolvedAt ? format.calendarDate(d.resolvedAt) : null,
          doctor: doctorName(d.doctor),
        })),
        prescriptions: record.prescriptions.map((rx) => ({
          id: rx.id,
          when: format.dateTimeOf(rx.createdAt),
          doctor: doctorName(rx.doctor),
          drugs: rx.items.map((i) => i.drug).join(", "),
        })),
        allergies: record.allergies.map((a) => ({
          id: a.id,
          substance: a.substance,
          reaction: a.reaction ?? "",
          severity: a.severity ? t(SEVERITY_LABEL[a.severity as keyof typeof SEVERITY_LABEL] ?? "recSeverityMild") : "",
          severe: a.severity === "severe",
        })),
        severities: ALLERGY_SEVERITIES.map((s) => ({ value: s, label: t(SEVERITY_LABEL[s]) })),
        rxRows: Array.from({ length: RX_ROWS }, (_, i) => i),
      },
      { status: opts.status },
    );
  }

  router.get("/patients/:id/clinical", doctors, async (req, res, next) => {
    try {
      await showClinical(req, res);
    } catch (err) {
      next(err);
    }
  });

  /** A clinical form's POST: do it, then back to the page with a notice, or the page with the refusal. */
  function post(path: string, part: string, act: (req: Request, res: Response) => Promise<string | void>): void {
    router.post(path, form, doctors, async (req, res, next) => {
      try {
        const { t } = await pageContext(ctx, res);
        let target: string | void;
        try {
          target = await act(req, res);
        } catch (err) {
          const refusal = formRefusal(t, err);
          if (refusal === null) throw err;
          return await showClinical(req, res, { status: 400, error: refusal, part });
        }
        res.redirect(303, target ?? `/patients/${idParam(req)}/clinical?done=${part}#${ANCHOR[part]}`);
      } catch (err) {
        next(err);
      }
    });
  }

  const access = async (req: Request, res: Response) => accessOf((await pageContext(ctx, res)).session, req);

  post("/patients/:id/notes", "note", async (req, res) => {
    await writeNote(
      ctx.db,
      await access(req, res),
      idParam(req),
      {
        body: field(req.body, "body", 20_001),
        appointmentId: optionalUuid(req.body?.appointmentId) ?? null,
      },
      ctx.now(),
    );
  });

  post("/patients/:id/notes/:noteId", "note", async (req, res) => {
    await editNote(
      ctx.db,
      await access(req, res),
      idParam(req),
      idParam(req, "noteId"),
      field(req.body, "body", 20_001),
      ctx.now(),
    );
  });

  post("/patients/:id/diagnoses", "diagnosis", async (req, res) => {
    await addDiagnosis(
      ctx.db,
      await access(req, res),
      idParam(req),
      { label: field(req.body, "label", 201), code: field(req.body, "code", 11) || null },
      ctx.now(),
    );
  });

  post("/patients/:id/diagnoses/:diagnosisId/resolve", "diagnosis", async (req, res) => {
    await resolveDiagnosis(ctx.db, await access(req, res), idParam(req), idParam(req, "diagnosisId"), ctx.now());
  });

  post("/patients/:id/allergies", "allergy", async (req, res) => {
    await addAllergy(
      ctx.db,
      await access(req, res),
      idParam(req),
      {
        substance: field(req.body, "substance", 201),
        reaction: field(req.body, "reaction", 501) || null,
        severity: field(req.body, "severity", 20) || null,
      },
      ctx.now(),
    );
  });

  post("/patients/:id/allergies/:allergyId/delete", "allergy", async (req, res) => {
    await removeAllergy(ctx.db, await access(req, res), idParam(req), idParam(req, "allergyId"));
  });

  post("/patients/:id/prescriptions", "prescription", async (req, res) => {
    const items: PrescriptionLine[] = [];
    for (let i = 0; i < RX_ROWS; i++) {
      const drug = field(req.body, `drug${i}`, 201);
      const dosage = field(req.body, `dosage${i}`, 201);
      const instructions = field(req.body, `instructions${i}`, 501);
      if (drug || dosage || instructions) items.push({ drug, dosage, instructions: instructions || null });
    }
    const id = idParam(req);
    const rx = await createPrescription(
      ctx.db,
      await access(req, res),
      id,
      {
        items,
        notes: field(req.body, "notes", 2001) || null,
        appointmentId: optionalUuid(req.body?.appointmentId) ?? null,
      },
      ctx.now(),
    );
    return `/patients/${id}/prescriptions/${rx.id}`;
  });

  router.get("/patients/:id/prescriptions/:prescriptionId", doctors, async (req, res, next) => {
    try {
      const { session, t, format } = await pageContext(ctx, res);
      const { prescription, patient, clinic } = await readPrescription(
        ctx.db,
        accessOf(session, req),
        idParam(req),
        idParam(req, "prescriptionId"),
      );
      renderPage(res, "prescription", {
        title: t("recRxTitle", { name: personName(patient) }),
        recordsVersion: RECORDS_ASSET_VERSION,
        id: patient.id,
        clinic: { name: clinic.name, address: clinic.address, phone: clinic.phone },
        doctor: doctorName(prescription.doctor),
        patient: {
          name: personName(patient),
          birthDate: patient.birthDate ? format.calendarDate(patient.birthDate) : null,
        },
        when: format.dayOf(prescription.createdAt),
        items: prescription.items.map((i) => ({ drug: i.drug, dosage: i.dosage, instructions: i.instructions ?? "" })),
        notes: prescription.notes ?? "",
      });
    } catch (err) {
      next(err);
    }
  });
}
