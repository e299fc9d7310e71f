import { createActor, type Snapshot } from "xstate";
import type { Database, Sql } from "../data/db.js";
import { earliestSlot, findSlots, slotsNear, type Slot } from "../domain/availability.js";
import { bookAppointment, cancelAppointment, rescheduleAppointment } from "../domain/booking.js";
import { isDomainError } from "../domain/errors.js";
import { holdSlots, releaseHolds } from "../domain/holds.js";
import { detectLanguage } from "../domain/language/detect-language.js";
import { readIntent } from "../domain/language/intent.js";
import { readBirthDate, readPersonName } from "../domain/language/names.js";
import { normalize } from "../domain/language/normalize.js";
import { readWhen, type WhenPreference } from "../domain/language/when.js";
import { suggestSpecialtiesFor } from "../domain/triage.js";
import { render, type ChatLocale, type Reply } from "./locales/index.js";
import {
  dialogueMachine,
  type AppointmentSummary,
  type Command,
  type DialogueEvent,
  type OfferedSlot,
} from "./machine.js";
import type { InboundMessage, OutboundMessage } from "./messages.js";
import { parsePayload, type Reading, type When } from "./reading.js";

/** What the engine needs; transports build it from the AppContext. */
export interface EngineDeps {
  db: Database;
  clinicId: string;
  /** HOLD_MINUTES: how long offered slots stay reserved. */
  holdMinutes: number;
  /** CONVERSATION_IDLE_MINUTES: after this long without a message the conversation starts over. Default 30. */
  idleMinutes?: number;
  now: () => Date;
}

/** Wording version of the consent question; stored on the patient with the consent time. */
export const CONSENT_VERSION = "chat-consent-2026-11";

const MAX_TEXT = 2000;

interface ClinicInfo {
  id: string;
  address: string;
  phone: string;
  emergency_phone: string;
  national_emergency_number: string;
  time_zone: string;
  default_locale: ChatLocale;
  teleconsultation_url: string | null;
  cancellation_cutoff_hours: number;
}

interface ConversationRow {
  id: string;
  patient_id: string | null;
  locale: ChatLocale;
  snapshot: unknown;
  last_activity_at: Date | string;
}

// Serializes one conversation's messages inside this process; the advisory lock does it across processes.
const localQueues = new Map<string, Promise<unknown>>();
function serialize<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = localQueues.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.catch(() => undefined);
  localQueues.set(key, settled);
  void settled.then(() => {
    if (localQueues.get(key) === settled) localQueues.delete(key);
  });
  return run;
}

/**
 * Handles one inbound message: restores the conversation, runs the dialogue, carries out what
 * it asks (search, hold, book…), saves the new state and returns the replies. Messages of one
 * conversation run one at a time, across processes too; a redelivered message returns [].
 */
export function handleInbound(deps: EngineDeps, message: InboundMessage): Promise<OutboundMessage[]> {
  const key = `${message.channel}:${message.senderId}`;
  return serialize(key, async () => {
    // On Postgres a transaction on its own connection holds the cross-process lock and the
    // conversation's rows while domain services use other pooled connections. Embedded PGlite
    // has one connection and one process: the in-process queue is enough there.
    if (deps.db.kind === "postgres") {
      return deps.db.sql.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(7411003, hashtext($1))`, [key]);
        return processMessage(deps, tx, message);
      });
    }
    return processMessage(deps, deps.db.sql, message);
  });
}

async function processMessage(deps: EngineDeps, tx: Sql, message: InboundMessage): Promise<OutboundMessage[]> {
  const now = deps.now();
  const [clinic] = await tx.query<ClinicInfo>(
    `SELECT id, address, phone, emergency_phone, national_emergency_number, time_zone, default_locale, teleconsultation_url, cancellation_cutoff_hours FROM clinic WHERE id = $1::uuid`,
    [deps.clinicId],
  );
  if (!clinic) throw new Error(`Clinic ${deps.clinicId} not found`);

  let [conversation] = await tx.query<ConversationRow>(
    `SELECT id, patient_id, locale, snapshot, last_activity_at FROM conversation WHERE channel = $1::"Channel" AND sender_id = $2`,
    [message.channel, message.senderId],
  );
  if (!conversation) {
    const [identity] = await tx.query<{ patient_id: string; preferred_locale: ChatLocale }>(
      `SELECT i.patient_id, p.preferred_locale FROM channel_identity i JOIN patient p ON p.id = i.patient_id
        WHERE i.channel = $1::"Channel" AND i.external_id = $2 AND p.clinic_id = $3::uuid AND p.erased_at IS NULL`,
      [message.channel, message.senderId, clinic.id],
    );
    const locale =
      identity?.preferred_locale ?? detectLanguage(message.text ?? "", clinic.default_locale) ?? clinic.default_locale;
    [conversation] = await tx.query<ConversationRow>(
      `INSERT INTO conversation (clinic_id, channel, sender_id, patient_id, locale, snapshot, last_activity_at, updated_at)
       VALUES ($1::uuid, $2::"Channel", $3, $4::uuid, $5::"Locale", 'null'::jsonb, $6, $6)
       RETURNING id, patient_id, locale, snapshot, last_activity_at`,
      [clinic.id, message.channel, message.senderId, identity?.patient_id ?? null, locale, now],
    );
  }
  const conv = conversation!;

  const claimed = await tx.query(
    `INSERT INTO processed_message (channel, provider_message_id, conversation_id, replies, processed_at)
     VALUES ($1::"Channel", $2, $3::uuid, '[]'::jsonb, $4) ON CONFLICT DO NOTHING RETURNING 1`,
    [message.channel, message.providerMessageId, conv.id, now],
  );
  if (claimed.length === 0) return [];

  const idleMs = (deps.idleMinutes ?? 30) * 60_000;
  const lastActivity = new Date(conv.last_activity_at);
  const expired = conv.snapshot !== null && +now - +lastActivity > idleMs;
  const replies: Reply[] = [];

  const restored = conv.snapshot && !expired ? (conv.snapshot as Snapshot<unknown>) : undefined;
  const actor = createActor(dialogueMachine, {
    input: { locale: conv.locale, patientId: conv.patient_id },
    ...(restored ? { snapshot: restored as never } : {}),
  });
  actor.start();
  // A conversation that was back at the menu needs no apology, only one left mid-flow.
  if (expired && (conv.snapshot as { value?: unknown }).value !== "idle") replies.push({ lines: [{ key: "restart" }] });
  if (expired) await releaseHolds(deps.db, conv.id);

  const locale = () => actor.getSnapshot().context.locale;
  const reading = await interpret(deps, clinic, message, locale(), now);
  const state: ExecState = { patientId: conv.patient_id, locale: conv.locale, handedToHuman: false };

  let event: DialogueEvent | undefined = { type: "MESSAGE", reading };
  const queue: DialogueEvent[] = [];
  for (let guard = 0; event && guard < 20; guard++) {
    actor.send(event);
    const { outbox } = actor.getSnapshot().context;
    actor.send({ type: "FLUSH" });
    for (const item of outbox) {
      if ("reply" in item) replies.push(item.reply);
      else {
        const result = await execute(deps, tx, clinic, conv.id, message, item.command, state, now);
        if (result) queue.push(...result);
      }
    }
    event = queue.shift();
  }

  const snapshot = actor.getPersistedSnapshot();
  actor.stop();
  const finalLocale = locale();
  const facts = { national: clinic.national_emergency_number, clinicEmergency: clinic.emergency_phone };
  const rendered = replies.map((r) => render(r, finalLocale, clinic.time_zone, facts));
  await tx.query(
    `UPDATE conversation SET snapshot = $2::jsonb, locale = $3::"Locale", patient_id = $4::uuid, last_activity_at = $5, updated_at = $5,
        status = $6, handed_to_human = handed_to_human OR $7 WHERE id = $1::uuid`,
    [
      conv.id,
      JSON.stringify(snapshot),
      finalLocale,
      state.patientId,
      now,
      (snapshot as { value?: unknown }).value === "idle" ? "idle" : "active",
      state.handedToHuman,
    ],
  );
  await tx.query(
    `UPDATE processed_message SET replies = $3::jsonb WHERE channel = $1::"Channel" AND provider_message_id = $2`,
    [message.channel, message.providerMessageId, JSON.stringify(rendered)],
  );
  return rendered;
}

// ---- understanding a message

const whenJson = (w: WhenPreference): When =>
  w.kind === "asap"
    ? { kind: "asap" }
    : w.kind === "range"
      ? { kind: "range", from: w.from.toISOString(), to: w.to.toISOString(), ...(w.past ? { past: true } : {}) }
      : { kind: w.kind, at: w.at.toISOString(), ...(w.past ? { past: true } : {}) };

async function interpret(
  deps: EngineDeps,
  clinic: ClinicInfo,
  message: InboundMessage,
  locale: ChatLocale,
  now: Date,
): Promise<Reading> {
  if (message.payload) {
    const payload = parsePayload(message.payload);
    if (payload) return { intent: "unknown", payload };
    // An id we never issued: answered like an old button.
    return { intent: "unknown", payload: { step: "-1", action: "unknown", value: "" } };
  }
  const raw = typeof message.text === "string" ? message.text : "";
  if (raw.length > MAX_TEXT) return { intent: "unknown", garbled: "too_long" };
  // Control characters and lone surrogates come from broken clients, never from patients.
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point.
  const text = raw.replace(/[\u0000-\u0008\u000b-\u001f\u007f]|[\ud800-\udfff]/g, " ");
  const normalized = normalize(text);
  const intent = readIntent(normalized, { locale });
  if (intent.intent === "emergency") return { intent: "emergency", redFlag: intent.redFlag.category };
  const reading: Reading = { intent: intent.intent };
  if (intent.intent === "choice") reading.choiceIndex = intent.index;
  if (intent.intent === "change_language") reading.language = intent.language;
  if (normalized.tokens.length === 0 && intent.intent === "unknown") return { intent: "unknown", garbled: "empty" };

  const when = readWhen(text, { locale, timeZone: clinic.time_zone, now });
  if (when?.kind === "ambiguous") reading.ambiguousWhen = when.options.map((o) => whenJson(o.preference));
  else if (when) reading.when = whenJson(when);

  const [best] = await suggestSpecialtiesFor(deps.db, clinic.id, text);
  if (best) {
    reading.specialtyId = best.specialty.id;
    reading.specialtyName = { fr: best.specialty.nameFr, en: best.specialty.nameEn };
  }
  const name = readPersonName(text);
  if (name) reading.name = { firstName: name.firstName, lastName: name.lastName };
  const birth = readBirthDate(text, { now, locale, timeZone: clinic.time_zone });
  if (birth.ok) reading.birthDate = birth.date;
  return reading;
}

// ---- carrying out commands

interface ExecState {
  patientId: string | null;
  locale: ChatLocale;
  handedToHuman: boolean;
}

const DAY = 86_400_000;

async function doctorNames(db: Database, ids: string[]): Promise<Map<string, string>> {
  const rows = await db.sql.query<{ id: string; name: string }>(
    `SELECT id, title || ' ' || first_name || ' ' || last_name AS name FROM doctor WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.name]));
}

async function toOffered(db: Database, slots: Slot[], typeId: string): Promise<OfferedSlot[]> {
  const names = await doctorNames(db, [...new Set(slots.map((s) => s.doctorId))]);
  return slots.map((s) => ({
    doctorId: s.doctorId,
    doctorName: names.get(s.doctorId) ?? "",
    typeId,
    startsAt: s.startsAt.toISOString(),
  }));
}

async function typeFor(db: Database, clinicId: string, specialtyId: string | undefined): Promise<string | null> {
  const [row] = await db.sql.query<{ id: string }>(
    `SELECT id FROM appointment_type WHERE clinic_id = $1::uuid AND active AND ($2::uuid IS NULL OR specialty_id = $2::uuid)
      ORDER BY (mode = 'in_person') DESC, code LIMIT 1`,
    [clinicId, specialtyId ?? null],
  );
  return row?.id ?? null;
}

async function searchSlots(
  deps: EngineDeps,
  clinic: ClinicInfo,
  holder: string,
  cmd: Extract<Command, { type: "offer" }>,
  now: Date,
): Promise<Slot[]> {
  const typeId = cmd.typeId ?? (await typeFor(deps.db, clinic.id, cmd.specialtyId));
  if (!typeId) return [];
  const base = {
    clinicId: clinic.id,
    appointmentTypeId: typeId,
    doctorId: cmd.doctorId,
    specialtyId: cmd.typeId ? undefined : cmd.specialtyId,
    holder,
    now,
  };
  const w = cmd.when;
  if (w.kind === "asap") {
    const first = await earliestSlot(deps.db, { ...base, from: now });
    if (!first) return [];
    return findSlots(deps.db, { ...base, from: first.startsAt, to: new Date(+first.startsAt + 7 * DAY), limit: 12 });
  }
  if (w.kind === "range" && !w.past) {
    const found = await findSlots(deps.db, { ...base, from: new Date(w.from), to: new Date(w.to), limit: 12 });
    if (found.length > 0) return found;
    return slotsNear(deps.db, { ...base, target: new Date(w.from), count: 6 });
  }
  const target = w.kind === "range" ? now : w.past ? now : new Date(w.at);
  return slotsNear(deps.db, { ...base, target, count: 6 });
}

async function execute(
  deps: EngineDeps,
  tx: Sql,
  clinic: ClinicInfo,
  conversationId: string,
  message: InboundMessage,
  cmd: Command,
  state: ExecState,
  now: Date,
): Promise<DialogueEvent[] | void> {
  const db = deps.db;
  switch (cmd.type) {
    case "offer": {
      await releaseHolds(db, conversationId);
      const typeId = cmd.typeId ?? (await typeFor(db, clinic.id, cmd.specialtyId));
      if (!typeId) return [{ type: "SLOTS", slots: [], minutes: deps.holdMinutes }];
      const candidates = await searchSlots(deps, clinic, conversationId, { ...cmd, typeId }, now);
      const held = await holdSlots(db, candidates, {
        holder: conversationId,
        minutes: deps.holdMinutes,
        count: 3,
        now,
      });
      const past = cmd.when.kind !== "asap" && cmd.when.past === true;
      return [{ type: "SLOTS", slots: await toOffered(db, held, typeId), minutes: deps.holdMinutes, past }];
    }
    case "book": {
      let patientId = state.patientId;
      if (!patientId && cmd.newPatient) {
        const [birthY, birthM, birthD] = cmd.newPatient.birthDate.split("-").map(Number) as [number, number, number];
        const patient = await db.prisma.patient.create({
          data: {
            clinicId: clinic.id,
            firstName: cmd.newPatient.firstName,
            lastName: cmd.newPatient.lastName,
            birthDate: new Date(Date.UTC(birthY, birthM - 1, birthD)),
            preferredLocale: state.locale,
            preferredChannel: message.channel,
            consentAt: now,
            consentVersion: CONSENT_VERSION,
            identities: { create: [{ channel: message.channel, externalId: message.senderId }] },
          },
        });
        patientId = patient.id;
        state.patientId = patientId;
      }
      if (!patientId) return [{ type: "BOOK_FAILED", reason: "other", alternatives: [] }];
      try {
        const appointment = await bookAppointment(db, {
          clinicId: clinic.id,
          patientId,
          appointmentTypeId: cmd.slot.typeId,
          doctorId: cmd.slot.doctorId,
          startsAt: new Date(cmd.slot.startsAt),
          sourceChannel: message.channel,
          actor: { kind: "patient", patientId },
          holder: conversationId,
          idempotencyKey: `${message.channel}:${message.providerMessageId}`,
          now,
        });
        const [type] = await db.sql.query<{ mode: string }>(`SELECT mode FROM appointment_type WHERE id = $1::uuid`, [
          appointment.typeId,
        ]);
        return [
          {
            type: "BOOKED",
            status: appointment.status === "requested" ? "requested" : "confirmed",
            patientId,
            slot: cmd.slot,
            address: clinic.address,
            teleconsultationUrl: type?.mode === "teleconsultation" ? clinic.teleconsultation_url : null,
          },
        ];
      } catch (err) {
        if (!isDomainError(err)) throw err;
        const alternatives = ((err.details.alternatives as Slot[] | undefined) ?? []).slice(0, 6);
        const held = await holdSlots(db, alternatives, {
          holder: conversationId,
          minutes: deps.holdMinutes,
          count: 3,
          now,
        });
        const offered = await toOffered(db, held, cmd.slot.typeId);
        return offered.length > 0
          ? [
              { type: "BOOK_FAILED", reason: "slot_taken", alternatives: offered },
              { type: "SLOTS", slots: offered, minutes: deps.holdMinutes },
            ]
          : [{ type: "BOOK_FAILED", reason: "other", alternatives: [] }];
      }
    }
    case "loadAppointments": {
      if (!state.patientId) return [{ type: "APPOINTMENTS", list: [] }];
      const rows = await db.sql.query<{
        id: string;
        starts_at: Date;
        doctor_id: string;
        type_id: string;
        doctor_name: string;
      }>(
        `SELECT a.id, a.starts_at, a.doctor_id, a.type_id, d.title || ' ' || d.first_name || ' ' || d.last_name AS doctor_name
           FROM appointment a JOIN doctor d ON d.id = a.doctor_id
          WHERE a.patient_id = $1::uuid AND a.status IN ('requested', 'confirmed') AND a.starts_at > $2 ORDER BY a.starts_at LIMIT 10`,
        [state.patientId, now],
      );
      const list: AppointmentSummary[] = rows.map((r) => ({
        id: r.id,
        startsAt: new Date(r.starts_at).toISOString(),
        doctorId: r.doctor_id,
        typeId: r.type_id,
        doctorName: r.doctor_name,
      }));
      return [{ type: "APPOINTMENTS", list }];
    }
    case "cancel": {
      try {
        await cancelAppointment(db, {
          appointmentId: cmd.appointmentId,
          actor: { kind: "patient", patientId: state.patientId ?? "" },
          reason: "cancelled by the patient in the chat",
          now,
        });
        return [{ type: "CANCELLED" }];
      } catch (err) {
        if (isDomainError(err, "inside_cutoff"))
          return [{ type: "REFUSED", hours: Number(err.details.cutoffHours), phone: String(err.details.clinicPhone) }];
        throw err;
      }
    }
    case "reschedule": {
      try {
        await rescheduleAppointment(db, {
          appointmentId: cmd.appointmentId,
          startsAt: new Date(cmd.slot.startsAt),
          doctorId: cmd.slot.doctorId,
          actor: { kind: "patient", patientId: state.patientId ?? "" },
          holder: conversationId,
          now,
        });
        return [{ type: "RESCHEDULED", slot: cmd.slot }];
      } catch (err) {
        if (isDomainError(err, "inside_cutoff"))
          return [{ type: "REFUSED", hours: Number(err.details.cutoffHours), phone: String(err.details.clinicPhone) }];
        if (!isDomainError(err)) throw err;
        return [{ type: "BOOK_FAILED", reason: "other", alternatives: [] }];
      }
    }
    case "emergency":
      // Through the conversation's own connection: on Postgres its row may not be committed yet.
      await tx.query(
        `INSERT INTO emergency_event (clinic_id, patient_id, conversation_id, category, created_at) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5)`,
        [clinic.id, state.patientId, conversationId, cmd.category, now],
      );
      return;
    case "handToHuman":
      state.handedToHuman = true;
      return;
    case "setLocale":
      state.locale = cmd.locale;
      if (state.patientId)
        await db.sql.query(`UPDATE patient SET preferred_locale = $2::"Locale" WHERE id = $1::uuid`, [
          state.patientId,
          cmd.locale,
        ]);
      return;
    case "releaseHolds":
      await releaseHolds(db, conversationId);
      return;
  }
}

/**
 * The replies a message already produced, or null if it was never processed. A transport
 * whose answer travels in the response (the web chat) replays them for a retried request.
 */
export async function repliesTo(
  db: Database,
  message: Pick<InboundMessage, "channel" | "providerMessageId">,
): Promise<OutboundMessage[] | null> {
  const rows = await db.sql.query<{ replies: OutboundMessage[] }>(
    `SELECT replies FROM processed_message WHERE channel = $1::"Channel" AND provider_message_id = $2`,
    [message.channel, message.providerMessageId],
  );
  return rows[0]?.replies ?? null;
}
