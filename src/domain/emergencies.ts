import type { Database, Sql } from "../data/db.js";
import { sqlState } from "../data/db.js";
import type { EmergencyEvent } from "../data/generated/client.js";
import type { Actor } from "./actor.js";
import { recordAudit } from "./audit.js";
import { emitCareEvent } from "./care-events.js";
import { doctorName } from "./doctor-name.js";
import {
  DOCTOR_COLUMNS,
  reach,
  reachableSql,
  type DoctorChannels,
  type DoctorRow,
  type ReachableDoctor,
} from "./doctor-reach.js";
import { DomainError, invalid, notFound } from "./errors.js";
import type { StaffActor } from "./staff.js";

/*
 * Emergencies and their escalation. An event (a red flag in a conversation, or raised by
 * staff) alerts the on-call doctor; unacknowledged after the clinic's emergencyAckMinutes it
 * goes to the next doctor by escalation rank, then to every doctor. Each alert is one
 * emergency_alert row (who, how, when sent, when acknowledged): the escalation's timeline.
 */

/** Red-flag categories the chat detects, and "other" for what staff raise by hand. */
export const EMERGENCY_CATEGORIES = [
  "chest_pain",
  "breathing",
  "stroke",
  "bleeding",
  "unconscious",
  "suicidal",
  "anaphylaxis",
  "seizure",
  "other",
] as const;
export type EmergencyCategory = (typeof EMERGENCY_CATEGORIES)[number];

/** Escalation levels after the on-call doctor (0) that add one more doctor each, before every doctor (-1). */
export const NEXT_DOCTOR_STEPS = 1;
/** Level of the step that alerts every doctor not yet alerted. */
export const ALL_DOCTORS = -1;
/** Events older than this are not escalated any more (they stay on the board). */
const ESCALATION_HORIZON_MS = 24 * 3_600_000;

export interface AlertView {
  id: string;
  doctorId: string;
  doctorName: string;
  level: number;
  channel: string;
  sentAt: Date;
  acknowledgedAt: Date | null;
}

export interface EmergencyView extends EmergencyEvent {
  patient: { firstName: string; lastName: string; phone: string | null } | null;
  /** The chat channel the red flag came from. */
  conversationChannel: string | null;
  raisedByName: string | null;
  acknowledgedByName: string | null;
  /** Oldest first: the escalation's steps. */
  alerts: AlertView[];
}

/** One alert to send to one doctor now, with what the message says. */
export interface AlertToSend {
  alertId: string;
  eventId: string;
  level: number;
  doctor: ReachableDoctor;
  category: string;
  note: string | null;
  patient: { firstName: string; lastName: string; phone: string | null } | null;
  raisedAt: Date;
  /** Doctors already alerted before this step, for the message ("Dr X did not answer"). */
  escalatedFrom: string[];
}

/** Staff raise an emergency by hand; the on-call doctor is alerted at the next escalation pass (at once where a service listens). */
export async function raiseEmergency(
  db: Database,
  req: {
    clinicId: string;
    actor: StaffActor;
    category: EmergencyCategory;
    patientId?: string | null;
    note?: string | null;
    ip?: string | null;
    now?: Date;
  },
): Promise<EmergencyEvent> {
  if (!EMERGENCY_CATEGORIES.includes(req.category)) throw invalid("category", "unknown category");
  const note = req.note?.trim() || null;
  if (note && note.length > 500) throw invalid("note", "at most 500 characters");
  if (req.patientId) {
    const patient = await db.prisma.patient.findFirst({
      where: { id: req.patientId, clinicId: req.clinicId, erasedAt: null },
    });
    if (!patient) throw notFound("Patient", req.patientId);
  }
  const event = await db.prisma.emergencyEvent.create({
    data: {
      clinicId: req.clinicId,
      patientId: req.patientId ?? null,
      category: req.category,
      raisedBy: req.actor.userId,
      note,
      createdAt: req.now ?? new Date(),
    },
  });
  await recordAudit(db, {
    actor: req.actor,
    action: "emergency.raise",
    resourceType: "emergency_event",
    resourceId: event.id,
    patientId: event.patientId,
    ip: req.ip,
  });
  emitCareEvent(db, { kind: "emergencyRaised", eventId: event.id });
  return event;
}

/**
 * The clinic's emergencies, newest first, each with its alerts in order. Every patient shown
 * is recorded in the audit log.
 */
export async function listEmergencies(
  db: Database,
  access: { clinicId: string; actor: StaffActor; ip?: string | null },
  filter: { openOnly?: boolean; since?: Date; limit?: number; id?: string } = {},
): Promise<EmergencyView[]> {
  const events = await db.prisma.emergencyEvent.findMany({
    where: {
      clinicId: access.clinicId,
      ...(filter.id ? { id: filter.id } : {}),
      ...(filter.openOnly ? { resolvedAt: null } : {}),
      ...(filter.since ? { createdAt: { gte: filter.since } } : {}),
    },
    include: {
      patient: { select: { firstName: true, lastName: true, phone: true } },
      conversation: { select: { channel: true } },
      alerts: { orderBy: [{ sentAt: "asc" }, { level: "asc" }], include: { doctor: true } },
    },
    orderBy: { createdAt: "desc" },
    take: filter.limit ?? 100,
  });
  const staffIds = [...new Set(events.map((e) => e.raisedBy).filter((id): id is string => id !== null))];
  const doctorIds = [...new Set(events.map((e) => e.acknowledgedByDoctorId).filter((id): id is string => id !== null))];
  const [staff, doctors] = await Promise.all([
    staffIds.length ? db.prisma.staffUser.findMany({ where: { id: { in: staffIds } } }) : [],
    doctorIds.length ? db.prisma.doctor.findMany({ where: { id: { in: doctorIds } } }) : [],
  ]);
  const staffName = new Map(staff.map((s) => [s.id, s.displayName]));
  const doctorNames = new Map(doctors.map((d) => [d.id, doctorName(d)]));
  const withPatient = events.filter((e) => e.patientId);
  await recordAudit(
    db,
    withPatient.map((e) => ({
      actor: access.actor,
      action: "emergency.read",
      resourceType: "emergency_event",
      resourceId: e.id,
      patientId: e.patientId,
      ip: access.ip,
    })),
  );
  return events.map(({ patient, conversation, alerts, ...e }) => ({
    ...e,
    patient,
    conversationChannel: conversation?.channel ?? null,
    raisedByName: e.raisedBy ? (staffName.get(e.raisedBy) ?? null) : null,
    acknowledgedByName: e.acknowledgedByDoctorId ? (doctorNames.get(e.acknowledgedByDoctorId) ?? null) : null,
    alerts: alerts.map((a) => ({
      id: a.id,
      doctorId: a.doctorId,
      doctorName: doctorName(a.doctor),
      level: a.level,
      channel: a.channel,
      sentAt: a.sentAt,
      acknowledgedAt: a.acknowledgedAt,
    })),
  }));
}

/** One emergency with its steps (audited like the list). */
export async function readEmergency(
  db: Database,
  access: { clinicId: string; actor: StaffActor; ip?: string | null },
  id: string,
): Promise<EmergencyView> {
  const [event] = UUID.test(id) ? await listEmergencies(db, access, { id }) : [];
  if (!event) throw notFound("EmergencyEvent", id);
  return event;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Acknowledgement {
  eventId: string;
  clinicId: string;
  /** False when someone had acknowledged it already. */
  first: boolean;
  acknowledgedAt: Date;
  acknowledgedByDoctorId: string | null;
}

async function acknowledge(
  sql: Sql,
  eventId: string,
  clinicId: string | null,
  doctorId: string | null,
  now: Date,
): Promise<Acknowledgement | null> {
  return sql.transaction(async (tx) => {
    const updated = await tx.query<{ clinic_id: string }>(
      `UPDATE emergency_event SET acknowledged_at = $3::timestamptz, acknowledged_by_doctor_id = $4::uuid
        WHERE id = $1::uuid AND ($2::uuid IS NULL OR clinic_id = $2::uuid) AND acknowledged_at IS NULL RETURNING clinic_id`,
      [eventId, clinicId, now, doctorId],
    );
    if (doctorId)
      await tx.query(
        `UPDATE emergency_alert SET acknowledged_at = $3::timestamptz WHERE event_id = $1::uuid AND doctor_id = $2::uuid AND acknowledged_at IS NULL`,
        [eventId, doctorId, now],
      );
    const [row] = await tx.query<{
      clinic_id: string;
      acknowledged_at: Date | string;
      acknowledged_by_doctor_id: string | null;
    }>(
      `SELECT clinic_id, acknowledged_at, acknowledged_by_doctor_id FROM emergency_event
        WHERE id = $1::uuid AND ($2::uuid IS NULL OR clinic_id = $2::uuid)`,
      [eventId, clinicId],
    );
    if (!row) return null;
    return {
      eventId,
      clinicId: row.clinic_id,
      first: updated.length > 0,
      acknowledgedAt: new Date(row.acknowledged_at),
      acknowledgedByDoctorId: row.acknowledged_by_doctor_id,
    };
  });
}

/**
 * Staff acknowledge an emergency from the console or API: a doctor's account counts as that
 * doctor; the front desk may record which doctor took it (`doctorId`, e.g. on the phone). The
 * first acknowledgement stops the escalation; later ones change nothing.
 */
export async function acknowledgeEmergency(
  db: Database,
  req: {
    clinicId: string;
    eventId: string;
    actor: StaffActor;
    doctorId?: string | null;
    ip?: string | null;
    now?: Date;
  },
): Promise<Acknowledgement> {
  let doctorId = req.actor.role === "doctor" ? (req.actor.doctorId ?? null) : (req.doctorId ?? null);
  if (req.actor.role === "doctor" && req.doctorId && req.doctorId !== doctorId)
    throw new DomainError("forbidden", "Doctors acknowledge for themselves");
  if (doctorId && !(await db.prisma.doctor.findFirst({ where: { id: doctorId, clinicId: req.clinicId } })))
    throw notFound("Doctor", doctorId);
  doctorId ??= null;
  const ack = await acknowledge(db.sql, req.eventId, req.clinicId, doctorId, req.now ?? new Date()).catch(
    uuidAsNotFound(req.eventId),
  );
  if (!ack) throw notFound("EmergencyEvent", req.eventId);
  await audited(db, req.actor, "emergency.acknowledge", req.eventId, req.ip);
  return ack;
}

/** A doctor taps Acknowledge on an alert sent to them; anyone else's tap is refused. */
export async function acknowledgeAlert(
  db: Database,
  req: { alertId: string; doctorId: string; now?: Date },
): Promise<Acknowledgement> {
  const rows = await db.sql
    .query<{ event_id: string; doctor_id: string }>(
      `SELECT event_id, doctor_id FROM emergency_alert WHERE id = $1::uuid`,
      [req.alertId],
    )
    .catch(uuidAsNotFound(req.alertId));
  const alert = rows[0];
  if (!alert) throw notFound("EmergencyAlert", req.alertId);
  if (alert.doctor_id !== req.doctorId) throw new DomainError("forbidden", "This alert was sent to another doctor");
  const ack = await acknowledge(db.sql, alert.event_id, null, req.doctorId, req.now ?? new Date());
  if (!ack) throw notFound("EmergencyEvent", alert.event_id);
  return ack;
}

/** Staff close an emergency (handled, or a false alarm): it leaves the open board and stops escalating. */
export async function resolveEmergency(
  db: Database,
  req: { clinicId: string; eventId: string; actor: StaffActor; ip?: string | null; now?: Date },
): Promise<EmergencyEvent> {
  const rows = await db.sql
    .query<{ id: string }>(
      `UPDATE emergency_event SET resolved_at = COALESCE(resolved_at, $3::timestamptz)
        WHERE id = $1::uuid AND clinic_id = $2::uuid RETURNING id`,
      [req.eventId, req.clinicId, req.now ?? new Date()],
    )
    .catch(uuidAsNotFound(req.eventId));
  if (!rows[0]) throw notFound("EmergencyEvent", req.eventId);
  await audited(db, req.actor, "emergency.resolve", req.eventId, req.ip);
  return db.prisma.emergencyEvent.findUniqueOrThrow({ where: { id: req.eventId } });
}

async function audited(db: Database, actor: Actor, action: string, eventId: string, ip?: string | null) {
  const event = await db.prisma.emergencyEvent.findUnique({ where: { id: eventId }, select: { patientId: true } });
  await recordAudit(db, {
    actor,
    action,
    resourceType: "emergency_event",
    resourceId: eventId,
    patientId: event?.patientId,
    ip,
  });
}

const uuidAsNotFound =
  (id: string) =>
  (err: unknown): never => {
    if (sqlState(err) === "22P02") throw notFound("EmergencyEvent", id);
    throw err;
  };

interface OpenEvent {
  id: string;
  clinic_id: string;
  escalation_level: number;
  ack_minutes: number;
  last_sent: Date | string | null;
}

/**
 * One escalation pass: first alerts for new events, the next step for events unacknowledged
 * for the clinic's emergencyAckMinutes since their last step. Returns the alerts to send now
 * (already recorded, with their send time). A step that finds nobody new to alert moves on to
 * the next one at once. Safe to run from several workers: each event is stepped under its row lock.
 */
export async function escalateEmergencies(
  db: Database,
  opts: { now: Date; channels: DoctorChannels },
): Promise<AlertToSend[]> {
  const { now, channels } = opts;
  if (!channels.telegram && !channels.whatsapp) return [];
  const open = await db.sql.query<OpenEvent>(
    `SELECT e.id, e.clinic_id, e.escalation_level, c.emergency_ack_minutes AS ack_minutes,
            (SELECT max(a.sent_at) FROM emergency_alert a WHERE a.event_id = e.id) AS last_sent
       FROM emergency_event e JOIN clinic c ON c.id = e.clinic_id
      WHERE e.acknowledged_at IS NULL AND e.resolved_at IS NULL AND e.escalation_level <> ${ALL_DOCTORS}
        AND e.created_at > $1::timestamptz AND e.created_at <= $2::timestamptz`,
    [new Date(+now - ESCALATION_HORIZON_MS), now],
  );
  const due = open.filter((e) => e.last_sent === null || +new Date(e.last_sent) + e.ack_minutes * 60_000 <= +now);
  const out: AlertToSend[] = [];
  for (const event of due) out.push(...(await stepEvent(db, event.id, now, channels)));
  return out;
}

async function stepEvent(db: Database, eventId: string, now: Date, channels: DoctorChannels): Promise<AlertToSend[]> {
  return db.sql.transaction(async (tx) => {
    // Locked first, read after: under READ COMMITTED a statement that waited for the lock would
    // still see the alerts as they were before the other pass committed.
    await tx.query(`SELECT 1 FROM emergency_event WHERE id = $1::uuid FOR UPDATE`, [eventId]);
    const [event] = await tx.query<
      OpenEvent & {
        category: string;
        note: string | null;
        created_at: Date | string;
        first_name: string | null;
        last_name: string | null;
        phone: string | null;
      }
    >(
      `SELECT e.id, e.clinic_id, e.escalation_level, c.emergency_ack_minutes AS ack_minutes, e.category, e.note, e.created_at,
              (SELECT max(a.sent_at) FROM emergency_alert a WHERE a.event_id = e.id) AS last_sent,
              p.first_name, p.last_name, p.phone
         FROM emergency_event e JOIN clinic c ON c.id = e.clinic_id LEFT JOIN patient p ON p.id = e.patient_id
        WHERE e.id = $1::uuid AND e.acknowledged_at IS NULL AND e.resolved_at IS NULL`,
      [eventId],
    );
    if (!event || event.escalation_level === ALL_DOCTORS) return [];
    const first = event.last_sent === null;
    if (!first && +new Date(event.last_sent!) + event.ack_minutes * 60_000 > +now) return [];
    const candidates = await tx.query<DoctorRow & { on_call: boolean }>(
      `SELECT ${DOCTOR_COLUMNS}, d.on_call FROM doctor d JOIN clinic c ON c.id = d.clinic_id
        WHERE d.clinic_id = $1::uuid AND d.active AND ${reachableSql("$2", "$3")}
          AND NOT EXISTS (SELECT 1 FROM emergency_alert a WHERE a.event_id = $4::uuid AND a.doctor_id = d.id)
        ORDER BY d.escalation_rank, d.last_name, d.first_name, d.id`,
      [event.clinic_id, channels.telegram, channels.whatsapp, eventId],
    );
    const reachable = candidates
      .map((row) => ({ row, doctor: reach(row, channels) }))
      .filter((c): c is { row: typeof c.row; doctor: ReachableDoctor } => c.doctor !== null);
    let level = first ? 0 : nextLevel(event.escalation_level);
    let targets = pick(level, reachable);
    while (targets.length === 0 && level !== ALL_DOCTORS && !first) {
      level = nextLevel(level);
      targets = pick(level, reachable);
    }
    if (targets.length === 0) {
      if (!first)
        await tx.query(`UPDATE emergency_event SET escalation_level = $2 WHERE id = $1::uuid`, [eventId, level]);
      return [];
    }
    const earlier = await tx.query<{ name: string }>(
      `SELECT doctor_name(d) AS name FROM emergency_alert a JOIN doctor d ON d.id = a.doctor_id
        WHERE a.event_id = $1::uuid ORDER BY a.sent_at, a.level`,
      [eventId],
    );
    const out: AlertToSend[] = [];
    for (const doctor of targets) {
      const [alert] = await tx.query<{ id: string }>(
        `INSERT INTO emergency_alert (event_id, doctor_id, level, channel, sent_at)
         VALUES ($1::uuid, $2::uuid, $3, $4::"Channel", $5::timestamptz) ON CONFLICT DO NOTHING RETURNING id`,
        [eventId, doctor.id, level, doctor.channel, now],
      );
      if (!alert) continue;
      out.push({
        alertId: alert.id,
        eventId,
        level,
        doctor,
        category: event.category,
        note: event.note,
        patient: event.first_name
          ? { firstName: event.first_name, lastName: event.last_name ?? "", phone: event.phone }
          : null,
        raisedAt: new Date(event.created_at),
        escalatedFrom: earlier.map((e) => e.name),
      });
    }
    await tx.query(`UPDATE emergency_event SET escalation_level = $2 WHERE id = $1::uuid`, [eventId, level]);
    return out;
  });
}

function nextLevel(level: number): number {
  if (level === ALL_DOCTORS) return ALL_DOCTORS;
  return level < NEXT_DOCTOR_STEPS ? level + 1 : ALL_DOCTORS;
}

/** Level 0: the on-call doctors (else the first by rank); 1…n: the next by rank; -1: everyone left. */
function pick(level: number, reachable: { row: { on_call: boolean }; doctor: ReachableDoctor }[]): ReachableDoctor[] {
  if (level === ALL_DOCTORS) return reachable.map((r) => r.doctor);
  if (level === 0) {
    const onCall = reachable.filter((r) => r.row.on_call).map((r) => r.doctor);
    return onCall.length > 0 ? onCall : reachable.slice(0, 1).map((r) => r.doctor);
  }
  return reachable.slice(0, 1).map((r) => r.doctor);
}

/** The doctors alerted about an event, other than `except`: told when someone acknowledged it. */
export async function otherAlertedDoctors(
  db: Database,
  eventId: string,
  except: string | null,
  channels: DoctorChannels,
): Promise<ReachableDoctor[]> {
  const rows = await db.sql.query<DoctorRow>(
    `SELECT ${DOCTOR_COLUMNS} FROM emergency_alert a JOIN doctor d ON d.id = a.doctor_id JOIN clinic c ON c.id = d.clinic_id
      WHERE a.event_id = $1::uuid AND d.id IS DISTINCT FROM $2::uuid ORDER BY a.sent_at`,
    [eventId, except],
  );
  return rows.map((r) => reach(r, channels)).filter((d): d is ReachableDoctor => d !== null);
}

/**
 * A red flag in a patient's message: the event the escalation passes pick up. Recorded in the
 * conversation's unit of work, so the event and the conversation that raised it are saved together.
 */
export async function recordChatEmergency(
  db: Database,
  req: {
    clinicId: string;
    patientId: string | null;
    conversationId: string;
    category: EmergencyCategory;
    now: Date;
  },
): Promise<void> {
  await db.sql.query(
    `INSERT INTO emergency_event (clinic_id, patient_id, conversation_id, category, created_at) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5)`,
    [req.clinicId, req.patientId, req.conversationId, req.category, req.now],
  );
}
