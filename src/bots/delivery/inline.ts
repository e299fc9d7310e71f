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
import type { Pacer } from "./pacing.js";
import { noDeliveryLog, type DeliveryLog } from "./status.js";

/**
 * The dead letters of in-process deliveries. Every channel's inline delivery puts its own here by
 * default, so staff see one list for the whole process; each entry knows how to send itself again.
 */
export class DeadLetterShelf {
  private readonly entries = new Map<string, { letter: DeadLetter; retry: () => Promise<void> }>();

  put(letter: DeadLetter, retry: () => Promise<void>): void {
    this.entries.set(letter.id, { letter, retry });
  }

  remove(id: string): void {
    this.entries.delete(id);
  }

  list(): DeadLetter[] {
    return [...this.entries.values()].map((e) => e.letter);
  }

  /** Sends a dead letter again; false when there is no such dead letter. */
  async retry(id: string): Promise<boolean> {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    await entry.retry();
    return true;
  }
}

/** This process's dead letters (embedded mode). A restart forgets them; `message_delivery` keeps their status. */
export const processDeadLetters = new DeadLetterShelf();

export interface InlineDeliveryOptions {
  senders: Partial<Record<ChatChannel, Sender>>;
  pacer: Pacer;
  logger: Logger;
  /** Where statuses go (`message_delivery`). Default: nowhere. */
  log?: DeliveryLog;
  /** Where dead letters go. Default: the process's shelf. */
  shelf?: DeadLetterShelf;
  /**
   * Whether the provider sends an unanswered message again (webhooks do). When it does, replies
   * that still fail after the budget make `deliver` reject so the webhook answers 5xx; when it does
   * not (WhatsApp Web), they become dead letters staff can retry. Default true.
   */
  redelivered?: boolean;
  /** Attempts per reply before giving up for now. Default 4. */
  attempts?: number;
  /** Rate limits (429) a reply may meet without using up an attempt (the time budget still bounds them). Default 20. */
  freeRateLimits?: number;
  /** Longest the webhook may wait on retries before answering 5xx. Default 8 s. */
  budgetMs?: number;
  baseDelayMs?: number;
}

const REMEMBERED = 20_000;

/**
 * Embedded mode (no REDIS_URL): replies are sent in-process before the webhook answers, with
 * the same retry policy as the queue but bounded by a time budget. Durability relies on the
 * provider's redelivery: if a reply still cannot go out, the webhook answers 5xx, the provider
 * sends the update again, the engine answers it from its stored replies, and the ids of replies
 * already sent (remembered in memory) are skipped. A restart forgets those ids, so a redelivery
 * straddling a restart may repeat a reply; use Redis in production.
 *
 * Pacing is at send time here: each reply reserves its slot just before it goes. A provider
 * wait (429 retry_after, Retry-After) that fits in the budget holds the whole sender, so the
 * process's other replies wait too, and the refused reply takes a fresh slot past it; a rate
 * limit does not use up an attempt (up to `freeRateLimits`), a busy or broken provider does. A
 * longer wait is neither sat out nor held: the reply fails now, and a later send tries again.
 */
export function inlineDelivery(opts: InlineDeliveryOptions): Delivery {
  const attempts = opts.attempts ?? 4;
  const freeRateLimits = opts.freeRateLimits ?? 20;
  const budgetMs = opts.budgetMs ?? 8_000;
  const log = opts.log ?? noDeliveryLog;
  const shelf = opts.shelf ?? processDeadLetters;
  const redelivered = opts.redelivered ?? true;
  const sent = new Set<string>();
  const remember = (id: string) => {
    sent.add(id);
    // Sets iterate in insertion order: drop the oldest.
    if (sent.size > REMEMBERED) sent.delete(sent.values().next().value!);
  };

  const shelve = (job: OutboundJob, attempt: number, reason: string) => {
    shelf.put(
      { id: job.id, channel: job.channel, chatId: job.chatId, reason, attempts: attempt, failedAt: new Date() },
      async () => {
        await log.requeued(job.id);
        await sendOne(job, Date.now() + budgetMs).catch((err: unknown) => shelve(job, attempt, (err as Error).message));
      },
    );
  };

  async function sendOne(job: OutboundJob, deadline: number): Promise<void> {
    const sender = opts.senders[job.channel];
    if (!sender) throw new Error(`No sender for channel ${job.channel}`);
    const paced = async () => {
      const wait = await opts.pacer.reserve(job.channel, job.chatId);
      if (wait > 0) await sleep(wait);
    };
    await paced();
    let rateLimits = 0;
    for (let attempt = 1; ;) {
      try {
        const receipt = await sender(job);
        remember(job.id);
        shelf.remove(job.id);
        await log.sent(job, attempt, receipt?.providerMessageId);
        return;
      } catch (err) {
        const reason = (err as Error).message;
        const providerWait = providerWaitMs(err);
        // A wait this send cannot sit out is not held either: nothing here outlives the budget.
        const sitOut = providerWait !== undefined && Date.now() + providerWait <= deadline;
        if (sitOut) await opts.pacer.holdOff(job.channel, providerWait);
        if (sitOut && err instanceof DeliveryError && err.rateLimited && rateLimits < freeRateLimits) {
          // Sent too fast: a fresh slot past the hold, the attempt not used, while the budget lasts.
          const slot = await opts.pacer.reserve(job.channel, job.chatId);
          if (Date.now() + slot <= deadline) {
            rateLimits++;
            await log.failed(job, attempt - 1, reason, false);
            opts.logger.info({ job: job.id, delayMs: slot, reason }, "rate limited; sending on a fresh slot");
            await sleep(slot);
            continue;
          }
        }
        const permanent = err instanceof DeliveryError && err.kind === "permanent";
        const delay = providerWait ?? retryDelayMs(attempt, err, { baseMs: opts.baseDelayMs });
        const exhausted = attempt >= attempts || Date.now() + delay > deadline;
        if (permanent || (exhausted && !redelivered)) {
          opts.logger.warn({ job: job.id, reason }, "reply not delivered: dead letter");
          await log.failed(job, attempt, reason, true);
          shelve(job, attempt, reason);
          return;
        }
        await log.failed(job, attempt, reason, false);
        if (exhausted) {
          throw new DeliveryUnavailable(`reply ${job.id} not delivered after ${attempt} attempts`, { cause: err });
        }
        opts.logger.info({ job: job.id, attempt, delayMs: delay, reason }, "send failed; retrying");
        await sleep(delay);
        await paced();
        attempt++;
      }
    }
  }

  return {
    async deliver(jobs) {
      const deadline = Date.now() + budgetMs;
      // In order: a chat's replies must arrive as the engine wrote them.
      for (const job of jobs) {
        if (sent.has(job.id)) continue;
        await sendOne(job, deadline);
      }
    },
    async listDeadLetters() {
      return shelf.list();
    },
    retryDeadLetter(id) {
      return shelf.retry(id);
    },
    async close() {},
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
