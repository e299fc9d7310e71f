import type { OutboundJob, TemplateRef } from "../bots/delivery/outbound.js";
import { isDomainError } from "../domain/errors.js";
import {
  claimReminder,
  claimSmsFallbacks,
  finishReminder,
  isClaimed,
  releaseReminder,
  SKIP,
  type ClaimedReminder,
  type ClaimMiss,
} from "../domain/reminders.js";
import { prepareReminderReply } from "../flows/engine.js";
import { formatterFor } from "../flows/locales/format.js";
import type { ChatChannel, OutboundMessage } from "../domain/channels.js";
import { chatRoute, noticeTemplate, whatsappNeedsTemplate } from "./contact.js";
import { plainReminderText } from "./copy.js";
import type { FollowUpDeps } from "./deps.js";

export type ReminderOutcome = ClaimMiss | { state: "sent" | "skipped" | "cancelled" | "retry" };

/** The outbound job id of a reminder: one per reminder row, so a retried send is recognised. */
export const reminderJobId = (reminderId: string): string => `reminder-${reminderId}`;

/**
 * Sends one due reminder, once: the row is claimed atomically, the message handed to the
 * outbox under the reminder's own job id (whose sent-guard stops a second provider send if a
 * worker dies after queueing), then the row is marked sent. A confirmation reminder opens
 * the reminder question in the patient's conversation, so their answer lands in that flow.
 */
export async function deliverReminder(deps: FollowUpDeps, reminderId: string): Promise<ReminderOutcome> {
  const { db, logger } = deps;
  const now = deps.now();
  const claim = await claimReminder(db, reminderId, now, deps.leaseMs);
  if (!isClaimed(claim)) return claim;
  const r = claim;
  if (r.appointment.status !== "confirmed") {
    await finishReminder(db, r.id, { status: "cancelled", reason: `appointment ${r.appointment.status}` }, now);
    return { state: "cancelled" };
  }
  const skip = r.patient.erased ? SKIP.erased : +r.appointment.startsAt <= +now ? SKIP.past : null;
  if (skip) {
    await finishReminder(db, r.id, { status: "skipped", reason: skip }, now);
    return { state: "skipped" };
  }
  try {
    const route = await chatRoute(db, r.patient, deps.outbox.channels);
    if ("skip" in route) {
      await finishReminder(db, r.id, { status: "skipped", reason: route.skip }, now);
      return { state: "skipped" };
    }
    const job = await reminderJob(deps, r, route, now);
    await deps.outbox.send([job]);
    await deps.afterQueued?.(job.id);
    await finishReminder(db, r.id, { status: "sent", channel: route.channel }, deps.now());
    return { state: "sent" };
  } catch (err) {
    if (isDomainError(err, "not_found")) {
      // The engine no longer sees an upcoming active appointment: it changed meanwhile.
      await finishReminder(db, r.id, { status: "cancelled", reason: "appointment changed" }, now);
      return { state: "cancelled" };
    }
    logger.warn(
      { reminder: r.id, attempt: r.attempts, reason: (err as Error).message },
      "reminder not sent; will retry",
    );
    await releaseReminder(db, r.id, (err as Error).message);
    return { state: "retry" };
  }
}

/**
 * Reminders their chat channel could not deliver (dead letters) go once more by SMS to the
 * patient's phone: the plain text, or the confirmation question with its numbered choices.
 */
export async function sendSmsFallbacks(deps: FollowUpDeps): Promise<number> {
  if (!deps.outbox.channels.has("sms")) return 0;
  const now = deps.now();
  const lost = await claimSmsFallbacks(deps.db, { now, limit: FALLBACK_BATCH, jobIdOf: reminderJobId });
  for (const r of lost) {
    const job = await reminderJob(deps, r, { channel: "sms", chatId: r.patient.phone! }, now);
    await deps.outbox.send([{ ...job, id: `${job.id}-sms` }]);
    deps.logger.info({ reminder: r.id }, "reminder undeliverable on its chat channel; sent by SMS");
  }
  return lost.length;
}

const FALLBACK_BATCH = 100;

async function reminderJob(
  deps: FollowUpDeps,
  r: ClaimedReminder,
  route: { channel: ChatChannel; chatId: string },
  now: Date,
): Promise<OutboundJob> {
  const message: OutboundMessage =
    r.kind === "confirm"
      ? await prepareReminderReply(
          {
            db: deps.db,
            clinicId: r.appointment.clinicId,
            holdMinutes: deps.holdMinutes,
            idleMinutes: deps.idleMinutes,
            now: deps.now,
          },
          { channel: route.channel, senderId: route.chatId, appointmentId: r.appointment.id },
        )
      : {
          text: plainReminderText(r.patient.locale, {
            startsAt: r.appointment.startsAt,
            doctorName: r.appointment.doctorName,
            address: r.clinic.address,
            clinicPhone: r.clinic.phone,
            timeZone: r.clinic.timeZone,
          }),
        };
  const job: OutboundJob = { id: reminderJobId(r.id), channel: route.channel, chatId: route.chatId, message };
  if (route.channel === "whatsapp" && (await whatsappNeedsTemplate(deps.db, route.chatId, now)))
    job.template = reminderTemplate(deps, r, message);
  return job;
}

/** Outside WhatsApp's window: the approved reminder template, its buttons carrying the same choices. */
function reminderTemplate(deps: FollowUpDeps, r: ClaimedReminder, message: OutboundMessage): TemplateRef {
  if (r.kind !== "confirm") return noticeTemplate(deps.whatsappTemplates.notice, r.patient.locale, message.text);
  const at = formatterFor(r.patient.locale, r.clinic.timeZone).dateTime(r.appointment.startsAt.toISOString());
  return {
    name: deps.whatsappTemplates.reminder,
    languageCode: r.patient.locale,
    bodyParameters: [at, r.appointment.doctorName],
    quickReplies: (message.choices ?? []).map((c) => c.id),
  };
}
