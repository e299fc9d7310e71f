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
import type { Pacer } from "./pacing.js";

export interface InlineDeliveryOptions {
  senders: Partial<Record<ChatChannel, Sender>>;
  pacer: Pacer;
  logger: Logger;
  /** Attempts per reply before giving up for now. Default 4. */
  attempts?: number;
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
 */
export function inlineDelivery(opts: InlineDeliveryOptions): Delivery {
  const attempts = opts.attempts ?? 4;
  const budgetMs = opts.budgetMs ?? 8_000;
  const sent = new Set<string>();
  const deadLetters = new Map<string, { job: OutboundJob; letter: DeadLetter }>();
  const remember = (id: string) => {
    sent.add(id);
    // Sets iterate in insertion order: drop the oldest.
    if (sent.size > REMEMBERED) sent.delete(sent.values().next().value!);
  };

  async function sendOne(job: OutboundJob, deadline: number): Promise<void> {
    const sender = opts.senders[job.channel];
    if (!sender) throw new Error(`No sender for channel ${job.channel}`);
    const wait = await opts.pacer(job.channel, job.chatId);
    if (wait > 0) await sleep(wait);
    for (let attempt = 1; ; attempt++) {
      try {
        await sender(job);
        remember(job.id);
        deadLetters.delete(job.id);
        return;
      } catch (err) {
        const permanent = err instanceof DeliveryError && err.kind === "permanent";
        const delay = retryDelayMs(attempt, err, { baseMs: opts.baseDelayMs });
        if (permanent) {
          opts.logger.warn({ job: job.id, reason: (err as Error).message }, "reply rejected by provider: dead letter");
          deadLetters.set(job.id, {
            job,
            letter: {
              id: job.id,
              channel: job.channel,
              chatId: job.chatId,
              reason: (err as Error).message,
              attempts: attempt,
              failedAt: new Date(),
            },
          });
          return;
        }
        if (attempt >= attempts || Date.now() + delay > deadline) {
          throw new DeliveryUnavailable(`reply ${job.id} not delivered after ${attempt} attempts`, { cause: err });
        }
        opts.logger.info(
          { job: job.id, attempt, delayMs: delay, reason: (err as Error).message },
          "send failed; retrying",
        );
        await sleep(delay);
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
      return [...deadLetters.values()].map((d) => d.letter);
    },
    async retryDeadLetter(id) {
      const entry = deadLetters.get(id);
      if (!entry) return false;
      deadLetters.delete(id);
      await sendOne(entry.job, Date.now() + budgetMs).catch((err: unknown) => {
        deadLetters.set(id, {
          ...entry,
          letter: { ...entry.letter, reason: (err as Error).message, failedAt: new Date() },
        });
      });
      return true;
    },
    async close() {},
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
