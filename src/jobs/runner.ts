import { clinicOutbox, type Outbox } from "../bots/outbox.js";
import type { AppContext } from "../context.js";
import { onFollowUps, type FollowUps } from "../domain/follow-up.js";
import { DEFAULT_LEASE_MS, type FollowUpDeps } from "./deps.js";
import { followUpQueue, startFollowUpWorker, type FollowUpJob, type JobVerdict } from "./follow-up-queue.js";
import { smtpMailer, type Mailer } from "./mailer.js";
import { deliverNotice } from "./send-notice.js";
import { deliverReminder } from "./send-reminder.js";
import { sweepFollowUps, type SweepReport } from "./sweeper.js";

export interface JobRunnerOptions {
  /** Redis key prefix (default "tabib"); tests use their own. */
  prefix?: string;
  /** Default REMINDER_SWEEP_SECONDS. */
  sweepSeconds?: number;
  leaseMs?: number;
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Default: the clinic outbox over every configured channel. */
  outbox?: Outbox;
  /** Default: SMTP_URL's mailer, or none. */
  mailer?: Mailer | null;
  /** Test seam, see FollowUpDeps. */
  afterQueued?: (jobId: string) => Promise<void>;
}

export interface JobRunner {
  /** Runs one sweep now (or waits for the one in progress and runs another). */
  sweep(): Promise<SweepReport>;
  /** `force`: stop at once, abandoning jobs in flight (as a killed process would). */
  close(opts?: { force?: boolean }): Promise<void>;
}

/**
 * Reminders and notices, in `npm run worker` or inside the web process (INLINE_WORKER). With
 * REDIS_URL a BullMQ worker delivers rows at their time and a periodic sweep re-queues anything
 * Redis lost; without Redis the sweep itself delivers. Changes made in this process are queued
 * at once (see onFollowUps); others are found by the next sweep.
 */
export function startJobs(
  ctx: Pick<AppContext, "config" | "db" | "logger" | "now">,
  opts: JobRunnerOptions = {},
): JobRunner {
  const { config, db, logger } = ctx;
  const prefix = opts.prefix ?? "tabib";
  const ownOutbox = !opts.outbox;
  const outbox = opts.outbox ?? clinicOutbox(ctx, { prefix });
  const ownMailer = opts.mailer === undefined;
  const mailer =
    opts.mailer === undefined ? (config.SMTP_URL ? smtpMailer(config.SMTP_URL, config.MAIL_FROM) : null) : opts.mailer;
  const deps: FollowUpDeps = {
    db,
    outbox,
    mailer,
    logger,
    now: ctx.now,
    holdMinutes: config.HOLD_MINUTES,
    idleMinutes: config.CONVERSATION_IDLE_MINUTES,
    leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS,
    whatsappTemplates: { reminder: config.WHATSAPP_REMINDER_TEMPLATE, notice: config.WHATSAPP_NOTICE_TEMPLATE },
    afterQueued: opts.afterQueued,
  };
  const sweepMs = (opts.sweepSeconds ?? config.REMINDER_SWEEP_SECONDS) * 1000;
  // Jobs are queued a little ahead of time so that Redis, not the next sweep, decides the moment.
  const lookaheadMs = 2 * sweepMs + 60_000;
  const queue = config.REDIS_URL ? followUpQueue({ redisUrl: config.REDIS_URL, prefix, logger }) : null;
  const worker = config.REDIS_URL
    ? startFollowUpWorker({
        redisUrl: config.REDIS_URL,
        prefix,
        logger,
        concurrency: opts.concurrency,
        lockDurationMs: opts.lockDurationMs,
        stalledIntervalMs: opts.stalledIntervalMs,
        process: (job) => processJob(deps, job),
      })
    : null;

  let running: Promise<SweepReport> | null = null;
  let closed = false;
  const sweep = (): Promise<SweepReport> => {
    const previous = running ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => sweepFollowUps(deps, { queue, lookaheadMs }))
      .then((report) => {
        const acted = report.repaired + report.reminders + report.notices + report.smsFallbacks > 0;
        logger[acted ? "info" : "debug"](report, "follow-up sweep done");
        return report;
      })
      .catch((err: unknown) => {
        logger.error({ err }, "follow-up sweep failed");
        return { repaired: 0, reminders: 0, notices: 0, smsFallbacks: 0 };
      });
    running = next;
    return next;
  };
  const tick = () => {
    if (!closed) void sweep();
  };
  const timer = setInterval(tick, sweepMs);
  timer.unref();
  tick();

  let immediate: Promise<unknown> = Promise.resolve();
  const unsubscribe = onFollowUps(db, (work: FollowUps) => {
    if (closed) return;
    if (queue) {
      const now = ctx.now();
      const items = [
        ...work.reminders
          .filter((r) => +r.sendAt <= +now + lookaheadMs)
          .map((r) => ({ kind: "reminder" as const, id: r.id, at: r.sendAt })),
        ...work.notices.map((id) => ({ kind: "notice" as const, id, at: now })),
      ];
      queue
        .schedule(items, now)
        .catch((err: Error) => logger.warn({ reason: err.message }, "follow-ups not queued yet"));
    } else {
      // Embedded mode: notices go now, one after another; reminders wait for their sweep.
      immediate = immediate.then(async () => {
        for (const id of work.notices)
          await deliverNotice(deps, id).catch((err: Error) =>
            logger.warn({ reason: err.message }, "notice not sent yet"),
          );
      });
    }
  });
  logger.info(
    { sweepSeconds: sweepMs / 1000, queue: Boolean(queue), email: Boolean(mailer) },
    "reminders and notices running",
  );

  return {
    sweep,
    async close({ force = false } = {}) {
      closed = true;
      clearInterval(timer);
      unsubscribe();
      await worker?.close(force);
      if (!force) {
        await running;
        await immediate;
      }
      await queue?.close();
      if (ownOutbox) await outbox.close();
      if (ownMailer) mailer?.close();
    },
  };
}

async function processJob(deps: FollowUpDeps, job: FollowUpJob): Promise<JobVerdict> {
  if (job.kind === "notice") {
    await deliverNotice(deps, job.id);
    return { done: true };
  }
  const outcome = await deliverReminder(deps, job.id);
  if (outcome.state === "busy") return { done: false, retryInMs: +outcome.retryAt - +deps.now() };
  if (outcome.state === "not_due") return { done: false, retryInMs: +outcome.sendAt - +deps.now() };
  return { done: true };
}
