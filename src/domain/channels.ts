/*
 * The chat vocabulary every floor shares: the channels patients write on, and a message as a
 * channel adapter hands it over and gets its replies back. The domain stores and replays these
 * (conversations, identities); the dialogue engine reads and answers them; adapters translate
 * them to and from each provider's format.
 */

/** Channels the dialogue engine talks on (the rest of the Channel enum is staff-side). */
export type ChatChannel = "telegram" | "whatsapp" | "sms" | "web";

/** The languages the chat speaks with patients. */
export type ChatLocale = "fr" | "en";

/** A patient's message as a channel adapter hands it over. */
export interface InboundMessage {
  channel: ChatChannel;
  /** The sender's address on the channel: Telegram chat id, phone number, web session id. */
  senderId: string;
  text?: string;
  /** The id of a tapped choice (see OutboundMessage.choices). */
  payload?: string;
  /** Unique per channel; a redelivery carries the same id and is answered once. */
  providerMessageId: string;
  receivedAt: Date;
}

/** One reply; each channel renders choices its own way (buttons, lists, numbered lines for SMS). */
export interface OutboundMessage {
  text: string;
  choices?: { id: string; label: string }[];
}
