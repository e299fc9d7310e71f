import { clinicEngine } from "../chat-engine.js";
import { deliveryFor } from "../delivery/for-channel.js";
import type { Router } from "express";
import type { AppContext } from "../../context.js";
import type { Sender } from "../delivery/outbound.js";
import { whatsappCloudChannel, WHATSAPP_WEBHOOK_PATH } from "./channel.js";
import { WHATSAPP_CLOUD_LIMITS, whatsappCloudSender, type GraphClientOptions } from "./send.js";

/** The Cloud API's settings (WHATSAPP_* environment variables). */
export interface WhatsappCloudSettings extends GraphClientOptions {
  appSecret: string;
  verifyToken: string;
}

/** Builds the WhatsApp channel's sender (for the delivery worker). */
export function buildWhatsappCloudSender(s: WhatsappCloudSettings): Sender {
  return whatsappCloudSender(s);
}

/**
 * Starts the WhatsApp Cloud API channel: the webhook router, replies through the Redis queue
 * when REDIS_URL is set, else sent in-process. With Redis, `senders` must join the one delivery
 * worker that serves every channel.
 */
export function startWhatsappCloud(
  ctx: AppContext,
  clinicId: string,
  s: WhatsappCloudSettings,
): { router: Router; senders: { whatsapp: Sender }; close(): Promise<void> } {
  const { logger, db } = ctx;
  const senders = { whatsapp: buildWhatsappCloudSender(s) };
  const delivery = deliveryFor(ctx, senders, WHATSAPP_CLOUD_LIMITS);
  const engine = clinicEngine(ctx, clinicId);
  const { router } = whatsappCloudChannel({
    appSecret: s.appSecret,
    verifyToken: s.verifyToken,
    phoneNumberId: s.phoneNumberId,
    engine,
    delivery,
    db,
    clinicId,
    logger,
    now: ctx.now,
  });
  logger.info({ path: WHATSAPP_WEBHOOK_PATH }, "whatsapp webhook served; set it as the callback URL in the Meta app");
  return {
    router,
    senders,
    async close() {
      await delivery.close();
    },
  };
}
