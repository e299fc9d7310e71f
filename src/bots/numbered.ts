import type { OutboundMessage } from "../domain/channels.js";

/**
 * A reply as plain text for channels without buttons (SMS, WhatsApp Web): choices become
 * numbered lines in the order the engine gave them, and the engine reads a bare "1", "2"… as
 * that choice.
 */
export function numberedText(message: OutboundMessage): string {
  const lines = [message.text];
  message.choices?.forEach((c, i) => lines.push(`${i + 1}. ${c.label}`));
  return lines.join("\n");
}
