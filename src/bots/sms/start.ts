import { clinicEngine } from "../chat-engine.js";
import { deliveryFor } from "../delivery/for-channel.js";
import type { Router } from "express";
import type { AppContext } from "../../context.js";
import type { PacingLimits } from "../delivery/pacing.js";
import type { Sender } from "../delivery/outbound.js";
import { smsChannel, TWILIO_SMS_PATH, TWILIO_STATUS_PATH } from "./channel.js";
import { smsSender, twilioClient } from "./send.js";

/** Twilio's settings (TWILIO_* environment variables). */
export interface SmsSettings {
  accountSid: string;
  authToken: string;
  /** E.164 number, or a Messaging Service SID "MG…". */
  fromNumber: string;
  /** PUBLIC_URL: required, Twilio's signatures cover the public URL. */
  publicUrl: string;
  apiBase?: string;
}

/** A long code sends about 1 SMS/s (Twilio queues the excess); a patient gets a reply's parts in order. */
export const TWILIO_LIMITS: PacingLimits = {
  sender: { intervalMs: 1000, burst: 5 },
  chat: { intervalMs: 1000, burst: 3 },
};

/** Builds the SMS channel's sender (for the worker, and for reminders). */
export function buildSmsSender(ctx: Pick<AppContext, "db" | "logger">, s: SmsSettings) {
  const client = twilioClient({ accountSid: s.accountSid, authToken: s.authToken, apiBase: s.apiBase });
  return smsSender({
    client,
    from: s.fromNumber,
    statusCallback: `${s.publicUrl.replace(/\/$/, "")}${TWILIO_STATUS_PATH}`,
    db: ctx.db,
    logger: ctx.logger,
  });
}

/**
 * Starts the SMS channel: the webhook router, replies through the Redis queue when REDIS_URL
 * is set, else sent in-process. With Redis, `senders` must join the one delivery worker that
 * serves every channel: a worker lacking a channel's sender would take that channel's jobs
 * and fail them.
 */
export function startSms(
  ctx: AppContext,
  clinicId: string,
  s: SmsSettings,
): { router: Router; senders: { sms: Sender }; close(): Promise<void> } {
  const { logger, db } = ctx;
  const senders = { sms: buildSmsSender(ctx, s) };
  const delivery = deliveryFor(ctx, senders, TWILIO_LIMITS);
  const engine = clinicEngine(ctx, clinicId);
  const { router } = smsChannel({
    authToken: s.authToken,
    publicUrl: s.publicUrl,
    engine,
    delivery,
    db,
    clinicId,
    logger,
    now: ctx.now,
  });
  logger.info({ path: TWILIO_SMS_PATH }, "sms webhook served; set it as the number's incoming-message URL in Twilio");
  return {
    router,
    senders,
    async close() {
      await delivery.close();
    },
  };
}
