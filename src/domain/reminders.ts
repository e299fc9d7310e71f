import type { Database } from "../data/db.js";
import { auditAppointmentList } from "./audit.js";
import { ClinicClock } from "./clinic-time.js";
import { afterQuietHours, beforeQuietHours, type QuietHours } from "./quiet-hours.js";
import type { StaffActor } from "./staff.js";
import { RecentFacts } from "./recent-facts.js";

/*
 * Appointment reminders. Each (appointment, offset) has one row, which is the truth: queue
 * jobs carry only its id. A row is re-armed under a new id when its appointment moves, so a
 * job or a sent-guard left over from the old time can never send or block the new one.
 */

export type ReminderKind = "confirm" | "plain";
export type ReminderStatus = "scheduled" | "sent" | "cancelled" | "skipped" | "failed";

/** Why a reminder was not sent (stored in last_error with status "skipped"). */
export const SKIP = {
  /** Booked after the reminder was due: the patient has just been told. */
  bookedLate: "booked_late",
  /** No configured channel reaches the patient. */
  unreachable: "unreachable",
  /** The only way to reach the patient is SMS and they texted STOP. */
  optedOut: "opted_out",
  /** The appointment started before the reminder could go. */
  past: "past",
  /** The patient's record was erased. */
  erased: "erased",
} as const;

/** Sends given up after this many attempts (the row becomes "failed", staff see it as unconfirmed). */
export const MAX_REMINDER_ATTEMPTS = 8;

export interface ReminderSettings {
  timeZone: string;
  offsetsMinutes: number[];
  quiet: QuietHours;
}

export interface PlannedReminder {
  offsetMinutes: number;
  kind: ReminderKind;
  dueAt: Date;
  sendAt: Date;
  status: "scheduled" | "skipped";
  reason: string | null;
}

/**
 * The reminders of an appointment starting at `startsAt`: one per offset, the largest asking for
 * confirmation. A reminder due in quiet hours goes at the clinic's next local morning, or, if
 * that is not before the appointment, the evening before; one already due is skipped.
 */
export function planReminders(settings: ReminderSettings, startsAt: Date, now: Date): PlannedReminder[] {
  const clock = new ClinicClock(settings.timeZone);
  const offsets = [...new Set(settings.offsetsMinutes.filter((o) => o > 0))].sort((a, b) => b - a);
  return offsets.map((offsetMinutes, i) => {
    const dueAt = new Date(+startsAt - offsetMinutes * 60_000);
    let sendAt = afterQuietHours(dueAt, settings.quiet, clock);
    if (+sendAt >= +startsAt) sendAt = beforeQuietHours(dueAt, settings.quiet, clock);
    const late = +dueAt <= +now || +sendAt <= +now;
    return {
      offsetMinutes,
      kind: i === 0 ? "confirm" : "plain",
      dueAt,
      sendAt,
      status: late ? "skipped" : "scheduled",
      reason: late ? SKIP.bookedLate : null,
    };
  });
}

/** A reminder waiting to go: what a queue needs to deliver it on time. */
export interface ScheduledReminder {
  id: string;
  sendAt: Date;
}

/** What planning needs of an appointment (booking hands it over; otherwise it is read). */
export interface AppointmentRef {
  id: string;
  clinicId: string;
  status: string;
  startsAt: Date;
}

const settingsOf = new RecentFacts<ReminderSettings | null>();

function reminderSettings(db: Database, clinicId: string): Promise<ReminderSettings | null> {
  return settingsOf.get(clinicId, () => readReminderSettings(db, clinicId));
}

async function readReminderSettings(db: Database, clinicId: string): Promise<ReminderSettings | null> {
  const [c] = await db.sql.query<{
    time_zone: string;
    reminder_offsets_minutes: number[];
    quiet_hours_start_minute: number;
    quiet_hours_end_minute: number;
  }>(
    `SELECT time_zone, reminder_offsets_minutes, quiet_hours_start_minute, quiet_hours_end_minute FROM clinic WHERE id = $1::uuid`,
    [clinicId],
  );
  if (!c) return null;
  const settings: ReminderSettings = {
    timeZone: c.time_zone,
    offsetsMinutes: c.reminder_offsets_minutes,
    quiet: { startMinute: c.quiet_hours_start_minute, endMinute: c.quiet_hours_end_minute },
  };
  return settings;
}

async function appointmentRef(db: Database, id: string): Promise<AppointmentRef | null> {
  const [a] = await db.sql.query<{ clinic_id: string; status: string; starts_at: Date | string }>(
    `SELECT clinic_id, status, starts_at FROM appointment WHERE id = $1::uuid`,
    [id],
  );
  return a ? { id, clinicId: a.clinic_id, status: a.status, startsAt: new Date(a.starts_at) } : null;
}

/**
 * Brings an appointment's reminders in line with it: planned for a confirmed upcoming one
 * (re-armed under new ids if its time moved), cancelled otherwise. Idempotent: a reminder
 * already sent for the same time is left alone. Returns the reminders now scheduled.
 */
export async function syncReminders(
  db: Database,
  appointment: string | AppointmentRef,
  now: Date,
): Promise<ScheduledReminder[]> {
  const a = typeof appointment === "string" ? await appointmentRef(db, appointment) : appointment;
  if (!a) return [];
  const active = a.status === "confirmed" && +a.startsAt > +now;
  const settings = active ? await reminderSettings(db, a.clinicId) : null;
  const plans = settings ? planReminders(settings, a.startsAt, now) : [];
  const appointmentId = a.id;
  const rows = await db.sql.query<{ id: string; send_at: Date | string }>(
    `WITH planned AS (
       SELECT * FROM unnest($2::int[], $3::"ReminderKind"[], $4::timestamptz[], $5::timestamptz[], $6::"ReminderStatus"[], $7::text[])
         AS t(offset_minutes, kind, due_at, send_at, status, last_error)
     ), dropped AS (
       UPDATE reminder SET status = 'cancelled', claimed_at = NULL
        WHERE appointment_id = $1::uuid AND status = 'scheduled' AND offset_minutes <> ALL($2::int[])
     ), armed AS (
       INSERT INTO reminder (appointment_id, offset_minutes, kind, due_at, send_at, status, last_error, created_at)
       SELECT $1::uuid, offset_minutes, kind, due_at, send_at, status, last_error, $8 FROM planned
       ON CONFLICT (appointment_id, offset_minutes) DO UPDATE
         SET id = gen_random_uuid(), kind = EXCLUDED.kind, due_at = EXCLUDED.due_at, send_at = EXCLUDED.send_at,
             status = EXCLUDED.status, last_error = EXCLUDED.last_error, channel = NULL, claimed_at = NULL,
             sent_at = NULL, attempts = 0, created_at = EXCLUDED.created_at
         WHERE reminder.due_at <> EXCLUDED.due_at OR reminder.status = 'cancelled'
            OR (reminder.status = 'scheduled' AND reminder.send_at <> EXCLUDED.send_at)
       RETURNING id, send_at, status
     )
     SELECT id, send_at FROM armed WHERE status = 'scheduled'`,
    [
      appointmentId,
      plans.map((p) => p.offsetMinutes),
      plans.map((p) => p.kind),
      plans.map((p) => p.dueAt),
      plans.map((p) => p.sendAt),
      plans.map((p) => p.status),
      plans.map((p) => p.reason),
      now,
    ],
  );
  return rows.map((r) => ({ id: r.id, sendAt: new Date(r.send_at) }));
}

/**
 * Re-plans the reminders of a clinic's upcoming confirmed appointments after its reminder
 * offsets, quiet hours or time zone changed: a removed offset's unsent reminder is cancelled,
 * one whose time moved is re-armed under a new id, a new offset's is added; reminders already
 * sent stay as they are. Returns the reminders now scheduled under new ids.
 */
export async function replanClinicReminders(db: Database, clinicId: string, now: Date): Promise<ScheduledReminder[]> {
  const scheduled: ScheduledReminder[] = [];
  let after: { startsAt: Date; id: string } | null = null;
  for (;;) {
    const page: { id: string; starts_at: Date | string }[] = await db.sql.query<{
      id: string;
      starts_at: Date | string;
    }>(
      `SELECT id, starts_at FROM appointment
        WHERE clinic_id = $1::uuid AND status = 'confirmed' AND starts_at > $2
          AND ($3::timestamptz IS NULL OR (starts_at, id) > ($3::timestamptz, $4::uuid))
        ORDER BY starts_at, id LIMIT 500`,
      [clinicId, now, after?.startsAt ?? null, after?.id ?? null],
    );
    for (const a of page) {
      const ref = { id: a.id, clinicId, status: "confirmed", startsAt: new Date(a.starts_at) };
      scheduled.push(...(await syncReminders(db, ref, now)));
      after = { startsAt: ref.startsAt, id: ref.id };
    }
    if (page.length < 500) return scheduled;
  }
}

/**
 * Reminders due by `until` that nobody is sending (or whose sender's claim is older than the
 * lease), in (sendAt, id) order after `after`: a caller pages through them once per pass.
 */
export async function dueReminders(
  db: Database,
  opts: { until: Date; now: Date; leaseMs: number; limit: number; after?: ScheduledReminder },
): Promise<ScheduledReminder[]> {
  const rows = await db.sql.query<{ id: string; send_at: Date | string }>(
    `SELECT id, send_at FROM reminder
      WHERE status = 'scheduled' AND send_at <= $1 AND (claimed_at IS NULL OR claimed_at < $2)
        AND ($4::timestamptz IS NULL OR (send_at, id) > ($4::timestamptz, $5::uuid))
      ORDER BY send_at, id LIMIT $3`,
    [opts.until, new Date(+opts.now - opts.leaseMs), opts.limit, opts.after?.sendAt ?? null, opts.after?.id ?? null],
  );
  return rows.map((r) => ({ id: r.id, sendAt: new Date(r.send_at) }));
}

/**
 * Confirmed upcoming appointments (starting before `horizon`) whose reminder rows are missing
 * or stale: a process that died between a booking and its follow-up (or during a settings
 * change's re-planning) leaves these behind, as does one that planned with settings it had
 * not yet seen change. Stale: a scheduled reminder for an offset the clinic no longer has.
 *
 * Each appointment's reminders are read once, by its id alone (the unique index on appointment
 * and offset): a status condition in that WHERE would let the planner combine it with the status
 * index, and every sweep would then read every scheduled reminder once per appointment (seen
 * taking over a minute with 100,000 of them on tables never analysed).
 */
export async function appointmentsMissingReminders(
  db: Database,
  opts: { now: Date; horizon: Date; limit: number },
): Promise<string[]> {
  const rows = await db.sql.query<{ id: string }>(
    `SELECT a.id FROM appointment a JOIN clinic c ON c.id = a.clinic_id
      CROSS JOIN LATERAL (
        SELECT coalesce(array_agg(r.offset_minutes) FILTER (
                 WHERE r.status <> 'cancelled' AND r.due_at = a.starts_at - make_interval(mins => r.offset_minutes)), '{}') AS planned,
               coalesce(bool_or(r.status = 'scheduled' AND r.offset_minutes <> ALL(c.reminder_offsets_minutes)), false) AS stale
          FROM reminder r WHERE r.appointment_id = a.id) r
      WHERE a.status = 'confirmed' AND a.starts_at > $1 AND a.starts_at <= $2
        AND (r.stale OR NOT (ARRAY(SELECT o FROM unnest(c.reminder_offsets_minutes) o WHERE o > 0) <@ r.planned))
      ORDER BY a.starts_at LIMIT $3`,
    [opts.now, opts.horizon, opts.limit],
  );
  return rows.map((r) => r.id);
}

/** Everything needed to word and address one reminder, read when its sender claims it. */
export interface ClaimedReminder {
  id: string;
  kind: ReminderKind;
  attempts: number;
  appointment: { id: string; status: string; startsAt: Date; clinicId: string; doctorName: string };
  clinic: { timeZone: string; address: string; phone: string };
  patient: PatientContact;
}

/** How a patient can be reached, as recorded. */
export interface PatientContact {
  id: string;
  phone: string | null;
  email: string | null;
  locale: "fr" | "en";
  preferredChannel: string | null;
  erased: boolean;
  /** Newest first. */
  identities: { channel: string; externalId: string }[];
}

/** Outcome of a claim attempt that got nothing: why, so a queue knows whether to look again. */
export type ClaimMiss =
  { state: "gone" } | { state: "done" } | { state: "busy"; retryAt: Date } | { state: "not_due"; sendAt: Date };

/**
 * Takes a due reminder for sending: atomically, so of two workers (or a worker and the sweeper)
 * exactly one gets it. A claim older than `leaseMs` is considered abandoned (its worker died)
 * and may be taken again.
 */
export async function claimReminder(
  db: Database,
  id: string,
  now: Date,
  leaseMs: number,
): Promise<ClaimedReminder | ClaimMiss> {
  const [row] = await db.sql.query<ClaimRow>(
    `WITH claimed AS (
       UPDATE reminder SET claimed_at = $2, attempts = attempts + 1
        WHERE id = $1::uuid AND status = 'scheduled' AND send_at <= $2 AND (claimed_at IS NULL OR claimed_at < $3)
        RETURNING id, kind, attempts, appointment_id
     )
     SELECT r.id, r.kind, r.attempts, a.id AS appointment_id, a.status, a.starts_at, a.clinic_id,
            doctor_name(d) AS doctor_name,
            c.time_zone, c.address, c.phone AS clinic_phone, ${CONTACT_COLUMNS}
       FROM claimed r JOIN appointment a ON a.id = r.appointment_id JOIN doctor d ON d.id = a.doctor_id
       JOIN clinic c ON c.id = a.clinic_id JOIN patient p ON p.id = a.patient_id`,
    [id, now, new Date(+now - leaseMs)],
  );
  if (row) return claimedOf(row);
  const [state] = await db.sql.query<{ status: ReminderStatus; send_at: Date | string; claimed_at: Date | null }>(
    `SELECT status, send_at, claimed_at FROM reminder WHERE id = $1::uuid`,
    [id],
  );
  if (!state) return { state: "gone" };
  if (state.status !== "scheduled") return { state: "done" };
  if (+new Date(state.send_at) > +now) return { state: "not_due", sendAt: new Date(state.send_at) };
  return { state: "busy", retryAt: new Date(+new Date(state.claimed_at ?? now) + leaseMs) };
}

export const isClaimed = (r: ClaimedReminder | ClaimMiss): r is ClaimedReminder => "id" in r;

/**
 * Reminders handed to a chat channel whose message came back undeliverable there (a dead
 * letter: the bot blocked, the WhatsApp number gone), to be sent once more by SMS before the
 * appointment. Each is taken by one process, once: the SMS job's delivery row (`<job id>-sms`)
 * is written as the claim. Only patients with a phone that did not text STOP are taken.
 * Found from the dead letters (few, by the delivery index on status), never by reading every
 * sent reminder: that grows with every reminder ever sent.
 */
export async function claimSmsFallbacks(
  db: Database,
  opts: { now: Date; limit: number; jobIdOf: (reminderId: string) => string },
): Promise<ClaimedReminder[]> {
  const prefix = opts.jobIdOf("");
  const rows = await db.sql.query<ClaimRow>(
    `WITH dead AS MATERIALIZED (
       SELECT substr(job_id, length($3) + 1)::uuid AS id FROM message_delivery
        WHERE status = 'dead' AND starts_with(job_id, $3) AND length(job_id) = length($3) + 36
     ), lost AS (
       SELECT r.id FROM dead JOIN reminder r ON r.id = dead.id
         JOIN appointment a ON a.id = r.appointment_id JOIN patient p ON p.id = a.patient_id
        WHERE r.status = 'sent' AND r.channel IS DISTINCT FROM 'sms'
          AND a.status = 'confirmed' AND a.starts_at > $1 AND p.phone IS NOT NULL AND p.erased_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM sms_opt_out o WHERE o.phone = p.phone AND o.opted_in_at IS NULL)
        ORDER BY r.send_at LIMIT $2
     ), taken AS (
       INSERT INTO message_delivery (job_id, channel, status, created_at, updated_at)
       SELECT $3 || id || '-sms', 'sms', 'queued', $1, $1 FROM lost
       ON CONFLICT (job_id) DO NOTHING RETURNING job_id
     ), won AS (
       SELECT l.id FROM lost l JOIN taken t ON t.job_id = $3 || l.id || '-sms'
     )
     SELECT r.id, r.kind, r.attempts, a.id AS appointment_id, a.status, a.starts_at, a.clinic_id,
            doctor_name(d) AS doctor_name,
            c.time_zone, c.address, c.phone AS clinic_phone, ${CONTACT_COLUMNS}
       FROM won w JOIN reminder r ON r.id = w.id
       JOIN appointment a ON a.id = r.appointment_id JOIN doctor d ON d.id = a.doctor_id
       JOIN clinic c ON c.id = a.clinic_id JOIN patient p ON p.id = a.patient_id`,
    [opts.now, opts.limit, prefix],
  );
  if (rows.length > 0)
    await db.sql.query(`UPDATE reminder SET channel = 'sms' WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.id)]);
  return rows.map(claimedOf);
}

const claimedOf = (row: ClaimRow): ClaimedReminder => ({
  id: row.id,
  kind: row.kind,
  attempts: row.attempts,
  appointment: {
    id: row.appointment_id,
    status: row.status,
    startsAt: new Date(row.starts_at),
    clinicId: row.clinic_id,
    doctorName: row.doctor_name,
  },
  clinic: { timeZone: row.time_zone, address: row.address, phone: row.clinic_phone },
  patient: contactOf(row),
});

interface ClaimRow extends ContactRow {
  id: string;
  kind: ReminderKind;
  attempts: number;
  appointment_id: string;
  status: string;
  starts_at: Date | string;
  clinic_id: string;
  doctor_name: string;
  time_zone: string;
  address: string;
  clinic_phone: string;
}

/** SELECT columns (over `p`, the patient) that contactOf reads. */
export const CONTACT_COLUMNS = `p.id AS patient_id, p.phone AS patient_phone, p.email AS patient_email,
  p.preferred_locale, p.preferred_channel, p.erased_at IS NOT NULL AS erased,
  (SELECT coalesce(json_agg(json_build_object('channel', i.channel, 'externalId', i.external_id) ORDER BY i.created_at DESC), '[]'::json)
     FROM channel_identity i WHERE i.patient_id = p.id) AS identities`;

export interface ContactRow {
  patient_id: string;
  patient_phone: string | null;
  patient_email: string | null;
  preferred_locale: "fr" | "en";
  preferred_channel: string | null;
  erased: boolean;
  identities: { channel: string; externalId: string }[] | string;
}

export function contactOf(row: ContactRow): PatientContact {
  return {
    id: row.patient_id,
    phone: row.patient_phone,
    email: row.patient_email,
    locale: row.preferred_locale,
    preferredChannel: row.preferred_channel,
    erased: row.erased,
    identities: typeof row.identities === "string" ? JSON.parse(row.identities) : row.identities,
  };
}

/** Records the end of a claimed reminder's send: sent (on `channel`), or not sent on purpose. */
export async function finishReminder(
  db: Database,
  id: string,
  outcome: { status: "sent"; channel: string } | { status: "skipped" | "cancelled" | "failed"; reason: string },
  now: Date,
): Promise<void> {
  await db.sql.query(
    `UPDATE reminder SET status = $2::"ReminderStatus", channel = $3::"Channel", last_error = $4,
            sent_at = CASE WHEN $2 = 'sent' THEN $5::timestamptz ELSE NULL END, claimed_at = NULL
      WHERE id = $1::uuid AND status = 'scheduled'`,
    [
      id,
      outcome.status,
      outcome.status === "sent" ? outcome.channel : null,
      outcome.status === "sent" ? null : outcome.reason,
      now,
    ],
  );
}

/** A send that failed for now: the claim is released for a later try, or the reminder fails for good. */
export async function releaseReminder(db: Database, id: string, reason: string): Promise<void> {
  await db.sql.query(
    `UPDATE reminder SET claimed_at = NULL, last_error = $2,
            status = CASE WHEN attempts >= $3 THEN 'failed'::"ReminderStatus" ELSE status END
      WHERE id = $1::uuid AND status = 'scheduled'`,
    [id, reason.slice(0, 500), MAX_REMINDER_ATTEMPTS],
  );
}

/** One reminder of an appointment, as staff see it. */
export interface ReminderView {
  id: string;
  offsetMinutes: number;
  kind: ReminderKind;
  dueAt: Date;
  sendAt: Date;
  status: ReminderStatus;
  channel: string | null;
  sentAt: Date | null;
  attempts: number;
  lastError: string | null;
}

/** An appointment's reminders, earliest first. */
export async function remindersOf(db: Database, appointmentId: string): Promise<ReminderView[]> {
  const rows = await db.prisma.reminder.findMany({ where: { appointmentId }, orderBy: { dueAt: "asc" } });
  return rows.map((r) => ({
    id: r.id,
    offsetMinutes: r.offsetMinutes,
    kind: r.kind,
    dueAt: r.dueAt,
    sendAt: r.sendAt,
    status: r.status,
    channel: r.channel,
    sentAt: r.sentAt,
    attempts: r.attempts,
    lastError: r.lastError,
  }));
}

/** An upcoming appointment whose patient was asked to confirm and has not, past the clinic's deadline. */
export interface UnconfirmedAppointment {
  appointmentId: string;
  startsAt: Date;
  doctorId: string;
  doctorName: string;
  patient: { id: string; firstName: string; lastName: string; phone: string | null };
  /** The confirmation request: sent (and when, on which channel), or why it could not go. */
  reminder: { status: ReminderStatus; sentAt: Date | null; channel: string | null; reason: string | null };
  /** The patient's past no-shows, for the call list's priorities. */
  noShows: number;
}

/**
 * The secretaries' "unconfirmed" list: confirmed appointments still ahead whose confirmation
 * reminder went out (or could not reach the patient) and got no "confirm" answer by the
 * clinic's deadline (`confirmationDeadlineHours` before the start). Doctors see their own.
 * Each row is audited as an appointment read.
 */
export async function listUnconfirmed(
  db: Database,
  access: { clinicId: string; actor: StaffActor; ip?: string | null },
  now: Date,
): Promise<UnconfirmedAppointment[]> {
  const doctorOnly = access.actor.role === "doctor" ? (access.actor.doctorId ?? null) : null;
  if (access.actor.role === "doctor" && !doctorOnly) return [];
  const rows = await db.sql.query<{
    appointment_id: string;
    starts_at: Date | string;
    doctor_id: string;
    doctor_name: string;
    patient_id: string;
    first_name: string;
    last_name: string;
    phone: string | null;
    reminder_status: ReminderStatus;
    sent_at: Date | string | null;
    channel: string | null;
    last_error: string | null;
    no_shows: number | string;
  }>(
    `SELECT a.id AS appointment_id, a.starts_at, a.doctor_id, doctor_name(d) AS doctor_name,
            p.id AS patient_id, p.first_name, p.last_name, p.phone,
            r.status AS reminder_status, r.sent_at, r.channel, r.last_error,
            (SELECT count(*) FROM appointment n WHERE n.patient_id = p.id AND n.status = 'no_show') AS no_shows
       FROM appointment a
       JOIN clinic c ON c.id = a.clinic_id
       JOIN doctor d ON d.id = a.doctor_id
       JOIN patient p ON p.id = a.patient_id
       JOIN reminder r ON r.appointment_id = a.id AND r.kind = 'confirm'
      WHERE a.clinic_id = $1::uuid AND a.status = 'confirmed' AND a.starts_at > $2
        AND a.starts_at <= $2::timestamptz + make_interval(hours => c.confirmation_deadline_hours)
        AND ($3::uuid IS NULL OR a.doctor_id = $3::uuid)
        AND (r.status IN ('sent', 'failed') OR (r.status = 'skipped' AND r.last_error IN ($4, $5)))
        AND NOT EXISTS (
          SELECT 1 FROM appointment_event e
           WHERE e.appointment_id = a.id AND e.reason = 'reminder confirmed' AND e.at >= coalesce(r.sent_at, r.created_at))
      ORDER BY a.starts_at, a.id`,
    [access.clinicId, now, doctorOnly, SKIP.unreachable, SKIP.optedOut],
  );
  await auditAppointmentList(
    db,
    access,
    rows.map((r) => ({ appointmentId: r.appointment_id, patientId: r.patient_id })),
    "unconfirmed",
  );
  return rows.map((r) => ({
    appointmentId: r.appointment_id,
    startsAt: new Date(r.starts_at),
    doctorId: r.doctor_id,
    doctorName: r.doctor_name,
    patient: { id: r.patient_id, firstName: r.first_name, lastName: r.last_name, phone: r.phone },
    reminder: {
      status: r.reminder_status,
      sentAt: r.sent_at ? new Date(r.sent_at) : null,
      channel: r.channel,
      reason: r.reminder_status === "sent" ? null : r.last_error,
    },
    noShows: Number(r.no_shows),
  }));
}
