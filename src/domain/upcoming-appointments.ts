import type { Database } from "../data/db.js";

/** An active appointment still to come, as a patient is told about it. */
export interface UpcomingAppointment {
  id: string;
  patientId: string;
  startsAt: Date;
  doctorId: string;
  /** See doctorName. */
  doctorName: string;
  typeId: string;
}

interface Row {
  id: string;
  patient_id: string;
  starts_at: Date | string;
  doctor_id: string;
  doctor_name: string;
  type_id: string;
}

const COLUMNS = `a.id, a.patient_id, a.starts_at, a.doctor_id, doctor_name(d) AS doctor_name, a.type_id`;

const toUpcoming = (r: Row): UpcomingAppointment => ({
  id: r.id,
  patientId: r.patient_id,
  startsAt: new Date(r.starts_at),
  doctorId: r.doctor_id,
  doctorName: r.doctor_name,
  typeId: r.type_id,
});

/** A patient's requested and confirmed appointments after `now`, soonest first. */
export async function upcomingAppointments(
  db: Database,
  patientId: string,
  now: Date,
  limit = 10,
): Promise<UpcomingAppointment[]> {
  const rows = await db.sql.query<Row>(
    `SELECT ${COLUMNS} FROM appointment a JOIN doctor d ON d.id = a.doctor_id
      WHERE a.patient_id = $1::uuid AND a.status IN ('requested', 'confirmed') AND a.starts_at > $2
      ORDER BY a.starts_at LIMIT $3`,
    [patientId, now, limit],
  );
  return rows.map(toUpcoming);
}

/** One of the clinic's appointments, if it is requested or confirmed and still to come. */
export async function upcomingAppointment(
  db: Database,
  clinicId: string,
  appointmentId: string,
  now: Date,
): Promise<UpcomingAppointment | null> {
  const [row] = await db.sql.query<Row>(
    `SELECT ${COLUMNS} FROM appointment a JOIN doctor d ON d.id = a.doctor_id
      WHERE a.id = $1::uuid AND a.clinic_id = $2::uuid AND a.status IN ('requested', 'confirmed') AND a.starts_at > $3`,
    [appointmentId, clinicId, now],
  );
  return row ? toUpcoming(row) : null;
}
