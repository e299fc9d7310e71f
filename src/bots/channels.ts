import type { Router } from "express";
import type { Config } from "../config.js";
import type { AppContext } from "../context.js";
import type { ChatChannel } from "../domain/channels.js";
import type { Sender } from "./delivery/outbound.js";
import { TELEGRAM_LIMITS, type PacingLimits } from "./delivery/pacing.js";
import { startDeliveryWorker, WHATSAPP_WEB_QUEUE } from "./delivery/queue.js";
import { postgresDeliveryLog } from "./delivery/status.js";
import { buildSmsSender, startSms, TWILIO_LIMITS, type SmsSettings } from "./sms/start.js";
import { telegramApi, telegramSender } from "./telegram/send.js";
import { startTelegram } from "./telegram/start.js";
import { WHATSAPP_CLOUD_LIMITS } from "./whatsapp-cloud/send.js";
import { buildWhatsappCloudSender, startWhatsappCloud, type WhatsappCloudSettings } from "./whatsapp-cloud/start.js";
import { WHATSAPP_WEB_LIMITS, whatsappWebSender } from "./whatsapp-web/send.js";
import { startWhatsappWeb, type WhatsappWebSettings } from "./whatsapp-web/start.js";
import { WhatsappWebSession } from "./whatsapp-web/session.js";

/** WhatsApp Web settings when WHATSAPP_WEB_ENABLED (config refuses it together with the Cloud API). */
export function whatsappWebSettings(c: Config): WhatsappWebSettings | null {
  return c.WHATSAPP_WEB_ENABLED === "true"
    ? { sessionDir: c.WHATSAPP_WEB_SESSION_DIR, chromiumPath: c.WHATSAPP_WEB_CHROMIUM }
    : null;
}

/** Twilio settings when SMS is fully configured (signatures cover PUBLIC_URL, so it is required). */
export function smsSettings(c: Config): SmsSettings | null {
  return c.TWILIO_ACCOUNT_SID && c.TWILIO_AUTH_TOKEN && c.TWILIO_FROM_NUMBER && c.PUBLIC_URL
    ? {
        accountSid: c.TWILIO_ACCOUNT_SID,
        authToken: c.TWILIO_AUTH_TOKEN,
        fromNumber: c.TWILIO_FROM_NUMBER,
        publicUrl: c.PUBLIC_URL,
        apiBase: c.TWILIO_API_BASE,
      }
    : null;
}

/** WhatsApp Cloud API settings when all four credentials are set. */
export function whatsappCloudSettings(c: Config): WhatsappCloudSettings | null {
  return c.WHATSAPP_ACCESS_TOKEN && c.WHATSAPP_PHONE_NUMBER_ID && c.WHATSAPP_APP_SECRET && c.WHATSAPP_VERIFY_TOKEN
    ? {
        accessToken: c.WHATSAPP_ACCESS_TOKEN,
        phoneNumberId: c.WHATSAPP_PHONE_NUMBER_ID,
        appSecret: c.WHATSAPP_APP_SECRET,
        verifyToken: c.WHATSAPP_VERIFY_TOKEN,
        apiBase: c.WHATSAPP_GRAPH_BASE,
        apiVersion: c.WHATSAPP_GRAPH_VERSION,
      }
    : null;
}

/**
 * How a channel's messages travel: its provider's pacing, and for WhatsApp Web its own queue
 * (only the process holding the browser session can send) and no redelivery to count on.
 */
export function deliveryRoute(
  c: Config,
  channel: ChatChannel,
): { limits: PacingLimits; queueName?: string; redelivered?: boolean } | null {
  switch (channel) {
    case "telegram":
      return { limits: TELEGRAM_LIMITS };
    case "sms":
      return { limits: TWILIO_LIMITS };
    case "whatsapp":
      return whatsappWebSettings(c)
        ? { limits: WHATSAPP_WEB_LIMITS, queueName: WHATSAPP_WEB_QUEUE, redelivered: false }
        : { limits: WHATSAPP_CLOUD_LIMITS };
    default:
      return null;
  }
}

/** Each channel's provider limits, for the delivery worker's pacing at send time. */
export function channelLimits(c: Config, channels: Iterable<ChatChannel>): Partial<Record<ChatChannel, PacingLimits>> {
  const limits: Partial<Record<ChatChannel, PacingLimits>> = {};
  for (const channel of channels) {
    const route = deliveryRoute(c, channel);
    if (route) limits[channel] = route.limits;
  }
  return limits;
}

/**
 * The sender of every configured channel. A delivery worker must hold all of them: a worker
 * missing one channel's sender would take that channel's queued replies and fail them.
 */
export function channelSenders(
  ctx: Pick<AppContext, "config" | "db" | "logger" | "whatsappWeb">,
): Partial<Record<ChatChannel, Sender>> {
  const { config } = ctx;
  const senders: Partial<Record<ChatChannel, Sender>> = {};
  if (config.TELEGRAM_BOT_TOKEN)
    senders.telegram = telegramSender(
      telegramApi({ token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT }),
    );
  const sms = smsSettings(config);
  if (sms) senders.sms = buildSmsSender(ctx, sms);
  const whatsapp = whatsappCloudSettings(config);
  if (whatsapp) senders.whatsapp = buildWhatsappCloudSender(whatsapp);
  // Sends only in the process holding the session; elsewhere its jobs wait in WHATSAPP_WEB_QUEUE for it.
  if (whatsappWebSettings(config)) senders.whatsapp = whatsappWebSender(sessionOf(ctx));
  return senders;
}

/** Starts the messaging channels that are configured, and the in-process delivery worker when wanted. */
export async function startChannels(
  ctx: AppContext,
  clinicId: string,
): Promise<{ routers: Router[]; close(): Promise<void> }> {
  const running: { router: Router; close(): Promise<void> }[] = [];
  const telegram = await startTelegram(ctx, clinicId);
  if (telegram) running.push(telegram);
  const sms = smsSettings(ctx.config);
  if (sms) running.push(startSms(ctx, clinicId, sms));
  const whatsapp = whatsappCloudSettings(ctx.config);
  if (whatsapp) running.push(startWhatsappCloud(ctx, clinicId, whatsapp));
  const web = whatsappWebSettings(ctx.config);
  const session = sessionOf(ctx);
  const whatsappWeb = web && session ? await startWhatsappWeb(ctx, clinicId, session, web) : null;
  if (web && !session) ctx.logger.error("WHATSAPP_WEB_ENABLED but no session was given to the channels");
  const senders = channelSenders(ctx);
  const worker =
    ctx.config.REDIS_URL && ctx.config.INLINE_WORKER === "true" && Object.keys(senders).length > 0
      ? startDeliveryWorker({
          redisUrl: ctx.config.REDIS_URL,
          senders,
          limits: channelLimits(ctx.config, Object.keys(senders) as ChatChannel[]),
          logger: ctx.logger,
          log: postgresDeliveryLog(ctx.db, ctx.logger),
        })
      : null;
  return {
    routers: running.map((c) => c.router),
    async close() {
      await worker?.close();
      await whatsappWeb?.close();
      for (const c of running) await c.close();
    },
  };
}

/** The WhatsApp Web session this adapter made, behind the context's LinkedDevice port. */
const sessionOf = (ctx: Pick<AppContext, "whatsappWeb">): WhatsappWebSession | undefined =>
  ctx.whatsappWeb instanceof WhatsappWebSession ? ctx.whatsappWeb : undefined;
