import { Bot, type Api } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import type { Logger } from "pino";
import { TELEGRAM_API_ROOT } from "./send.js";

/**
 * Long polling, for development without a public URL: removes any webhook and feeds each update
 * to `handleUpdate`. grammY moves past an update even when handling it failed, so unlike the
 * webhook this mode does not get Telegram's redelivery; use the webhook in production.
 */
export async function startTelegramPolling(opts: {
  token: string;
  apiRoot?: string;
  /** Skips the startup getMe call when given. */
  botInfo?: UserFromGetMe;
  handleUpdate: (update: Update) => Promise<void>;
  logger: Logger;
}): Promise<{ stop: () => Promise<void> }> {
  const bot = new Bot(opts.token, { client: { apiRoot: opts.apiRoot ?? TELEGRAM_API_ROOT }, botInfo: opts.botInfo });
  bot.use((ctx) => opts.handleUpdate(ctx.update));
  bot.catch((err) => opts.logger.error({ reason: err.message }, "telegram update not handled (polling)"));
  await bot.api.deleteWebhook();
  void bot.start({
    allowed_updates: ["message", "callback_query"],
    onStart: (me) => opts.logger.info({ bot: me.username }, "telegram long polling started"),
  });
  return { stop: () => bot.stop() };
}

/** Points Telegram at our webhook, with the secret it must send back on every call. */
export async function setTelegramWebhook(api: Api, url: string, secret: string): Promise<void> {
  await api.setWebhook(url, { secret_token: secret, allowed_updates: ["message", "callback_query"] });
}
