import { clinicEngine } from "../chat-engine.js";
import { deliveryFor } from "../delivery/for-channel.js";
import { randomBytes } from "node:crypto";
import type { Router } from "express";
import type { AppContext } from "../../context.js";
import { TELEGRAM_LIMITS } from "../delivery/pacing.js";
import { telegramChannel, TELEGRAM_WEBHOOK_PATH } from "./channel.js";
import { setTelegramWebhook, startTelegramPolling } from "./polling.js";
import { telegramApi, telegramSender } from "./send.js";

export interface RunningChannel {
  router: Router;
  close(): Promise<void>;
}

/**
 * Starts the Telegram channel when TELEGRAM_BOT_TOKEN is set: webhook router (or long polling),
 * replies through the Redis queue when REDIS_URL is set (sent by the one delivery worker that
 * serves every channel, see channels.ts), else sent in-process. Null when not configured.
 */
export async function startTelegram(ctx: AppContext, clinicId: string): Promise<RunningChannel | null> {
  const { config, logger, db } = ctx;
  if (!config.TELEGRAM_BOT_TOKEN) return null;
  const token = config.TELEGRAM_BOT_TOKEN;
  const api = telegramApi({ token, apiRoot: config.TELEGRAM_API_ROOT });
  const senders = { telegram: telegramSender(api) };
  const delivery = deliveryFor(ctx, senders, TELEGRAM_LIMITS);
  // Polling needs no webhook secret; the router is then never reachable by Telegram anyway.
  const webhookSecret = config.TELEGRAM_WEBHOOK_SECRET ?? randomBytes(32).toString("base64url");
  const engine = clinicEngine(ctx, clinicId);
  const { router, handleUpdate } = telegramChannel({
    api,
    webhookSecret,
    engine,
    delivery,
    db,
    clinicId,
    logger,
    now: ctx.now,
  });

  let polling: { stop: () => Promise<void> } | null = null;
  if (config.TELEGRAM_MODE === "polling") {
    polling = await startTelegramPolling({ token, apiRoot: config.TELEGRAM_API_ROOT, handleUpdate, logger });
  } else if (config.PUBLIC_URL) {
    const url = `${config.PUBLIC_URL.replace(/\/$/, "")}${TELEGRAM_WEBHOOK_PATH}`;
    await setTelegramWebhook(api, url, webhookSecret).then(
      () => logger.info({ path: TELEGRAM_WEBHOOK_PATH }, "telegram webhook registered"),
      (err: Error) =>
        logger.warn({ reason: err.message }, "could not register the telegram webhook; updates arrive once it is set"),
    );
  } else {
    logger.info(
      { path: TELEGRAM_WEBHOOK_PATH },
      "telegram webhook served; set PUBLIC_URL to register it with Telegram automatically",
    );
  }
  return {
    router,
    async close() {
      await polling?.stop();
      await delivery.close();
    },
  };
}
