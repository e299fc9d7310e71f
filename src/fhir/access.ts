import type { Prisma } from "../data/generated/client.js";
import type { StaffPrincipal } from "../http/auth.js";

/**
 * Patients a staff member may see: a doctor only those who have ever had an appointment with
 * them; secretaries and admins the whole clinic. Clinic scoping is applied by callers.
 */
export function visiblePatients(staff: StaffPrincipal): Prisma.PatientWhereInput {
  if (staff.role !== "doctor") return {};
  if (!staff.doctorId) return { id: { in: [] } };
  return { appointments: { some: { doctorId: staff.doctorId } } };
}

/** Appointments a staff member may see: any appointment of a patient they may see. */
export function visibleAppointments(staff: StaffPrincipal): Prisma.AppointmentWhereInput {
  return staff.role === "doctor" ? { patient: visiblePatients(staff) } : {};
}
