import express, { type Request, type Response } from "express";
import type { Logger } from "pino";
import type { Database } from "../../data/db.js";
import { linkSenderPhoneOnce, type PhoneLinkOutcome } from "../../domain/identities.js";
import type { InboundMessage } from "../../domain/channels.js";
import type { ChatEngine } from "../chat-engine.js";
import { DeliveryUnavailable, outboundJobs, type Delivery } from "../delivery/outbound.js";
import { handleDoctorAction } from "../doctor-actions.js";
import { sameVerifyToken, validHubSignature } from "./signature.js";
import { recordProviderStatus } from "../delivery/status.js";
import { unsupportedMediaReply } from "../unsupported-media.js";
import { readWebhook, type CloudWebhookPayload, type ReadWebhook } from "./webhook.js";

/** The callback URL's path, as set in the Meta app's WhatsApp webhook configuration. */
export const WHATSAPP_WEBHOOK_PATH = "/webhooks/whatsapp";

export interface WhatsappCloudChannelOptions {
  /** WHATSAPP_APP_SECRET: Meta signs each webhook body with it. */
  appSecret: string;
  /** WHATSAPP_VERIFY_TOKEN: the token typed into the Meta app when subscribing the webhook. */
  verifyToken: string;
  /** WHATSAPP_PHONE_NUMBER_ID: messages to other numbers of the business account are ignored. */
  phoneNumberId: string;
  /** The dialogue engine; must answer a redelivered message with the replies it gave first (see ChatEngine). */
  engine: ChatEngine;
  delivery: Delivery;
  db: Database;
  clinicId: string;
  logger: Logger;
  now: () => Date;
}

/** A request whose raw bytes an upstream JSON parser kept (`express.json({ verify })`). */
type RawBodyRequest = Request & { rawBody?: Buffer };

/**
 * The WhatsApp Cloud API channel. `handlePayload` resolves once the replies are queued (or sent)
 * and rejects when they could not be, so the webhook answers 5xx and Meta delivers the same
 * payload again later; messages already handled are then answered from their stored replies.
 */
export function whatsappCloudChannel(opts: WhatsappCloudChannelOptions) {
  async function handlePayload(payload: CloudWebhookPayload): Promise<void> {
    const read = readWebhook(payload, opts.phoneNumberId, opts.now());
    for (const s of read.statuses) await recordStatus(s);
    for (const media of read.unsupported) {
      opts.logger.debug({ channel: "whatsapp", type: media.type }, "whatsapp message the chat cannot read");
      const reply = await unsupportedMediaReply(opts.db, { clinicId: opts.clinicId, channel: "whatsapp", ...media });
      await opts.delivery.deliver(outboundJobs("whatsapp", media.senderId, media.providerMessageId, [reply]));
    }
    // In order: one payload may carry several messages of one patient.
    for (const inbound of read.messages) await handleMessage(inbound);
  }

  // Meta's receipts for what we sent: "sent" we already know; "delivered", "read" and "failed" are stored.
  async function recordStatus(s: ReadWebhook["statuses"][number]): Promise<void> {
    const status = s.status === "delivered" || s.status === "read" || s.status === "failed" ? s.status : null;
    if (!status) return;
    const matched = await recordProviderStatus(opts.db, {
      channel: "whatsapp",
      providerMessageId: s.providerMessageId,
      status,
      error:
        status === "failed" ? `whatsapp failed${s.errorCode !== undefined ? ` (code ${s.errorCode})` : ""}` : undefined,
    });
    // The recipient stays out of the logs: the wamid is enough to find the row.
    if (!matched)
      opts.logger.debug({ channel: "whatsapp", wamid: s.providerMessageId, status }, "whatsapp status not applied");
  }

  async function handleMessage(inbound: InboundMessage): Promise<void> {
    // Doctors' buttons (alerts, requests) are theirs, not the patient dialogue's.
    const doctor = inbound.payload
      ? await handleDoctorAction(
          { db: opts.db, now: opts.now, channels: { telegram: false, whatsapp: true } },
          { channel: "whatsapp", senderId: inbound.senderId, payload: inbound.payload },
        )
      : null;
    if (doctor) {
      const [answer] = outboundJobs("whatsapp", inbound.senderId, inbound.providerMessageId, [doctor.reply]);
      await opts.delivery.deliver([answer!, ...doctor.others.filter((job) => job.channel === "whatsapp")]);
      return;
    }
    const linked = await linkOnce(inbound.senderId);
    const replies = await opts.engine(inbound);
    // A first booking creates the patient during the turn, without a phone: give the record the
    // number WhatsApp verified, by which Telegram's shared contact and SMS find the same patient.
    if (linked === "no_patient") await linkOnce(inbound.senderId);
    await opts.delivery.deliver(outboundJobs("whatsapp", inbound.senderId, inbound.providerMessageId, replies));
  }

  // A WhatsApp id is the phone number WhatsApp verified: the first message links it to the patient with that phone.
  async function linkOnce(phone: string): Promise<PhoneLinkOutcome | null> {
    const outcome = await linkSenderPhoneOnce(opts.db, { clinicId: opts.clinicId, channel: "whatsapp", phone });
    if (outcome === "linked" || outcome === "conflict")
      opts.logger.info({ channel: "whatsapp", outcome }, "whatsapp number matched a patient record");
    return outcome;
  }

  const router = express.Router();

  // Meta's subscription handshake.
  router.get(WHATSAPP_WEBHOOK_PATH, (req: Request, res: Response) => {
    const q = req.query;
    const challenge = q["hub.challenge"];
    if (
      q["hub.mode"] !== "subscribe" ||
      !sameVerifyToken(q["hub.verify_token"], opts.verifyToken) ||
      typeof challenge !== "string"
    ) {
      res.status(403).type("text/plain").send("Forbidden");
      return;
    }
    res.status(200).type("text/plain").send(challenge);
  });

  router.post(
    WHATSAPP_WEBHOOK_PATH,
    // Keeps the exact bytes for the signature; does nothing if an earlier parser already read the body.
    express.raw({ type: "application/json", limit: "1mb" }),
    async (req: RawBodyRequest, res: Response) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : req.rawBody;
      if (!raw) {
        const parsedEarlier = typeof req.body === "object" && req.body !== null && Object.keys(req.body).length > 0;
        if (parsedEarlier) {
          // Misconfiguration, not an attack: an app-wide JSON parser consumed the bytes without keeping them.
          opts.logger.error("whatsapp webhook body was parsed before the router and its raw bytes were not kept");
          res.status(500).json({ error: "raw_body_unavailable" });
          return;
        }
      }
      if (!validHubSignature(raw ?? Buffer.alloc(0), req.get("x-hub-signature-256"), opts.appSecret)) {
        res.status(401).json({ error: "unauthorized", message: "Missing or wrong X-Hub-Signature-256" });
        return;
      }
      let payload: CloudWebhookPayload;
      try {
        payload = JSON.parse(raw!.toString("utf8")) as CloudWebhookPayload;
      } catch {
        // Signed but unreadable: redelivering it would not help.
        res.status(200).json({});
        return;
      }
      try {
        await handlePayload(payload);
        res.status(200).json({});
      } catch (err) {
        const unavailable = err instanceof DeliveryUnavailable;
        opts.logger[unavailable ? "warn" : "error"](
          { channel: "whatsapp", reason: (err as Error).message },
          "whatsapp webhook not handled; Meta will redeliver it",
        );
        res.status(unavailable ? 503 : 500).json({});
      }
    },
  );
  return { router, handlePayload };
}
