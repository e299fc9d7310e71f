import { DelayedError, Job, Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ChatChannel } from "../../domain/channels.js";
import {
  DeliveryError,
  DeliveryUnavailable,
  providerWaitMs,
  retryDelayMs,
  type DeadLetter,
  type Delivery,
  type OutboundJob,
  type Sender,
} from "./outbound.js";
import { GCRA_LUA, redisPacer, type PacingLimits } from "./pacing.js";
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

/** How long a job's pacing record (its reserved slot, the rate limits it met) outlives its last change. */
const KEEP_SLOT_MS = 3_600_000;

// Send-time pacing, in the delivery worker. KEYS: sender TAT, chat TAT, sender's hold (no slot
// before it: the provider said to wait), the job's slot hash (`at`: its reserved slot; `throttled`:
// the rate limits it met). A job keeps the slot it reserved when it comes back from the delayed set;
// one that falls inside a hold the provider asked for since, or that was missed by more than a
// burst's worth, is replaced by a new one, taken on the sender's rate only (the chat's share was
// counted when the first one was taken). A slot due within ARGV[5] ms is taken off the hash: it is used now.
const SEND_SLOT = `${GCRA_LUA}
local sI, sB, cI, cB = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local useNowMs, keep = tonumber(ARGV[5]), tonumber(ARGV[6])
if redis.call('GET', KEYS[5]) == 'sent' then return -1 end
local now = nowMs()
local hold = tonumber(redis.call('GET', KEYS[3]) or '0')
local at = tonumber(redis.call('HGET', KEYS[4], 'at') or '')
if at then
  if at < hold or at < now - sB * sI then at = reserveSender(now, KEYS[1], sI, sB) end
else
  at = reserve(now, KEYS[1], KEYS[2], sI, sB, cI, cB)
end
local wait = math.max(0, at - now)
if wait <= useNowMs then
  redis.call('HDEL', KEYS[4], 'at')
else
  redis.call('HSET', KEYS[4], 'at', at)
  redis.call('PEXPIRE', KEYS[4], wait + keep)
end
return wait
`;

// The provider told the sender to wait ARGV[3] ms: no slot before then for any of its jobs (the
// hold), and this job's slot is given up. A rate limit (ARGV[4] > 0) is counted on the job: up to
// ARGV[4] of them take a new slot past the hold (returned, in ms from now) without using an
// attempt; past that, or for any other wait (a 503 with Retry-After), -1: the attempt counts.
const SEND_HOLD = `${GCRA_LUA}
local sI, sB, ms, free, keep = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local now = nowMs()
holdOff(now, KEYS[1], sI, sB, ms)
local hold = math.max(now + ms, tonumber(redis.call('GET', KEYS[2]) or '0'))
redis.call('SET', KEYS[2], hold, 'PX', hold - now + keep)
redis.call('HDEL', KEYS[3], 'at')
if free <= 0 or redis.call('HINCRBY', KEYS[3], 'throttled', 1) > free then return -1 end
local at = reserveSender(now, KEYS[1], sI, sB)
redis.call('HSET', KEYS[3], 'at', at)
redis.call('PEXPIRE', KEYS[3], at - now + keep)
return at - now
`;

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
  const pacer = redisPacer(connection, prefix, opts.limits);
  const attempts = opts.attempts ?? 10;

  return {
    queue,
    async deliver(jobs) {
      if (jobs.length === 0) return;
      try {
        const delays: number[] = [];
        for (const job of jobs) delays.push(await pacer.reserve(job.channel, job.chatId));
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
  /**
   * Each channel's provider limits, enforced again when a job is about to be sent (see
   * startDeliveryWorker). A channel without limits is sent as soon as its job is due.
   */
  limits?: Partial<Record<ChatChannel, PacingLimits>>;
  /**
   * A send slot at most this far ahead is waited for in the worker, a later one in the delayed set
   * (where the job keeps it). Default 2 s: a job then holds a worker slot while it waits, so the
   * slots reserved ahead stay bounded by the concurrency (concurrency × interval), and a job is
   * fetched once, not twice, which a worker busy with a burst cannot afford.
   */
  waitInlineMs?: number;
  /** Rate limits (429) a job may meet without using up an attempt. Default 20. */
  freeRateLimits?: number;
}

/**
 * The consumer side (`npm run worker`, or inside the web process): sends each job through its
 * channel's sender. BullMQ delivers a job at least once (a dead worker's job is picked up again),
 * so each send is guarded by a mark in Redis: "sending" while in flight, "sent" once the provider
 * accepted it. A job whose reply is already "sent" completes without sending; one still
 * "sending" elsewhere waits. The only remaining window for a duplicate is a worker dying between
 * the provider accepting the message and the mark being written (one round trip).
 *
 * Pacing happens twice: the producer delays each job to its next slot (sender and chat), and the
 * worker reserves one again just before sending (on keys of its own), because a worker
 * that fell behind would otherwise send the late jobs in a clump and overflow the provider's
 * bucket. A job waits for its slot in the worker, or, when it is more than `waitInlineMs` away
 * (a provider's hold), in the delayed set (no attempt used), keeping that slot when it returns. A 429 holds the whole sender for
 * the provider's retry_after, and the job takes a fresh slot past it without using an attempt,
 * up to `freeRateLimits` times; after that each 429 uses one, so a provider that refuses
 * forever still ends in a dead letter.
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
  const waitInlineMs = opts.waitInlineMs ?? 2_000;
  const freeRateLimits = opts.freeRateLimits ?? 20;
  const paceKeys = (job: Job<OutboundJob>) => {
    const { channel, chatId } = job.data;
    const base = `${prefix}:${queueName}`;
    return {
      sender: `${base}:send:${channel}`,
      chat: `${base}:send:${channel}:${chatId}`,
      hold: `${base}:hold:${channel}`,
      slot: `${base}:slot:${job.id!}`,
    };
  };
  /** The job's send slot: ms to wait (0: now), or -1 when the reply was already sent. */
  const sendSlot = async (job: Job<OutboundJob>, limits: PacingLimits): Promise<number> => {
    const k = paceKeys(job);
    const { sender: s, chat: c } = limits;
    const guard = guardKey(prefix, queueName, job.id!);
    const args = [s.intervalMs, s.burst, c.intervalMs, c.burst, waitInlineMs, KEEP_SLOT_MS];
    return Number(await connection.eval(SEND_SLOT, 5, k.sender, k.chat, k.hold, k.slot, guard, ...args));
  };
  /** The provider said to wait `ms`: the sender holds off; ms until the job's fresh slot, or -1 if the attempt counts. */
  const holdSender = async (job: Job<OutboundJob>, limits: PacingLimits, ms: number, free: number) => {
    const k = paceKeys(job);
    const args = [limits.sender.intervalMs, limits.sender.burst, Math.ceil(ms), free, KEEP_SLOT_MS];
    return Number(await connection.eval(SEND_HOLD, 3, k.sender, k.hold, k.slot, ...args));
  };
  const later = async (job: Job<OutboundJob>, token: string | undefined, ms: number): Promise<never> => {
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  };

  const worker = new Worker<OutboundJob>(
    queueName,
    async (job, token) => {
      const key = guardKey(prefix, queueName, job.id!);
      const limits = opts.limits?.[job.data.channel];
      if (limits) {
        const wait = await sendSlot(job, limits);
        if (wait < 0) return "already-sent";
        if (wait > waitInlineMs) return later(job, token, wait);
        if (wait > 0) await sleep(wait);
      }
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
        const providerWait = providerWaitMs(err);
        if (limits && providerWait !== undefined) {
          const free = (err as DeliveryError).rateLimited ? freeRateLimits : 0;
          const wait = await holdSender(job, limits, providerWait, free);
          if (wait >= 0) {
            // Waiting out the provider's limit: not an attempt, but staff see why it is late.
            await log.failed(job.data, job.attemptsMade, (err as Error).message, false);
            return later(job, token, wait);
          }
        }
        throw err;
      }
      // One round trip: the mark, and the job's pacing record (if it met rate limits) dropped.
      const [[markFailed] = [null]] =
        (await connection.pipeline().set(key, "sent", "EX", KEEP_SENT_SECONDS).del(paceKeys(job).slot).exec()) ?? [];
      if (markFailed) throw markFailed;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
