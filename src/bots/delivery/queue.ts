import { DelayedError, Job, Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ChatChannel } from "../../flows/messages.js";
import {
  DeliveryError,
  DeliveryUnavailable,
  retryDelayMs,
  type DeadLetter,
  type Delivery,
  type OutboundJob,
  type Sender,
} from "./outbound.js";
import { redisPacer, type PacingLimits } from "./pacing.js";

/** The BullMQ queue every channel's replies go through. */
export const OUTBOUND_QUEUE = "outbound";

/** How long a finished job and its "sent" mark are kept, so a late redelivery is still recognised. */
const KEEP_SENT_SECONDS = 7 * 24 * 3600;

export interface QueueSettings {
  redisUrl: string;
  /** Key prefix in Redis; tests use a unique one per run. Default "tabib". */
  prefix?: string;
  /** Attempts before a reply becomes a dead letter. Default 10 (about 8 minutes of backoff). */
  attempts?: number;
  baseDelayMs?: number;
}

const guardKey = (prefix: string, jobId: string) => `${prefix}:${OUTBOUND_QUEUE}:sent:${jobId}`;

/**
 * The producer side (web process): each reply becomes a job with a deterministic id, delayed to
 * its chat's next free slot. Adding an id that exists creates nothing, so the replies of a
 * redelivered update are not queued twice. Dead letters are BullMQ's failed set.
 */
export function queueDelivery(
  opts: QueueSettings & { limits: PacingLimits; logger: Logger },
): Delivery & { queue: Queue<OutboundJob> } {
  const prefix = opts.prefix ?? "tabib";
  // Fail fast while Redis is down: the webhook then answers 5xx and the provider redelivers.
  const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  connection.on("error", () => undefined);
  const queue = new Queue<OutboundJob>(OUTBOUND_QUEUE, { connection, prefix });
  queue.on("error", (err) => opts.logger.warn({ reason: err.message }, "outbound queue error"));
  const pace = redisPacer(connection, prefix, opts.limits);
  const attempts = opts.attempts ?? 10;

  return {
    queue,
    async deliver(jobs) {
      if (jobs.length === 0) return;
      try {
        const delays: number[] = [];
        for (const job of jobs) delays.push(await pace(job.channel, job.chatId));
        await queue.addBulk(
          jobs.map((job, i) => ({
            name: job.channel,
            data: job,
            opts: {
              jobId: job.id,
              delay: Math.max(0, delays[i]!),
              attempts,
              backoff: { type: "provider" },
              removeOnComplete: { age: KEEP_SENT_SECONDS },
              removeOnFail: false,
            },
          })),
        );
      } catch (err) {
        throw new DeliveryUnavailable("replies could not be queued", { cause: err });
      }
    },
    async listDeadLetters() {
      const failed = await queue.getFailed(0, 199);
      return failed.map((job): DeadLetter => ({
        id: job.id!,
        channel: (job.data as OutboundJob).channel,
        chatId: (job.data as OutboundJob).chatId,
        reason: job.failedReason,
        attempts: job.attemptsMade,
        failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
      }));
    },
    async retryDeadLetter(id) {
      const job = await Job.fromId<OutboundJob>(queue, id);
      if (!job || (await job.getState()) !== "failed") return false;
      await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    },
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}

export interface DeliveryWorkerOptions extends QueueSettings {
  senders: Partial<Record<ChatChannel, Sender>>;
  logger: Logger;
  concurrency?: number;
  /** How long a send may be in flight before another worker may assume it died. Default 60 s (> the client's timeout). */
  claimMs?: number;
  /** BullMQ lock settings; tests shorten them to see a dead worker's jobs recovered quickly. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Test seam: runs after a send is recorded, before the job completes (to simulate a crash there). */
  afterSend?: (job: OutboundJob) => Promise<void>;
}

/**
 * The consumer side (`npm run worker`, or inside the web process): sends each job through its
 * channel's sender. BullMQ delivers a job at least once (a dead worker's job is picked up again),
 * so each send is guarded by a mark in Redis: "sending" while in flight, "sent" once the provider
 * accepted it. A job whose reply is already "sent" completes without sending; one still
 * "sending" elsewhere waits. The only remaining window for a duplicate is a worker dying between
 * the provider accepting the message and the mark being written (one round trip).
 */
export function startDeliveryWorker(opts: DeliveryWorkerOptions): {
  worker: Worker<OutboundJob>;
  close: () => Promise<void>;
} {
  const prefix = opts.prefix ?? "tabib";
  const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  connection.on("error", () => undefined);
  const claimMs = opts.claimMs ?? 60_000;

  const worker = new Worker<OutboundJob>(
    OUTBOUND_QUEUE,
    async (job, token) => {
      const key = guardKey(prefix, job.id!);
      const claimed = await connection.set(key, "sending", "PX", claimMs, "NX");
      if (claimed !== "OK") {
        if ((await connection.get(key)) === "sent") return "already-sent";
        // Another worker is sending it right now; look again shortly.
        const ttl = await connection.pttl(key);
        await job.moveToDelayed(Date.now() + Math.min(Math.max(ttl, 100), 1_000), token);
        throw new DelayedError();
      }
      const sender = opts.senders[job.data.channel];
      try {
        if (!sender) throw new DeliveryError(`no sender for channel ${job.data.channel}`, "retry");
        await sender(job.data);
      } catch (err) {
        await connection.del(key);
        if (err instanceof DeliveryError && err.kind === "permanent") throw new UnrecoverableError(err.message);
        throw err;
      }
      await connection.set(key, "sent", "EX", KEEP_SENT_SECONDS);
      await opts.afterSend?.(job.data);
      return "sent";
    },
    {
      connection,
      prefix,
      concurrency: opts.concurrency ?? 10,
      lockDuration: opts.lockDurationMs,
      stalledInterval: opts.stalledIntervalMs,
      settings: {
        backoffStrategy: (attemptsMade, _type, err) => retryDelayMs(attemptsMade, err, { baseMs: opts.baseDelayMs }),
      },
    },
  );
  worker.on("failed", (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) opts.logger.warn({ job: job.id, reason: err.message }, "reply not delivered: dead letter");
    else opts.logger.info({ job: job.id, attempt: job.attemptsMade, reason: err.message }, "send failed; will retry");
  });
  worker.on("error", (err) => opts.logger.warn({ reason: err.message }, "delivery worker error"));
  return {
    worker,
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
