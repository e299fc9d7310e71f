import type {
  Appointment as AppointmentRow,
  AppointmentStatus,
  AppointmentType,
  Doctor,
  Patient,
  Specialty,
} from "../../data/generated/client.js";
import {
  appointmentTypeConcept,
  fhirInstant,
  fhirUtcInstant,
  present,
  specialtyConcept,
  SYSTEMS,
  type Locale,
} from "./datatypes.js";
import { patientDisplay } from "./patient.js";
import { practitionerDisplay } from "./practitioner.js";
import type { Appointment, AppointmentStatusCode, CodeableConcept, ParticipationStatus } from "./types.js";

export const FHIR_STATUS: Record<AppointmentStatus, AppointmentStatusCode> = {
  requested: "pending",
  confirmed: "booked",
  declined: "cancelled",
  cancelled: "cancelled",
  completed: "fulfilled",
  no_show: "noshow",
};

/** Tabib statuses a FHIR status code stands for; codes Tabib never uses (arrived, waitlist…) stand for none. */
export function tabibStatuses(code: string): AppointmentStatus[] {
  return (Object.keys(FHIR_STATUS) as AppointmentStatus[]).filter((s) => FHIR_STATUS[s] === code);
}

export interface AppointmentView {
  appointment: AppointmentRow;
  patient: Pick<Patient, "id" | "firstName" | "lastName">;
  doctor: Pick<Doctor, "id" | "title" | "firstName" | "lastName">;
  type: AppointmentType & { specialty: Specialty | null };
  /** The event that ended a cancelled or declined appointment, when there is one. */
  ending?: { actorKind: "patient" | "staff" | "doctor" | "system" | "client"; reason: string | null } | null;
}

export function toFhirAppointment(v: AppointmentView, locale: Locale, timeZone: string): Appointment {
  const a = v.appointment;
  const patientName = patientDisplay(v.patient);
  const doctorName = practitionerDisplay(v.doctor);
  const cancelationReason =
    a.status === "declined" || a.status === "cancelled" ? cancellation(a.status, v.ending ?? null) : undefined;
  const { patient: patientStatus, practitioner: practitionerStatus } = participation(a.status, v.ending ?? null);
  return {
    resourceType: "Appointment",
    id: a.id,
    meta: { lastUpdated: fhirUtcInstant(a.updatedAt) },
    status: FHIR_STATUS[a.status],
    ...(cancelationReason ? { cancelationReason } : {}),
    serviceType: [appointmentTypeConcept(v.type, locale)],
    ...(v.type.specialty ? { specialty: [specialtyConcept(v.type.specialty, locale)] } : {}),
    // The patient's own words; staff-only and audited. reasonCode (text only) is where R4 keeps "why".
    ...(present(a.reason) ? { reasonCode: [{ text: a.reason.trim() }] } : {}),
    start: fhirInstant(a.startsAt, timeZone),
    end: fhirInstant(a.endsAt, timeZone),
    minutesDuration: Math.round((+a.endsAt - +a.startsAt) / 60_000),
    created: fhirInstant(a.createdAt, timeZone),
    participant: [
      {
        actor: { reference: `Patient/${v.patient.id}`, ...(patientName ? { display: patientName } : {}) },
        required: "required",
        status: patientStatus,
      },
      {
        actor: { reference: `Practitioner/${v.doctor.id}`, ...(doctorName ? { display: doctorName } : {}) },
        required: "required",
        status: practitionerStatus,
      },
    ],
  };
}

type Ending = AppointmentView["ending"];

function cancellation(status: "declined" | "cancelled", ending: Ending): CodeableConcept {
  // Declining is the clinic's answer to a request; a cancellation is coded by who made it.
  const byPatient = status === "cancelled" && ending?.actorKind === "patient";
  // An API client acts for the clinic (its booking system, its front desk software).
  const byClinic =
    status === "declined" ||
    ending?.actorKind === "staff" ||
    ending?.actorKind === "doctor" ||
    ending?.actorKind === "client";
  const coding = byPatient
    ? { system: SYSTEMS.cancellationReason, code: "pat", display: "Patient" }
    : byClinic
      ? { system: SYSTEMS.cancellationReason, code: "prov", display: "Provider" }
      : { system: SYSTEMS.cancellationReason, code: "other", display: "Other" };
  const text = present(ending?.reason)
    ? ending.reason.trim()
    : status === "declined"
      ? "Request declined by the clinic"
      : "Cancelled";
  return { coding: [coding], text };
}

function participation(
  status: AppointmentStatus,
  ending: Ending,
): { patient: ParticipationStatus; practitioner: ParticipationStatus } {
  switch (status) {
    case "requested":
      return { patient: "accepted", practitioner: "needs-action" };
    case "declined":
      return { patient: "accepted", practitioner: "declined" };
    case "cancelled":
      return ending?.actorKind === "patient"
        ? { patient: "declined", practitioner: "accepted" }
        : { patient: "accepted", practitioner: "declined" };
    default:
      return { patient: "accepted", practitioner: "accepted" };
  }
}
