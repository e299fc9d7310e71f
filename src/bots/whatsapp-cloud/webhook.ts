import { toE164 } from "../../domain/identities.js";
import type { InboundMessage } from "../../domain/channels.js";

/** The parts of a Cloud API webhook payload the channel reads (`object: "whatsapp_business_account"`). */
export interface CloudWebhookPayload {
  object?: string;
  entry?: {
    id?: string;
    changes?: {
      field?: string;
      value?: CloudChangeValue;
    }[];
  }[];
}

interface CloudChangeValue {
  messaging_product?: string;
  metadata?: { display_phone_number?: string; phone_number_id?: string };
  messages?: CloudInboundMessage[];
  statuses?: CloudStatus[];
}

/** One incoming message as the Cloud API posts it. */
export interface CloudInboundMessage {
  /** The sender's WhatsApp id: their phone number, digits only. */
  from: string;
  /** "wamid.…": stable across Meta's redeliveries. */
  id: string;
  timestamp?: string;
  type: string;
  text?: { body?: string };
  interactive?: {
    type?: string;
    button_reply?: { id?: string; title?: string };
    list_reply?: { id?: string; title?: string; description?: string };
  };
  /** A template's quick-reply button. */
  button?: { payload?: string; text?: string };
}

/** A delivery receipt for a message we sent. */
export interface CloudStatus {
  id: string;
  status: "sent" | "delivered" | "read" | "failed" | string;
  timestamp?: string;
  recipient_id?: string;
  errors?: { code?: number; title?: string }[];
}

/** What one webhook payload carries for us. */
export interface ReadWebhook {
  messages: InboundMessage[];
  statuses: { providerMessageId: string; status: string; errorCode?: number }[];
  /** Messages of a kind the dialogue cannot read (images, voice notes, locations…), to be told so. */
  unsupported: { senderId: string; providerMessageId: string; type: string }[];
}

// Kinds a patient sends expecting an answer; reactions and system notices get none.
const ANSWERED_MEDIA = new Set([
  "image",
  "audio",
  "video",
  "document",
  "sticker",
  "location",
  "contacts",
  "unsupported",
]);

/**
 * Reads a webhook payload. Changes addressed to another phone number of the same business
 * account are skipped: replying to them from ours would reach the patient from a stranger.
 */
export function readWebhook(payload: CloudWebhookPayload, phoneNumberId: string, receivedAt: Date): ReadWebhook {
  const out: ReadWebhook = { messages: [], statuses: [], unsupported: [] };
  if (payload.object !== "whatsapp_business_account") return out;
  for (const entry of payload.entry ?? []) {
    for (const change of entry.changes ?? []) {
      const value = change.value;
      if (change.field !== "messages" || !value) continue;
      const target = value.metadata?.phone_number_id;
      if (target !== undefined && target !== phoneNumberId) continue;
      for (const m of value.messages ?? []) {
        const inbound = readMessage(m, receivedAt);
        if (inbound) out.messages.push(inbound);
        else if (ANSWERED_MEDIA.has(m?.type) && typeof m.id === "string" && typeof m.from === "string") {
          const senderId = toE164(m.from);
          if (senderId) out.unsupported.push({ senderId, providerMessageId: m.id, type: m.type });
        }
      }
      for (const s of value.statuses ?? []) {
        if (typeof s.id !== "string" || typeof s.status !== "string") continue;
        out.statuses.push({ providerMessageId: s.id, status: s.status, errorCode: s.errors?.[0]?.code });
      }
    }
  }
  return out;
}

function readMessage(m: CloudInboundMessage, receivedAt: Date): InboundMessage | null {
  if (typeof m?.id !== "string" || typeof m.from !== "string") return null;
  const senderId = toE164(m.from);
  if (!senderId) return null;
  const base = { channel: "whatsapp" as const, senderId, providerMessageId: m.id, receivedAt };
  switch (m.type) {
    case "text":
      return typeof m.text?.body === "string" ? { ...base, text: m.text.body } : null;
    case "interactive": {
      const id = m.interactive?.button_reply?.id ?? m.interactive?.list_reply?.id;
      return typeof id === "string" ? { ...base, payload: id } : null;
    }
    case "button":
      return typeof m.button?.payload === "string" ? { ...base, payload: m.button.payload } : null;
    default:
      return null;
  }
}
