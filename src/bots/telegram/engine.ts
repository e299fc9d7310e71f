import type { Database } from "../../data/db.js";
import { handleInbound, repliesTo, type EngineDeps } from "../../flows/engine.js";
import type { ChatEngine } from "../chat-engine.js";

/**
 * The engine for a webhook channel: a redelivered update (same provider message id) yields the
 * replies of its first processing, so they are queued again under the same job ids — which the
 * queue and the send guard turn into nothing if they were already queued or sent.
 */
export function telegramEngine(deps: EngineDeps & { db: Database }): ChatEngine {
  return async (message) => {
    const replies = await handleInbound(deps, message);
    if (replies.length > 0) return replies;
    return (await repliesTo(deps.db, message)) ?? [];
  };
}
