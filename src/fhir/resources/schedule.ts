import type { AppointmentType } from "../../data/generated/client.js";
import { appointmentTypeConcept, fhirInstant, specialtyConcept, type Locale } from "./datatypes.js";
import { practitionerDisplay, sortedSpecialties, type DoctorWithSpecialties } from "./practitioner.js";
import type { Schedule } from "./types.js";

export interface ScheduleView {
  doctor: DoctorWithSpecialties;
  /** Active appointment types of the doctor's specialties, in the order Slot search picks its default. */
  appointmentTypes: AppointmentType[];
  /** The window slot searches cover by default, or the one the query asked about. */
  horizon: { from: Date; to: Date };
}

/** One Schedule per active doctor; its id is the doctor's id, so Slot.schedule and Practitioner line up. */
export function toFhirSchedule(v: ScheduleView, locale: Locale, timeZone: string): Schedule {
  const specialties = sortedSpecialties(v.doctor);
  const display = practitionerDisplay(v.doctor);
  return {
    resourceType: "Schedule",
    id: v.doctor.id,
    active: v.doctor.active,
    ...(v.appointmentTypes.length > 0
      ? { serviceType: v.appointmentTypes.map((t) => appointmentTypeConcept(t, locale)) }
      : {}),
    ...(specialties.length > 0 ? { specialty: specialties.map((s) => specialtyConcept(s, locale)) } : {}),
    actor: [{ reference: `Practitioner/${v.doctor.id}`, ...(display ? { display } : {}) }],
    planningHorizon: { start: fhirInstant(v.horizon.from, timeZone), end: fhirInstant(v.horizon.to, timeZone) },
  };
}
