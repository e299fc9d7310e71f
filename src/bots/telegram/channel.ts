import express, { type NextFunction, type Request, type Response } from "express";
import { Bot, BotError, webhookCallback, type Api } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import type { Logger } from "pino";
import type { Database } from "../../data/db.js";
import { linkVerifiedPhone } from "../../domain/identities.js";
import type { OutboundMessage } from "../../domain/channels.js";
import type { ChatEngine } from "../chat-engine.js";
import { DeliveryUnavailable, outboundJobs, type Delivery } from "../delivery/outbound.js";
import { localeOf, telegramCopy } from "./copy.js";
import { doctorCallback, handleDoctorCallback } from "./doctor-updates.js";
import { callbackDataFor } from "./send.js";
import { readUpdate } from "./updates.js";

export interface TelegramChannelOptions {
  /** grammY's Bot API client (answerCallbackQuery goes through it; replies go through `delivery`). */
  api: Api;
  /** The bot's own account, when known; otherwise grammY asks Telegram (getMe) once, as the channel starts. */
  botInfo?: UserFromGetMe;
  /** TELEGRAM_WEBHOOK_SECRET, also given to setWebhook as `secret_token`. */
  webhookSecret: string;
  /** The dialogue engine; must answer a redelivered message with the replies it gave first (see ChatEngine). */
  engine: ChatEngine;
  delivery: Delivery;
  db: Database;
  clinicId: string;
  logger: Logger;
  now: () => Date;
}

/** The path Telegram posts updates to. */
export const TELEGRAM_WEBHOOK_PATH = "/webhooks/telegram";

/**
 * The Telegram channel: turns updates into engine messages and the replies into outbound jobs.
 * `handleUpdate` resolves once the replies are queued (or sent); it rejects when they could not
 * be, so the webhook answers 5xx and Telegram delivers the same update again later.
 */
export function telegramChannel(opts: TelegramChannelOptions) {
  async function handleUpdate(update: Update): Promise<void> {
    // Doctors' buttons (alerts, requests) are theirs, not the patient dialogue's.
    const doctorTap = doctorCallback(update);
    if (doctorTap) return handleDoctorCallback(opts, doctorTap);
    const action = readUpdate(update, opts.now());
    switch (action.kind) {
      case "ignore":
        return;
      case "answerOnly":
        await answerCallback(action.callbackQueryId);
        return;
      case "askPhone": {
        const copy = telegramCopy[localeOf(action.languageCode)];
        const [job] = outboundJobs("telegram", action.chatId, action.providerMessageId, [{ text: copy.askPhone }]);
        await opts.delivery.deliver([{ ...job!, requestContact: { buttonLabel: copy.shareButton } }]);
        return;
      }
      case "contact": {
        const copy = telegramCopy[localeOf(action.languageCode)];
        let text: string;
        if (!action.own) text = copy.notOwn;
        else {
          const { outcome } = await linkVerifiedPhone(opts.db, {
            clinicId: opts.clinicId,
            channel: "telegram",
            externalId: action.chatId,
            phone: action.phone,
          });
          opts.logger.info({ channel: "telegram", outcome }, "phone shared by contact");
          text = copy[outcome];
        }
        const [job] = outboundJobs("telegram", action.chatId, action.providerMessageId, [{ text }]);
        await opts.delivery.deliver([
          action.own ? job! : { ...job!, requestContact: { buttonLabel: copy.shareButton } },
        ]);
        return;
      }
      case "dialogue": {
        // Stop the button's spinner at once, while the engine works.
        const answered = action.callbackQueryId ? answerCallback(action.callbackQueryId) : Promise.resolve();
        const inbound = { ...action.inbound };
        if (inbound.payload?.startsWith("h.")) {
          inbound.payload = (await resolveCallbackData(opts.db, inbound.senderId, inbound.payload)) ?? inbound.payload;
        }
        const replies = await opts.engine(inbound);
        await opts.delivery.deliver(outboundJobs("telegram", inbound.senderId, inbound.providerMessageId, replies));
        await answered;
        return;
      }
    }
  }

  async function answerCallback(id: string): Promise<void> {
    // Best effort: a redelivered tap's query is already answered or too old, and that is fine.
    await opts.api.answerCallbackQuery(id).catch((err: Error) => {
      opts.logger.debug({ reason: err.message }, "answerCallbackQuery failed");
    });
  }

  // grammY answers 401 to a request without the webhook's secret token, and runs the others through the bot.
  const bot = new Bot(opts.api.token, { client: opts.api.options, botInfo: opts.botInfo });
  if (!opts.botInfo)
    bot.init().catch((err: Error) => {
      opts.logger.warn({ reason: err.message }, "telegram getMe failed; asked again with the first update");
    });
  bot.use(async (ctx) => {
    // Not something Telegram would redeliver usefully: acknowledged and dropped.
    if (typeof ctx.update !== "object" || ctx.update === null || typeof ctx.update.update_id !== "number") return;
    await handleUpdate(ctx.update);
  });

  const router = express.Router();
  router.post(
    TELEGRAM_WEBHOOK_PATH,
    express.json({ limit: "1mb" }),
    webhookCallback(bot, "express", { secretToken: opts.webhookSecret, timeoutMilliseconds: Infinity }),
    (err: unknown, req: Request, res: Response, next: NextFunction) => {
      if (!(err instanceof BotError)) return next(err);
      const unavailable = err.error instanceof DeliveryUnavailable;
      opts.logger[unavailable ? "warn" : "error"](
        { updateId: (req.body as Partial<Update>).update_id, reason: (err.error as Error).message },
        "telegram update not handled; Telegram will redeliver it",
      );
      res.status(unavailable ? 503 : 500).json({});
    },
  );
  return { router, handleUpdate };
}

/** Finds the long choice id a hashed callback_data stands for among the chat's recent replies. */
async function resolveCallbackData(db: Database, chatId: string, data: string): Promise<string | undefined> {
  const rows = await db.sql.query<{ replies: OutboundMessage[] }>(
    `SELECT pm.replies FROM processed_message pm JOIN conversation c ON c.id = pm.conversation_id
      WHERE c.channel = 'telegram' AND c.sender_id = $1 ORDER BY pm.processed_at DESC LIMIT 20`,
    [chatId],
  );
  for (const row of rows) {
    for (const reply of row.replies) {
      const match = reply.choices?.find((c) => callbackDataFor(c.id) === data);
      if (match) return match.id;
    }
  }
  return undefined;
}
