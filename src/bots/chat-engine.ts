import type { InboundMessage, OutboundMessage } from "../flows/messages.js";

/**
 * What a channel adapter needs from the dialogue engine: one inbound message in, the
 * replies out. A redelivered message (same channel and provider message id) yields the
 * replies it produced the first time, so an adapter that retries never loses an answer.
 */
export type ChatEngine = (message: InboundMessage) => Promise<OutboundMessage[]>;
