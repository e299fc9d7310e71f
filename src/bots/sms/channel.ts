import express, { type NextFunction, type Request, type Response } from "express";
import twilio from "twilio";
import type { Logger } from "pino";
import type { Database } from "../../data/db.js";
import { toE164 } from "../../domain/identities.js";
import { checkSmsSender, type SmsSenderCheck } from "../../domain/sms-identity.js";
import { isOptedOut, optInToSms, optOutOfSms, readSmsKeyword, type SmsKeyword } from "../../domain/sms-consent.js";
import type { ChatEngine } from "../chat-engine.js";
import { DeliveryUnavailable, outboundJobs, type Delivery, type OutboundJob } from "../delivery/outbound.js";
import { recordProviderStatus } from "../delivery/status.js";
import { unsupportedMediaReply } from "../unsupported-media.js";
import { smsCopy } from "./copy.js";
import { renderSms } from "./render.js";
import { KEYWORD_REPLY_SUFFIX, recordSmsStatus } from "./send.js";

/** Where Twilio posts incoming SMS (the number's "A message comes in" webhook). */
export const TWILIO_SMS_PATH = "/webhooks/twilio/sms";
/** Where Twilio posts delivery statuses of the SMS we send. */
export const TWILIO_STATUS_PATH = "/webhooks/twilio/status";

export interface SmsChannelOptions {
  /** TWILIO_AUTH_TOKEN: Twilio signs every webhook with it. */
  authToken: string;
  /** PUBLIC_URL: the signature covers the exact URL Twilio called, which the proxy in front hides from us. */
  publicUrl: string;
  /** The dialogue engine; must answer a redelivered message with the replies it gave first (see ChatEngine). */
  engine: ChatEngine;
  delivery: Delivery;
  db: Database;
  clinicId: string;
  logger: Logger;
  now: () => Date;
}

// Twilio's final statuses as the cross-channel `message_delivery` states (sms_delivery keeps Twilio's own).
const TWILIO_RECEIPTS = new Map<string, "delivered" | "read" | "failed">([
  ["delivered", "delivered"],
  ["read", "read"],
  ["undelivered", "failed"],
  ["failed", "failed"],
]);

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * The SMS channel over Twilio. Replies go through the Delivery like every channel's, so retries
 * and redelivered webhooks are handled the same way — except while the queue is unreachable
 * (Redis down): Twilio does not retry a webhook that failed, so those replies travel as TwiML
 * in the webhook's answer instead of being lost. STOP / START / HELP (and ARRÊT, AIDE…) are
 * answered here; an opted-out number's other messages are ignored.
 */
/** Replies as TwiML `<Message>`s, which Twilio sends to the number that wrote, in order. */
function twimlReplies(jobs: OutboundJob[]): string {
  const response = new twilio.twiml.MessagingResponse();
  for (const job of jobs) response.message(renderSms(job.message));
  return response.toString();
}

export function smsChannel(opts: SmsChannelOptions) {
  const publicUrl = opts.publicUrl.replace(/\/$/, "");

  /** Queues replies; those the queue could not take are added to `carried`, for the webhook's answer. */
  async function deliver(jobs: OutboundJob[], carried: OutboundJob[]): Promise<void> {
    try {
      await opts.delivery.deliver(jobs);
    } catch (err) {
      if (!(err instanceof DeliveryUnavailable)) throw err;
      carried.push(...jobs);
    }
  }

  async function handleSms(params: Record<string, string>, carried: OutboundJob[]): Promise<void> {
    const phone = toE164(params.From ?? "");
    const sid = params.MessageSid ?? params.SmsSid;
    if (!phone || !sid) return;
    const text = params.Body ?? "";
    const keyword = readSmsKeyword(text);
    if (keyword) return answerKeyword(keyword, phone, sid, carried);
    if (await isOptedOut(opts.db, phone)) {
      opts.logger.info({ channel: "sms" }, "message from an opted-out number ignored until START");
      return;
    }
    if (!text.trim() && Number(params.NumMedia ?? 0) > 0) {
      // An MMS with only a picture or a recording: say what the chat can read.
      const reply = await unsupportedMediaReply(opts.db, { clinicId: opts.clinicId, channel: "sms", senderId: phone });
      await deliver(outboundJobs("sms", phone, sid, [reply]), carried);
      return;
    }
    const check = await checkSmsSender(opts.db, { clinicId: opts.clinicId, phone, text, now: opts.now() });
    if (check.kind !== "verified" && check.kind !== "unknown")
      opts.logger.info({ channel: "sms", identity: check.kind }, "sms sender identity check");
    const notice = identityNotice(check);
    // Its own job id, so the dialogue's replies keep theirs whether or not a notice went first.
    if (notice) await deliver(outboundJobs("sms", phone, `${sid}-identity`, [{ text: notice }]), carried);
    // A birth date given to prove the number goes to the dialogue only if it was asking for one.
    const answeredProof = check.kind === "confirmed" || check.kind === "refused" || check.kind === "conflict";
    if (answeredProof && !(await conversationActive(opts.db, phone))) return;
    const replies = await opts.engine({
      channel: "sms",
      senderId: phone,
      text,
      providerMessageId: sid,
      receivedAt: opts.now(),
    });
    await deliver(outboundJobs("sms", phone, sid, replies), carried);
  }

  async function answerKeyword(keyword: SmsKeyword, phone: string, sid: string, carried: OutboundJob[]): Promise<void> {
    const clinic = await clinicContact(opts.db, opts.clinicId);
    const copy = smsCopy[keyword.locale];
    let text: string;
    if (keyword.kind === "stop") {
      await optOutOfSms(opts.db, phone, opts.now());
      text = copy.stop(clinic.name);
    } else if (keyword.kind === "start") {
      await optInToSms(opts.db, phone, opts.now());
      text = copy.start(clinic.name);
    } else {
      text = copy.help(clinic.name, clinic.phone, clinic.national_emergency_number);
    }
    opts.logger.info({ channel: "sms", keyword: keyword.kind }, "sms keyword handled");
    const [job] = outboundJobs("sms", phone, sid, [{ text }]);
    // START's reply is an ordinary one; STOP's and HELP's must reach an opted-out number.
    await deliver([keyword.kind === "start" ? job! : { ...job!, id: job!.id + KEYWORD_REPLY_SUFFIX }], carried);
  }

  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: "64kb" });
  router.post(
    TWILIO_SMS_PATH,
    form,
    verifySignature(opts.authToken, publicUrl),
    async (req: Request, res: Response) => {
      try {
        const carried: OutboundJob[] = [];
        await handleSms(req.body as Record<string, string>, carried);
        if (carried.length > 0)
          opts.logger.warn(
            { channel: "sms", replies: carried.length },
            "reply queue unreachable: replies sent as TwiML",
          );
        res
          .status(200)
          .type("text/xml")
          .send(carried.length > 0 ? twimlReplies(carried) : EMPTY_TWIML);
      } catch (err) {
        const unavailable = err instanceof DeliveryUnavailable;
        opts.logger[unavailable ? "warn" : "error"](
          { reason: (err as Error).message },
          "sms not handled; Twilio may retry it",
        );
        res
          .status(unavailable ? 503 : 500)
          .type("text/xml")
          .send(EMPTY_TWIML);
      }
    },
  );
  router.post(
    TWILIO_STATUS_PATH,
    form,
    verifySignature(opts.authToken, publicUrl),
    async (req: Request, res: Response) => {
      const p = req.body as Record<string, string>;
      const messageSid = p.MessageSid ?? p.SmsSid;
      const status = p.MessageStatus ?? p.SmsStatus;
      if (messageSid && status) {
        opts.logger.debug({ messageSid, status, errorCode: p.ErrorCode }, "sms status");
        const errorCode = p.ErrorCode && /^\d+$/.test(p.ErrorCode) ? Number(p.ErrorCode) : null;
        try {
          await recordSmsStatus(opts.db, { messageSid, status, errorCode });
          const receipt = TWILIO_RECEIPTS.get(status);
          if (receipt)
            await recordProviderStatus(opts.db, {
              channel: "sms",
              providerMessageId: messageSid,
              status: receipt,
              error: receipt === "failed" ? `twilio ${status}${errorCode ? ` (${errorCode})` : ""}` : undefined,
            });
        } catch (err) {
          opts.logger.warn({ reason: (err as Error).message }, "sms status not stored");
          res.status(500).end();
          return;
        }
      }
      res.status(204).end();
    },
  );
  return { router, handleSms };
}

/** What the channel says about the sender's identity check, if anything. */
function identityNotice(check: SmsSenderCheck): string | null {
  switch (check.kind) {
    case "challenge":
      return smsCopy[check.locale].identityChallenge;
    case "confirmed":
      return smsCopy[check.locale].identityConfirmed;
    case "refused":
      return smsCopy[check.locale][check.locked ? "identityLocked" : "identityRefused"];
    case "conflict":
      return smsCopy[check.locale].identityConflict;
    default:
      return null;
  }
}

/** Whether the sender's conversation is in the middle of a flow (e.g. asking a new patient's birth date). */
async function conversationActive(db: Database, phone: string): Promise<boolean> {
  const [row] = await db.sql.query<{ status: string }>(
    `SELECT status FROM conversation WHERE channel = 'sms' AND sender_id = $1`,
    [phone],
  );
  return row?.status === "active";
}

/** Twilio signs the URL it called plus the sorted form fields; anything else is not Twilio. */
function verifySignature(authToken: string, publicUrl: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const signature = req.get("x-twilio-signature");
    const params = (typeof req.body === "object" && req.body !== null ? req.body : {}) as Record<string, string>;
    const url = publicUrl + req.originalUrl;
    if (!signature || !twilio.validateRequest(authToken, signature, url, params)) {
      res.status(403).type("text/plain").send("Invalid X-Twilio-Signature");
      return;
    }
    next();
  };
}

async function clinicContact(db: Database, clinicId: string) {
  const [row] = await db.sql.query<{ name: string; phone: string; national_emergency_number: string }>(
    `SELECT name, phone, national_emergency_number FROM clinic WHERE id = $1::uuid`,
    [clinicId],
  );
  if (!row) throw new Error("clinic not found");
  return row;
}
