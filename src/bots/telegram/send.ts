import { createHash } from "node:crypto";
import { Api, GrammyError, HttpError } from "grammy";
import type { InlineKeyboardButton, KeyboardButton } from "grammy/types";
import type { OutboundMessage } from "../../domain/channels.js";
import { DeliveryError, type Sender } from "../delivery/outbound.js";

/** Telegram's default Bot API server. */
export const TELEGRAM_API_ROOT = "https://api.telegram.org";

/** The grammY client for Bot API calls (TELEGRAM_API_ROOT points it at a local fake in tests). */
export function telegramApi(opts: { token: string; apiRoot?: string }): Api {
  return new Api(opts.token, { apiRoot: opts.apiRoot ?? TELEGRAM_API_ROOT, timeoutSeconds: 30 });
}

const CALLBACK_DATA_MAX_BYTES = 64;
const TEXT_MAX = 4096;
const SHORT_LABEL = 14;

/**
 * A choice id as callback data. Telegram caps callback_data at 64 bytes: longer ids travel as a
 * hash, resolved against the choices the chat was recently offered (see resolveCallbackData).
 */
export function callbackDataFor(choiceId: string): string {
  if (Buffer.byteLength(choiceId, "utf8") <= CALLBACK_DATA_MAX_BYTES && !choiceId.startsWith("h.")) return choiceId;
  return `h.${createHash("sha256").update(choiceId).digest("base64url").slice(0, 43)}`;
}

/** Choices as an inline keyboard: short labels two to a row, long ones (dates, names) one per row. */
export function inlineKeyboard(choices: NonNullable<OutboundMessage["choices"]>): InlineKeyboardButton[][] {
  const rows: InlineKeyboardButton[][] = [];
  for (const c of choices) {
    const button = { text: c.label, callback_data: callbackDataFor(c.id) };
    const last = rows.at(-1);
    if (c.label.length <= SHORT_LABEL && last?.length === 1 && last[0]!.text.length <= SHORT_LABEL) last.push(button);
    else rows.push([button]);
  }
  return rows;
}

/** A keyboard whose one button shares the user's own verified phone number. */
export function shareContactKeyboard(label: string): KeyboardButton[][] {
  return [[{ text: label, request_contact: true }]];
}

/** Sends outbound jobs with grammY, classifying failures for the retry policy. */
export function telegramSender(api: Api): Sender {
  return async (job) => {
    const text = job.message.text.length > TEXT_MAX ? `${job.message.text.slice(0, TEXT_MAX - 1)}…` : job.message.text;
    const reply_markup = job.requestContact
      ? {
          keyboard: shareContactKeyboard(job.requestContact.buttonLabel),
          one_time_keyboard: true,
          resize_keyboard: true,
        }
      : job.message.choices?.length
        ? { inline_keyboard: inlineKeyboard(job.message.choices) }
        : undefined;
    try {
      const sent = await api.sendMessage(job.chatId, text, reply_markup ? { reply_markup } : {});
      // Message ids are per chat in Telegram.
      return { providerMessageId: `${job.chatId}:${sent.message_id}` };
    } catch (err) {
      throw classify(err);
    }
  };
}

function classify(err: unknown): DeliveryError {
  if (err instanceof GrammyError) {
    const reason = `telegram ${err.error_code}: ${err.description}`;
    if (err.error_code === 429) {
      return DeliveryError.rateLimited(reason, (err.parameters.retry_after ?? 1) * 1000);
    }
    // 400 (bad request) and 403 (bot blocked, chat gone) will fail the same way every time.
    if (err.error_code === 400 || err.error_code === 403) return new DeliveryError(reason, "permanent");
    return new DeliveryError(reason, "retry");
  }
  if (err instanceof HttpError) return new DeliveryError(`telegram unreachable: ${err.message}`, "retry");
  return new DeliveryError(err instanceof Error ? err.message : String(err), "retry");
}
