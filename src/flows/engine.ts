import type { Database } from "../data/db.js";
import type { ChatChannel, ChatLocale, InboundMessage, OutboundMessage } from "../domain/channels.js";
import { clinicFacts, type ClinicFacts } from "../domain/clinic-facts.js";
import {
  inConversation,
  openConversation,
  openExchange,
  recordExchange,
  type Conversation,
  type Exchange,
} from "../domain/conversations.js";
import { notFound } from "../domain/errors.js";
import { releaseHolds } from "../domain/holds.js";
import { detectLanguage } from "../domain/language/detect-language.js";
import { upcomingAppointment } from "../domain/upcoming-appointments.js";
import { carryOut, toSummary, type CommandContext } from "./commands.js";
import { render, type Reply } from "./locales/index.js";
import { converse, resumeDialogue, savedForm, type DialogueSnapshot } from "./dialogue.js";
import type { Command, DialogueEvent, WaitlistOfferSummary } from "./machine.js";
import { interpret } from "./understanding.js";

/** What the engine needs; transports build it from the AppContext. */
export interface EngineDeps {
  db: Database;
  clinicId: string;
  /** HOLD_MINUTES: how long offered slots stay reserved. */
  holdMinutes: number;
  /** CONVERSATION_IDLE_MINUTES: after this long without a message the conversation starts over. Default 30. */
  idleMinutes?: number;
  now: () => Date;
  /** Where a message that could not be handled is reported (the patient gets an apology). */
  logger?: { error(details: object, message: string): void };
}

/**
 * Handles one inbound message: restores the conversation, runs the dialogue, carries out what
 * it asks (search, hold, book…), saves the new state and returns the replies, all as one unit of
 * work. Messages of one conversation run one at a time, across processes too; a redelivered
 * message returns []. A message that cannot be handled changes nothing: the patient is asked to
 * send it again, and it is handled afresh when they do.
 */
export async function handleInbound(deps: EngineDeps, message: InboundMessage): Promise<OutboundMessage[]> {
  const clean = typeof message.text === "string" ? { ...message, text: storableText(message.text) } : message;
  const known: Known = {};
  try {
    return await inConversation(deps.db, message, (db) => answer(deps, db, clean, known));
  } catch (err) {
    (deps.logger ?? console).error(
      { err, channel: message.channel, conversation: known.conversationId },
      "chat message not handled; the patient was asked to send it again",
    );
    return [apology(message, known)];
  }
}

/** What a failed exchange had learnt before it failed: enough to apologise in the right words. */
interface Known {
  clinic?: ClinicFacts;
  locale?: ChatLocale;
  conversationId?: string;
}

function apology(message: InboundMessage, known: Known): OutboundMessage {
  const locale =
    known.locale ??
    detectLanguage(message.text ?? "", known.clinic?.defaultLocale ?? "fr") ??
    known.clinic?.defaultLocale;
  return render(
    { lines: [{ key: "stepFailed" }] },
    locale ?? "fr",
    known.clinic?.timeZone ?? "UTC",
    known.clinic ? emergencyFacts(known.clinic) : {},
  );
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
  return inConversation(deps.db, req, async (db) => {
    const now = deps.now();
    const clinic = await clinicFacts(db, deps.clinicId);
    const appointment = await upcomingAppointment(db, clinic.id, req.appointmentId, now);
    if (!appointment) throw notFound("Appointment", req.appointmentId);
    return openQuestion(deps, db, clinic, req, {
      patientId: appointment.patientId,
      event: { type: "REMINDER", appointment: toSummary(appointment) },
      providerMessageId: `reminder:${req.appointmentId}`,
    });
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
  return inConversation(deps.db, req, async (db) => {
    const clinic = await clinicFacts(db, deps.clinicId);
    return openQuestion(deps, db, clinic, req, {
      patientId: req.patientId,
      event: { type: "WAITLIST_OFFER", offer: req.offer },
      providerMessageId: `waitlist-${req.offer.id}`,
    });
  });
}

/** A question the clinic asks first (a reminder, an offer), in the patient's conversation: the message to send. */
async function openQuestion(
  deps: EngineDeps,
  db: Database,
  clinic: ClinicFacts,
  to: { channel: ChatChannel; senderId: string },
  question: { patientId: string; event: DialogueEvent; providerMessageId: string },
): Promise<OutboundMessage> {
  const now = deps.now();
  const conversation = await openConversation(db, to, { clinicId: clinic.id, locale: clinic.defaultLocale, now });
  const dialogue = resume(deps, conversation, now);
  if (dialogue.expired) await releaseHolds(db, conversation.id);
  const ctx: CommandContext = {
    db,
    clinic,
    conversationId: conversation.id,
    message: { ...to, providerMessageId: question.providerMessageId },
    holdMinutes: deps.holdMinutes,
    now,
    state: {
      patientId: conversation.patientId ?? question.patientId,
      locale: conversation.locale,
      handedToHuman: false,
      releaseHolds: false,
    },
  };
  const { snapshot, replies } = await converse(dialogue.snapshot, question.event, (cmd) => carryOut(ctx, cmd));
  const rendered = await persist(ctx, snapshot, replies);
  return rendered[rendered.length - 1]!;
}

/** The conversation's dialogue, where it was left unless that has expired. */
const resume = (deps: EngineDeps, conversation: Conversation, now: Date) =>
  resumeDialogue(conversation.snapshot, {
    input: { locale: conversation.locale, patientId: conversation.patientId },
    lastActivityAt: conversation.lastActivityAt,
    idleMs: (deps.idleMinutes ?? 30) * 60_000,
    now,
  });

/** Saves the dialogue's state on the conversation and returns the replies worded for the patient. */
async function persist(
  ctx: CommandContext,
  snapshot: DialogueSnapshot,
  replies: Reply[],
  exchange: Pick<Exchange, "answered" | "said"> = {},
): Promise<OutboundMessage[]> {
  const { locale } = snapshot.context;
  const rendered = replies.map((r) => render(r, locale, ctx.clinic.timeZone, emergencyFacts(ctx.clinic)));
  await recordExchange(ctx.db, ctx.conversationId, ctx.now, {
    ...exchange,
    replies: rendered,
    state: {
      snapshot: savedForm(snapshot),
      locale,
      patientId: ctx.state.patientId,
      status: snapshot.value === "idle" ? "idle" : "active",
      handedToHuman: ctx.state.handedToHuman,
      releaseHolds: ctx.state.releaseHolds,
    },
  });
  return rendered;
}

/** What the patient said, for the transcript: their text, or the label of the choice they tapped. */
function inboundLine(message: InboundMessage, question: Reply | null, locale: ChatLocale, clinic: ClinicFacts) {
  if (message.payload) {
    const label = question
      ? render(question, locale, clinic.timeZone, emergencyFacts(clinic)).choices?.find((c) => c.id === message.payload)
          ?.label
      : undefined;
    return `▸ ${label ?? message.payload}`;
  }
  const text = typeof message.text === "string" ? message.text.trim() : "";
  return text || null;
}

async function answer(
  deps: EngineDeps,
  db: Database,
  message: InboundMessage,
  known: Known,
): Promise<OutboundMessage[]> {
  const now = deps.now();
  const clinic = (known.clinic = await clinicFacts(db, deps.clinicId));
  const greetIn = detectLanguage(message.text ?? "", clinic.defaultLocale) ?? clinic.defaultLocale;
  const { conversation, claimed } = await openExchange(db, message, { clinicId: clinic.id, locale: greetIn, now });
  if (!claimed) return [];
  known.locale = conversation.locale;
  known.conversationId = conversation.id;

  const { snapshot, expired, left } = resume(deps, conversation, now);
  const said = inboundLine(message, snapshot.context.question, conversation.locale, clinic);
  const replies: Reply[] = [];
  // A conversation that was back at the menu needs no apology, only one left mid-flow.
  if (expired && left?.value !== "idle") replies.push({ lines: [{ key: "restart" }] });
  if (expired) await releaseHolds(db, conversation.id);

  const { locale, question } = snapshot.context;
  const reading = await interpret(message, { db, clinic, locale, now, asking: snapshot.value });
  // Arrival order: a message received before one already applied reached us late (a slow
  // webhook retry, another instance). Applying it would answer an old question, so it is
  // acknowledged without changing anything; emergencies are still answered in full.
  const lastReceived = left?.lastReceivedAt;
  const late = !!lastReceived && +message.receivedAt < +new Date(lastReceived);
  if (late && reading.intent !== "emergency") {
    const rendered = [{ lines: [{ key: "outOfOrder" as const }] }, ...(question ? [question] : [])].map((r) =>
      render(r, conversation.locale, clinic.timeZone, emergencyFacts(clinic)),
    );
    await recordExchange(db, conversation.id, now, { replies: rendered, answered: message, said });
    return rendered;
  }

  const ctx: CommandContext = {
    db,
    clinic,
    conversationId: conversation.id,
    message,
    holdMinutes: deps.holdMinutes,
    now,
    state: {
      patientId: conversation.patientId,
      locale: conversation.locale,
      handedToHuman: false,
      releaseHolds: false,
    },
  };
  const carry = (cmd: Command) => carryOut(ctx, cmd);
  const received = late
    ? snapshot
    : (await converse(snapshot, { type: "RECEIVED", at: message.receivedAt.toISOString() }, carry)).snapshot;
  const answered = await converse(received, { type: "MESSAGE", reading }, carry);
  return persist(ctx, answered.snapshot, [...replies, ...answered.replies], { answered: message, said });
}

const emergencyFacts = (clinic: ClinicFacts) => ({
  national: clinic.nationalEmergencyNumber,
  clinicEmergency: clinic.emergencyPhone,
});
