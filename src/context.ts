import type { Logger } from "pino";
import type { Redis } from "ioredis";
import type { Config } from "./config.js";
import type { Database } from "./data/db.js";
import type { WhatsappWebSession } from "./bots/whatsapp-web/session.js";

/** What every transport (HTTP, chat, jobs) is handed: configuration, data, logging, time. */
export interface AppContext {
  readonly config: Config;
  readonly db: Database;
  readonly logger: Logger;
  /** Present when REDIS_URL is configured. */
  readonly redis?: Redis;
  /** The current instant; tests pin it. */
  readonly now: () => Date;
  /** The WhatsApp Web session (QR login state, sending client) when WHATSAPP_WEB_ENABLED; web process only. */
  readonly whatsappWeb?: WhatsappWebSession;
}
