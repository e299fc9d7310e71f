import type { Database } from "../data/db.js";
import { earliestSlot, findSlots, slotsNear, type Slot } from "../domain/availability.js";
import { bookAppointment, cancelAppointment, confirmAttendance, rescheduleAppointment } from "../domain/booking.js";
import type { ChatLocale, InboundMessage } from "../domain/channels.js";
import { registerChatPatient, setPreferredLocale } from "../domain/chat-patients.js";
import {
  appointmentTypeFor,
  clinicDoctors,
  consultationModeOf,
  type ClinicFacts,
  type ConsultationMode,
} from "../domain/clinic-facts.js";
import { recordChatEmergency } from "../domain/emergencies.js";
import { isDomainError } from "../domain/errors.js";
import { holdSlots } from "../domain/holds.js";
import { upcomingAppointments, type UpcomingAppointment } from "../domain/upcoming-appointments.js";
import { consentVersion } from "./locales/index.js";
import type { AppointmentSummary, Command, Commands, DialogueEvent, OfferedSlot } from "./machine.js";
import { runWaitlistCommand } from "./waitlist.js";

/*
 * Carrying out what the dialogue asks for (search and hold times, register and book, list, move,
 * cancel, confirm, the waiting list) through the domain's services, and answering with the events
 * that report the results. Everything runs on the conversation's own unit of work.
 */

/** What one exchange learns while its commands run; saved with the conversation at the end. */
export interface ExchangeState {
  patientId: string | null;
  locale: ChatLocale;
  handedToHuman: boolean;
  /** The dialogue let its held slots go; done once, when the exchange is saved, unless a new offer replaced them. */
  releaseHolds: boolean;
}

export interface CommandContext {
  /** The conversation's unit of work. */
  db: Database;
  clinic: ClinicFacts;
  conversationId: string;
  /** The message being answered (a reminder's or an offer's own id when the clinic opens the question). */
  message: Pick<InboundMessage, "channel" | "senderId" | "providerMessageId">;
  /** HOLD_MINUTES. */
  holdMinutes: number;
  now: Date;
  state: ExchangeState;
}

export const toSummary = (a: UpcomingAppointment): AppointmentSummary => ({
  id: a.id,
  startsAt: a.startsAt.toISOString(),
  doctorId: a.doctorId,
  typeId: a.typeId,
  doctorName: a.doctorName,
});

const DAY = 86_400_000;
const NEAR_TOLERANCE_MS = 60 * 60_000;

async function toOffered(db: Database, clinicId: string, slots: Slot[], typeId: string): Promise<OfferedSlot[]> {
  const names = new Map((await clinicDoctors(db, clinicId)).map((d) => [d.id, d.name]));
  return slots.map((s) => ({
    doctorId: s.doctorId,
    doctorName: names.get(s.doctorId) ?? "",
    typeId,
    startsAt: s.startsAt.toISOString(),
  }));
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

/** How many times an offer shows. */
const OFFERED = 3;
/** Searches after the first, when other conversations took the times found. */
const MAX_SEARCHES = 2;

/** Holds up to three of `slots` (or `count`) for the conversation, nearest first; returns them in time order. */
async function holdOffer(
  ctx: CommandContext,
  slots: Slot[],
  opts: { releaseOthers?: boolean; count?: number } = {},
): Promise<Slot[]> {
  const held = await holdSlots(ctx.db, apart(slots), {
    holder: ctx.conversationId,
    minutes: ctx.holdMinutes,
    count: opts.count ?? OFFERED,
    now: ctx.now,
    releaseOthers: opts.releaseOthers,
  });
  return held.sort((a, b) => +a.startsAt - +b.startsAt);
}

/**
 * Candidate slots for an offer, best first, and whether the time asked for had nothing free
 * (then the candidates are the nearest alternatives, and the patient is told so). Without a
 * doctor, the search covers every doctor of the specialty: availability's automatic
 * assignment (earliest / least-loaded) picks who is offered.
 */
async function searchSlots(
  ctx: CommandContext,
  cmd: Commands["offer"] & { typeId: string },
): Promise<{ slots: Slot[]; missed: boolean }> {
  const { db, now } = ctx;
  const base = {
    clinicId: ctx.clinic.id,
    appointmentTypeId: cmd.typeId,
    doctorId: cmd.doctorId,
    specialtyId: cmd.specialtyId,
    holder: ctx.conversationId,
    now,
  };
  const any = !cmd.doctorId;
  const w = cmd.when;
  if (cmd.after) {
    const from = new Date(Math.max(+new Date(cmd.after) + 1, +now));
    const first = await earliestSlot(db, { ...base, from });
    if (!first) return { slots: [], missed: false };
    const found = await findSlots(db, {
      ...base,
      from: first.startsAt,
      to: new Date(+first.startsAt + 7 * DAY),
      limit: 12,
    });
    return { slots: onePerTime(found, any), missed: false };
  }
  if (w.kind === "asap") {
    const first = await earliestSlot(db, { ...base, from: now });
    if (!first) return { slots: [], missed: false };
    const rest = await findSlots(db, {
      ...base,
      from: new Date(+first.startsAt + 1),
      to: new Date(+first.startsAt + 7 * DAY),
      limit: 12,
    });
    return { slots: onePerTime([first, ...rest], any), missed: false };
  }
  if (w.kind === "range" && !w.past) {
    const found = await findSlots(db, { ...base, from: new Date(w.from), to: new Date(w.to), limit: 12 });
    if (found.length > 0) return { slots: onePerTime(found, any), missed: false };
    return { slots: await slotsNear(db, { ...base, target: new Date(w.from), count: 12 }), missed: true };
  }
  const target = w.kind === "range" || w.past ? now : new Date(w.at);
  const near = await slotsNear(db, { ...base, target, count: 12 });
  if (w.kind === "range" || w.past) return { slots: near, missed: false };
  const tolerance = w.kind === "exact" ? 0 : NEAR_TOLERANCE_MS;
  return { slots: near, missed: !near.some((s) => Math.abs(+s.startsAt - +target) <= tolerance) };
}

async function offer(ctx: CommandContext, cmd: Commands["offer"]): Promise<DialogueEvent[]> {
  const { db, clinic } = ctx;
  const type: { id: string; mode: ConsultationMode | null } | null = cmd.typeId
    ? { id: cmd.typeId, mode: await consultationModeOf(db, cmd.typeId) }
    : await appointmentTypeFor(db, clinic.id, cmd.specialtyId, cmd.mode);
  if (!type) {
    ctx.state.releaseHolds = true;
    return [{ type: "SLOTS", slots: [], minutes: ctx.holdMinutes }];
  }
  const remote = type.mode === "teleconsultation";
  // A type given (rescheduling) already fixes the specialty.
  const search = { ...cmd, typeId: type.id, specialtyId: cmd.typeId ? undefined : cmd.specialtyId };
  const { slots: candidates, missed } = await searchSlots(ctx, search);
  // The search treats this conversation's own holds as free; the new offer replaces them.
  let held = await holdOffer(ctx, candidates, { releaseOthers: true });
  // Conversations offering the same times at once cannot see each other's holds until they are
  // saved: the hold waits for the other conversation, then finds the time taken. A new search,
  // which now sees those holds, finds the times still free.
  for (
    let round = 0;
    round < MAX_SEARCHES && held.length < OFFERED && apart(candidates).length > held.length;
    round++
  ) {
    const { slots: again } = await searchSlots(ctx, search);
    const fresh = apart([...held, ...again]).filter((s) => !held.includes(s));
    if (fresh.length === 0) break;
    held = [...held, ...(await holdOffer(ctx, fresh, { count: OFFERED - held.length }))];
  }
  held.sort((a, b) => +a.startsAt - +b.startsAt);
  ctx.state.releaseHolds = false;
  const past = !cmd.after && cmd.when.kind !== "asap" && cmd.when.past === true;
  const slots = await toOffered(db, clinic.id, held, type.id);
  return [
    {
      type: "SLOTS",
      slots,
      minutes: ctx.holdMinutes,
      ...(past ? { past } : {}),
      ...(remote ? { remote: true } : {}),
      ...(cmd.mode === "teleconsultation" && !remote ? { noRemote: true } : {}),
      ...(missed && !past && slots.length > 0 ? { missed: cmd.when } : {}),
      ...(cmd.after ? { more: true } : {}),
    },
  ];
}

const isRemote = async (db: Database, typeId: string): Promise<boolean> =>
  (await consultationModeOf(db, typeId)) === "teleconsultation";

async function book(ctx: CommandContext, cmd: Commands["book"]): Promise<DialogueEvent[]> {
  const { db, clinic, message, now } = ctx;
  if (!ctx.state.patientId && cmd.newPatient)
    ctx.state.patientId = await registerChatPatient(db, {
      clinicId: clinic.id,
      firstName: cmd.newPatient.firstName,
      lastName: cmd.newPatient.lastName,
      birthDate: cmd.newPatient.birthDate,
      locale: ctx.state.locale,
      channel: message.channel,
      senderId: message.senderId,
      consentAt: now,
      // The wording the consent question was asked in, in the language it was asked in.
      consentVersion: consentVersion(cmd.newPatient.consentLocale ?? ctx.state.locale, clinic.timeZone),
    });
  const patientId = ctx.state.patientId;
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
      holder: ctx.conversationId,
      idempotencyKey: `${message.channel}:${message.providerMessageId}`,
      now,
    });
    return [
      {
        type: "BOOKED",
        status: appointment.status === "requested" ? "requested" : "confirmed",
        patientId,
        slot: cmd.slot,
        address: clinic.address,
        teleconsultationUrl: (await isRemote(db, appointment.typeId)) ? clinic.teleconsultationUrl : null,
      },
    ];
  } catch (err) {
    if (!isDomainError(err)) throw err;
    const alternatives = ((err.details.alternatives as Slot[] | undefined) ?? []).slice(0, 6);
    const offered = await toOffered(db, clinic.id, await holdOffer(ctx, alternatives), cmd.slot.typeId);
    return offered.length > 0
      ? [
          { type: "BOOK_FAILED", reason: "slot_taken", alternatives: offered },
          { type: "SLOTS", slots: offered, minutes: ctx.holdMinutes },
        ]
      : [{ type: "BOOK_FAILED", reason: "other", alternatives: [] }];
  }
}

/** A change refused inside the clinic's cutoff: the patient is told to call. */
const refusedInsideCutoff = (err: unknown): DialogueEvent[] | null =>
  isDomainError(err, "inside_cutoff")
    ? [{ type: "REFUSED", hours: Number(err.details.cutoffHours), phone: String(err.details.clinicPhone) }]
    : null;

async function cancel(ctx: CommandContext, cmd: Commands["cancel"]): Promise<DialogueEvent[]> {
  try {
    await cancelAppointment(ctx.db, {
      appointmentId: cmd.appointmentId,
      actor: { kind: "patient", patientId: ctx.state.patientId ?? "" },
      reason: "cancelled by the patient in the chat",
      now: ctx.now,
    });
    return [{ type: "CANCELLED" }];
  } catch (err) {
    const refused = refusedInsideCutoff(err);
    if (refused) return refused;
    throw err;
  }
}

async function reschedule(ctx: CommandContext, cmd: Commands["reschedule"]): Promise<DialogueEvent[]> {
  try {
    await rescheduleAppointment(ctx.db, {
      appointmentId: cmd.appointmentId,
      startsAt: new Date(cmd.slot.startsAt),
      doctorId: cmd.slot.doctorId,
      actor: { kind: "patient", patientId: ctx.state.patientId ?? "" },
      holder: ctx.conversationId,
      now: ctx.now,
    });
    const link = (await isRemote(ctx.db, cmd.slot.typeId)) ? ctx.clinic.teleconsultationUrl : null;
    return [{ type: "RESCHEDULED", slot: cmd.slot, teleconsultationUrl: link }];
  } catch (err) {
    const refused = refusedInsideCutoff(err);
    if (refused) return refused;
    if (!isDomainError(err)) throw err;
    return [{ type: "BOOK_FAILED", reason: "other", alternatives: [] }];
  }
}

async function confirm(ctx: CommandContext, cmd: Commands["confirmAttendance"]): Promise<DialogueEvent[]> {
  if (!ctx.state.patientId) return [{ type: "ATTENDANCE", ok: false }];
  try {
    const ok = await confirmAttendance(ctx.db, {
      appointmentId: cmd.appointmentId,
      actor: { kind: "patient", patientId: ctx.state.patientId },
      now: ctx.now,
    });
    return [{ type: "ATTENDANCE", ok }];
  } catch (err) {
    if (isDomainError(err, "not_found")) return [{ type: "ATTENDANCE", ok: false }];
    throw err;
  }
}

/** Carries out one command of the dialogue; returns the events that report its result. */
export async function carryOut(ctx: CommandContext, cmd: Command): Promise<DialogueEvent[]> {
  const { db, state } = ctx;
  switch (cmd.type) {
    case "offer":
      return offer(ctx, cmd.params);
    case "book":
      return book(ctx, cmd.params);
    case "loadAppointments": {
      const list = state.patientId ? await upcomingAppointments(db, state.patientId, ctx.now) : [];
      return [{ type: "APPOINTMENTS", list: list.map(toSummary) }];
    }
    case "cancel":
      return cancel(ctx, cmd.params);
    case "reschedule":
      return reschedule(ctx, cmd.params);
    case "confirmAttendance":
      return confirm(ctx, cmd.params);
    case "recordEmergency":
      await recordChatEmergency(db, {
        clinicId: ctx.clinic.id,
        patientId: state.patientId,
        conversationId: ctx.conversationId,
        category: cmd.params.category,
        now: ctx.now,
      });
      return [];
    case "handToHuman":
      state.handedToHuman = true;
      return [];
    case "setLocale":
      state.locale = cmd.params.locale;
      if (state.patientId) await setPreferredLocale(db, state.patientId, cmd.params.locale);
      return [];
    case "releaseHolds":
      state.releaseHolds = true;
      return [];
    case "joinWaitlist":
    case "answerWaitlistOffer":
      return runWaitlistCommand(
        { db, clinicId: ctx.clinic.id, channel: ctx.message.channel, patientId: state.patientId, now: ctx.now },
        cmd,
      );
  }
}
