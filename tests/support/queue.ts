import { randomBytes } from "node:crypto";
import type { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Sender } from "../../src/bots/delivery/outbound.js";
import { queueDelivery, startDeliveryWorker, type DeliveryWorkerOptions } from "../../src/bots/delivery/queue.js";
import type { PacingLimits } from "../../src/bots/delivery/pacing.js";
import { postgresDeliveryLog } from "../../src/bots/delivery/status.js";
import type { Database } from "../../src/data/db.js";
import type { ChatChannel } from "../../src/domain/channels.js";

/** Polls `check` until it holds; fails the test after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** How many jobs a queue still has to run (waiting, delayed, active). */
export async function pendingJobs(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts("wait", "delayed", "active", "prioritized");
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/**
 * The outbound queue on a real Redis under a prefix of this run's own, with statuses in
 * `message_delivery`: three attempts 50 ms apart, and locks short enough that a dead worker's
 * job is taken over within seconds. Workers are started (and killed) by the test.
 */
export function testOutboundQueue(opts: {
  redisUrl: string;
  db: Database;
  logger: Logger;
  senders: Partial<Record<ChatChannel, Sender>>;
  /** The provider's limits, paced at queue time and again by the workers at send time. */
  limits?: PacingLimits;
}) {
  const prefix = `tabib-test-${randomBytes(4).toString("hex")}`;
  const { redisUrl, logger } = opts;
  const log = postgresDeliveryLog(opts.db, logger);
  const limits = opts.limits ?? { sender: { intervalMs: 1, burst: 30 }, chat: { intervalMs: 20, burst: 1 } };
  const delivery = queueDelivery({
    redisUrl,
    prefix,
    attempts: 3,
    baseDelayMs: 50,
    limits,
    logger,
    log,
  });
  const workers: { close: () => Promise<void> }[] = [];
  const stopWorkers = () => Promise.all(workers.splice(0).map((w) => w.close()));
  return {
    prefix,
    delivery,
    startWorker(extra: Partial<DeliveryWorkerOptions> = {}) {
      const w = startDeliveryWorker({
        redisUrl,
        prefix,
        baseDelayMs: 50,
        senders: opts.senders,
        limits: Object.fromEntries(Object.keys(opts.senders).map((channel) => [channel, limits])),
        logger,
        concurrency: 1,
        claimMs: 2_000,
        lockDurationMs: 1_000,
        stalledIntervalMs: 300,
        log,
        ...extra,
      });
      workers.push(w);
      return w;
    },
    stopWorkers,
    /** Stops the workers and the queue, and deletes the run's keys. */
    async close() {
      await stopWorkers();
      await delivery.close();
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}
