import type { OutboundJob, TemplateRef } from "../bots/delivery/outbound.js";
import type { Database } from "../data/db.js";
import type { PatientContact } from "../domain/reminders.js";
import { SKIP } from "../domain/reminders.js";
import { isOptedOut } from "../domain/sms-consent.js";
import type { ChatChannel } from "../domain/channels.js";
import { needsTemplate } from "../bots/whatsapp-cloud/window.js";

/** Where one message to a patient goes: a channel and the patient's address there. */
export type ChatRoute = { channel: ChatChannel; chatId: string } | { skip: string };

const PUSHABLE: ReadonlySet<string> = new Set(["telegram", "whatsapp", "sms"]);

/**
 * The patient's preferred channel (or, without one, the channel they last used), with SMS as
 * the fallback; only channels this service can send on. An SMS to a number that texted STOP
 * is never sent (skip reason "opted_out" when that was the only way).
 */
export async function chatRoute(
  db: Database,
  patient: PatientContact,
  channels: ReadonlySet<ChatChannel>,
): Promise<ChatRoute> {
  const first = patient.preferredChannel ?? patient.identities.find((i) => PUSHABLE.has(i.channel))?.channel;
  const order = [...new Set([first, "sms"].filter((c): c is string => !!c && PUSHABLE.has(c)))] as ChatChannel[];
  let optedOut = false;
  for (const channel of order) {
    if (!channels.has(channel)) continue;
    const identity = patient.identities.find((i) => i.channel === channel)?.externalId;
    const chatId = identity ?? (channel === "telegram" ? undefined : (patient.phone ?? undefined));
    if (!chatId) continue;
    if (channel === "sms" && (await isOptedOut(db, chatId))) {
      optedOut = true;
      continue;
    }
    return { channel, chatId };
  }
  return { skip: optedOut ? SKIP.optedOut : SKIP.unreachable };
}

/** Whether a business-initiated WhatsApp message to `chatId` must be a template (24-hour window closed). */
export async function whatsappNeedsTemplate(db: Database, chatId: string, now: Date): Promise<boolean> {
  const [row] = await db.sql.query<{ last: Date | string | null }>(
    `SELECT max(m.processed_at) AS last FROM conversation c JOIN processed_message m ON m.conversation_id = c.id
      WHERE c.channel = 'whatsapp' AND c.sender_id IN ($1, $2)`,
    // WhatsApp names senders by digits; a number typed by staff (a doctor's) may carry its "+".
    [chatId, chatId.replace(/^\+/, "")],
  );
  return needsTemplate(row?.last ? new Date(row.last) : null, now);
}

/** Meta refuses template values with line breaks, tabs or more than four spaces in a row (error 132018). */
const MAX_TEMPLATE_VALUE = 1000;
export function templateValue(text: string): string {
  const lines = text
    .split(/\s*\n\s*/)
    .map((line) => line.replace(/^[•*-]\s+/, ""))
    .filter((line) => line !== "");
  // A heading ending in ":" runs into its first line; the other lines are set apart by " · ".
  const flat = lines
    .reduce((out, line) => (out === "" ? line : `${out}${out.endsWith(":") ? " " : " · "}${line}`), "")
    .replace(/[\t ]{2,}/g, " ");
  return flat.length > MAX_TEMPLATE_VALUE ? `${flat.slice(0, MAX_TEMPLATE_VALUE - 1)}…` : flat;
}

/** The approved notice template (WHATSAPP_NOTICE_TEMPLATE) carrying a message's text as its {{1}}. */
export function noticeTemplate(name: string, languageCode: string, text: string): TemplateRef {
  return { name, languageCode, bodyParameters: [templateValue(text)] };
}

/**
 * A business-initiated job as WhatsApp lets it go: inside the 24-hour window as it is, outside
 * it as the notice template with the message's text. Its buttons cannot ride along: a patient
 * answers an offer in words ("oui"), a doctor acknowledges from the console or Telegram until
 * their own reply opens the window. Jobs on other channels are left as they are.
 */
export async function fitWhatsappWindow(
  db: Database,
  job: OutboundJob,
  t: { noticeTemplate: string; locale: string; now: Date },
): Promise<OutboundJob> {
  if (job.channel !== "whatsapp" || !(await whatsappNeedsTemplate(db, job.chatId, t.now))) return job;
  return { ...job, template: noticeTemplate(t.noticeTemplate, t.locale, job.message.text) };
}
