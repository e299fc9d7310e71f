import type { Logger } from "pino";
import type { Database } from "../../data/db.js";
import { linkSenderPhoneOnce, type PhoneLinkOutcome } from "../../domain/identities.js";
import type { ChatEngine } from "../chat-engine.js";
import { outboundJobs, type Delivery } from "../delivery/outbound.js";
import { recordProviderStatus } from "../delivery/status.js";
import { unsupportedMediaReply } from "../unsupported-media.js";
import { senderIdOf } from "./send.js";
import type { WebMessage, WhatsappWebClient, WhatsappWebSession } from "./session.js";

export interface WhatsappWebChannelOptions {
  client: WhatsappWebClient;
  session: WhatsappWebSession;
  /** The dialogue engine; answers a message id it has seen with the replies it gave first. */
  engine: ChatEngine;
  delivery: Delivery;
  db: Database;
  clinicId: string;
  logger: Logger;
  now: () => Date;
}

// Kinds a patient sends expecting an answer; reactions, revocations and notifications get none.
const ANSWERED_MEDIA = new Set([
  "image",
  "album",
  "video",
  "audio",
  "ptt",
  "document",
  "sticker",
  "location",
  "vcard",
  "multi_vcard",
]);
// whatsapp-web.js's MessageAck: 2 = reached the phone, 3 = read, 4 = played (voice).
const ACK_DELIVERED = 2;
const ACK_READ = 3;

/**
 * The WhatsApp Web channel: the client's events drive the session state (QR, ready, disconnected)
 * and carry patients' messages through the engine. whatsapp-web.js emits events without waiting
 * for their handlers, so messages are queued per chat here (one patient's messages are handled in
 * order, one at a time), and an id already in hand is not handled twice.
 */
export function whatsappWebChannel(opts: WhatsappWebChannelOptions) {
  const { client, session, logger } = opts;
  const chats = new Map<string, Promise<void>>();
  const inHand = new Set<string>();

  client.on("qr", (qr) => session.update("qr", { qr }));
  client.on("authenticated", () => session.update("authenticated"));
  client.on("ready", () => {
    session.update("ready");
    logger.info({ channel: "whatsapp", transport: "web" }, "whatsapp web session ready");
  });
  client.on("auth_failure", (reason) => session.update("failed", { reason: String(reason) }));
  client.on("disconnected", (reason) => {
    session.update("disconnected", { reason: String(reason) });
    logger.warn({ channel: "whatsapp", transport: "web", reason: String(reason) }, "whatsapp web session disconnected");
  });
  client.on("message", (message) => {
    void receive(message);
  });
  client.on("message_ack", (message, ack) => {
    void acknowledge(message, ack);
  });

  /** Queues a message behind its chat's earlier ones; resolves when it has been handled. */
  function receive(message: WebMessage): Promise<void> {
    const id = message.id?._serialized;
    if (typeof id !== "string" || message.fromMe || message.isStatus || message.broadcast) return Promise.resolve();
    const senderId = senderIdOf(message.from);
    if (!senderId || inHand.has(id)) return Promise.resolve();
    inHand.add(id);
    const previous = chats.get(senderId) ?? Promise.resolve();
    const turn = previous
      .then(() => handle(message, id, senderId))
      .catch((err: Error) =>
        logger.error(
          { channel: "whatsapp", transport: "web", reason: err.message },
          "whatsapp web message not handled",
        ),
      )
      .finally(() => {
        inHand.delete(id);
        if (chats.get(senderId) === turn) chats.delete(senderId);
      });
    chats.set(senderId, turn);
    return turn;
  }

  async function handle(message: WebMessage, id: string, senderId: string): Promise<void> {
    if (message.type !== "chat") {
      if (!ANSWERED_MEDIA.has(message.type)) return;
      logger.debug({ channel: "whatsapp", type: message.type }, "whatsapp web message the chat cannot read");
      const reply = await unsupportedMediaReply(opts.db, { clinicId: opts.clinicId, channel: "whatsapp", senderId });
      await opts.delivery.deliver(outboundJobs("whatsapp", senderId, id, [reply]));
      return;
    }
    const linked = await linkOnce(senderId);
    const replies = await opts.engine({
      channel: "whatsapp",
      senderId,
      text: message.body,
      providerMessageId: id,
      receivedAt: opts.now(),
    });
    // A first booking creates the patient during the turn, without a phone: give the record the
    // number WhatsApp verified, by which Telegram's shared contact and SMS find the same patient.
    if (linked === "no_patient") await linkOnce(senderId);
    await opts.delivery.deliver(outboundJobs("whatsapp", senderId, id, replies));
  }

  // A "…@c.us" sender is the number WhatsApp verified by SMS when the account was made.
  async function linkOnce(senderId: string): Promise<PhoneLinkOutcome | null> {
    if (!senderId.startsWith("+")) return null;
    const outcome = await linkSenderPhoneOnce(opts.db, {
      clinicId: opts.clinicId,
      channel: "whatsapp",
      phone: senderId,
    });
    if (outcome === "linked" || outcome === "conflict")
      logger.info({ channel: "whatsapp", outcome }, "whatsapp number matched a patient record");
    return outcome;
  }

  async function acknowledge(message: WebMessage, ack: number): Promise<void> {
    const status = ack >= ACK_READ ? "read" : ack === ACK_DELIVERED ? "delivered" : null;
    const id = message.id?._serialized;
    if (!status || !message.fromMe || typeof id !== "string") return;
    await recordProviderStatus(opts.db, { channel: "whatsapp", providerMessageId: id, status }).catch((err: Error) =>
      logger.warn({ reason: err.message }, "whatsapp web receipt not stored"),
    );
  }

  /** Resolves once every message received so far has been handled. */
  async function idle(): Promise<void> {
    while (chats.size > 0) await Promise.all(chats.values());
  }

  return { receive, idle };
}
