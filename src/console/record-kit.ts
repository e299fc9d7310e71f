import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Request, Response } from "express";
import type { AppContext } from "../context.js";
import { ClinicClock } from "../domain/clinic-time.js";
import { getClinic } from "../domain/directory.js";
import { DomainError } from "../domain/errors.js";
import type { PatientAccess } from "../domain/patients.js";
import { ClinicFormat } from "./format.js";
import { actorOf, mustSession } from "./http.js";
import type { MessageKey, Translate } from "./i18n.js";
import { PUBLIC_DIR, type PageLocals } from "./render.js";
import type { ConsoleSession } from "./session.js";

/*
 * What the patient-record, settings and audit pages share: their stylesheet and script, the
 * access a request carries into the domain, and how a refused form field is worded.
 */

/** Cache-busting version of records.css and records.js (served for a year like every asset). */
export const RECORDS_ASSET_VERSION = createHash("sha256")
  .update(readFileSync(path.join(PUBLIC_DIR, "records.css")))
  .update(readFileSync(path.join(PUBLIC_DIR, "records.js")))
  .digest("hex")
  .slice(0, 10);

export const accessOf = (session: ConsoleSession, req: Request): PatientAccess => ({
  clinicId: session.user.clinicId,
  actor: actorOf(session),
  ip: req.ip ?? null,
});

/** The session, the page's translator and language, and the clinic's formatting, in one call. */
export async function pageContext(ctx: AppContext, res: Response) {
  const session = mustSession(res);
  const { t, locale } = res.locals as PageLocals;
  const clinic = await getClinic(ctx.db, session.user.clinicId);
  return {
    session,
    t,
    locale,
    clinic,
    clock: new ClinicClock(clinic.timeZone),
    format: new ClinicFormat(locale, clinic.timeZone),
  };
}

const FIELD_LABEL: Record<string, MessageKey> = {
  body: "recNoteBody",
  label: "recDiagnosisLabel",
  code: "recDiagnosisCode",
  substance: "recAllergySubstance",
  reaction: "recAllergyReaction",
  severity: "recAllergySeverity",
  items: "recRxDrug",
  appointmentId: "recVisit",
  kind: "recDocKind",
  firstName: "firstName",
  lastName: "lastName",
  birthDate: "birthDate",
  phone: "phone",
  email: "email",
  insuranceNumber: "recInsuranceNumber",
  insuranceCoverageBp: "recCoverage",
  insurerId: "recInsurer",
};

const FILE_REASON: Record<string, MessageKey> = {
  empty: "recFileEmpty",
  too_large: "recFileTooLarge",
  type: "recFileType",
  mismatch: "recFileMismatch",
};

/** A refused form in the staff member's words, or null when the error is not a form refusal. */
export function formRefusal(t: Translate, err: unknown): string | null {
  if (!(err instanceof DomainError)) return null;
  if (err.code === "invalid") {
    const reason = FILE_REASON[String(err.details.reason ?? "")];
    if (reason) return t(reason);
    const raw = String(err.details.field ?? "");
    const key = FIELD_LABEL[raw.split(".")[0] === "items" ? "items" : raw];
    return t("recCheckField", { field: key ? t(key) : raw });
  }
  if (err.code === "conflict") return t("recConflict");
  return null;
}

/** "1.2 MB", "830 kB" (powers of 1024, as file managers count): sizes as people read them. */
export function byteSize(bytes: number, locale: "fr" | "en"): string {
  const tag = locale === "fr" ? "fr-FR" : "en-GB";
  const [value, unit] = bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), "MB"] : [Math.max(1, bytes / 1024), "kB"];
  return `${new Intl.NumberFormat(tag, { maximumFractionDigits: 1 }).format(value)} ${locale === "fr" ? unit.replace("B", "o") : unit}`;
}
