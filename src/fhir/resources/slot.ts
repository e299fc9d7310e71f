import type { AppointmentType, Specialty } from "../../data/generated/client.js";
import type { Slot as FreeSlot } from "../../domain/availability.js";
import { appointmentTypeConcept, fhirInstant, specialtyConcept, type Locale } from "./datatypes.js";
import type { Slot } from "./types.js";

export interface SlotKey {
  doctorId: string;
  appointmentTypeId: string;
  startsAt: Date;
}

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ""), "hex");
const bytesUuid = (b: Buffer) => {
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/**
 * Slots are computed, never stored, so the id carries everything needed to recompute one:
 * doctor, appointment type and start (epoch seconds), packed into 36 bytes. Base64url fits
 * FHIR's 64-character id limit; its "_" is not allowed in an id and becomes ".".
 */
export function encodeSlotId(k: SlotKey): string {
  const seconds = Buffer.alloc(4);
  seconds.writeUInt32BE(Math.floor(+k.startsAt / 1000));
  return Buffer.concat([uuidBytes(k.doctorId), uuidBytes(k.appointmentTypeId), seconds])
    .toString("base64url")
    .replace(/_/g, ".");
}

/** The slot an id names, or null for anything that is not one of ours. */
export function decodeSlotId(id: string): SlotKey | null {
  if (!/^[A-Za-z0-9\-.]{48}$/.test(id)) return null;
  const bytes = Buffer.from(id.replace(/\./g, "_"), "base64url");
  if (bytes.length !== 36) return null;
  return {
    doctorId: bytesUuid(bytes.subarray(0, 16)),
    appointmentTypeId: bytesUuid(bytes.subarray(16, 32)),
    startsAt: new Date(bytes.readUInt32BE(32) * 1000),
  };
}

export function toFhirSlot(
  s: FreeSlot,
  type: AppointmentType & { specialty: Specialty | null },
  locale: Locale,
  timeZone: string,
): Slot {
  return {
    resourceType: "Slot",
    id: encodeSlotId({ doctorId: s.doctorId, appointmentTypeId: type.id, startsAt: s.startsAt }),
    serviceType: [appointmentTypeConcept(type, locale)],
    ...(type.specialty ? { specialty: [specialtyConcept(type.specialty, locale)] } : {}),
    schedule: { reference: `Schedule/${s.doctorId}` },
    status: "free",
    start: fhirInstant(s.startsAt, timeZone),
    end: fhirInstant(s.endsAt, timeZone),
  };
}
