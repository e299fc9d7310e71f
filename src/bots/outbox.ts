import type { AppContext } from "../context.js";
import type { ChatChannel } from "../domain/channels.js";
import { channelSenders, deliveryRoute } from "./channels.js";
import { deliveryFor } from "./delivery/for-channel.js";
import type { Delivery, OutboundJob } from "./delivery/outbound.js";

/**
 * Messages nobody replied to: reminders, notices, doctor alerts, a secretary's answer from the
 * console. Same guarantees as replies (durable queue when REDIS_URL is set, deterministic job ids
 * so a retried trigger sends nothing twice), paced by each channel's own limits.
 */
export interface Outbox {
  /** The channels that can carry a message now (configured with credentials). */
  readonly channels: ReadonlySet<ChatChannel>;
  /** Queues (or, without Redis, sends) every job; rejects with DeliveryUnavailable otherwise. */
  send(jobs: OutboundJob[]): Promise<void>;
  close(): Promise<void>;
}

/** The outbox over every configured channel of this service (queue keys under `prefix`, default "tabib"). */
export function clinicOutbox(
  ctx: Pick<AppContext, "config" | "db" | "logger">,
  opts: { prefix?: string } = {},
): Outbox {
  const senders = channelSenders(ctx);
  const deliveries = new Map<ChatChannel, Delivery>();
  const deliveryOf = (channel: ChatChannel): Delivery => {
    let delivery = deliveries.get(channel);
    if (!delivery) {
      const route = deliveryRoute(ctx.config, channel);
      if (!route || !senders[channel]) throw new Error(`channel ${channel} is not configured`);
      delivery = deliveryFor(ctx, senders, route.limits, {
        ...opts,
        queueName: route.queueName,
        redelivered: route.redelivered,
      });
      deliveries.set(channel, delivery);
    }
    return delivery;
  };
  return {
    channels: new Set(Object.keys(senders) as ChatChannel[]),
    async send(jobs) {
      const byChannel = new Map<ChatChannel, OutboundJob[]>();
      for (const job of jobs) byChannel.set(job.channel, [...(byChannel.get(job.channel) ?? []), job]);
      await Promise.all([...byChannel].map(([channel, list]) => deliveryOf(channel).deliver(list)));
    },
    async close() {
      await Promise.all([...deliveries.values()].map((d) => d.close()));
    },
  };
}
