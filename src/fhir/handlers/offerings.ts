import type { AppointmentType, Specialty } from "../../data/generated/client.js";
import type { DoctorWithSpecialties } from "../resources/practitioner.js";
import { boundingWindow, type DateParam } from "../search/date.js";
import type { FhirScope } from "../scope.js";

export type TypeWithSpecialty = AppointmentType & { specialty: Specialty | null };

export const DEFAULT_WINDOW_DAYS = 7;
export const MAX_WINDOW_DAYS = 31;
const DAY = 24 * 3600_000;

/** Active doctors (optionally some of them) and the clinic's active appointment types. */
export async function loadOfferings(
  scope: FhirScope,
  doctorIds?: string[],
): Promise<{ doctors: DoctorWithSpecialties[]; types: TypeWithSpecialty[] }> {
  const prisma = scope.ctx.db.prisma;
  const [doctors, types] = await Promise.all([
    prisma.doctor.findMany({
      where: { clinicId: scope.clinic.id, active: true, ...(doctorIds ? { id: { in: doctorIds } } : {}) },
      include: { specialties: { include: { specialty: true } } },
      orderBy: [{ lastName: "asc" }, { firstName: "asc" }, { id: "asc" }],
    }),
    prisma.appointmentType.findMany({
      where: { clinicId: scope.clinic.id, active: true },
      include: { specialty: true },
      orderBy: [{ mode: "asc" }, { code: "asc" }],
    }),
  ]);
  return { doctors, types };
}

/**
 * The types a doctor offers, their own specialties' first (in person before remote, then by code),
 * then the clinic-wide ones. The first is what a Slot search without service-type uses.
 */
export function typesOffered(doctor: DoctorWithSpecialties, types: TypeWithSpecialty[]): TypeWithSpecialty[] {
  const mine = new Set(doctor.specialties.map((s) => s.specialty.id));
  return [
    ...types.filter((t) => t.specialtyId !== null && mine.has(t.specialtyId)),
    ...types.filter((t) => t.specialtyId === null),
  ];
}

/**
 * The window a slot search covers: the query's bounds, starting no earlier than now, 7 days by
 * default, and at most 31 days so one request cannot ask for a year of computed slots.
 */
export function slotWindow(params: DateParam[], now: Date): { from: Date; to: Date; capped: boolean } {
  const bounds = boundingWindow(params);
  const from = Math.max(bounds.from ?? +now, +now);
  let to = bounds.to ?? from + DEFAULT_WINDOW_DAYS * DAY;
  let capped = false;
  if (to - from > MAX_WINDOW_DAYS * DAY) {
    to = from + MAX_WINDOW_DAYS * DAY;
    capped = true;
  }
  return { from: new Date(from), to: new Date(Math.max(to, from)), capped };
}
