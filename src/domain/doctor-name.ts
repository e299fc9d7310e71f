/**
 * How the service names a doctor to patients and staff: "Dr Hélène Dubois". SQL says the same
 * with `doctor_name(d)` (prisma/migrations/20261205060000_doctor_name).
 */
export const doctorName = (d: { title: string; firstName: string; lastName: string }): string =>
  `${d.title} ${d.firstName} ${d.lastName}`;
