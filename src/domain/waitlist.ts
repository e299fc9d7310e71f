import type { Database, Sql } from "../data/db.js";
import { inTransaction } from "../data/db.js";
import type { Appointment, WaitlistEntry } from "../data/generated/client.js";
import type { Actor } from "./actor.js";
import { recordAudit } from "./audit.js";
import {
  bookAppointment,
  findAppointment,
  findByIdempotencyKey,
  rescheduleAppointment,
  type SourceChannel,
} from "./booking.js";
import { emitCareEvent, type FreedSlot } from "./care-events.js";
import { DomainError, invalid, isDomainError, notFound } from "./errors.js";
import type { StaffActor } from "./staff.js";

/*
 * The waiting list. A patient asks for an earlier time (in the chat or through staff); when a
 * slot frees up, the eligible patients are offered it one after the other, in the order they
 * joined, each for the clinic's waitlistHoldMinutes. One hold (holder `waitlist-<doctor>-<start>`)
 * keeps the slot for the running offer, so nobody else books it meanwhile. A lapsed offer stays
 * acceptable while the slot is free and unheld: whoever accepts first gets it (the booking
 * statement decides), the others are told it is gone and stay on the list.
 */

export type WaitlistChannel = WaitlistEntry["channel"];

export interface JoinWaitlistRequest {
  clinicId: string;
  patientId: string;
  /** Where the request came from: the chat channel, or console / api for staff. */
  channel: WaitlistChannel;
  specialtyId?: string | null;
  doctorId?: string | null;
  typeId?: string | null;
  /** The appointment to move earlier, if the patient has one. */
  appointmentId?: string | null;
  /** Only slots before this instant interest the patient. */
  wantedBefore?: Date | null;
  actor: Actor;
  ip?: string | null;
  now?: Date;
}

/** One offer as staff and the patient's chat see it. */
export interface WaitlistOfferView {
  id: string;
  doctorId: string;
  startsAt: Date;
  expiresAt: Date;
  status: string;
  createdAt: Date;
}

export interface WaitlistRow extends WaitlistEntry {
  patient: { firstName: string; lastName: string };
  /** The start of the appointment the patient would move, when there is one. */
  appointmentStartsAt: Date | null;
  /** Latest first. */
  offers: WaitlistOfferView[];
}

/** An offer just made, with where to reach the patient. */
export interface OfferMade {
  offerId: string;
  entryId: string;
  clinicId: string;
  patientId: string;
  doctorId: string;
  doctorName: string;
  typeId: string;
  startsAt: Date;
  endsAt: Date;
  expiresAt: Date;
  holdMinutes: number;
  /** The patient's address on a chat channel the service can send on. */
  channel: string;
  externalId: string;
  /** The patient's language, for a WhatsApp template outside the 24-hour window. */
  locale: "fr" | "en";
}

export type WaitlistAnswer =
  | { outcome: "booked"; appointment: Appointment }
  | { outcome: "moved"; appointment: Appointment }
  | { outcome: "gone" }
  | { outcome: "declined" };

const ACTIVE_OFFER = ["offered", "expired", "declined"] as const;

/** The holder of the one hold that keeps a freed slot for its chain of offers. */
export const waitlistHolder = (doctorId: string, startsAt: Date): string => `waitlist-${doctorId}-${+startsAt}`;

/**
 * Puts a patient on the waiting list, or updates their matching entry (same appointment, or
 * same type and doctor) rather than adding a second one. The appointment type is fixed here:
 * given, the appointment's, else the specialty's (or the doctor's) usual consultation.
 */
export async function joinWaitlist(db: Database, req: JoinWaitlistRequest): Promise<WaitlistEntry> {
  const now = req.now ?? new Date();
  if (req.actor.kind === "patient" && req.actor.patientId !== req.patientId)
    throw new DomainError("forbidden", "A patient joins the waiting list only for themselves");
  if (req.wantedBefore && +req.wantedBefore <= +now) throw invalid("wantedBefore", "must be in the future");
  const [patient] = await db.sql.query(
    `SELECT 1 FROM patient WHERE id = $1::uuid AND clinic_id = $2::uuid AND erased_at IS NULL`,
    [req.patientId, req.clinicId],
  );
  if (!patient) throw notFound("Patient", req.patientId);

  let { typeId = null, doctorId = null, specialtyId = null } = req;
  const appointmentId = req.appointmentId ?? null;
  if (appointmentId) {
    const [appointment] = await db.sql.query<{
      status: string;
      starts_at: Date | string;
      type_id: string;
      doctor_id: string;
    }>(
      `SELECT status::text AS status, starts_at, type_id, doctor_id FROM appointment
        WHERE id = $1::uuid AND clinic_id = $2::uuid AND patient_id = $3::uuid`,
      [appointmentId, req.clinicId, req.patientId],
    );
    if (!appointment) throw notFound("Appointment", appointmentId);
    if (!["requested", "confirmed"].includes(appointment.status) || +new Date(appointment.starts_at) <= +now)
      throw new DomainError("invalid_transition", "Only an upcoming appointment can be moved earlier");
    typeId ??= appointment.type_id;
    doctorId ??= appointment.doctor_id;
  }
  if (doctorId) {
    const [doctor] = await db.sql.query(`SELECT 1 FROM doctor WHERE id = $1::uuid AND clinic_id = $2::uuid`, [
      doctorId,
      req.clinicId,
    ]);
    if (!doctor) throw notFound("Doctor", doctorId);
  }
  if (typeId) {
    const [type] = await db.sql.query<{ specialty_id: string | null }>(
      `SELECT specialty_id FROM appointment_type WHERE id = $1::uuid AND clinic_id = $2::uuid AND active`,
      [typeId, req.clinicId],
    );
    if (!type) throw notFound("AppointmentType", typeId);
    specialtyId ??= type.specialty_id;
  } else {
    typeId = await usualType(db, req.clinicId, { specialtyId, doctorId });
    if (!typeId) throw invalid("specialtyId", "name a specialty, a doctor or an appointment type");
  }
  if (req.actor.kind === "staff" && req.actor.role === "doctor" && doctorId !== req.actor.doctorId)
    throw new DomainError("forbidden", "Doctors add patients to their own waiting list only");

  return inTransaction(db, async (tx) => {
    // The patient's matching entry: for the same appointment, or the same type and doctor.
    const [same] = await tx.sql.query<{ id: string }>(
      `SELECT id FROM waitlist_entry
        WHERE clinic_id = $1::uuid AND patient_id = $2::uuid AND status = 'waiting'
          AND (CASE WHEN $3::uuid IS NOT NULL THEN appointment_id = $3::uuid
                    ELSE appointment_id IS NULL AND type_id = $4::uuid AND doctor_id IS NOT DISTINCT FROM $5::uuid END)
        ORDER BY created_at, id LIMIT 1`,
      [req.clinicId, req.patientId, appointmentId, typeId, doctorId],
    );
    const [entry] = same
      ? await tx.sql.query<WaitlistEntry>(
          `UPDATE waitlist_entry SET wanted_before = $2, channel = $3::"Channel", specialty_id = $4::uuid
            WHERE id = $1::uuid RETURNING ${ENTRY_COLUMNS}`,
          [same.id, req.wantedBefore ?? null, req.channel, specialtyId],
        )
      : await tx.sql.query<WaitlistEntry>(
          `INSERT INTO waitlist_entry (clinic_id, patient_id, specialty_id, doctor_id, type_id, appointment_id, wanted_before, channel, created_at)
           VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid, $6::uuid, $7, $8::"Channel", $9) RETURNING ${ENTRY_COLUMNS}`,
          [
            req.clinicId,
            req.patientId,
            specialtyId,
            doctorId,
            typeId,
            appointmentId,
            req.wantedBefore ?? null,
            req.channel,
            now,
          ],
        );
    if (req.actor.kind === "staff")
      await recordAudit(tx, {
        actor: req.actor,
        action: same ? "waitlist.update" : "waitlist.create",
        resourceType: "waitlist_entry",
        resourceId: entry!.id,
        patientId: entry!.patientId,
        ip: req.ip,
      });
    return entry!;
  });
}

const ENTRY_COLUMNS = `id, clinic_id AS "clinicId", patient_id AS "patientId", specialty_id AS "specialtyId",
  doctor_id AS "doctorId", type_id AS "typeId", appointment_id AS "appointmentId", wanted_before AS "wantedBefore",
  channel, status, created_at AS "createdAt"`;

/** The type a specialty (or a doctor's first specialty) is usually booked as: in person first. */
async function usualType(
  db: Database,
  clinicId: string,
  by: { specialtyId: string | null; doctorId: string | null },
): Promise<string | null> {
  if (!by.specialtyId && !by.doctorId) return null;
  const [row] = await db.sql.query<{ id: string }>(
    `SELECT t.id FROM appointment_type t
      WHERE t.clinic_id = $1::uuid AND t.active
        AND ($2::uuid IS NULL OR t.specialty_id = $2::uuid)
        AND ($3::uuid IS NULL OR t.specialty_id IS NULL
             OR EXISTS (SELECT 1 FROM doctor_specialty s WHERE s.doctor_id = $3::uuid AND s.specialty_id = t.specialty_id))
      ORDER BY (t.mode = 'in_person') DESC, (t.specialty_id IS NULL), t.code LIMIT 1`,
    [clinicId, by.specialtyId, by.doctorId],
  );
  return row?.id ?? null;
}

/**
 * The clinic's waiting list, oldest request first, with each entry's latest offers. Doctors
 * see the entries waiting for them. Every patient listed is recorded in the audit log.
 */
export async function listWaitlist(
  db: Database,
  access: { clinicId: string; actor: StaffActor; ip?: string | null },
  filter: { status?: WaitlistEntry["status"][]; limit?: number; id?: string } = {},
): Promise<WaitlistRow[]> {
  const doctorOnly = access.actor.role === "doctor";
  const entries = await db.prisma.waitlistEntry.findMany({
    where: {
      clinicId: access.clinicId,
      ...(filter.id ? { id: filter.id } : {}),
      ...(filter.status ? { status: { in: filter.status } } : {}),
      ...(doctorOnly ? { doctorId: access.actor.doctorId ?? "00000000-0000-0000-0000-000000000000" } : {}),
    },
    include: {
      patient: { select: { firstName: true, lastName: true } },
      offers: { orderBy: { createdAt: "desc" }, take: 10 },
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: filter.limit ?? 500,
  });
  const appointmentIds = entries.map((e) => e.appointmentId).filter((id): id is string => id !== null);
  const appointments = appointmentIds.length
    ? await db.prisma.appointment.findMany({
        where: { id: { in: appointmentIds } },
        select: { id: true, startsAt: true },
      })
    : [];
  const startOf = new Map(appointments.map((a) => [a.id, a.startsAt]));
  await recordAudit(
    db,
    entries.map((e) => ({
      actor: access.actor,
      action: "waitlist.read",
      resourceType: "waitlist_entry",
      resourceId: e.id,
      patientId: e.patientId,
      ip: access.ip,
    })),
  );
  return entries.map(({ offers, ...e }) => ({
    ...e,
    appointmentStartsAt: e.appointmentId ? (startOf.get(e.appointmentId) ?? null) : null,
    offers: offers.map((o) => ({
      id: o.id,
      doctorId: o.doctorId,
      startsAt: o.startsAt,
      expiresAt: o.expiresAt,
      status: o.status,
      createdAt: o.createdAt,
    })),
  }));
}

/** One entry of the list, with its offers (audited; doctors reach the entries waiting for them). */
export async function readWaitlistEntry(
  db: Database,
  access: { clinicId: string; actor: StaffActor; ip?: string | null },
  id: string,
): Promise<WaitlistRow> {
  const [row] = UUID.test(id) ? await listWaitlist(db, access, { id }) : [];
  if (!row) throw notFound("WaitlistEntry", id);
  return row;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Takes a patient off the list (staff, or the patient themselves). An offer they were holding
 * moves on to the next patient at once.
 */
export async function withdrawFromWaitlist(
  db: Database,
  req: { clinicId: string; entryId: string; actor: Actor; ip?: string | null; now?: Date },
): Promise<WaitlistEntry> {
  const now = req.now ?? new Date();
  const entry = await db.prisma.waitlistEntry.findFirst({ where: { id: req.entryId, clinicId: req.clinicId } });
  if (!entry) throw notFound("WaitlistEntry", req.entryId);
  if (req.actor.kind === "patient" && req.actor.patientId !== entry.patientId)
    throw notFound("WaitlistEntry", req.entryId);
  if (req.actor.kind === "staff" && req.actor.role === "doctor" && entry.doctorId !== req.actor.doctorId)
    throw new DomainError("forbidden", "Doctors manage their own waiting list only");
  if (entry.status !== "waiting") return entry;
  const updated = await db.prisma.waitlistEntry.update({ where: { id: entry.id }, data: { status: "withdrawn" } });
  const live = await db.sql.query<{ doctor_id: string; starts_at: Date | string }>(
    `UPDATE waitlist_offer SET status = 'declined'
      WHERE entry_id = $1::uuid AND status = 'offered' AND expires_at > $2 RETURNING doctor_id, starts_at`,
    [entry.id, now],
  );
  if (req.actor.kind === "staff")
    await recordAudit(db, {
      actor: req.actor,
      action: "waitlist.withdraw",
      resourceType: "waitlist_entry",
      resourceId: entry.id,
      patientId: entry.patientId,
      ip: req.ip,
    });
  for (const o of live) await moveOn(db, entry.clinicId, o.doctor_id, new Date(o.starts_at));
  return updated;
}

interface Candidate {
  entry_id: string;
  patient_id: string;
  type_id: string;
  duration_minutes: number;
  hold_minutes: number;
  doctor_name: string;
  channel: string;
  external_id: string;
  locale: "fr" | "en";
}

/**
 * Offers a freed slot to the next eligible patient on the list who was not offered it yet:
 * waiting, same doctor (or none asked) and specialty, a type that fits the freed time and the
 * doctor's hours (outside leave, holidays and blocked time: booking would refuse it), before their own appointment (outside its cutoff) and their wanted date,
 * past the booking notice, and reachable on one of `channels` (by SMS on their phone when no
 * chat identity is). Holds the slot for the clinic's waitlistHoldMinutes. Null when nobody is
 * eligible, the slot is taken or held by a conversation, or an offer of it is still running.
 * The offer is saved unsent: its sender claims it (claimWaitlistOffer) and marks it sent.
 */
export async function offerFreedSlot(
  db: Database,
  slot: FreedSlot,
  opts: { channels: readonly string[]; now?: Date },
): Promise<OfferMade | null> {
  const now = opts.now ?? new Date();
  if (+slot.startsAt <= +now || opts.channels.length === 0) return null;
  const holder = waitlistHolder(slot.doctorId, slot.startsAt);
  return db.sql.transaction(async (tx) => {
    // One chain step at a time per slot, across processes.
    await tx.query(`SELECT pg_advisory_xact_lock(7411004, hashtext($1))`, [holder]);
    const [running] = await tx.query<{ running: boolean }>(
      `SELECT ${offerRunning("$1::uuid", "$2::timestamptz", "$3::timestamptz")} AS running`,
      [slot.doctorId, slot.startsAt, now],
    );
    if (running?.running) return null;
    const [next] = await tx.query<Candidate>(CANDIDATE_SQL, [
      slot.clinicId,
      slot.doctorId,
      slot.startsAt,
      slot.endsAt,
      now,
      slot.appointmentId ?? null,
      [...opts.channels],
    ]);
    if (!next) return null;
    const expiresAt = new Date(+now + next.hold_minutes * 60_000);
    if (!(await holdForChain(tx, slot, holder, expiresAt, now))) return null;
    const endsAt = new Date(+slot.startsAt + next.duration_minutes * 60_000);
    const [offer] = await tx.query<{ id: string }>(
      `INSERT INTO waitlist_offer (entry_id, doctor_id, type_id, starts_at, ends_at, expires_at, status, created_at, channel, chat_id)
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4::timestamptz, $5::timestamptz, $6::timestamptz, 'offered', $7::timestamptz, $8::"Channel", $9)
       RETURNING id`,
      [
        next.entry_id,
        slot.doctorId,
        next.type_id,
        slot.startsAt,
        endsAt,
        expiresAt,
        now,
        next.channel,
        next.external_id,
      ],
    );
    return {
      offerId: offer!.id,
      entryId: next.entry_id,
      clinicId: slot.clinicId,
      patientId: next.patient_id,
      doctorId: slot.doctorId,
      doctorName: next.doctor_name,
      typeId: next.type_id,
      startsAt: slot.startsAt,
      endsAt,
      expiresAt,
      holdMinutes: next.hold_minutes,
      channel: next.channel,
      externalId: next.external_id,
      locale: next.locale,
    };
  });
}

/** SQL expressions naming a freed slot, the time and the channels a candidate query reads. */
interface SlotTerms {
  clinic: string;
  doctor: string;
  start: string;
  end: string;
  /** The appointment whose change freed it (null for none). */
  appointment: string;
  now: string;
  channels: string;
}

/**
 * The eligible patients for a freed slot, first in line first: see offerFreedSlot. Each is
 * reached on a chat identity on one of the channels (the entry's own first, then the preferred
 * one, then the newest), or else by SMS on their phone, like reminders; never by SMS to a
 * number that texted STOP.
 */
const candidatesFor = (s: SlotTerms): string => `
  SELECT e.id AS entry_id, e.patient_id, t.id AS type_id, t.duration_minutes, c.waitlist_hold_minutes AS hold_minutes,
         doctor_name(d) AS doctor_name, idn.channel, idn.external_id,
         p.preferred_locale::text AS locale
    FROM waitlist_entry e
    JOIN clinic c ON c.id = e.clinic_id
    JOIN patient p ON p.id = e.patient_id AND p.erased_at IS NULL
    JOIN appointment_type t ON t.id = e.type_id AND t.active
    JOIN doctor d ON d.id = ${s.doctor} AND d.clinic_id = e.clinic_id AND d.active
    LEFT JOIN appointment a ON a.id = e.appointment_id
    CROSS JOIN LATERAL (
      SELECT r.channel, r.external_id FROM (
        SELECT i.channel::text AS channel, i.external_id,
               row_number() OVER (ORDER BY (i.channel = e.channel) DESC, (i.channel IS NOT DISTINCT FROM p.preferred_channel) DESC, i.created_at DESC) AS rank
          FROM channel_identity i WHERE i.patient_id = p.id AND i.channel::text = ANY(${s.channels})
        UNION ALL
        SELECT 'sms', p.phone, 1000000 WHERE p.phone IS NOT NULL AND 'sms' = ANY(${s.channels})) r
       WHERE r.channel <> 'sms' OR NOT EXISTS (SELECT 1 FROM sms_opt_out o WHERE o.phone = r.external_id AND o.opted_in_at IS NULL)
       ORDER BY r.rank LIMIT 1) idn
   WHERE e.clinic_id = ${s.clinic} AND e.status = 'waiting'
     AND (e.doctor_id IS NULL OR e.doctor_id = ${s.doctor})
     AND (t.specialty_id IS NULL OR EXISTS (SELECT 1 FROM doctor_specialty s WHERE s.doctor_id = d.id AND s.specialty_id = t.specialty_id))
     AND (e.specialty_id IS NULL OR EXISTS (SELECT 1 FROM doctor_specialty s WHERE s.doctor_id = d.id AND s.specialty_id = e.specialty_id))
     AND ${s.start} + make_interval(mins => t.duration_minutes) <= ${s.end}
     AND ${s.start} >= ${s.now} + make_interval(mins => c.min_booking_notice_minutes)
     AND (e.wanted_before IS NULL OR ${s.start} < e.wanted_before)
     AND (e.appointment_id IS NULL OR (
          a.status IN ('requested', 'confirmed') AND a.starts_at > ${s.start} AND a.id IS DISTINCT FROM ${s.appointment}
          AND a.starts_at >= ${s.now} + make_interval(hours => c.cancellation_cutoff_hours)))
     AND NOT EXISTS (SELECT 1 FROM waitlist_offer o WHERE o.entry_id = e.id AND o.doctor_id = ${s.doctor} AND o.starts_at = ${s.start})
     AND NOT EXISTS (
       SELECT 1 FROM schedule_exception x
        WHERE x.clinic_id = e.clinic_id AND (x.doctor_id IS NULL OR x.doctor_id = d.id)
          AND tstzrange(x.starts_at, x.ends_at) && tstzrange(${s.start}, ${s.start} + make_interval(mins => t.duration_minutes)))
     AND EXISTS (
       SELECT 1 FROM working_hours w
        WHERE w.doctor_id = d.id AND w.weekday = extract(isodow FROM (${s.start} AT TIME ZONE c.time_zone))
          AND (w.valid_from IS NULL OR w.valid_from <= (${s.start} AT TIME ZONE c.time_zone)::date)
          AND (w.valid_until IS NULL OR w.valid_until >= (${s.start} AT TIME ZONE c.time_zone)::date)
          AND (${s.start} AT TIME ZONE c.time_zone) >= (${s.start} AT TIME ZONE c.time_zone)::date + make_interval(mins => w.start_minute)
          AND ((${s.start} + make_interval(mins => t.duration_minutes)) AT TIME ZONE c.time_zone)
              <= (${s.start} AT TIME ZONE c.time_zone)::date + make_interval(mins => w.end_minute)
          AND (NOT EXISTS (SELECT 1 FROM working_hours_appointment_type x WHERE x.working_hours_id = w.id)
               OR EXISTS (SELECT 1 FROM working_hours_appointment_type x WHERE x.working_hours_id = w.id AND x.appointment_type_id = t.id)))
   ORDER BY e.created_at, e.id`;

// $1 clinic, $2 doctor, $3 start, $4 end of the freed time, $5 now, $6 the freed appointment, $7 channels.
const CANDIDATE_SQL = `${candidatesFor({
  clinic: "$1::uuid",
  doctor: "$2::uuid",
  start: "$3::timestamptz",
  end: "$4::timestamptz",
  now: "$5::timestamptz",
  appointment: "$6::uuid",
  channels: "$7::text[]",
})}
   LIMIT 1`;

/** Whether an offer of the slot is running (live, or taken): the chain waits for it. */
const offerRunning = (doctor: string, start: string, now: string): string => `
  EXISTS (SELECT 1 FROM waitlist_offer o WHERE o.doctor_id = ${doctor} AND o.starts_at = ${start}
           AND (o.status = 'accepted' OR (o.status = 'offered' AND o.expires_at > ${now})))`;

/** Holds (or extends the hold on) the whole freed time for the chain; false when it is taken or held by someone else. */
async function holdForChain(tx: Sql, slot: FreedSlot, holder: string, expiresAt: Date, now: Date): Promise<boolean> {
  await tx.query(
    `DELETE FROM slot_hold WHERE doctor_id = $1::uuid AND tstzrange(starts_at, ends_at) && tstzrange($2::timestamptz, $3::timestamptz)
        AND (expires_at <= $4::timestamptz OR holder = $5)`,
    [slot.doctorId, slot.startsAt, slot.endsAt, now, holder],
  );
  const rows = await tx.query(
    `INSERT INTO slot_hold (doctor_id, starts_at, ends_at, expires_at, holder)
     SELECT $1::uuid, $2::timestamptz, $3::timestamptz, $4::timestamptz, $5
      WHERE NOT EXISTS (SELECT 1 FROM appointment a WHERE a.doctor_id = $1::uuid AND a.status IN ('requested', 'confirmed')
                          AND tstzrange(a.starts_at, a.ends_at) && tstzrange($2::timestamptz, $3::timestamptz))
     ON CONFLICT DO NOTHING RETURNING 1`,
    [slot.doctorId, slot.startsAt, slot.endsAt, expiresAt, holder],
  );
  return rows.length > 0;
}

/** The freed time of a chain: its hold's extent, else its offers'. */
async function chainSlot(sql: Sql, clinicId: string, doctorId: string, startsAt: Date): Promise<FreedSlot> {
  const [row] = await sql.query<{ ends_at: Date | string | null }>(
    `SELECT greatest(
        (SELECT max(ends_at) FROM slot_hold WHERE holder = $3),
        (SELECT max(ends_at) FROM waitlist_offer WHERE doctor_id = $1::uuid AND starts_at = $2::timestamptz)) AS ends_at`,
    [doctorId, startsAt, waitlistHolder(doctorId, startsAt)],
  );
  const endsAt = row?.ends_at ? new Date(row.ends_at) : startsAt;
  return { clinicId, doctorId, startsAt, endsAt };
}

/** Asks the listeners to offer the slot of a chain to the next patient. */
async function moveOn(db: Database, clinicId: string, doctorId: string, startsAt: Date): Promise<void> {
  emitCareEvent(db, { kind: "slotFreed", slot: await chainSlot(db.sql, clinicId, doctorId, startsAt) });
}

/**
 * Ends the offers whose hold ran out; returns their slots, each to be offered to the next
 * patient (offerFreedSlot). Safe to run from several workers: each offer expires once.
 */
export async function expireWaitlistOffers(db: Database, now: Date): Promise<FreedSlot[]> {
  const rows = await db.sql.query<{ clinic_id: string; doctor_id: string; starts_at: Date | string }>(
    `WITH x AS (
       UPDATE waitlist_offer o SET status = 'expired' WHERE o.status = 'offered' AND o.expires_at <= $1::timestamptz
       RETURNING o.entry_id, o.doctor_id, o.starts_at)
     SELECT DISTINCT e.clinic_id, x.doctor_id, x.starts_at FROM x JOIN waitlist_entry e ON e.id = x.entry_id`,
    [now],
  );
  const slots: FreedSlot[] = [];
  for (const r of rows) {
    const startsAt = new Date(r.starts_at);
    if (+startsAt > +now) slots.push(await chainSlot(db.sql, r.clinic_id, r.doctor_id, startsAt));
  }
  return slots;
}

/**
 * Upcoming slots freed by a change that the waiting list may still fill, read from Postgres
 * rather than heard as events: a process that died (or was down) when an appointment was
 * cancelled, declined or moved away, or between an offer lapsing and the next one, leaves
 * these behind. A slot qualifies while its time is free of active appointments, no offer of
 * it runs, and someone eligible has not been offered it yet; offerFreedSlot decides the rest.
 */
export async function freedSlotsToOffer(
  db: Database,
  opts: { now: Date; channels: readonly string[]; limit: number },
): Promise<FreedSlot[]> {
  if (opts.channels.length === 0) return [];
  const rows = await db.sql.query<{
    clinic_id: string;
    doctor_id: string;
    starts_at: Date | string;
    ends_at: Date | string;
    appointment_id: string;
  }>(
    `WITH waiting AS (SELECT DISTINCT clinic_id FROM waitlist_entry WHERE status = 'waiting'),
     freed AS (
       SELECT a.clinic_id, a.doctor_id, a.starts_at, a.ends_at, a.id AS appointment_id
         FROM waiting w JOIN appointment a ON a.clinic_id = w.clinic_id
        WHERE a.starts_at > $1::timestamptz AND a.status IN ('cancelled', 'declined')
       UNION ALL
       SELECT a.clinic_id, m.doctor_id, m.starts_at, m.starts_at + (a.ends_at - a.starts_at), a.id
         FROM waiting w JOIN appointment a ON a.clinic_id = w.clinic_id
         JOIN appointment_event e ON e.appointment_id = a.id AND e.detail ? 'from'
         CROSS JOIN LATERAL (SELECT (e.detail #>> '{from,doctorId}')::uuid AS doctor_id,
                                    (e.detail #>> '{from,startsAt}')::timestamptz AS starts_at) m
        WHERE a.starts_at > $1::timestamptz - interval '31 days' AND m.starts_at > $1::timestamptz
     )
     SELECT DISTINCT ON (f.doctor_id, f.starts_at) f.clinic_id, f.doctor_id, f.starts_at, f.ends_at, f.appointment_id
       FROM freed f
      WHERE NOT EXISTS (SELECT 1 FROM appointment b WHERE b.doctor_id = f.doctor_id AND b.status IN ('requested', 'confirmed')
                          AND tstzrange(b.starts_at, b.ends_at) && tstzrange(f.starts_at, f.ends_at))
        AND NOT ${offerRunning("f.doctor_id", "f.starts_at", "$1::timestamptz")}
        AND EXISTS (${candidatesFor({
          clinic: "f.clinic_id",
          doctor: "f.doctor_id",
          start: "f.starts_at",
          end: "f.ends_at",
          appointment: "f.appointment_id",
          now: "$1::timestamptz",
          channels: "$2::text[]",
        })})
      ORDER BY f.doctor_id, f.starts_at, f.ends_at DESC
      LIMIT $3`,
    [opts.now, [...opts.channels], opts.limit],
  );
  return rows.map((r) => ({
    clinicId: r.clinic_id,
    doctorId: r.doctor_id,
    startsAt: new Date(r.starts_at),
    endsAt: new Date(r.ends_at),
    appointmentId: r.appointment_id,
  }));
}

/** Running offers nobody has sent (or whose sender's claim is older than the lease), oldest first. */
export async function unsentWaitlistOffers(
  db: Database,
  opts: { now: Date; leaseMs: number; limit: number },
): Promise<string[]> {
  const rows = await db.sql.query<{ id: string }>(
    `SELECT id FROM waitlist_offer
      WHERE status = 'offered' AND expires_at > $1 AND sent_at IS NULL AND channel IS NOT NULL
        AND (claimed_at IS NULL OR claimed_at < $2)
      ORDER BY created_at, id LIMIT $3`,
    [opts.now, new Date(+opts.now - opts.leaseMs), opts.limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Takes a running, unsent offer for sending: atomically, so of two senders (the process that
 * made it, a sweep elsewhere) exactly one gets it. Null when it is sent, taken, or over.
 */
export async function claimWaitlistOffer(
  db: Database,
  offerId: string,
  now: Date,
  leaseMs: number,
): Promise<OfferMade | null> {
  const [row] = await db.sql.query<{
    id: string;
    entry_id: string;
    clinic_id: string;
    patient_id: string;
    doctor_id: string;
    doctor_name: string;
    type_id: string;
    starts_at: Date | string;
    ends_at: Date | string;
    expires_at: Date | string;
    hold_minutes: number;
    channel: string;
    chat_id: string;
    locale: "fr" | "en";
  }>(
    `WITH claimed AS (
       UPDATE waitlist_offer SET claimed_at = $2, attempts = attempts + 1
        WHERE id = $1::uuid AND status = 'offered' AND expires_at > $2 AND sent_at IS NULL AND channel IS NOT NULL
          AND (claimed_at IS NULL OR claimed_at < $3)
        RETURNING *)
     SELECT o.id, o.entry_id, e.clinic_id, e.patient_id, o.doctor_id, o.type_id, o.starts_at, o.ends_at, o.expires_at,
            doctor_name(d) AS doctor_name, c.waitlist_hold_minutes AS hold_minutes,
            o.channel::text AS channel, o.chat_id, p.preferred_locale::text AS locale
       FROM claimed o JOIN waitlist_entry e ON e.id = o.entry_id JOIN clinic c ON c.id = e.clinic_id
       JOIN doctor d ON d.id = o.doctor_id JOIN patient p ON p.id = e.patient_id`,
    [offerId, now, new Date(+now - leaseMs)],
  );
  if (!row) return null;
  return {
    offerId: row.id,
    entryId: row.entry_id,
    clinicId: row.clinic_id,
    patientId: row.patient_id,
    doctorId: row.doctor_id,
    doctorName: row.doctor_name,
    typeId: row.type_id,
    startsAt: new Date(row.starts_at),
    endsAt: new Date(row.ends_at),
    expiresAt: new Date(row.expires_at),
    holdMinutes: row.hold_minutes,
    channel: row.channel,
    externalId: row.chat_id,
    locale: row.locale,
  };
}

/**
 * Records that a claimed offer went to the patient. The hold starts over from now when the
 * send came late (a retry, a sweep after a crash): the patient gets the minutes they are told.
 */
export async function markWaitlistOfferSent(db: Database, offer: OfferMade, now: Date): Promise<void> {
  const until = new Date(Math.max(+offer.expiresAt, +now + offer.holdMinutes * 60_000));
  await db.sql.transaction(async (tx) => {
    const [sent] = await tx.query(
      `UPDATE waitlist_offer SET sent_at = $2, claimed_at = NULL, last_error = NULL, expires_at = $3
        WHERE id = $1::uuid AND sent_at IS NULL AND status = 'offered' RETURNING 1`,
      [offer.offerId, now, until],
    );
    if (sent)
      await tx.query(`UPDATE slot_hold SET expires_at = $2 WHERE holder = $1 AND expires_at > $3`, [
        waitlistHolder(offer.doctorId, offer.startsAt),
        until,
        now,
      ]);
  });
}

/** A send that failed for now: the next sweep tries again while the offer runs. */
export async function releaseWaitlistOffer(db: Database, offerId: string, reason: string): Promise<void> {
  await db.sql.query(
    `UPDATE waitlist_offer SET claimed_at = NULL, last_error = $2 WHERE id = $1::uuid AND sent_at IS NULL`,
    [offerId, reason.slice(0, 500)],
  );
}

interface OfferRow {
  id: string;
  entry_id: string;
  status: string;
  doctor_id: string;
  type_id: string;
  starts_at: Date | string;
  expires_at: Date | string;
  clinic_id: string;
  patient_id: string;
  entry_status: string;
  appointment_id: string | null;
}

// An id that is no UUID (one the chat never issued) is unknown before it reaches the database, where
// it would be refused with the whole unit of work around it (the patient's conversation).
async function loadOffer(db: Database, offerId: string, patientId: string): Promise<OfferRow> {
  const rows = UUID.test(offerId)
    ? await db.sql.query<OfferRow>(
        `SELECT o.id, o.entry_id, o.status, o.doctor_id, o.type_id, o.starts_at, o.expires_at,
                e.clinic_id, e.patient_id, e.status AS entry_status, e.appointment_id
           FROM waitlist_offer o JOIN waitlist_entry e ON e.id = o.entry_id
          WHERE o.id = $1::uuid AND e.patient_id = $2::uuid`,
        [offerId, patientId],
      )
    : [];
  if (!rows[0]) throw notFound("WaitlistOffer", offerId);
  return rows[0];
}

/**
 * The patient takes an offered slot: booked (or their appointment moved there) if it is still
 * theirs to take, else "gone" and they stay on the list. While an offer runs, its patient alone
 * may take the slot; after it lapsed, whoever accepts first while the slot is free gets it
 * (the booking statement lets exactly one through). Accepting twice answers the first result.
 */
export async function acceptWaitlistOffer(
  db: Database,
  req: { offerId: string; patientId: string; channel: SourceChannel; now?: Date },
): Promise<WaitlistAnswer> {
  const now = req.now ?? new Date();
  const offer = await loadOffer(db, req.offerId, req.patientId);
  const startsAt = new Date(offer.starts_at);
  const idempotencyKey = `waitlist-${offer.id}`;
  if (offer.status === "accepted") return earlierAcceptance(db, offer, idempotencyKey);
  if (offer.status === "gone" || offer.entry_status !== "waiting") return { outcome: "gone" };
  const actor: Actor = { kind: "patient", patientId: req.patientId };
  // Only the offer running now may use the chain's hold; a lapsed one competes for a free slot.
  const live = offer.status === "offered" && +new Date(offer.expires_at) > +now;
  const holder = live ? waitlistHolder(offer.doctor_id, startsAt) : undefined;
  const moving = offer.appointment_id ? await findAppointment(db, offer.appointment_id) : null;
  try {
    // The booking (or the move) and the offer's outcome are saved together.
    return await inTransaction(db, async (tx) => {
      const answer: WaitlistAnswer =
        moving && ACTIVE_APPOINTMENT.includes(moving.status)
          ? {
              outcome: "moved",
              appointment: await rescheduleAppointment(tx, {
                appointmentId: moving.id,
                startsAt,
                doctorId: offer.doctor_id,
                actor,
                reason: "earlier slot from the waiting list",
                holder,
                now,
              }),
            }
          : {
              outcome: "booked",
              appointment: await bookAppointment(tx, {
                clinicId: offer.clinic_id,
                patientId: req.patientId,
                appointmentTypeId: offer.type_id,
                doctorId: offer.doctor_id,
                startsAt,
                sourceChannel: req.channel,
                actor,
                holder,
                idempotencyKey,
                now,
              }),
            };
      await tx.sql.query(`UPDATE waitlist_offer SET status = 'accepted' WHERE id = $1::uuid`, [offer.id]);
      await tx.sql.query(`UPDATE waitlist_entry SET status = 'booked' WHERE id = $1::uuid`, [offer.entry_id]);
      await tx.sql.query(
        `UPDATE waitlist_offer SET status = 'gone'
          WHERE doctor_id = $1::uuid AND starts_at = $2::timestamptz AND id <> $3::uuid AND status = ANY($4::text[])`,
        [offer.doctor_id, startsAt, offer.id, [...ACTIVE_OFFER]],
      );
      return answer;
    });
  } catch (err) {
    if (!isDomainError(err) || err.code === "not_found" || err.code === "forbidden") throw err;
    await db.sql.query(`UPDATE waitlist_offer SET status = 'gone' WHERE id = $1::uuid AND status = ANY($2::text[])`, [
      offer.id,
      [...ACTIVE_OFFER],
    ]);
    return { outcome: "gone" };
  }
}

const ACTIVE_APPOINTMENT: readonly string[] = ["requested", "confirmed"];

async function earlierAcceptance(db: Database, offer: OfferRow, idempotencyKey: string): Promise<WaitlistAnswer> {
  const booked = await findByIdempotencyKey(db, idempotencyKey);
  if (booked) return { outcome: "booked", appointment: booked };
  const moved = offer.appointment_id ? await findAppointment(db, offer.appointment_id) : null;
  return moved ? { outcome: "moved", appointment: moved } : { outcome: "gone" };
}

/** The patient lets an offered slot go: they stay on the list and the next patient is offered it at once. */
export async function declineWaitlistOffer(
  db: Database,
  req: { offerId: string; patientId: string; now?: Date },
): Promise<WaitlistAnswer> {
  const now = req.now ?? new Date();
  const offer = await loadOffer(db, req.offerId, req.patientId);
  if (offer.status === "accepted") return earlierAcceptance(db, offer, `waitlist-${offer.id}`);
  const [live] = await db.sql.query<{ live: boolean }>(
    `UPDATE waitlist_offer SET status = 'declined' WHERE id = $1::uuid AND status IN ('offered', 'expired')
     RETURNING expires_at > $2::timestamptz AS live`,
    [offer.id, now],
  );
  if (live?.live && offer.status === "offered")
    await moveOn(db, offer.clinic_id, offer.doctor_id, new Date(offer.starts_at));
  return { outcome: "declined" };
}
