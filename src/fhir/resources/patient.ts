import type { Patient as PatientRow } from "../../data/generated/client.js";
import { fhirDate, fhirUtcInstant, languageConcept, present } from "./datatypes.js";
import type { ContactPoint, HumanName, Patient } from "./types.js";

/** The FHIR view of a patient record. Erased patients are never mapped: callers answer 410 instead. */
export function toFhirPatient(p: PatientRow): Patient {
  const telecom: ContactPoint[] = [];
  if (present(p.phone)) telecom.push({ system: "phone", value: p.phone });
  if (present(p.email)) telecom.push({ system: "email", value: p.email });
  return {
    resourceType: "Patient",
    id: p.id,
    meta: { lastUpdated: fhirUtcInstant(p.updatedAt) },
    active: true,
    name: [personName(p.firstName, p.lastName)],
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(p.birthDate ? { birthDate: fhirDate(p.birthDate) } : {}),
    communication: [{ language: languageConcept(p.preferredLocale), preferred: true }],
  };
}

export function personName(firstName: string, lastName: string, prefix?: string): HumanName {
  const given = present(firstName) ? [firstName.trim()] : undefined;
  const family = present(lastName) ? lastName.trim() : undefined;
  const text = [prefix, firstName, lastName]
    .filter(present)
    .map((s) => s.trim())
    .join(" ");
  return {
    use: "official",
    ...(text ? { text } : {}),
    ...(family ? { family } : {}),
    ...(given ? { given } : {}),
    ...(present(prefix) ? { prefix: [prefix.trim()] } : {}),
  };
}

export function patientDisplay(p: { firstName: string; lastName: string }): string | undefined {
  return [p.firstName, p.lastName].filter(present).join(" ") || undefined;
}
