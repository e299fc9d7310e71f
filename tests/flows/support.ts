import { handleInbound, type EngineDeps } from "../../src/flows/engine.js";
import type { ChatChannel, OutboundMessage } from "../../src/flows/messages.js";
import { paris } from "../support/clinic.js";

/** Monday 30 November 2026, 08:00 in Paris: every conversation test starts here. */
export const MONDAY_8AM = paris("2026-11-30T08:00");

let counter = 0;

/** A patient on one channel, talking to an engine; every message gets a fresh provider id unless given. */
export function patient(deps: EngineDeps, senderId: string, channel: ChatChannel = "web") {
  const send = (
    input: { text?: string; payload?: string; id?: string },
    engine: EngineDeps = deps,
  ): Promise<OutboundMessage[]> =>
    handleInbound(engine, {
      channel,
      senderId,
      text: input.text,
      payload: input.payload,
      providerMessageId: input.id ?? `m${++counter}`,
      receivedAt: deps.now(),
    });
  return {
    says: (text: string, opts: { id?: string; engine?: EngineDeps } = {}) => send({ text, id: opts.id }, opts.engine),
    taps: (payload: string, opts: { id?: string; engine?: EngineDeps } = {}) =>
      send({ payload, id: opts.id }, opts.engine),
  };
}

/** All reply texts joined, for matching. */
export const textOf = (replies: OutboundMessage[]): string => replies.map((r) => r.text).join("\n");
export const choicesOf = (replies: OutboundMessage[]) => replies.flatMap((r) => r.choices ?? []);
