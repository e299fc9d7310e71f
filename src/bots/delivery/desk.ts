import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { AppContext } from "../../context.js";
import { processDeadLetters, type DeadLetterShelf } from "./inline.js";
import type { DeadLetter, OutboundJob } from "./outbound.js";
import { deadLettersOf, OUTBOUND_QUEUE, retryDeadLetterIn, WHATSAPP_WEB_QUEUE } from "./queue.js";
import { postgresDeliveryLog } from "./status.js";

/** The replies and messages that will not be retried automatically, for staff to see and send again. */
export interface DeadLetterDesk {
  /** Newest first. */
  list(): Promise<DeadLetter[]>;
  /** Puts one back in line (queue) or sends it again (in-process); false when there is no such dead letter. */
  retry(id: string): Promise<boolean>;
}

/**
 * Every channel's dead letters: BullMQ's failed sets of the outbound queues when REDIS_URL is set
 * (whichever process failed them), else this process's shelf. The queues are opened on first use,
 * over the app's Redis connection when it has one.
 */
export function deadLetterDesk(
  ctx: Pick<AppContext, "config" | "db" | "logger" | "redis">,
  opts: { prefix?: string; shelf?: DeadLetterShelf } = {},
): DeadLetterDesk {
  const newestFirst = (letters: DeadLetter[]) =>
    letters.sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0));
  const redisUrl = ctx.config.REDIS_URL;
  if (!redisUrl) {
    const shelf = opts.shelf ?? processDeadLetters;
    return { list: async () => newestFirst(shelf.list()), retry: (id) => shelf.retry(id) };
  }
  const log = postgresDeliveryLog(ctx.db, ctx.logger);
  let queues: Queue<OutboundJob>[] | undefined;
  const open = () => {
    if (!queues) {
      const connection = ctx.redis ?? new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      const prefix = opts.prefix ?? "tabib";
      queues = [OUTBOUND_QUEUE, WHATSAPP_WEB_QUEUE].map((name) => new Queue<OutboundJob>(name, { connection, prefix }));
    }
    return queues;
  };
  return {
    async list() {
      return newestFirst((await Promise.all(open().map(deadLettersOf))).flat());
    },
    async retry(id) {
      for (const queue of open()) if (await retryDeadLetterIn(queue, id, log)) return true;
      return false;
    },
  };
}
