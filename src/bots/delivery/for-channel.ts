import type { AppContext } from "../../context.js";
import type { ChatChannel } from "../../domain/channels.js";
import { inlineDelivery } from "./inline.js";
import type { Delivery, Sender } from "./outbound.js";
import { memoryPacer, type PacingLimits } from "./pacing.js";
import { queueDelivery } from "./queue.js";
import { postgresDeliveryLog } from "./status.js";

/**
 * The Redis queue when REDIS_URL is set (sent by the shared delivery worker), else in-process
 * sending. Statuses go to `message_delivery`. `queueName` and `redelivered` serve a channel whose
 * provider never sends a message twice and whose sender lives in one process (WhatsApp Web);
 * `baseDelayMs` shortens the retry backoff (tests).
 */
export function deliveryFor(
  ctx: Pick<AppContext, "config" | "logger" | "db">,
  senders: Partial<Record<ChatChannel, Sender>>,
  limits: PacingLimits,
  opts: { prefix?: string; queueName?: string; redelivered?: boolean; baseDelayMs?: number } = {},
): Delivery {
  const { config, logger } = ctx;
  const log = postgresDeliveryLog(ctx.db, logger);
  return config.REDIS_URL
    ? queueDelivery({ redisUrl: config.REDIS_URL, limits, logger, log, ...opts })
    : inlineDelivery({ senders, pacer: memoryPacer(limits), logger, log, ...opts });
}
