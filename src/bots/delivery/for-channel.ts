import type { AppContext } from "../../context.js";
import type { ChatChannel } from "../../flows/messages.js";
import { inlineDelivery } from "./inline.js";
import type { Delivery, Sender } from "./outbound.js";
import { memoryPacer, type PacingLimits } from "./pacing.js";
import { queueDelivery } from "./queue.js";

/** The Redis queue when REDIS_URL is set (sent by the shared delivery worker), else in-process sending. */
export function deliveryFor(
  ctx: Pick<AppContext, "config" | "logger">,
  senders: Partial<Record<ChatChannel, Sender>>,
  limits: PacingLimits,
): Delivery {
  const { config, logger } = ctx;
  return config.REDIS_URL
    ? queueDelivery({ redisUrl: config.REDIS_URL, limits, logger })
    : inlineDelivery({ senders, pacer: memoryPacer(limits), logger });
}
