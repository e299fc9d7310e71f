import type { OutboundJob } from "../bots/delivery/outbound.js";
import { claimNotice, finishNotice, releaseNotice, type ClaimedNotice } from "../domain/notices.js";
import { chatRoute, noticeTemplate, whatsappNeedsTemplate } from "./contact.js";
import { calendarTitle, noticeEmail, noticeText, type AppointmentFacts } from "./copy.js";
import type { FollowUpDeps } from "./deps.js";
import { appointmentIcs } from "./ics.js";
import { MailError } from "./mailer.js";

export type NoticeOutcome = "sent" | "skipped" | "failed" | "retry" | "not_claimed";

/** The outbound job id of a chat notice. */
export const noticeJobId = (noticeId: string): string => `notice-${noticeId}`;

/**
 * Sends one notice: in chat through the outbox (job id `notice-<id>`), or by email with the
 * appointment as an .ics attachment. Claimed first, so two senders never both send it.
 */
export async function deliverNotice(deps: FollowUpDeps, noticeId: string): Promise<NoticeOutcome> {
  const { db } = deps;
  const now = deps.now();
  const n = await claimNotice(db, noticeId, now, deps.leaseMs);
  if (!n) return "not_claimed";
  if (n.patient.erased) {
    await finishNotice(db, n.id, { status: "skipped", reason: "erased" }, now);
    return "skipped";
  }
  const facts: AppointmentFacts = {
    startsAt: n.appointment.startsAt,
    doctorName: n.appointment.doctorName,
    address: n.clinic.address,
    clinicPhone: n.clinic.phone,
    timeZone: n.clinic.timeZone,
  };
  try {
    return n.medium === "email" ? await byEmail(deps, n, facts, now) : await inChat(deps, n, facts, now);
  } catch (err) {
    if (err instanceof MailError && err.kind === "permanent") {
      await finishNotice(db, n.id, { status: "failed", reason: err.message }, now);
      return "failed";
    }
    deps.logger.warn({ notice: n.id, reason: (err as Error).message }, "notice not sent; will retry");
    await releaseNotice(db, n.id, (err as Error).message, now);
    return "retry";
  }
}

async function inChat(
  deps: FollowUpDeps,
  n: ClaimedNotice,
  facts: AppointmentFacts,
  now: Date,
): Promise<NoticeOutcome> {
  const route = await chatRoute(deps.db, n.patient, deps.outbox.channels);
  if ("skip" in route) {
    await finishNotice(deps.db, n.id, { status: "skipped", reason: route.skip }, now);
    return "skipped";
  }
  const text = noticeText(n.kind, n.patient.locale, facts);
  const job: OutboundJob = { id: noticeJobId(n.id), channel: route.channel, chatId: route.chatId, message: { text } };
  if (route.channel === "whatsapp" && (await whatsappNeedsTemplate(deps.db, route.chatId, now)))
    job.template = noticeTemplate(deps.whatsappTemplates.notice, n.patient.locale, text);
  await deps.outbox.send([job]);
  await deps.afterQueued?.(job.id);
  await finishNotice(deps.db, n.id, { status: "sent", medium: route.channel }, deps.now());
  return "sent";
}

async function byEmail(
  deps: FollowUpDeps,
  n: ClaimedNotice,
  facts: AppointmentFacts,
  now: Date,
): Promise<NoticeOutcome> {
  if (!deps.mailer || !n.patient.email) {
    await finishNotice(deps.db, n.id, { status: "skipped", reason: deps.mailer ? "no email" : "no SMTP" }, now);
    return "skipped";
  }
  const locale = n.patient.locale;
  const { subject, text } = noticeEmail(n.kind, locale, { ...facts, clinicName: n.clinic.name });
  const ics = appointmentIcs({
    appointmentId: n.appointment.id,
    sequence: n.appointment.revision,
    cancelled: n.kind === "cancelled" || n.kind === "declined",
    start: n.appointment.startsAt,
    end: n.appointment.endsAt,
    title: calendarTitle(locale, n.appointment.doctorName),
    location: `${n.clinic.name}, ${n.clinic.address}`,
    description: `${n.appointment.typeName[locale]} — ${n.clinic.phone}`,
    organizer: { name: n.clinic.name, email: deps.mailer.from.email },
    stamp: now,
  });
  await deps.mailer.send({
    to: n.patient.email,
    subject,
    text,
    messageId: `<notice-${n.id}@tabib>`,
    ics,
  });
  await finishNotice(deps.db, n.id, { status: "sent", medium: "email" }, deps.now());
  return "sent";
}
