import type { Database } from "../../data/db.js";
import { handleInbound, repliesTo, type EngineDeps } from "../../flows/engine.js";
import type { ChatEngine } from "../chat-engine.js";

/**
 * The engine as the web chat needs it: the answer travels in the HTTP response, so a retried
 * request (same message id) gets the replies of the first attempt instead of nothing.
 */
export function webChatEngine(deps: EngineDeps & { db: Database }): ChatEngine {
  return async (message) => {
    const replies = await handleInbound(deps, message);
    if (replies.length > 0) return replies;
    return (await repliesTo(deps.db, message)) ?? [];
  };
}
