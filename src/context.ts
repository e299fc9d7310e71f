import type { Logger } from "pino";
import type { Redis } from "ioredis";
import type { Config } from "./config.js";
import type { Database } from "./data/db.js";

/** What every transport (HTTP, chat, jobs) is handed: configuration, data, logging, time. */
export interface AppContext {
  readonly config: Config;
  readonly db: Database;
  readonly logger: Logger;
  /** Present when REDIS_URL is configured. */
  readonly redis?: Redis;
  /** The current instant; tests pin it. */
  readonly now: () => Date;
  /**
   * The WhatsApp Web session when WHATSAPP_WEB_ENABLED (web process only): staff pages read its
   * login state; the adapter that made it (bots/whatsapp-web) drives and sends through it.
   */
  readonly whatsappWeb?: LinkedDevice;
}

/** Where a linked-device login (WhatsApp Web) stands. */
export interface LinkedDeviceState {
  status: "starting" | "qr" | "authenticated" | "ready" | "disconnected" | "failed";
  /** What to scan with the clinic's phone (WhatsApp › Linked devices), while the status is "qr". */
  qr?: string;
  /** The library's words for a disconnection or a failure to start. */
  reason?: string;
  since: Date;
}

/** A chat account this process is signed in to as a linked device, as the rest of the service sees it. */
export interface LinkedDevice {
  readonly state: LinkedDeviceState;
}
