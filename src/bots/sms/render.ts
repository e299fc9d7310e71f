import type { OutboundMessage } from "../../domain/channels.js";
import { numberedText } from "../numbered.js";
import { plainPunctuation } from "./segments.js";

/**
 * A reply as one SMS body: choices as numbered lines (see numberedText), typographic punctuation
 * made plain so a message stays in GSM-7. Nothing is truncated; Twilio splits a long body into
 * segments and the phone shows it as one message.
 */
export function renderSms(message: OutboundMessage): string {
  return plainPunctuation(numberedText(message));
}
