import { toE164 } from "../../domain/identities.js";
import { DeliveryError, type Sender } from "../delivery/outbound.js";
import type { PacingLimits } from "../delivery/pacing.js";
import { numberedText } from "../numbered.js";
import type { WhatsappWebSession } from "./session.js";

/**
 * Gentler than the Cloud API's: an account sending like a machine is what WhatsApp bans. About
 * one message a second from the clinic's number, short bursts of a reply's parts to one patient.
 */
export const WHATSAPP_WEB_LIMITS: PacingLimits = {
  sender: { intervalMs: 1000, burst: 5 },
  chat: { intervalMs: 1000, burst: 3 },
};

/**
 * A WhatsApp Web chat id as a sender id: "33612345678@c.us" is a phone number, kept in E.164 like
 * the Cloud API's senders (so one patient is one conversation whichever transport the clinic
 * uses); "…@lid" (WhatsApp's privacy ids, no phone number) is kept whole. Groups, status
 * broadcasts and channels are not patients: null.
 */
export function senderIdOf(from: string): string | null {
  const at = from.lastIndexOf("@");
  const user = from.slice(0, at);
  switch (from.slice(at + 1)) {
    case "c.us":
      return toE164(user);
    case "lid":
      return /^\d+$/.test(user) ? from : null;
    default:
      return null;
  }
}

/** The chat id to send to for a sender id (E.164 or a "…@lid" id), or null. */
export function chatIdOf(senderId: string): string | null {
  if (senderId.endsWith("@lid")) return senderId;
  const phone = toE164(senderId);
  return phone ? `${phone.slice(1)}@c.us` : null;
}

// What the page says when the address cannot be a WhatsApp user; retrying will not change it.
const PERMANENT = /invalid wid|wid error|not a whatsapp user|no lid for user/i;

/** Sends jobs through this process's WhatsApp Web session, choices as numbered lines. */
export function whatsappWebSender(session: WhatsappWebSession | undefined): Sender {
  return async (job) => {
    const client = session?.client;
    if (!session || !client || session.state.status !== "ready") {
      // Another process, or a session waiting for its QR scan: the job waits (queue) or is shelved.
      throw new DeliveryError(`whatsapp web session is ${session?.state.status ?? "not in this process"}`, "retry");
    }
    const chatId = chatIdOf(job.chatId);
    if (!chatId) throw new DeliveryError("not a WhatsApp address", "permanent");
    try {
      const sent = await client.sendMessage(chatId, numberedText(job.message));
      return { providerMessageId: sent.id._serialized };
    } catch (err) {
      const reason = `whatsapp web: ${err instanceof Error ? err.message : String(err)}`;
      throw new DeliveryError(reason, PERMANENT.test(reason) ? "permanent" : "retry");
    }
  };
}
