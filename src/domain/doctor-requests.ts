import type { Database } from "../data/db.js";
import {
  DOCTOR_COLUMNS,
  reach,
  reachableSql,
  type DoctorChannels,
  type DoctorRow,
  type ReachableDoctor,
} from "./doctor-reach.js";

/** Marker on an appointment's history: the request was sent to its doctor's chat (status unchanged). */
export const REQUEST_SENT_REASON = "request sent to the doctor";

/** A pending request (approval mode) to put before its doctor with Accept / Refuse buttons. */
export interface RequestToAnnounce {
  appointmentId: string;
  doctor: ReachableDoctor;
  startsAt: Date;
  patient: { firstName: string; lastName: string };
  type: { fr: string; en: string };
  /** The patient's stated reason, as they wrote it (the doctor decides on it). */
  reason: string | null;
}

/**
 * Claims the upcoming requests not yet sent to their doctor and returns them to send. The claim
 * is an event in the appointment's history (same status, reason REQUEST_SENT_REASON), written
 * before sending: a request is put before its doctor once, and staff see when it was.
 */
export async function requestsToAnnounce(
  db: Database,
  opts: { now: Date; channels: DoctorChannels; limit?: number },
): Promise<RequestToAnnounce[]> {
  const { channels } = opts;
  if (!channels.telegram && !channels.whatsapp) return [];
  return db.sql.transaction(async (tx) => {
    const rows = await tx.query<
      DoctorRow & {
        appointment_id: string;
        starts_at: Date | string;
        reason: string | null;
        first_name: string;
        last_name: string;
        name_fr: string;
        name_en: string;
      }
    >(
      `SELECT a.id AS appointment_id, a.starts_at, a.reason, p.first_name, p.last_name, t.name_fr, t.name_en, ${DOCTOR_COLUMNS}
         FROM appointment a
         JOIN doctor d ON d.id = a.doctor_id
         JOIN clinic c ON c.id = a.clinic_id
         JOIN patient p ON p.id = a.patient_id
         JOIN appointment_type t ON t.id = a.type_id
        WHERE a.status = 'requested' AND a.starts_at > $1::timestamptz AND d.active AND ${reachableSql("$2", "$3")}
          AND NOT EXISTS (SELECT 1 FROM appointment_event ev WHERE ev.appointment_id = a.id AND ev.reason = $4)
        ORDER BY a.created_at
        LIMIT $5
        FOR UPDATE OF a SKIP LOCKED`,
      [opts.now, channels.telegram, channels.whatsapp, REQUEST_SENT_REASON, opts.limit ?? 50],
    );
    const out: RequestToAnnounce[] = [];
    for (const r of rows) {
      const doctor = reach(r, channels);
      if (!doctor) continue;
      await tx.query(
        `INSERT INTO appointment_event (appointment_id, actor_kind, actor_id, from_status, to_status, reason, detail, at)
         VALUES ($1::uuid, 'system', NULL, 'requested', 'requested', $2, $3::jsonb, $4::timestamptz)`,
        [r.appointment_id, REQUEST_SENT_REASON, JSON.stringify({ channel: doctor.channel }), opts.now],
      );
      out.push({
        appointmentId: r.appointment_id,
        doctor,
        startsAt: new Date(r.starts_at),
        patient: { firstName: r.first_name, lastName: r.last_name },
        type: { fr: r.name_fr, en: r.name_en },
        reason: r.reason,
      });
    }
    return out;
  });
}
