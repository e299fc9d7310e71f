import type { Update } from "grammy/types";
import type { InboundMessage } from "../../domain/channels.js";

/** What one Telegram update asks of the adapter. */
export type TelegramAction =
  | { kind: "dialogue"; inbound: InboundMessage; callbackQueryId?: string; languageCode?: string }
  | { kind: "contact"; chatId: string; providerMessageId: string; phone: string; own: boolean; languageCode?: string }
  | { kind: "askPhone"; chatId: string; providerMessageId: string; languageCode?: string }
  /** A tap we cannot route (e.g. in a group): only the spinner is stopped. */
  | { kind: "answerOnly"; callbackQueryId: string }
  | { kind: "ignore" };

const PHONE_COMMAND = /^\/(phone|telephone|téléphone)(@\w+)?$/i;

/**
 * Reads an update. Provider message ids are stable across Telegram's redeliveries and unique
 * for ever: a chat's message id (`c<chat>_<message>`), or the callback query's own id.
 * Only private chats are patients; groups and channels are ignored.
 */
export function readUpdate(update: Update, receivedAt: Date): TelegramAction {
  const message = update.message;
  if (message) {
    if (message.chat.type !== "private") return { kind: "ignore" };
    const chatId = String(message.chat.id);
    const providerMessageId = `c${chatId}_${message.message_id}`;
    const languageCode = message.from?.language_code;
    if (message.contact) {
      return {
        kind: "contact",
        chatId,
        providerMessageId,
        phone: message.contact.phone_number,
        // Anyone can forward someone else's contact card; only one's own number proves anything.
        own: message.contact.user_id !== undefined && message.contact.user_id === message.from?.id,
        languageCode,
      };
    }
    if (typeof message.text !== "string") return { kind: "ignore" };
    if (PHONE_COMMAND.test(message.text.trim())) return { kind: "askPhone", chatId, providerMessageId, languageCode };
    return {
      kind: "dialogue",
      inbound: { channel: "telegram", senderId: chatId, text: message.text, providerMessageId, receivedAt },
      languageCode,
    };
  }
  const query = update.callback_query;
  if (query) {
    const chat = query.message?.chat;
    if (!chat || chat.type !== "private" || query.data === undefined)
      return { kind: "answerOnly", callbackQueryId: query.id };
    return {
      kind: "dialogue",
      inbound: {
        channel: "telegram",
        senderId: String(chat.id),
        payload: query.data,
        providerMessageId: `q${query.id}`,
        receivedAt,
      },
      callbackQueryId: query.id,
      languageCode: query.from.language_code,
    };
  }
  return { kind: "ignore" };
}
