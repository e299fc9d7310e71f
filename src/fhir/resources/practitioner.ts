import type { Doctor, Specialty } from "../../data/generated/client.js";
import { languageConcept, present, specialtyConcept, type Locale } from "./datatypes.js";
import { personName } from "./patient.js";
import type { Practitioner } from "./types.js";

export type DoctorWithSpecialties = Doctor & { specialties: { specialty: Specialty }[] };

/**
 * The FHIR view of a doctor; specialties become qualifications (Tabib has no PractitionerRole).
 * Doctor.phone is left out: it is the doctor's own number for on-call alerts, not a clinic contact.
 */
export function toFhirPractitioner(d: DoctorWithSpecialties, locale: Locale): Practitioner {
  const specialties = sortedSpecialties(d);
  return {
    resourceType: "Practitioner",
    id: d.id,
    active: d.active,
    name: [personName(d.firstName, d.lastName, d.title)],
    ...(specialties.length > 0
      ? { qualification: specialties.map((s) => ({ code: specialtyConcept(s, locale) })) }
      : {}),
    ...(d.languages.length > 0 ? { communication: d.languages.map(languageConcept) } : {}),
  };
}

export function sortedSpecialties(d: DoctorWithSpecialties): Specialty[] {
  return d.specialties.map((x) => x.specialty).sort((a, b) => a.code.localeCompare(b.code));
}

export function practitionerDisplay(d: Pick<Doctor, "title" | "firstName" | "lastName">): string | undefined {
  return [d.title, d.firstName, d.lastName].filter(present).join(" ") || undefined;
}
