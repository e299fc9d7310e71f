import { DelayedError, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";

/** The BullMQ queue carrying reminders and notices at their time (data: the row's kind and id). */
export const FOLLOW_UP_QUEUE = "follow-ups";

export interface FollowUpJob {
  kind: "reminder" | "notice";
  id: string;
}

/** One row to deliver at `at` (the injectable clock's time; Redis delays use the wall clock). */
export interface Due extends FollowUpJob {
  at: Date;
}

/**
 * Producer side: one delayed job per row, id `<kind>-<rowId>`. Adding an id that is already
 * waiting creates nothing, so the sweeper may re-add everything due soon on every pass, and
 * after a FLUSHALL it simply puts the jobs back. Finished jobs are removed at once: the row
 * says whether it was sent, and a later re-add must not be blocked by a finished job.
 */
export function followUpQueue(opts: { redisUrl: string; prefix: string; logger: Logger }) {
  const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  connection.on("error", () => undefined);
  const queue = new Queue<FollowUpJob>(FOLLOW_UP_QUEUE, { connection, prefix: opts.prefix });
  queue.on("error", (err) => opts.logger.warn({ reason: err.message }, "follow-up queue error"));
  return {
    queue,
    async schedule(items: Due[], now: Date): Promise<void> {
      if (items.length === 0) return;
      await queue.addBulk(
        items.map((item) => ({
          name: item.kind,
          data: { kind: item.kind, id: item.id },
          opts: {
            jobId: `${item.kind}-${item.id}`,
            delay: Math.max(0, +item.at - +now),
            attempts: 5,
            backoff: { type: "exponential", delay: 1_000 },
            removeOnComplete: true,
            removeOnFail: true,
          },
        })),
      );
    },
    async close(): Promise<void> {
      await queue.close();
      connection.disconnect();
    },
  };
}

export type FollowUpQueue = ReturnType<typeof followUpQueue>;

/** What processing one job decided: done, or look again at `retryAt` (another worker holds it, or not due yet). */
export type JobVerdict = { done: true } | { done: false; retryInMs: number };

export interface FollowUpWorkerOptions {
  redisUrl: string;
  prefix: string;
  logger: Logger;
  concurrency?: number;
  /** BullMQ lock settings; tests shorten them to see a dead worker's job taken over quickly. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  process: (job: FollowUpJob) => Promise<JobVerdict>;
}

/** Consumer side: runs `process` for each job when it is due; a job to look at again waits in the delayed set. */
export function startFollowUpWorker(opts: FollowUpWorkerOptions): {
  worker: Worker<FollowUpJob>;
  close(force?: boolean): Promise<void>;
} {
  const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  connection.on("error", () => undefined);
  const worker = new Worker<FollowUpJob>(
    FOLLOW_UP_QUEUE,
    async (job, token) => {
      const verdict = await opts.process(job.data);
      if (verdict.done) return;
      await job.moveToDelayed(Date.now() + Math.max(50, verdict.retryInMs), token);
      throw new DelayedError();
    },
    {
      connection,
      prefix: opts.prefix,
      // A job is work in this process (a claim, then the dialogue engine wording the question),
      // not a wait on a provider: past a few at once they only slow each other down and starve the
      // delivery worker beside them, which is what sets a burst's lateness.
      concurrency: opts.concurrency ?? 8,
      // BullMQ rejects an explicit undefined here: only pass what was given.
      ...(opts.lockDurationMs !== undefined ? { lockDuration: opts.lockDurationMs } : {}),
      ...(opts.stalledIntervalMs !== undefined ? { stalledInterval: opts.stalledIntervalMs } : {}),
    },
  );
  worker.on("failed", (job, err) =>
    opts.logger.warn({ job: job?.id, attempt: job?.attemptsMade, reason: err.message }, "follow-up job failed"),
  );
  worker.on("error", (err) => opts.logger.warn({ reason: err.message }, "follow-up worker error"));
  return {
    worker,
    async close(force = false) {
      await worker.close(force);
      connection.disconnect();
    },
  };
}
