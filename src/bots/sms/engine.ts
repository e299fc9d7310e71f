import type { Database } from "../../data/db.js";
import type { EngineDeps } from "../../flows/engine.js";
import type { ChatEngine } from "../chat-engine.js";
import { telegramEngine } from "../telegram/engine.js";

/**
 * The engine for the SMS webhook: a redelivered MessageSid yields its first replies again, so
 * they are re-queued under the same job ids and the delivery turns them into nothing.
 * (Telegram's engine is exactly this; it is channel-neutral despite its name.)
 */
export const smsEngine = (deps: EngineDeps & { db: Database }): ChatEngine => telegramEngine(deps);
