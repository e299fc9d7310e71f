import { createActor, type Snapshot } from "xstate";
import { withoutBatching, type Database, type Sql, type Transaction } from "../data/db.js";
import { earliestSlot, findSlots, slotsNear, type Slot } from "../domain/availability.js";
import { bookAppointment, cancelAppointment, confirmAttendance, rescheduleAppointment } from "../domain/booking.js";
import { isDomainError } from "../domain/errors.js";
import { holdSlots, releaseHolds } from "../domain/holds.js";
import { RecentFacts } from "../domain/recent-facts.js";
import { detectLanguage } from "../domain/language/detect-language.js";
import { readIntent } from "../domain/language/intent.js";
import { readConsultationMode } from "../domain/language/consultation-mode.js";
import { readDoctor, type KnownDoctor } from "../domain/language/doctors.js";
import { readBirthDate, readPersonName } from "../domain/language/names.js";
import { normalize } from "../domain/language/normalize.js";
import { readWhen, type WhenPreference } from "../domain/language/when.js";
import { suggestSpecialtiesFor } from "../domain/triage.js";
import { consentVersion, render, type ChatLocale, type Reply } from "./locales/index.js";
import {
  dialogueMachine,
  type AppointmentSummary,
  type Command,
  type DialogueEvent,
  type OfferedSlot,
  type WaitlistOfferSummary,
} from "./machine.js";
import { asksForWaitlist, runWaitlistCommand } from "./waitlist.js";
import { notFound } from "../domain/errors.js";
import type { ChatChannel, InboundMessage, OutboundMessage } from "../domain/channels.js";
import { parsePayload, saysNoPreference, type DoctorPick, type Reading, type When } from "./reading.js";

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

const MAX_TEXT = 2000;
/** How many of the clinic's doctors are listed to a patient who named one the clinic does not have. */
const MAX_NAMED_DOCTORS = 12;

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
  /** The specialty used when the patient names none (see Reading.fallbackSpecialty). */
  fallback: Reading["fallbackSpecialty"] | null;
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
  const clean = typeof message.text === "string" ? { ...message, text: storableText(message.text) } : message;
  return exclusively(deps, `${message.channel}:${message.senderId}`, (tx) => processMessage(deps, tx, clean));
}

// Postgres text and jsonb refuse NUL; a patient's garbled bytes must still be kept and answered.
const storableText = (text: string): string =>
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "");

/**
 * Opens a reminder's question in the patient's conversation on `channel` (their address
 * there is `senderId`) and returns the message to send: the appointment and three choices,
 * confirm / cancel / move. The answer — a button, "1"/"2"/"3", "oui"/"non", "confirm",
 * "annuler", "reporter"… — then lands in the reminder flow. The question stays open until
 * the appointment starts (the idle expiry does not apply). Throws not_found for an
 * appointment that is not an upcoming active one of this clinic.
 */
export function prepareReminderReply(
  deps: EngineDeps,
  req: { channel: ChatChannel; senderId: string; appointmentId: string },
): Promise<OutboundMessage> {
  return exclusively(deps, `${req.channel}:${req.senderId}`, async (tx) => {
    const now = deps.now();
    const clinic = await clinicInfo(deps.db, deps.clinicId);
    const [row] = await tx.query<AppointmentRow & { patient_id: string }>(
      `SELECT a.id, a.starts_at, a.doctor_id, a.type_id, a.patient_id, d.title || ' ' || d.first_name || ' ' || d.last_name AS doctor_name
         FROM appointment a JOIN doctor d ON d.id = a.doctor_id
        WHERE a.id = $1::uuid AND a.clinic_id = $2::uuid AND a.status IN ('requested', 'confirmed') AND a.starts_at > $3`,
      [req.appointmentId, clinic.id, now],
    );
    if (!row) throw notFound("Appointment", req.appointmentId);
    const conv = await openConversation(tx, clinic, req.channel, req.senderId, "", now);
    const dialogue = restore(deps, conv, now);
    if (dialogue.expired) await releaseHolds(deps.db, conv.id);
    const state: ExecState = {
      patientId: conv.patient_id ?? row.patient_id,
      locale: conv.locale,
      handedToHuman: false,
    };
    const context: ExecContext = { deps, tx, clinic, conversationId: conv.id, state, now };
    const replies = await run(dialogue.actor, { type: "REMINDER", appointment: toSummary(row) }, context, {
      channel: req.channel,
      senderId: req.senderId,
      providerMessageId: `reminder:${req.appointmentId}`,
      receivedAt: now,
    });
    const rendered = await persist(context, dialogue.actor, conv, replies);
    return rendered[rendered.length - 1]!;
  });
}

/**
 * Opens a freed slot offered from the waiting list in the patient's conversation on `channel`
 * (their address there is `senderId`) and returns the message to send: the slot, how long it
 * is kept, and take it / leave it. The answer, a button or "oui"/"non", goes to the domain.
 */
export function prepareWaitlistOffer(
  deps: EngineDeps,
  req: { channel: ChatChannel; senderId: string; patientId: string; offer: WaitlistOfferSummary },
): Promise<OutboundMessage> {
  return exclusively(deps, `${req.channel}:${req.senderId}`, async (tx) => {
    const now = deps.now();
    const clinic = await clinicInfo(deps.db, deps.clinicId);
    const conv = await openConversation(tx, clinic, req.channel, req.senderId, "", now);
    const dialogue = restore(deps, conv, now);
    if (dialogue.expired) await releaseHolds(deps.db, conv.id);
    const state: ExecState = { patientId: conv.patient_id ?? req.patientId, locale: conv.locale, handedToHuman: false };
    const context: ExecContext = { deps, tx, clinic, conversationId: conv.id, state, now };
    const replies = await run(dialogue.actor, { type: "WAITLIST_OFFER", offer: req.offer }, context, {
      channel: req.channel,
      senderId: req.senderId,
      providerMessageId: `waitlist-${req.offer.id}`,
      receivedAt: now,
    });
    const rendered = await persist(context, dialogue.actor, conv, replies);
    return rendered[rendered.length - 1]!;
  });
}

/** Runs `fn` with the conversation's lock held (in-process queue; on Postgres also an advisory lock). */
function exclusively<T>(deps: EngineDeps, key: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  return serialize(key, async () => {
    // On Postgres a transaction on its own connection holds the cross-process lock and the
    // conversation's rows while domain services use other pooled connections. Embedded PGlite
    // has one connection and one process: the in-process queue is enough there.
    if (deps.db.kind === "postgres") {
      // The key is a number computed here, so the lock rides along with BEGIN in one round trip.
      const opening = `SELECT pg_advisory_xact_lock(7411003, ${lockKeyOf(key)})`;
      return gateOf(deps.db).run(() => deps.db.sql.transaction(fn, { opening }));
    }
    return fn(withoutBatching(deps.db.sql));
  });
}

/**
 * A conversation's transaction holds a pooled connection while its domain work needs others:
 * with every connection held by a conversation waiting for one, a burst of patients would
 * wait forever. At most half the pool is lent to conversations at once; the rest wait their turn.
 */
const gates = new WeakMap<Database, Gate>();
const gateOf = (db: Database): Gate => {
  let gate = gates.get(db);
  if (!gate) gates.set(db, (gate = new Gate(Math.max(1, Math.floor(db.connections / 2)))));
  return gate;
};

class Gate {
  private inside = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inside >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inside++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.inside--;
    }
  }
}

/** FNV-1a of the conversation key as a signed 32-bit integer: the same on every instance. */
function lockKeyOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

const clinics = new RecentFacts<ClinicInfo>();

function clinicInfo(db: Database, clinicId: string): Promise<ClinicInfo> {
  return clinics.get(clinicId, () => readClinicInfo(db, clinicId));
}

async function readClinicInfo(db: Database, clinicId: string): Promise<ClinicInfo> {
  const [row] = await db.sql.query<
    Omit<ClinicInfo, "fallback"> & { specialties: { id: string; code: string; fr: string; en: string }[] | null }
  >(
    `SELECT c.id, c.address, c.phone, c.emergency_phone, c.national_emergency_number, c.time_zone, c.default_locale, c.teleconsultation_url,
            c.cancellation_cutoff_hours,
            (SELECT json_agg(json_build_object('id', s.id, 'code', s.code, 'fr', s.name_fr, 'en', s.name_en) ORDER BY s.code)
               FROM specialty s WHERE s.clinic_id = c.id) AS specialties
       FROM clinic c WHERE c.id = $1::uuid`,
    [clinicId],
  );
  if (!row) throw new Error(`Clinic ${clinicId} not found`);
  const { specialties, ...rest } = row;
  const list = specialties ?? [];
  const general = list.length === 1 ? list[0] : list.find((s) => s.code === "general");
  const info: ClinicInfo = {
    ...rest,
    fallback: general ? { id: general.id, name: { fr: general.fr, en: general.en }, sole: list.length === 1 } : null,
  };
  return info;
}

async function openConversation(
  tx: Sql,
  clinic: ClinicInfo,
  channel: ChatChannel,
  senderId: string,
  firstText: string,
  now: Date,
): Promise<ConversationRow> {
  const [conversation] = await tx.query<ConversationRow>(
    `SELECT * FROM open_conversation($1::"Channel", $2, $3, $4::uuid, $5::"Locale")`,
    [channel, senderId, now, clinic.id, detectLanguage(firstText, clinic.default_locale) ?? clinic.default_locale],
  );
  return conversation!;
}

type SavedSnapshot = {
  value?: unknown;
  context?: { lastReceivedAt?: string | null; target?: { startsAt: string } | null; step?: number };
} | null;

type DialogueActor = ReturnType<typeof createActor<typeof dialogueMachine>>;

/** The conversation's actor, started from its saved state unless that has expired. */
function restore(
  deps: EngineDeps,
  conv: ConversationRow,
  now: Date,
): { actor: DialogueActor; expired: boolean; saved: SavedSnapshot } {
  const saved = conv.snapshot as SavedSnapshot;
  const idleMs = (deps.idleMinutes ?? 30) * 60_000;
  const lastActivity = new Date(conv.last_activity_at);
  // A reminder's question stays open until the appointment, however long the patient takes.
  const awaitsReminder =
    saved?.value === "reminder" && !!saved.context?.target && +new Date(saved.context.target.startsAt) > +now;
  const expired = saved !== null && !awaitsReminder && +now - +lastActivity > idleMs;
  const restored = saved && !expired ? (saved as Snapshot<unknown>) : undefined;
  // Button ids carry the step; a fresh start continues the count so last week's buttons stay old.
  const step = typeof saved?.context?.step === "number" ? saved.context.step + 1 : 0;
  const actor = createActor(dialogueMachine, {
    input: { locale: conv.locale, patientId: conv.patient_id, step },
    ...(restored ? { snapshot: restored as never } : {}),
  });
  actor.start();
  return { actor, expired, saved };
}

interface ExecContext {
  deps: EngineDeps;
  tx: Transaction;
  clinic: ClinicInfo;
  conversationId: string;
  state: ExecState;
  now: Date;
}

/** Sends `first` and the results of the commands it leads to; returns the replies queued meanwhile. */
async function run(
  actor: DialogueActor,
  first: DialogueEvent,
  ctx: ExecContext,
  message: InboundMessage,
): Promise<Reply[]> {
  const replies: Reply[] = [];
  let event: DialogueEvent | undefined = first;
  const queue: DialogueEvent[] = [];
  for (let guard = 0; event && guard < 20; guard++) {
    actor.send(event);
    const { outbox } = actor.getSnapshot().context;
    if (outbox.length === 0) {
      event = queue.shift();
      continue;
    }
    actor.send({ type: "FLUSH" });
    for (const item of outbox) {
      if ("reply" in item) replies.push(item.reply);
      else {
        const result = await execute(
          ctx.deps,
          ctx.tx,
          ctx.clinic,
          ctx.conversationId,
          message,
          item.command,
          ctx.state,
          ctx.now,
        );
        if (result) queue.push(...result);
      }
    }
    event = queue.shift();
  }
  return replies;
}

/** Saves the actor's state on the conversation and returns the replies worded for the patient. */
async function persist(
  ctx: ExecContext,
  actor: DialogueActor,
  conv: ConversationRow,
  replies: Reply[],
  exchange: { message?: InboundMessage; inboundLine?: string | null } = {},
): Promise<OutboundMessage[]> {
  const snapshot = actor.getPersistedSnapshot();
  const finalLocale = actor.getSnapshot().context.locale;
  actor.stop();
  const rendered = replies.map((r) => render(r, finalLocale, ctx.clinic.time_zone, emergencyFacts(ctx.clinic)));
  await record(ctx.tx, conv.id, ctx.now, rendered, {
    ...exchange,
    conversation: {
      snapshot: JSON.stringify(snapshot),
      locale: finalLocale,
      patientId: ctx.state.patientId,
      status: (snapshot as { value?: unknown }).value === "idle" ? "idle" : "active",
      handedToHuman: ctx.state.handedToHuman,
      releaseHolds: !!ctx.state.releaseHolds,
    },
  });
  return rendered;
}

/**
 * Writes what one exchange changed in a single statement, which also commits: the
 * conversation's new state and released holds (when given), the replies kept for redeliveries
 * (when answering a message) and the transcript lines staff read when a patient asks for a human.
 */
async function record(
  tx: Transaction,
  conversationId: string,
  now: Date,
  rendered: OutboundMessage[],
  what: {
    conversation?: {
      snapshot: string;
      locale: ChatLocale;
      patientId: string | null;
      status: string;
      handedToHuman: boolean;
      releaseHolds: boolean;
    };
    message?: InboundMessage;
    inboundLine?: string | null;
  },
): Promise<void> {
  const lines = [
    ...(what.inboundLine ? [{ direction: "in", author: "patient", text: what.inboundLine }] : []),
    ...rendered.map((r) => ({ direction: "out", author: "bot", text: transcriptText(r) })),
  ];
  const c = what.conversation;
  await tx.commitWith(
    `SELECT record_exchange($1::uuid, $2, $3::text[], $4::text[], $5::text[], $6::jsonb, $7::"Locale", $8::uuid, $9, $10, $11, $12::"Channel", $13, $14::jsonb)`,
    [
      conversationId,
      now,
      lines.map((l) => l.direction),
      lines.map((l) => l.author),
      lines.map((l) => l.text),
      c?.snapshot ?? null,
      c?.locale ?? null,
      c?.patientId ?? null,
      c?.status ?? null,
      c?.handedToHuman ?? false,
      c?.releaseHolds ?? false,
      what.message?.channel ?? null,
      what.message?.providerMessageId ?? null,
      what.message ? JSON.stringify(rendered) : null,
    ],
  );
}

const MAX_TRANSCRIPT_LINE = 4000;

/** A reply as staff read it in the transcript: its text, then its choices. */
const transcriptText = (r: OutboundMessage): string =>
  [r.text, ...(r.choices ?? []).map((c) => `• ${c.label}`)].join("\n").slice(0, MAX_TRANSCRIPT_LINE);

/** What the patient said, for the transcript: their text, or the label of the choice they tapped. */
function inboundLine(
  message: InboundMessage,
  question: Reply | null,
  locale: ChatLocale,
  clinic: ClinicInfo,
): string | null {
  if (message.payload) {
    const label = question
      ? render(question, locale, clinic.time_zone, emergencyFacts(clinic)).choices?.find(
          (c) => c.id === message.payload,
        )?.label
      : undefined;
    return `▸ ${label ?? message.payload}`.slice(0, MAX_TRANSCRIPT_LINE);
  }
  const text = typeof message.text === "string" ? message.text.trim() : "";
  return text ? text.slice(0, MAX_TRANSCRIPT_LINE) : null;
}

/**
 * The sender's conversation with this message claimed for processing, in one statement (run
 * after the lock, so it reads the latest state); a new sender gets a conversation first.
 */
async function openAndClaim(
  tx: Sql,
  clinic: ClinicInfo,
  message: InboundMessage,
  now: Date,
): Promise<{ conv: ConversationRow; claimed: boolean }> {
  const [row] = await tx.query<ConversationRow & { claimed: boolean }>(
    `SELECT * FROM open_exchange($1::"Channel", $2, $3, $4, $5::uuid, $6::"Locale")`,
    [
      message.channel,
      message.senderId,
      message.providerMessageId,
      now,
      clinic.id,
      detectLanguage(message.text ?? "", clinic.default_locale) ?? clinic.default_locale,
    ],
  );
  const { claimed, ...conv } = row!;
  return { conv, claimed };
}

async function processMessage(deps: EngineDeps, tx: Transaction, message: InboundMessage): Promise<OutboundMessage[]> {
  const now = deps.now();
  const clinic = await clinicInfo(deps.db, deps.clinicId);
  const { conv, claimed } = await openAndClaim(tx, clinic, message, now);
  if (!claimed) return [];

  const { actor, expired, saved } = restore(deps, conv, now);
  const said = inboundLine(message, actor.getSnapshot().context.question, conv.locale, clinic);
  const replies: Reply[] = [];
  // A conversation that was back at the menu needs no apology, only one left mid-flow.
  if (expired && saved?.value !== "idle") replies.push({ lines: [{ key: "restart" }] });
  if (expired) await releaseHolds(deps.db, conv.id);

  const reading = await interpret(
    deps,
    clinic,
    message,
    actor.getSnapshot().context.locale,
    now,
    actor.getSnapshot().value,
  );
  // Arrival order: a message received before one already applied reached us late (a slow
  // webhook retry, another instance). Applying it would answer an old question, so it is
  // acknowledged without changing anything; emergencies are still answered in full.
  const lastReceived = saved?.context?.lastReceivedAt;
  const late = !!lastReceived && +message.receivedAt < +new Date(lastReceived);
  if (late && reading.intent !== "emergency") {
    const question = actor.getSnapshot().context.question;
    actor.stop();
    const rendered = [{ lines: [{ key: "outOfOrder" as const }] }, ...(question ? [question] : [])].map((r) =>
      render(r, conv.locale, clinic.time_zone, emergencyFacts(clinic)),
    );
    await record(tx, conv.id, now, rendered, { message, inboundLine: said });
    return rendered;
  }
  if (!late) actor.send({ type: "RECEIVED", at: message.receivedAt.toISOString() });

  const state: ExecState = { patientId: conv.patient_id, locale: conv.locale, handedToHuman: false };
  const ctx: ExecContext = { deps, tx, clinic, conversationId: conv.id, state, now };
  replies.push(...(await run(actor, { type: "MESSAGE", reading }, ctx, message)));
  return persist(ctx, actor, conv, replies, { message, inboundLine: said });
}

const emergencyFacts = (clinic: ClinicInfo) => ({
  national: clinic.national_emergency_number,
  clinicEmergency: clinic.emergency_phone,
});

// ---- understanding a message

const whenJson = (w: WhenPreference): When =>
  w.kind === "asap"
    ? { kind: "asap" }
    : w.kind === "range"
      ? {
          kind: "range",
          from: w.from.toISOString(),
          to: w.to.toISOString(),
          ...(w.partOfDay ? { partOfDay: w.partOfDay } : {}),
          ...(w.past ? { past: true } : {}),
        }
      : { kind: w.kind, at: w.at.toISOString(), ...(w.past ? { past: true } : {}) };

async function interpret(
  deps: EngineDeps,
  clinic: ClinicInfo,
  message: InboundMessage,
  locale: ChatLocale,
  now: Date,
  /** The state the conversation waits in: some readings only matter there. */
  asking: unknown,
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
  if (asksForWaitlist(text)) reading.waitlist = true;
  if (normalized.tokens.length === 0 && intent.intent === "unknown") return { intent: "unknown", garbled: "empty" };

  // Phrase matching is most of a message's CPU: a bare "1", "oui" or "non" names no specialty,
  // and names and birth dates are read only where they are asked for.
  const short = normalized.tokens.length <= 2 && ["choice", "affirm", "deny", "thanks"].includes(intent.intent);
  if (!short) {
    const when = readWhen(text, { locale, timeZone: clinic.time_zone, now });
    if (when?.kind === "ambiguous") reading.ambiguousWhen = when.options.map((o) => whenJson(o.preference));
    else if (when) reading.when = whenJson(when);
    const [best] = await suggestSpecialtiesFor(deps.db, clinic.id, text);
    if (best) {
      reading.specialtyId = best.specialty.id;
      reading.specialtyName = { fr: best.specialty.nameFr, en: best.specialty.nameEn };
    }
    if (saysNoPreference(text)) reading.anyDoctor = true;
    if (asking !== "askName" && asking !== "askBirthDate") {
      const { list } = await clinicDoctors(deps.db, clinic.id);
      const active = list.filter((d) => d.active);
      const named = readDoctor(normalized, active, { bare: asking === "pickDoctor" });
      const picks = (ids: string[]) =>
        active.filter((d) => ids.includes(d.id)).map((d) => doctorPick(d, reading.specialtyId));
      if (named?.kind === "one") reading.doctor = picks([named.id])[0];
      else if (named?.kind === "several") reading.doctorOptions = picks(named.ids);
      else if (named?.kind === "unknown")
        reading.unknownDoctor = { said: named.name, known: active.slice(0, MAX_NAMED_DOCTORS).map((d) => d.name) };
      const mode = readConsultationMode(normalized);
      if (mode) reading.mode = mode;
    }
  }
  if (clinic.fallback) reading.fallbackSpecialty = clinic.fallback;
  if (asking === "askName") {
    const name = readPersonName(text);
    if (name) reading.name = { firstName: name.firstName, lastName: name.lastName };
  }
  if (asking === "askBirthDate") {
    const birth = readBirthDate(text, { now, locale, timeZone: clinic.time_zone });
    if (birth.ok) reading.birthDate = birth.date;
  }
  return reading;
}

// ---- carrying out commands

interface AppointmentRow {
  id: string;
  starts_at: Date | string;
  doctor_id: string;
  type_id: string;
  doctor_name: string;
}

const toSummary = (r: AppointmentRow): AppointmentSummary => ({
  id: r.id,
  startsAt: new Date(r.starts_at).toISOString(),
  doctorId: r.doctor_id,
  typeId: r.type_id,
  doctorName: r.doctor_name,
});

interface ExecState {
  patientId: string | null;
  locale: ChatLocale;
  handedToHuman: boolean;
  /** The dialogue let its held slots go; done once, when the exchange is saved, unless a new offer replaced them. */
  releaseHolds?: boolean;
}

const DAY = 86_400_000;

/** A doctor of the clinic as the chat knows them: name parts for reading, the name it writes, specialties. */
interface ClinicDoctor extends KnownDoctor {
  name: string;
  active: boolean;
  specialties: { id: string; fr: string; en: string }[];
}

const doctorsOf = new RecentFacts<{ list: ClinicDoctor[]; names: Map<string, string> }>();

/** The clinic's doctors (inactive ones too: their past appointments still name them). */
function clinicDoctors(db: Database, clinicId: string): Promise<{ list: ClinicDoctor[]; names: Map<string, string> }> {
  return doctorsOf.get(clinicId, async () => {
    const list = await db.sql.query<ClinicDoctor>(
      `SELECT d.id, d.first_name AS "firstName", d.last_name AS "lastName", d.active,
              d.title || ' ' || d.first_name || ' ' || d.last_name AS name,
              COALESCE((SELECT json_agg(json_build_object('id', s.id, 'fr', s.name_fr, 'en', s.name_en) ORDER BY s.code)
                          FROM doctor_specialty ds JOIN specialty s ON s.id = ds.specialty_id WHERE ds.doctor_id = d.id), '[]') AS specialties
         FROM doctor d WHERE d.clinic_id = $1::uuid ORDER BY d.last_name, d.first_name`,
      [clinicId],
    );
    return { list, names: new Map(list.map((d) => [d.id, d.name])) };
  });
}

/** The clinic's doctors by id, as the chat names them. */
const doctorNames = async (db: Database, clinicId: string): Promise<Map<string, string>> =>
  (await clinicDoctors(db, clinicId)).names;

/** A doctor as the dialogue offers them, booked for the specialty the patient named if they practise it. */
function doctorPick(d: ClinicDoctor, namedSpecialty: string | undefined): DoctorPick {
  const s = d.specialties.find((x) => x.id === namedSpecialty) ?? d.specialties[0];
  return { id: d.id, name: d.name, specialty: s ? { id: s.id, name: { fr: s.fr, en: s.en } } : null };
}

async function toOffered(db: Database, clinicId: string, slots: Slot[], typeId: string): Promise<OfferedSlot[]> {
  const names = await doctorNames(db, clinicId);
  return slots.map((s) => ({
    doctorId: s.doctorId,
    doctorName: names.get(s.doctorId) ?? "",
    typeId,
    startsAt: s.startsAt.toISOString(),
  }));
}

type Mode = "in_person" | "teleconsultation";
const typesFor = new RecentFacts<{ id: string; mode: Mode } | null>();
const typeModes = new RecentFacts<string | null>();

/** The appointment type to book for a specialty: in person unless a teleconsultation is asked for and offered. */
function typeFor(
  db: Database,
  clinicId: string,
  specialtyId: string | undefined,
  mode: Mode = "in_person",
): Promise<{ id: string; mode: Mode } | null> {
  return typesFor.get(`${clinicId}|${specialtyId ?? ""}|${mode}`, async () => {
    const [row] = await db.sql.query<{ id: string; mode: Mode }>(
      `SELECT id, mode FROM appointment_type WHERE clinic_id = $1::uuid AND active AND ($2::uuid IS NULL OR specialty_id = $2::uuid)
        ORDER BY (mode = $3::"ConsultationMode") DESC, (mode = 'in_person') DESC, code LIMIT 1`,
      [clinicId, specialtyId ?? null, mode],
    );
    return row ?? null;
  });
}

/** Whether an appointment type is a teleconsultation. */
async function isRemote(db: Database, typeId: string): Promise<boolean> {
  const mode = await typeModes.get(typeId, async () => {
    const [type] = await db.sql.query<{ mode: string }>(`SELECT mode FROM appointment_type WHERE id = $1::uuid`, [
      typeId,
    ]);
    return type?.mode ?? null;
  });
  return mode === "teleconsultation";
}

/** One slot per start time when any doctor will do: three choices of time, not three doctors at 9:00. */
function onePerTime(slots: Slot[], anyDoctor: boolean): Slot[] {
  if (!anyDoctor) return slots;
  const seen = new Set<number>();
  return slots.filter((s) => !seen.has(+s.startsAt) && !!seen.add(+s.startsAt));
}

/**
 * Drops candidates overlapping a better one of the same doctor: one conversation cannot hold
 * 9:50 and 10:00 of a 20-minute consultation at once (holds of a doctor never overlap).
 */
function apart(slots: Slot[]): Slot[] {
  const kept: Slot[] = [];
  for (const s of slots)
    if (!kept.some((k) => k.doctorId === s.doctorId && +k.startsAt < +s.endsAt && +s.startsAt < +k.endsAt))
      kept.push(s);
  return kept;
}

const NEAR_TOLERANCE_MS = 60 * 60_000;

/**
 * Candidate slots for an offer, best first, and whether the time asked for had nothing free
 * (then the candidates are the nearest alternatives, and the patient is told so). Without a
 * doctor, the search covers every doctor of the specialty: availability's automatic
 * assignment (earliest / least-loaded) picks who is offered.
 */
async function searchSlots(
  deps: EngineDeps,
  clinic: ClinicInfo,
  holder: string,
  cmd: Extract<Command, { type: "offer" }> & { typeId: string },
  now: Date,
): Promise<{ slots: Slot[]; missed: boolean }> {
  const base = {
    clinicId: clinic.id,
    appointmentTypeId: cmd.typeId,
    doctorId: cmd.doctorId,
    specialtyId: cmd.specialtyId,
    holder,
    now,
  };
  const any = !cmd.doctorId;
  const w = cmd.when;
  if (cmd.after) {
    const from = new Date(Math.max(+new Date(cmd.after) + 1, +now));
    const first = await earliestSlot(deps.db, { ...base, from });
    if (!first) return { slots: [], missed: false };
    const found = await findSlots(deps.db, {
      ...base,
      from: first.startsAt,
      to: new Date(+first.startsAt + 7 * DAY),
      limit: 12,
    });
    return { slots: onePerTime(found, any), missed: false };
  }
  if (w.kind === "asap") {
    const first = await earliestSlot(deps.db, { ...base, from: now });
    if (!first) return { slots: [], missed: false };
    const rest = await findSlots(deps.db, {
      ...base,
      from: new Date(+first.startsAt + 1),
      to: new Date(+first.startsAt + 7 * DAY),
      limit: 12,
    });
    return { slots: onePerTime([first, ...rest], any), missed: false };
  }
  if (w.kind === "range" && !w.past) {
    const found = await findSlots(deps.db, { ...base, from: new Date(w.from), to: new Date(w.to), limit: 12 });
    if (found.length > 0) return { slots: onePerTime(found, any), missed: false };
    return { slots: await slotsNear(deps.db, { ...base, target: new Date(w.from), count: 12 }), missed: true };
  }
  const target = w.kind === "range" || w.past ? now : new Date(w.at);
  const near = await slotsNear(deps.db, { ...base, target, count: 12 });
  if (w.kind === "range" || w.past) return { slots: near, missed: false };
  const tolerance = w.kind === "exact" ? 0 : NEAR_TOLERANCE_MS;
  return { slots: near, missed: !near.some((s) => Math.abs(+s.startsAt - +target) <= tolerance) };
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
      const type = cmd.typeId
        ? { id: cmd.typeId, remote: await isRemote(db, cmd.typeId) }
        : await typeFor(db, clinic.id, cmd.specialtyId, cmd.mode).then(
            (t) => t && { id: t.id, remote: t.mode === "teleconsultation" },
          );
      const typeId = type?.id;
      if (!type || !typeId) {
        state.releaseHolds = true;
        return [{ type: "SLOTS", slots: [], minutes: deps.holdMinutes }];
      }
      // A type given (rescheduling) already fixes the specialty.
      const search = { ...cmd, typeId, specialtyId: cmd.typeId ? undefined : cmd.specialtyId };
      const { slots: candidates, missed } = await searchSlots(deps, clinic, conversationId, search, now);
      // The search treats this conversation's own holds as free; the new offer replaces them.
      const held = await holdSlots(db, apart(candidates), {
        holder: conversationId,
        minutes: deps.holdMinutes,
        count: 3,
        now,
        releaseOthers: true,
      });
      state.releaseHolds = false;
      // Chosen nearest-first, shown in time order.
      held.sort((a, b) => +a.startsAt - +b.startsAt);
      const past = !cmd.after && cmd.when.kind !== "asap" && cmd.when.past === true;
      const slots = await toOffered(db, clinic.id, held, typeId);
      return [
        {
          type: "SLOTS",
          slots,
          minutes: deps.holdMinutes,
          ...(past ? { past } : {}),
          ...(type.remote ? { remote: true } : {}),
          ...(cmd.mode === "teleconsultation" && !type.remote ? { noRemote: true } : {}),
          ...(missed && !past && slots.length > 0 ? { missed: cmd.when } : {}),
          ...(cmd.after ? { more: true } : {}),
        },
      ];
    }
    case "book": {
      let patientId = state.patientId;
      if (!patientId && cmd.newPatient) {
        const [birthY, birthM, birthD] = cmd.newPatient.birthDate.split("-").map(Number) as [number, number, number];
        // The patient and their address on this channel, in one statement.
        const [patient] = await db.sql.query<{ id: string }>(
          `WITH p AS (INSERT INTO patient (clinic_id, first_name, last_name, birth_date, preferred_locale, preferred_channel, consent_at, consent_version)
                      VALUES ($1::uuid, $2, $3, $4::date, $5::"Locale", $6::"Channel", $7, $8) RETURNING id),
                i AS (INSERT INTO channel_identity (patient_id, channel, external_id) SELECT id, $6::"Channel", $9 FROM p)
           SELECT id FROM p`,
          [
            clinic.id,
            cmd.newPatient.firstName,
            cmd.newPatient.lastName,
            `${birthY}-${String(birthM).padStart(2, "0")}-${String(birthD).padStart(2, "0")}`,
            state.locale,
            message.channel,
            now,
            // The wording the consent question was asked in, in the language it was asked in.
            consentVersion(cmd.newPatient.consentLocale ?? state.locale, clinic.time_zone),
            message.senderId,
          ],
          { prepare: true },
        );
        patientId = patient!.id;
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
        const remote = await isRemote(db, appointment.typeId);
        return [
          {
            type: "BOOKED",
            status: appointment.status === "requested" ? "requested" : "confirmed",
            patientId,
            slot: cmd.slot,
            address: clinic.address,
            teleconsultationUrl: remote ? clinic.teleconsultation_url : null,
          },
        ];
      } catch (err) {
        if (!isDomainError(err)) throw err;
        const alternatives = ((err.details.alternatives as Slot[] | undefined) ?? []).slice(0, 6);
        const held = await holdSlots(db, apart(alternatives), {
          holder: conversationId,
          minutes: deps.holdMinutes,
          count: 3,
          now,
        });
        held.sort((a, b) => +a.startsAt - +b.startsAt);
        const offered = await toOffered(db, clinic.id, held, cmd.slot.typeId);
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
      const rows = await db.sql.query<AppointmentRow>(
        `SELECT a.id, a.starts_at, a.doctor_id, a.type_id, d.title || ' ' || d.first_name || ' ' || d.last_name AS doctor_name
           FROM appointment a JOIN doctor d ON d.id = a.doctor_id
          WHERE a.patient_id = $1::uuid AND a.status IN ('requested', 'confirmed') AND a.starts_at > $2 ORDER BY a.starts_at LIMIT 10`,
        [state.patientId, now],
      );
      return [{ type: "APPOINTMENTS", list: rows.map(toSummary) }];
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
        const remote = await isRemote(db, cmd.slot.typeId);
        return [
          { type: "RESCHEDULED", slot: cmd.slot, teleconsultationUrl: remote ? clinic.teleconsultation_url : null },
        ];
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
      state.releaseHolds = true;
      return;
    case "confirmAttendance": {
      if (!state.patientId) return [{ type: "ATTENDANCE", ok: false }];
      try {
        const ok = await confirmAttendance(db, {
          appointmentId: cmd.appointmentId,
          actor: { kind: "patient", patientId: state.patientId },
          now,
        });
        return [{ type: "ATTENDANCE", ok }];
      } catch (err) {
        if (isDomainError(err, "not_found")) return [{ type: "ATTENDANCE", ok: false }];
        throw err;
      }
    }
    case "joinWaitlist":
    case "answerWaitlistOffer":
      return runWaitlistCommand(
        { db, clinicId: clinic.id, channel: message.channel, patientId: state.patientId, now },
        cmd,
      );
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
