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
import { noDeliveryLog, type DeliveryLog } from "./status.js";

/** The BullMQ queue every channel's replies go through. */
export const OUTBOUND_QUEUE = "outbound";
/**
 * WhatsApp Web's replies: only the process holding the browser session can send them, so they
 * have a queue of their own, consumed there (a worker without the session must never take them).
 */
export const WHATSAPP_WEB_QUEUE = "outbound-whatsapp-web";

/** How long a finished job and its "sent" mark are kept, so a late redelivery is still recognised. */
const KEEP_SENT_SECONDS = 7 * 24 * 3600;

export interface QueueSettings {
  redisUrl: string;
  /** Key prefix in Redis; tests use a unique one per run. Default "tabib". */
  prefix?: string;
  /** Attempts before a reply becomes a dead letter. Default 10 (about 8 minutes of backoff). */
  attempts?: number;
  baseDelayMs?: number;
  /** The queue's name. Default OUTBOUND_QUEUE. */
  queueName?: string;
  /** Where statuses go (`message_delivery`). Default: nowhere. */
  log?: DeliveryLog;
}

const guardKey = (prefix: string, queueName: string, jobId: string) => `${prefix}:${queueName}:sent:${jobId}`;

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
  const log = opts.log ?? noDeliveryLog;
  const queue = new Queue<OutboundJob>(opts.queueName ?? OUTBOUND_QUEUE, { connection, prefix });
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
      await log.queued(jobs);
    },
    listDeadLetters: () => deadLettersOf(queue),
    retryDeadLetter: (id) => retryDeadLetterIn(queue, id, log),
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}

/** A queue's dead letters (BullMQ's failed set), newest first, at most 200. */
export async function deadLettersOf(queue: Queue<OutboundJob>): Promise<DeadLetter[]> {
  const failed = await queue.getFailed(0, 199);
  return failed.map((job): DeadLetter => ({
    id: job.id!,
    channel: job.data.channel,
    chatId: job.data.chatId,
    reason: job.failedReason,
    attempts: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  }));
}

/** Puts one dead letter back in line with fresh attempts; false when the queue has no such dead letter. */
export async function retryDeadLetterIn(queue: Queue<OutboundJob>, id: string, log: DeliveryLog): Promise<boolean> {
  const job = await Job.fromId<OutboundJob>(queue, id);
  if (!job || (await job.getState()) !== "failed") return false;
  await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
  await log.requeued(id);
  return true;
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
  const queueName = opts.queueName ?? OUTBOUND_QUEUE;
  const log = opts.log ?? noDeliveryLog;
  const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  connection.on("error", () => undefined);
  const claimMs = opts.claimMs ?? 60_000;

  const worker = new Worker<OutboundJob>(
    queueName,
    async (job, token) => {
      const key = guardKey(prefix, queueName, job.id!);
      const claimed = await connection.set(key, "sending", "PX", claimMs, "NX");
      if (claimed !== "OK") {
        if ((await connection.get(key)) === "sent") return "already-sent";
        // Another worker is sending it right now; look again shortly.
        const ttl = await connection.pttl(key);
        await job.moveToDelayed(Date.now() + Math.min(Math.max(ttl, 100), 1_000), token);
        throw new DelayedError();
      }
      const sender = opts.senders[job.data.channel];
      let receipt: Awaited<ReturnType<Sender>>;
      try {
        if (!sender) throw new DeliveryError(`no sender for channel ${job.data.channel}`, "retry");
        receipt = await sender(job.data);
      } catch (err) {
        await connection.del(key);
        if (err instanceof DeliveryError && err.kind === "permanent") throw new UnrecoverableError(err.message);
        throw err;
      }
      await connection.set(key, "sent", "EX", KEEP_SENT_SECONDS);
      // After the mark: a slow status write must not widen the window for a duplicate send.
      await log.sent(job.data, job.attemptsMade + 1, receipt?.providerMessageId);
      await opts.afterSend?.(job.data);
      return "sent";
    },
    {
      connection,
      prefix,
      concurrency: opts.concurrency ?? 10,
      // Left out unless given: an explicit undefined would override BullMQ's defaults and fail its checks.
      ...(opts.lockDurationMs !== undefined ? { lockDuration: opts.lockDurationMs } : {}),
      ...(opts.stalledIntervalMs !== undefined ? { stalledInterval: opts.stalledIntervalMs } : {}),
      settings: {
        backoffStrategy: (attemptsMade, _type, err) => retryDelayMs(attemptsMade, err, { baseMs: opts.baseDelayMs }),
      },
    },
  );
  worker.on("failed", (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    void log.failed(job.data, job.attemptsMade, err.message, final);
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
