import express, { type Request, type Response, type Router } from "express";
import type { AppContext } from "../context.js";
import { listDoctors } from "../domain/directory.js";
import {
  DocumentStore,
  DOCUMENT_KINDS,
  listDocuments,
  MAX_DOCUMENT_BYTES,
  openDocument,
  uploadDocument,
} from "../domain/documents.js";
import { DomainError, invalid, isDomainError } from "../domain/errors.js";
import { erasePatient, exportPatient } from "../domain/gdpr.js";
import { listInsurers, setPatientInsurance } from "../domain/insurance.js";
import { readPatient, updatePatient, type PatientFields } from "../domain/patients.js";
import { listAllergies, mayRead, mayWrite } from "../domain/records.js";
import { field, idParam, localDay } from "./clinic-forms.js";
import { doctorName, personName, STATUS_LABEL } from "./format.js";
import { guard } from "./http.js";
import type { MessageKey } from "./i18n.js";
import { accessOf, byteSize, formRefusal, pageContext, RECORDS_ASSET_VERSION } from "./record-kit.js";
import { renderPage } from "./render.js";
import { singleFileForm, uploadOf } from "./upload.js";

const form = express.urlencoded({ extended: false, limit: "32kb" });
const frontDesk = guard({ roles: ["admin", "secretary"] });
const careTeam = guard({ roles: ["secretary", "doctor"] });
const adminOnly = guard({ roles: ["admin"] });

const CHANNELS = ["telegram", "whatsapp", "sms", "web", "console", "api"] as const;
export const DOC_KIND_LABEL: Record<(typeof DOCUMENT_KINDS)[number], MessageKey> = {
  lab_result: "recDocLab",
  imaging: "recDocImaging",
  referral: "recDocReferral",
  report: "recDocReport",
  other: "recDocOther",
};
const SEVERITY_LABEL: Record<string, MessageKey> = {
  mild: "recSeverityMild",
  moderate: "recSeverityModerate",
  severe: "recSeveritySevere",
};
const DONE: Record<string, MessageKey> = {
  saved: "recSaved",
  uploaded: "recUploaded",
  erased: "recErasedDone",
};

/**
 * A patient's record for staff: the overview (demographics, identities, allergies, visits,
 * documents), demographics editing, document upload and download, and the GDPR export and
 * erasure. The clinical part (notes, diagnoses, prescriptions) is in clinical.ts.
 */
export function recordRoutes(router: Router, ctx: AppContext): void {
  const store = new DocumentStore(ctx.config.DOCUMENTS_DIR);

  async function showRecord(req: Request, res: Response, opts: { status?: number; uploadError?: string } = {}) {
    const { session, t, locale, format } = await pageContext(ctx, res);
    const id = idParam(req);
    const access = accessOf(session, req);
    // readPatient enforces the doctor's reach and writes the audit row.
    const patient = await readPatient(ctx.db, access, id);
    const role = session.user.role;
    const [identities, history, doctors, types, allergies, documents, insurer] = await Promise.all([
      ctx.db.prisma.channelIdentity.findMany({ where: { patientId: id }, orderBy: { createdAt: "asc" } }),
      ctx.db.prisma.appointment.findMany({
        where: { patientId: id, clinicId: session.user.clinicId },
        orderBy: { startsAt: "desc" },
        take: 200,
      }),
      listDoctors(ctx.db, session.user.clinicId),
      ctx.db.prisma.appointmentType.findMany({ where: { clinicId: session.user.clinicId } }),
      mayRead(role, "allergies") ? listAllergies(ctx.db, access, id) : Promise.resolve(null),
      mayRead(role, "documents") ? listDocuments(ctx.db, access, id) : Promise.resolve(null),
      patient.insurerId ? ctx.db.prisma.insurer.findUnique({ where: { id: patient.insurerId } }) : null,
    ]);
    const doctor = new Map(doctors.map((d) => [d.id, doctorName(d)]));
    const type = new Map(types.map((x) => [x.id, locale === "fr" ? x.nameFr : x.nameEn]));
    const done = typeof req.query.done === "string" ? DONE[req.query.done] : undefined;
    renderPage(
      res,
      "patient",
      {
        title: personName(patient),
        recordsVersion: RECORDS_ASSET_VERSION,
        id,
        erased: patient.erasedAt !== null,
        flash: done ? t(done) : null,
        uploadError: opts.uploadError,
        can: {
          edit: role !== "doctor" && patient.erasedAt === null,
          clinical: mayRead(role, "clinical"),
          upload: mayWrite(role, "documents") && patient.erasedAt === null,
          gdpr: mayRead(role, "gdpr"),
        },
        p: {
          firstName: patient.firstName,
          lastName: patient.lastName,
          birthDate: format.calendarDate(patient.birthDate),
          phone: patient.phone ?? "—",
          email: patient.email ?? "—",
          locale: patient.preferredLocale.toUpperCase(),
          channel: patient.preferredChannel ?? "—",
          consent: patient.consentAt
            ? `${format.dateTimeOf(patient.consentAt)} (${patient.consentVersion ?? "—"})`
            : "—",
          insurance: insurer
            ? `${insurer.name} · ${patient.insuranceNumber ?? "—"} · ${patient.insuranceCoverageBp / 100} %`
            : "—",
        },
        identities: identities.map((i) => ({
          channel: i.channel,
          externalId: i.externalId,
          verified: i.verified ? t("yes") : t("no"),
        })),
        history: history.map((a) => ({
          id: a.id,
          when: format.dateTimeOf(a.startsAt),
          doctor: doctor.get(a.doctorId) ?? "—",
          type: type.get(a.typeId) ?? "—",
          status: a.status,
          statusLabel: t(STATUS_LABEL[a.status]),
        })),
        allergies: allergies?.map((a) => ({
          substance: a.substance,
          reaction: a.reaction ?? "",
          severity: a.severity ? t(SEVERITY_LABEL[a.severity] ?? "recSeverityMild") : "",
          severe: a.severity === "severe",
        })),
        documents: documents?.map((d) => ({
          id: d.id,
          name: d.fileName,
          kind: t(DOC_KIND_LABEL[d.kind as keyof typeof DOC_KIND_LABEL] ?? "recDocOther"),
          size: byteSize(d.sizeBytes, locale),
          when: format.dateTimeOf(d.createdAt),
        })),
        kinds: DOCUMENT_KINDS.map((k) => ({ value: k, label: t(DOC_KIND_LABEL[k]) })),
        maxSize: byteSize(MAX_DOCUMENT_BYTES, locale),
      },
      { status: opts.status },
    );
  }

  router.get("/patients/:id", guard(), async (req, res, next) => {
    try {
      await showRecord(req, res);
    } catch (err) {
      next(err);
    }
  });

  // ---------------------------------------------------------------- demographics

  async function showEdit(req: Request, res: Response, opts: { status?: number; error?: string } = {}) {
    const { session, t } = await pageContext(ctx, res);
    const id = idParam(req);
    const patient = await readPatient(ctx.db, accessOf(session, req), id);
    if (patient.erasedAt) throw new DomainError("conflict", "erased");
    const posted = opts.error ? (req.body as Record<string, string>) : null;
    const value = (name: string, stored: string) => (posted ? field(posted, name, 320) : stored);
    renderPage(
      res,
      "patient-edit",
      {
        title: t("recEditTitle", { name: personName(patient) }),
        recordsVersion: RECORDS_ASSET_VERSION,
        id,
        error: opts.error,
        v: {
          firstName: value("firstName", patient.firstName),
          lastName: value("lastName", patient.lastName),
          birthDate: value("birthDate", patient.birthDate?.toISOString().slice(0, 10) ?? ""),
          phone: value("phone", patient.phone ?? ""),
          email: value("email", patient.email ?? ""),
          preferredLocale: value("preferredLocale", patient.preferredLocale),
          preferredChannel: value("preferredChannel", patient.preferredChannel ?? ""),
          insurerId: value("insurerId", patient.insurerId ?? ""),
          insuranceNumber: value("insuranceNumber", patient.insuranceNumber ?? ""),
          coverage: value("coverage", String(patient.insuranceCoverageBp / 100)),
        },
        channels: CHANNELS,
        insurers: (await listInsurers(ctx.db, session.user.clinicId)).map((i) => ({ id: i.id, name: i.name })),
      },
      { status: opts.status },
    );
  }

  router.get("/patients/:id/edit", frontDesk, async (req, res, next) => {
    try {
      await showEdit(req, res);
    } catch (err) {
      next(err);
    }
  });

  router.post("/patients/:id/edit", form, frontDesk, async (req, res, next) => {
    try {
      const { session, t } = await pageContext(ctx, res);
      const id = idParam(req);
      try {
        const { fields, insurance } = demographicsForm(req.body);
        await updatePatient(ctx.db, accessOf(session, req), id, fields);
        await setPatientInsurance(ctx.db, accessOf(session, req), id, insurance);
      } catch (err) {
        const refusal =
          isDomainError(err, "conflict") && err.message.includes("phone") ? t("recPhoneTaken") : formRefusal(t, err);
        if (refusal === null) throw err;
        return await showEdit(req, res, { status: 400, error: refusal });
      }
      res.redirect(303, `/patients/${id}?done=saved`);
    } catch (err) {
      next(err);
    }
  });

  // ---------------------------------------------------------------- documents

  router.post("/patients/:id/documents", singleFileForm(MAX_DOCUMENT_BYTES), careTeam, async (req, res, next) => {
    try {
      const { session, t } = await pageContext(ctx, res);
      const id = idParam(req);
      const file = uploadOf(res);
      try {
        await uploadDocument(ctx.db, store, accessOf(session, req), id, {
          kind: field(req.body, "kind", 40),
          fileName: file?.fileName ?? "",
          bytes: file?.bytes ?? Buffer.alloc(0),
        });
      } catch (err) {
        const refusal = formRefusal(t, err);
        if (refusal === null) throw err;
        return await showRecord(req, res, { status: 400, uploadError: refusal });
      }
      res.redirect(303, `/patients/${id}?done=uploaded#documents`);
    } catch (err) {
      next(err);
    }
  });

  router.get("/patients/:id/documents/:documentId", careTeam, async (req, res, next) => {
    try {
      const { session } = await pageContext(ctx, res);
      const { document, bytes } = await openDocument(
        ctx.db,
        store,
        accessOf(session, req),
        idParam(req),
        idParam(req, "documentId"),
      );
      // Always a download, never rendered in the console's origin, never cached.
      res
        .status(200)
        .attachment(document.fileName)
        .type(document.mimeType)
        .set({
          "X-Content-Type-Options": "nosniff",
          "Cache-Control": "no-store",
          "Content-Security-Policy": "default-src 'none'; sandbox",
        })
        .send(bytes);
    } catch (err) {
      next(err);
    }
  });

  // ---------------------------------------------------------------- GDPR

  router.post("/patients/:id/export", form, adminOnly, async (req, res, next) => {
    try {
      const { session } = await pageContext(ctx, res);
      const id = idParam(req);
      const data = await exportPatient(ctx.db, accessOf(session, req), id, ctx.now());
      res
        .status(200)
        .attachment(`patient-${id}.json`)
        .type("application/json")
        .set({ "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store" })
        .send(JSON.stringify(data, null, 2));
    } catch (err) {
      next(err);
    }
  });

  async function showErase(req: Request, res: Response, opts: { status?: number; error?: string } = {}) {
    const { session, t, format } = await pageContext(ctx, res);
    const id = idParam(req);
    const patient = await readPatient(ctx.db, accessOf(session, req), id);
    const [invoices, upcoming] = await Promise.all([
      ctx.db.prisma.invoice.count({ where: { patientId: id } }),
      ctx.db.prisma.appointment.findMany({
        where: { patientId: id, status: { in: ["requested", "confirmed"] }, endsAt: { gt: ctx.now() } },
        orderBy: { startsAt: "asc" },
      }),
    ]);
    renderPage(
      res,
      "patient-erase",
      {
        title: t("recEraseTitle", { name: personName(patient) }),
        recordsVersion: RECORDS_ASSET_VERSION,
        id,
        erased: patient.erasedAt !== null,
        error: opts.error,
        keepsName: invoices > 0,
        upcoming: upcoming.map((a) => ({ id: a.id, when: format.dateTimeOf(a.startsAt) })),
      },
      { status: opts.status },
    );
  }

  router.get("/patients/:id/erase", adminOnly, async (req, res, next) => {
    try {
      await showErase(req, res);
    } catch (err) {
      next(err);
    }
  });

  router.post("/patients/:id/erase", form, adminOnly, async (req, res, next) => {
    try {
      const { session, t } = await pageContext(ctx, res);
      const id = idParam(req);
      if (field(req.body, "confirm", 10) !== "yes")
        return await showErase(req, res, { status: 400, error: t("recEraseConfirmMissing") });
      try {
        await erasePatient(ctx.db, store, accessOf(session, req), id, ctx.now());
      } catch (err) {
        if (!isDomainError(err, "conflict")) throw err;
        return await showErase(req, res, { status: 409, error: t("recEraseUpcoming") });
      }
      res.redirect(303, `/patients/${id}?done=erased`);
    } catch (err) {
      next(err);
    }
  });
}

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The demographics form, checked; throws `invalid` naming the first wrong field. */
function demographicsForm(body: unknown) {
  const firstName = field(body, "firstName", 100);
  const lastName = field(body, "lastName", 100);
  if (!firstName) throw invalid("firstName", "required");
  if (!lastName) throw invalid("lastName", "required");
  const birthText = field(body, "birthDate", 10);
  const birth = birthText ? localDay(birthText) : null;
  if (birthText && !birth) throw invalid("birthDate", "YYYY-MM-DD");
  const phone = field(body, "phone", 40).replace(/[\s.-]/g, "");
  if (phone && !E164.test(phone)) throw invalid("phone", "E.164");
  const email = field(body, "email", 320);
  if (email && !EMAIL.test(email)) throw invalid("email", "an address");
  const locale = field(body, "preferredLocale", 2) === "en" ? "en" : "fr";
  const channel = field(body, "preferredChannel", 20);
  const insurerId = field(body, "insurerId", 40);
  const coverageText = field(body, "coverage", 10).replace(",", ".");
  const coverage = coverageText ? Number(coverageText) : 0;
  if (!Number.isFinite(coverage) || coverage < 0 || coverage > 100) throw invalid("insuranceCoverageBp", "0–100");
  const fields: PatientFields = {
    firstName,
    lastName,
    birthDate: birth ? new Date(`${birth}T00:00:00Z`) : null,
    phone: phone || null,
    email: email || null,
    preferredLocale: locale,
    preferredChannel: (CHANNELS as readonly string[]).includes(channel)
      ? (channel as PatientFields["preferredChannel"])
      : null,
  };
  return {
    fields,
    insurance: {
      insurerId: insurerId || null,
      insuranceNumber: field(body, "insuranceNumber", 40) || null,
      insuranceCoverageBp: Math.round(coverage * 100),
    },
  };
}
