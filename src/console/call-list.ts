import { personName, type ClinicFormat } from "./format.js";

/*
 * The desk's lists of appointments to act on (unconfirmed, past days to close): one row per
 * appointment with the patient to call and their no-shows so far.
 */

/** The columns every call list shows of an appointment. */
export function callRow(
  format: ClinicFormat,
  r: {
    appointmentId: string;
    startsAt: Date;
    doctorName: string;
    patient: { id: string; firstName: string; lastName: string; phone: string | null };
    noShows: number;
  },
) {
  return {
    id: r.appointmentId,
    when: format.dateTimeOf(r.startsAt),
    patientId: r.patient.id,
    patient: personName(r.patient),
    phone: r.patient.phone ?? "—",
    doctor: r.doctorName,
    noShows: r.noShows,
  };
}
