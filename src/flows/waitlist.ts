import type { Database } from "../data/db.js";
import { clinicDoctors } from "../domain/clinic-facts.js";
import { isDomainError } from "../domain/errors.js";
import { acceptWaitlistOffer, declineWaitlistOffer, joinWaitlist, type WaitlistAnswer } from "../domain/waitlist.js";
import type { Command, DialogueEvent } from "./machine.js";
import type { ChatChannel } from "../domain/channels.js";

/*
 * The chat side of the waiting list: reading "put me on the waiting list", and carrying out
 * the machine's two waitlist commands against the domain.
 */

// Kept as data next to the reading: explicit asks only, so "earlier" alone still reads as a time.
const ASKS_FOR_WAITLIST = [
  /\blistes? d['\s]?attente\b/,
  /\bplus t[oô]t si (c'est )?possible\b/,
  /\b(pr[ée]ven|avert)[a-z]*\b.*\b(place|cr[ée]neau|se lib[eè]re|plus t[oô]t|d[ée]sistement)/,
  /\b(une?|la) (place|cr[ée]neau) (se )?lib[eè]re/,
  /\bd[ée]sistements?\b/,
  /\bwait(ing)?[ -]?list\b/,
  /\bearlier (slot |time |appointment )?if (possible|you can|one (comes|frees|opens) up)\b/,
  /\b(let|tell) me know (if|when)\b.*\b(frees? up|opens? up|comes? up|earlier|cancel)/,
  /\bcancellation list\b/,
];

/** Whether a message asks to be told when an earlier time frees up. */
export function asksForWaitlist(text: string): boolean {
  const t = text.toLowerCase().replace(/[’`]/g, "'");
  return ASKS_FOR_WAITLIST.some((re) => re.test(t));
}

export type WaitlistCommand = Extract<Command, { type: "joinWaitlist" | "answerWaitlistOffer" }>;

export interface WaitlistCommandContext {
  db: Database;
  clinicId: string;
  channel: ChatChannel;
  patientId: string | null;
  now: Date;
}

/** Carries out a waitlist command of the dialogue; returns the event that reports its result. */
export async function runWaitlistCommand(ctx: WaitlistCommandContext, cmd: WaitlistCommand): Promise<DialogueEvent[]> {
  if (cmd.type === "joinWaitlist") {
    if (!ctx.patientId) return [{ type: "WAITLIST_JOINED", ok: false, reason: "unknown_patient" }];
    try {
      const entry = await joinWaitlist(ctx.db, {
        clinicId: ctx.clinicId,
        patientId: ctx.patientId,
        channel: ctx.channel,
        specialtyId: cmd.params.specialtyId ?? null,
        doctorId: cmd.params.doctorId ?? null,
        typeId: cmd.params.typeId ?? null,
        appointmentId: cmd.params.appointmentId ?? null,
        wantedBefore: cmd.params.wantedBefore ? new Date(cmd.params.wantedBefore) : null,
        actor: { kind: "patient", patientId: ctx.patientId },
        now: ctx.now,
      });
      return [{ type: "WAITLIST_JOINED", ok: true, before: entry.wantedBefore?.toISOString() }];
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return [{ type: "WAITLIST_JOINED", ok: false, reason: "refused" }];
    }
  }
  if (!ctx.patientId) return [{ type: "WAITLIST_ANSWERED", outcome: "gone" }];
  let answer: WaitlistAnswer;
  try {
    answer = cmd.params.accept
      ? await acceptWaitlistOffer(ctx.db, {
          offerId: cmd.params.offerId,
          patientId: ctx.patientId,
          channel: ctx.channel,
          now: ctx.now,
        })
      : await declineWaitlistOffer(ctx.db, { offerId: cmd.params.offerId, patientId: ctx.patientId, now: ctx.now });
  } catch (err) {
    // Someone else's offer, or an id we never issued: nothing to take.
    if (isDomainError(err, "not_found")) return [{ type: "WAITLIST_ANSWERED", outcome: "gone" }];
    throw err;
  }
  if (answer.outcome === "gone" || answer.outcome === "declined")
    return [{ type: "WAITLIST_ANSWERED", outcome: answer.outcome }];
  const { appointment } = answer;
  const doctor = (await clinicDoctors(ctx.db, ctx.clinicId)).find((d) => d.id === appointment.doctorId);
  const outcome = answer.outcome === "moved" ? "moved" : appointment.status === "requested" ? "requested" : "booked";
  return [
    {
      type: "WAITLIST_ANSWERED",
      outcome,
      slot: { startsAt: appointment.startsAt.toISOString(), doctorName: doctor?.name ?? "" },
    },
  ];
}
