import type { AppContext } from "../context.js";
import type { Database } from "../data/db.js";
import type { InboundMessage, OutboundMessage } from "../domain/channels.js";
import { repliesTo } from "../domain/conversations.js";
import { handleInbound, type EngineDeps } from "../flows/engine.js";

/**
 * What a channel adapter needs from the dialogue engine: one inbound message in, the
 * replies out. A redelivered message (same channel and provider message id) yields the
 * replies it produced the first time, so an adapter that retries never loses an answer.
 */
export type ChatEngine = (message: InboundMessage) => Promise<OutboundMessage[]>;

/**
 * The dialogue engine for any channel: a redelivery (a retried web request, a webhook sent
 * again) gets the replies of its first processing. Web answers them in the response; queued
 * channels re-queue them under the same job ids, which the delivery turns into nothing.
 */
export function replayingEngine(deps: EngineDeps & { db: Database }): ChatEngine {
  return async (message) => {
    const replies = await handleInbound(deps, message);
    if (replies.length > 0) return replies;
    return (await repliesTo(deps.db, message)) ?? [];
  };
}

/** The engine with the service's own settings, for one clinic. */
export function clinicEngine(ctx: Pick<AppContext, "db" | "config" | "now" | "logger">, clinicId: string): ChatEngine {
  return replayingEngine({
    db: ctx.db,
    logger: ctx.logger,
    clinicId,
    holdMinutes: ctx.config.HOLD_MINUTES,
    idleMinutes: ctx.config.CONVERSATION_IDLE_MINUTES,
    now: ctx.now,
  });
}
