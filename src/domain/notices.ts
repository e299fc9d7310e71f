import type { Database } from "../data/db.js";
import { CONTACT_COLUMNS, contactOf, type ContactRow, type PatientContact } from "./reminders.js";

/*
 * Notices tell a patient what happened to an appointment: booked (confirmed), moved (changed),
 * cancelled, and in approval mode the decision on their request (accepted, declined). One row per
 * medium ("chat", then the channel it went on, or "email"); its dedupe key makes a repeated
 * trigger record nothing more. Status: pending → sending → sent | skipped | failed. While
 * "sending", sent_at holds the claim time, so a sender that died is replaced after a lease.
 */

export type NoticeKind = "confirmed" | "changed" | "cancelled" | "accepted" | "declined";
export type NoticeMedium = "chat" | "email";

/** A notice nobody managed to send for this long is given up. */
const GIVE_UP_MS = 24 * 3600_000;

/**
 * Records the notices of one change. `version` distinguishes successive changes of one kind
 * (the appointment's updated_at): the same change recorded twice yields nothing new. Email only
 * when the patient has an address; nothing for an erased patient. Returns the new notices' ids.
 */
export async function recordNotices(
  db: Database,
  req: { appointmentId: string; kind: NoticeKind; version: Date; media: NoticeMedium[] },
): Promise<string[]> {
  if (req.media.length === 0) return [];
  const rows = await db.sql.query<{ id: string }>(
    `INSERT INTO notice (appointment_id, kind, medium, dedupe_key)
     SELECT a.id, $2, m, $2 || '-' || a.id || '-' || m || '-' || $3
       FROM appointment a JOIN patient p ON p.id = a.patient_id, unnest($4::text[]) m
      WHERE a.id = $1::uuid AND p.erased_at IS NULL AND (m <> 'email' OR coalesce(p.email, '') <> '')
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    [req.appointmentId, req.kind, String(+req.version), req.media],
  );
  return rows.map((r) => r.id);
}

/** Notices waiting to be sent (or whose sender's claim is older than the lease), oldest first. */
export async function pendingNotices(
  db: Database,
  opts: { now: Date; leaseMs: number; limit: number },
): Promise<string[]> {
  const rows = await db.sql.query<{ id: string }>(
    `SELECT id FROM notice
      WHERE status = 'pending' OR (status = 'sending' AND sent_at < $1)
      ORDER BY created_at LIMIT $2`,
    [new Date(+opts.now - opts.leaseMs), opts.limit],
  );
  return rows.map((r) => r.id);
}

/** What wording, addressing and the calendar attachment of a notice need. */
export interface ClaimedNotice {
  id: string;
  kind: NoticeKind;
  medium: NoticeMedium;
  createdAt: Date;
  appointment: {
    id: string;
    status: string;
    startsAt: Date;
    endsAt: Date;
    clinicId: string;
    doctorName: string;
    typeName: { fr: string; en: string };
    /** How many changes the appointment had when the notice was recorded: the calendar entry's revision. */
    revision: number;
  };
  clinic: { name: string; timeZone: string; address: string; phone: string };
  patient: PatientContact;
}

/** Takes a pending notice for sending, atomically; null when it is sent, being sent, or gone. */
export async function claimNotice(db: Database, id: string, now: Date, leaseMs: number): Promise<ClaimedNotice | null> {
  const [row] = await db.sql.query<
    ContactRow & {
      id: string;
      kind: NoticeKind;
      medium: NoticeMedium;
      created_at: Date | string;
      appointment_id: string;
      status: string;
      starts_at: Date | string;
      ends_at: Date | string;
      revision: number | string;
      clinic_id: string;
      doctor_name: string;
      type_fr: string;
      type_en: string;
      clinic_name: string;
      time_zone: string;
      address: string;
      clinic_phone: string;
    }
  >(
    `WITH claimed AS (
       UPDATE notice SET status = 'sending', sent_at = $2
        WHERE id = $1::uuid AND (status = 'pending' OR (status = 'sending' AND sent_at < $3))
        RETURNING id, kind, medium, created_at, appointment_id
     )
     SELECT n.id, n.kind, n.medium, n.created_at, a.id AS appointment_id, a.status, a.starts_at, a.ends_at, a.clinic_id,
            (SELECT count(*) FROM appointment_event e WHERE e.appointment_id = a.id AND e.at <= n.created_at) AS revision,
            doctor_name(d) AS doctor_name, t.name_fr AS type_fr, t.name_en AS type_en,
            c.name AS clinic_name, c.time_zone, c.address, c.phone AS clinic_phone, ${CONTACT_COLUMNS}
       FROM claimed n JOIN appointment a ON a.id = n.appointment_id JOIN doctor d ON d.id = a.doctor_id
       JOIN appointment_type t ON t.id = a.type_id JOIN clinic c ON c.id = a.clinic_id JOIN patient p ON p.id = a.patient_id`,
    [id, now, new Date(+now - leaseMs)],
  );
  if (!row) return null;
  return {
    id: row.id,
    kind: row.kind,
    medium: row.medium === "email" ? "email" : "chat",
    createdAt: new Date(row.created_at),
    appointment: {
      id: row.appointment_id,
      status: row.status,
      startsAt: new Date(row.starts_at),
      endsAt: new Date(row.ends_at),
      clinicId: row.clinic_id,
      doctorName: row.doctor_name,
      typeName: { fr: row.type_fr, en: row.type_en },
      revision: Number(row.revision),
    },
    clinic: { name: row.clinic_name, timeZone: row.time_zone, address: row.address, phone: row.clinic_phone },
    patient: contactOf(row),
  };
}

/** Records how a claimed notice ended: sent (on which medium: the chat channel, or email), or not on purpose. */
export async function finishNotice(
  db: Database,
  id: string,
  outcome: { status: "sent"; medium: string } | { status: "skipped" | "failed"; reason: string },
  now: Date,
): Promise<void> {
  await db.sql.query(
    `UPDATE notice SET status = $2, medium = coalesce($3, medium), last_error = $4,
            sent_at = CASE WHEN $2 = 'sent' THEN $5::timestamptz ELSE NULL END
      WHERE id = $1::uuid AND status = 'sending'`,
    [
      id,
      outcome.status,
      outcome.status === "sent" ? outcome.medium : null,
      outcome.status === "sent" ? null : outcome.reason,
      now,
    ],
  );
}

/** A send that failed for now: back to pending for the next sweep, or failed once too old. */
export async function releaseNotice(db: Database, id: string, reason: string, now: Date): Promise<void> {
  await db.sql.query(
    `UPDATE notice SET last_error = $2, sent_at = NULL,
            status = CASE WHEN created_at < $3 THEN 'failed' ELSE 'pending' END
      WHERE id = $1::uuid AND status = 'sending'`,
    [id, reason.slice(0, 500), new Date(+now - GIVE_UP_MS)],
  );
}

/** One notice as staff see it. */
export interface NoticeView {
  id: string;
  kind: string;
  medium: string;
  status: string;
  sentAt: Date | null;
  lastError: string | null;
  createdAt: Date;
}

/** An appointment's notices, oldest first. */
export async function noticesOf(db: Database, appointmentId: string): Promise<NoticeView[]> {
  const rows = await db.prisma.notice.findMany({ where: { appointmentId }, orderBy: { createdAt: "asc" } });
  return rows.map((n) => ({
    id: n.id,
    kind: n.kind,
    medium: n.medium,
    status: n.status,
    sentAt: n.status === "sent" ? n.sentAt : null,
    lastError: n.lastError,
    createdAt: n.createdAt,
  }));
}
