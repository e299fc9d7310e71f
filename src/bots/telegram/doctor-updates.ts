import type { Api } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "pino";
import type { Database } from "../../data/db.js";
import type { DoctorChannels } from "../../domain/doctor-reach.js";
import type { Delivery } from "../delivery/outbound.js";
import { handleDoctorAction } from "../doctor-actions.js";
import { DOCTOR_ACTION } from "../doctor-messages.js";

/** A doctor's tap on a button of an alert or a request, as Telegram sends it. */
export interface DoctorCallback {
  callbackQueryId: string;
  chatId: string;
  data: string;
  /** The message whose buttons were tapped, to take them away once spent. */
  messageId?: number;
}

/** The callback query of an update when it carries a doctor action (`dr.…`) from a private chat; null otherwise. */
export function doctorCallback(update: Update): DoctorCallback | null {
  const query = update.callback_query;
  const chat = query?.message?.chat;
  if (!query || !chat || chat.type !== "private" || !query.data || !DOCTOR_ACTION.test(query.data)) return null;
  return { callbackQueryId: query.id, chatId: String(chat.id), data: query.data, messageId: query.message?.message_id };
}

export interface DoctorUpdateOptions {
  api: Api;
  delivery: Delivery;
  db: Database;
  now: () => Date;
  logger: Logger;
  /** Doctor channels the service sends on; colleagues on other channels are told through the care service's outbox. */
  channels?: DoctorChannels;
}

/**
 * Carries out a doctor's tap: the domain change, a toast on the button, the buttons removed
 * once spent, the answer in the chat, and a note to colleagues alerted about the same
 * emergency. A redelivered tap finds the change already made and says so.
 */
export async function handleDoctorCallback(opts: DoctorUpdateOptions, cb: DoctorCallback): Promise<void> {
  const result = await handleDoctorAction(
    { db: opts.db, now: opts.now, channels: opts.channels ?? { telegram: true, whatsapp: false } },
    { channel: "telegram", senderId: cb.chatId, payload: cb.data },
  );
  if (!result) return;
  await opts.api.answerCallbackQuery(cb.callbackQueryId, { text: result.toast }).catch((err: Error) => {
    opts.logger.debug({ reason: err.message }, "answerCallbackQuery failed");
  });
  if (result.done && cb.messageId !== undefined)
    await opts.api
      .editMessageReplyMarkup(cb.chatId, cb.messageId, { reply_markup: { inline_keyboard: [] } })
      .catch((err: Error) => opts.logger.debug({ reason: err.message }, "could not remove the buttons"));
  const safe = cb.callbackQueryId.replace(/[^A-Za-z0-9_-]/g, "_");
  await opts.delivery.deliver([
    { id: `telegram-q${safe}-0`, channel: "telegram", chatId: cb.chatId, message: result.reply },
    ...result.others.filter((job) => job.channel === "telegram"),
  ]);
}
