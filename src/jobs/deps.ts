import type { Logger } from "pino";
import type { Outbox } from "../bots/outbox.js";
import type { Database } from "../data/db.js";
import type { Mailer } from "./mailer.js";

/** What sending reminders and notices needs; the job runner builds it from the AppContext. */
export interface FollowUpDeps {
  db: Database;
  /** Chat channels (queued with Redis, in-process without). */
  outbox: Outbox;
  /** Null without SMTP_URL: email notices are then skipped. */
  mailer: Mailer | null;
  logger: Logger;
  now: () => Date;
  /** HOLD_MINUTES and CONVERSATION_IDLE_MINUTES, for the reminder question opened in the conversation. */
  holdMinutes: number;
  idleMinutes: number;
  /** A claim older than this belongs to a sender that died: another may take the row. */
  leaseMs: number;
  /** Approved WhatsApp templates for messages outside the 24-hour window. */
  whatsappTemplates: { reminder: string; notice: string };
  /** Test seam: runs after a message is handed to the outbox, before its row is marked sent. */
  afterQueued?: (jobId: string) => Promise<void>;
}

/** Default lease: longer than any send takes (the outbox only queues with Redis). */
export const DEFAULT_LEASE_MS = 2 * 60_000;
