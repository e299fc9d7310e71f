import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutboundJob } from "../../src/bots/delivery/outbound.js";
import type { PacingLimits } from "../../src/bots/delivery/pacing.js";
import { telegramApi, telegramSender } from "../../src/bots/telegram/send.js";
import { freshDatabase } from "../support/database.js";
import { startFakeTelegram } from "../support/fake-telegram.js";
import { pendingJobs, testOutboundQueue, until } from "../support/queue.js";

// The outbound queue on a real Redis (REDIS_URL) against a Telegram that enforces its rate.
const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn("delivery-burst.test.ts skipped: set REDIS_URL (e.g. redis://127.0.0.1:6379/5) to run it");

describe.skipIf(!REDIS_URL)("a burst of messages beyond the provider's rate", () => {
  const TOKEN = "123456:burst-token";
  const logger = pino({ level: "silent" });
  /** The bot's rate as Telegram enforces it here (50 messages/s, a fifth of a second's burst), and as Tabib is told. */
  const PROVIDER: PacingLimits = { sender: { intervalMs: 20, burst: 5 }, chat: { intervalMs: 1000, burst: 3 } };
  let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
  let queue: ReturnType<typeof testOutboundQueue>;
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  beforeAll(async () => {
    db = await freshDatabase();
    telegram = await startFakeTelegram(TOKEN);
    const api = telegramApi({ token: TOKEN, apiRoot: telegram.apiRoot });
    queue = testOutboundQueue({
      redisUrl: REDIS_URL!,
      db,
      logger,
      senders: { telegram: telegramSender(api) },
      limits: PROVIDER,
    });
  });

  afterAll(async () => {
    await queue?.close();
    await telegram?.close();
  });

  const reminders = (name: string, n: number, firstChat: number): OutboundJob[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `reminder-${name}-${i}`,
      channel: "telegram",
      chatId: String(firstChat + i),
      message: { text: `Rappel : rendez-vous demain (${name} ${i})` },
    }));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("reminders due at the end of quiet hours, queued while the worker was restarting, reach every patient once, none lost to 429s", async () => {
    telegram.limitRate({ intervalMs: 20, bucketMs: 200 });
    const burst = reminders("morning", 200, 600_000);
    await queue.delivery.deliver(burst);
    // The worker comes back when half of them are already due: they are all waiting at once.
    await sleep(2_000);
    queue.startWorker({ concurrency: 20 });
    await until(async () => (await pendingJobs(queue.delivery.queue)) === 0, 60_000);
    await sleep(500);
    for (const job of burst) expect(telegram.sent(job.chatId)).toHaveLength(1);
    expect(await queue.delivery.listDeadLetters()).toEqual([]);
    // None used a second attempt: any 429 met on the way was waited out on a fresh slot.
    const rows = await db.prisma.messageDelivery.findMany({ where: { jobId: { startsWith: "reminder-morning-" } } });
    expect(rows.filter((r) => r.status !== "sent" || r.attempts !== 1)).toEqual([]);
    expect(rows).toHaveLength(burst.length);
    await queue.stopWorkers();
  }, 90_000);

  it("a bot Telegram keeps refusing with 429 still ends as a dead letter, after its free waits and its attempts", async () => {
    const [job] = reminders("refused", 1, 700_000);
    telegram.failNext(100, { status: 429, retryAfter: 1 });
    queue.startWorker({ freeRateLimits: 1 });
    await queue.delivery.deliver([job!]);
    await until(async () => (await queue.delivery.listDeadLetters()).some((d) => d.id === job!.id), 30_000);
    telegram.recover();
    const [dead] = (await queue.delivery.listDeadLetters()).filter((d) => d.id === job!.id);
    expect(dead).toMatchObject({ attempts: 3, reason: expect.stringMatching(/^telegram 429/) });
    // One wait without an attempt, then the queue's three attempts.
    const tries = telegram.calls.filter((c) => c.method === "sendMessage" && String(c.params.chat_id) === job!.chatId);
    expect(tries.map((c) => c.status)).toEqual([429, 429, 429, 429]);
    await queue.stopWorkers();
  }, 60_000);
});
