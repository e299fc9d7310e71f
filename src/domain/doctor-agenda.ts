import type { Database } from "../data/db.js";
import { recordAudit } from "./audit.js";
import { ClinicClock } from "./clinic-time.js";
import {
  DOCTOR_COLUMNS,
  reach,
  reachableSql,
  type DoctorChannels,
  type DoctorRow,
  type ReachableDoctor,
} from "./doctor-reach.js";

/** How long after the clinic's agendaMinute a late worker still sends the day's agenda. */
const SEND_WINDOW_MINUTES = 180;

export interface AgendaToSend {
  doctor: ReachableDoctor;
  /** The clinic's local day, YYYY-MM-DD. */
  day: string;
  appointments: {
    startsAt: Date;
    status: string;
    patient: { firstName: string; lastName: string };
    type: { fr: string; en: string };
  }[];
}

/**
 * The morning agendas due now: for each clinic with an agendaMinute, once its local time has
 * passed it (within a few hours), each reachable doctor's appointments of the day, claimed
 * once per doctor and day. The claim is an audit row, together with one row per patient the
 * message names. Doctors with an empty day are claimed but get nothing.
 */
export async function agendasDue(db: Database, opts: { now: Date; channels: DoctorChannels }): Promise<AgendaToSend[]> {
  const { now, channels } = opts;
  if (!channels.telegram && !channels.whatsapp) return [];
  const clinics = await db.sql.query<{ id: string; time_zone: string; agenda_minute: number }>(
    `SELECT id, time_zone, agenda_minute FROM clinic WHERE agenda_minute IS NOT NULL`,
  );
  const out: AgendaToSend[] = [];
  for (const clinic of clinics) {
    const clock = new ClinicClock(clinic.time_zone);
    const day = clock.dayOf(now);
    const dayStart = clock.at(day, 0);
    const minute = Math.floor((+now - dayStart) / 60_000);
    if (minute < clinic.agenda_minute || minute >= clinic.agenda_minute + SEND_WINDOW_MINUTES) continue;
    const dayEnd = clock.at(clock.addDays(day, 1), 0);
    const doctors = await db.sql.query<DoctorRow>(
      `SELECT ${DOCTOR_COLUMNS} FROM doctor d JOIN clinic c ON c.id = d.clinic_id
        WHERE d.clinic_id = $1::uuid AND d.active AND ${reachableSql("$2", "$3")} ORDER BY d.last_name, d.id`,
      [clinic.id, channels.telegram, channels.whatsapp],
    );
    for (const row of doctors) {
      const doctor = reach(row, channels);
      if (!doctor) continue;
      const agenda = await claim(db, doctor, day, new Date(dayStart), new Date(dayEnd), now);
      if (agenda && agenda.length > 0) out.push({ doctor, day, appointments: agenda });
    }
  }
  return out;
}

async function claim(db: Database, doctor: ReachableDoctor, day: string, from: Date, to: Date, now: Date) {
  return db.sql.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(7411005, hashtext($1))`, [`${doctor.id}|${day}`]);
    const [done] = await tx.query(
      `SELECT 1 FROM audit_log WHERE at >= $1::timestamptz AND action = 'doctor.agenda' AND resource_type = 'doctor'
          AND resource_id = $2 AND detail->>'day' = $3 LIMIT 1`,
      [from, doctor.id, day],
    );
    if (done) return null;
    const rows = await tx.query<{
      id: string;
      patient_id: string;
      starts_at: Date | string;
      status: string;
      first_name: string;
      last_name: string;
      name_fr: string;
      name_en: string;
    }>(
      `SELECT a.id, a.patient_id, a.starts_at, a.status::text AS status, p.first_name, p.last_name, t.name_fr, t.name_en
         FROM appointment a JOIN patient p ON p.id = a.patient_id JOIN appointment_type t ON t.id = a.type_id
        WHERE a.doctor_id = $1::uuid AND a.starts_at >= $2::timestamptz AND a.starts_at < $3::timestamptz
          AND a.status IN ('requested', 'confirmed')
        ORDER BY a.starts_at`,
      [doctor.id, from, to],
    );
    // The claim, stamped with the clock that decided it (the check above reads it by time).
    await tx.query(
      `INSERT INTO audit_log (at, actor_kind, action, resource_type, resource_id, detail)
       VALUES ($1::timestamptz, 'system', 'doctor.agenda', 'doctor', $2, $3::jsonb)`,
      [now, doctor.id, JSON.stringify({ day, count: rows.length })],
    );
    const system = { kind: "system" as const, reason: "morning agenda" };
    await recordAudit({ ...db, sql: tx }, [
      ...rows.map((r) => ({
        actor: system,
        action: "doctor.agenda",
        resourceType: "appointment",
        resourceId: r.id,
        patientId: r.patient_id,
        detail: { doctorId: doctor.id, channel: doctor.channel },
      })),
    ]);
    return rows.map((r) => ({
      startsAt: new Date(r.starts_at),
      status: r.status,
      patient: { firstName: r.first_name, lastName: r.last_name },
      type: { fr: r.name_fr, en: r.name_en },
    }));
  });
}
