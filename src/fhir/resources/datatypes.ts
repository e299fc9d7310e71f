import { DateTime } from "luxon";
import type { CodeableConcept } from "./types.js";

/** Code systems Tabib defines for its own vocabularies; URNs so they stay identical across deployments. */
export const SYSTEMS = {
  specialty: "urn:tabib:fhir:CodeSystem:specialty",
  appointmentType: "urn:tabib:fhir:CodeSystem:appointment-type",
  appointmentStatus: "http://hl7.org/fhir/appointmentstatus",
  cancellationReason: "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason",
  language: "urn:ietf:bcp:47",
} as const;

export type Locale = "fr" | "en";

/** A FHIR instant in the clinic's time zone, with its offset and whole seconds: 2026-12-01T23:30:00+01:00. */
export function fhirInstant(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISO({ suppressMilliseconds: true })!;
}

/** A FHIR instant in UTC, for server bookkeeping such as meta.lastUpdated. */
export function fhirUtcInstant(at: Date): string {
  return at.toISOString();
}

/** A Postgres `date` read back by Prisma (UTC midnight) as a FHIR date. */
export function fhirDate(day: Date): string {
  return day.toISOString().slice(0, 10);
}

interface NamedCode {
  code: string;
  nameFr: string;
  nameEn: string;
}

const localName = (n: NamedCode, locale: Locale) => (locale === "fr" ? n.nameFr : n.nameEn);

export function specialtyConcept(s: NamedCode, locale: Locale): CodeableConcept {
  return {
    coding: [{ system: SYSTEMS.specialty, code: s.code, display: localName(s, locale) }],
    text: localName(s, locale),
  };
}

export function appointmentTypeConcept(t: NamedCode, locale: Locale): CodeableConcept {
  return {
    coding: [{ system: SYSTEMS.appointmentType, code: t.code, display: localName(t, locale) }],
    text: localName(t, locale),
  };
}

export function languageConcept(code: Locale): CodeableConcept {
  return { coding: [{ system: SYSTEMS.language, code, display: code === "fr" ? "French" : "English" }] };
}

/** FHIR forbids empty strings; a blank database value is left out instead. */
export const present = (s: string | null | undefined): s is string => typeof s === "string" && s.trim() !== "";
