import type { Prisma } from "../data/generated/client.js";
import type { Caller } from "../http/auth.js";

/**
 * Patients a caller may see: a doctor only those who have ever had an appointment with them;
 * secretaries, admins and API clients the whole clinic. Clinic scoping is applied by callers.
 */
export function visiblePatients(caller: Caller): Prisma.PatientWhereInput {
  if (caller.kind === "client" || caller.role !== "doctor") return {};
  if (!caller.doctorId) return { id: { in: [] } };
  return { appointments: { some: { doctorId: caller.doctorId } } };
}

/** Appointments a caller may see: any appointment of a patient they may see. */
export function visibleAppointments(caller: Caller): Prisma.AppointmentWhereInput {
  return caller.kind !== "client" && caller.role === "doctor" ? { patient: visiblePatients(caller) } : {};
}
