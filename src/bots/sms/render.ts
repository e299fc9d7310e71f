import type { OutboundMessage } from "../../flows/messages.js";
import { plainPunctuation } from "./segments.js";

/**
 * A reply as one SMS body: choices become numbered lines in the order the engine gave them,
 * and the engine reads a bare "1", "2"… as that choice. Nothing is truncated; Twilio splits a
 * long body into segments and the phone shows it as one message.
 */
export function renderSms(message: OutboundMessage): string {
  const lines = [message.text];
  message.choices?.forEach((c, i) => lines.push(`${i + 1}. ${c.label}`));
  return plainPunctuation(lines.join("\n"));
}
