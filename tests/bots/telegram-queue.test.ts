import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutboundJob } from "../../src/bots/delivery/outbound.js";
import { deadLetterDesk } from "../../src/bots/delivery/desk.js";
import { telegramChannel } from "../../src/bots/telegram/channel.js";
import { loadConfig } from "../../src/config.js";
import { replayingEngine } from "../../src/bots/chat-engine.js";
import { telegramApi, telegramSender } from "../../src/bots/telegram/send.js";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import { paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { serveLocally } from "../support/serve.js";
import { startFakeTelegram } from "../support/fake-telegram.js";
import { pendingJobs, testOutboundQueue, until } from "../support/queue.js";

// Delivery through BullMQ on a real Redis (REDIS_URL, its DB index as given).
const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn("telegram-queue.test.ts skipped: set REDIS_URL (e.g. redis://127.0.0.1:6379/5) to run it");

describe.skipIf(!REDIS_URL)("Telegram replies through the BullMQ outbound queue", () => {
  const TOKEN = "123456:queue-token";
  const SECRET = "webhook-secret-for-queue-tests";
  const logger = pino({ level: "silent" });
  let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
  let queue: ReturnType<typeof testOutboundQueue>;
  let delivery: (typeof queue)["delivery"];
  let base: string;
  let closeServer: () => Promise<void>;
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  beforeAll(async () => {
    db = await freshDatabase();
    const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" });
    telegram = await startFakeTelegram(TOKEN);
    const now = () => paris("2026-11-30T08:00");
    const api = telegramApi({ token: TOKEN, apiRoot: telegram.apiRoot });
    queue = testOutboundQueue({ redisUrl: REDIS_URL!, db, logger, senders: { telegram: telegramSender(api) } });
    delivery = queue.delivery;
    const engine = replayingEngine({ db, clinicId, holdMinutes: 5, now });
    const { router } = telegramChannel({ api, webhookSecret: SECRET, engine, delivery, db, clinicId, logger, now });
    ({ base, close: closeServer } = await serveLocally(router));
  });

  afterAll(async () => {
    await queue?.close();
    await closeServer?.();
    await telegram?.close();
  });

  const startWorker: (typeof queue)["startWorker"] = (extra) => queue.startWorker(extra);

  let updateId = 9000;
  const textUpdate = (chatId: number, text: string) => ({
    update_id: ++updateId,
    message: {
      message_id: updateId,
      date: 1_796_000_000,
      chat: { id: chatId, type: "private" },
      from: { id: chatId, is_bot: false, first_name: "P", language_code: "fr" },
      text,
    },
  });
  const post = async (update: unknown) => {
    const res = await fetch(`${base}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify(update),
    });
    expect(res.status).toBe(200);
  };
  const texts = (chat: number) => telegram.sent(chat).map((c) => c.params.text as string);
  const settle = () => new Promise((r) => setTimeout(r, 600));

  it("the webhook queues the replies and the worker sends each once, even when the update is redelivered", async () => {
    startWorker();
    const chat = 8001;
    const update = textUpdate(chat, "bonjour, je voudrais voir un dermatologue mardi vers 15h");
    await post(update);
    await until(() => telegram.sent(chat).length > 0);
    await post(update);
    await settle();
    const sent = texts(chat);
    expect(new Set(sent).size).toBe(sent.length);
    const keyboard = telegram
      .sent(chat)
      .find((c) => (c.params.reply_markup as { inline_keyboard?: unknown })?.inline_keyboard);
    expect(keyboard).toBeDefined();
    // Queued, then sent with the message id Telegram gave it: one row per reply, redelivery or not.
    const rows = await db.prisma.messageDelivery.findMany({ where: { jobId: { startsWith: `telegram-c${chat}_` } } });
    expect(rows).toHaveLength(sent.length);
    expect(rows.every((r) => r.status === "sent" && r.providerMessageId?.startsWith(`${chat}:`))).toBe(true);
  });

  it("a 429 from Telegram holds the bot for its retry_after: that reply and other chats' wait it out, use no attempt, and go once", async () => {
    const chat = 8002;
    const other = 8005;
    telegram.failNext(1, { status: 429, retryAfter: 1 });
    await post(textUpdate(chat, "bonjour"));
    await until(() => telegram.calls.some((c) => c.status === 429));
    const refusedAt = telegram.calls.find((c) => c.status === 429)!.at;
    // Another patient writes while the bot is held.
    await post(textUpdate(other, "bonjour"));
    await until(() => telegram.sent(chat).length > 0 && telegram.sent(other).length > 0);
    await settle();
    // Nothing went out before Telegram's retry_after was over, not after the 50 ms backoff.
    for (const c of [...telegram.sent(chat), ...telegram.sent(other)])
      expect(c.at).toBeGreaterThanOrEqual(refusedAt + 1000);
    expect(new Set(texts(chat)).size).toBe(texts(chat).length);
    const refused = telegram.calls.find((c) => c.status === 429)!;
    expect(telegram.sent(chat).filter((c) => c.params.text === refused.params.text)).toHaveLength(1);
    // Waiting out the limit used none of the reply's three attempts: it went at its first.
    const rows = await db.prisma.messageDelivery.findMany({ where: { jobId: { startsWith: `telegram-c${chat}_` } } });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(rows.map(() => ["sent", 1]));
  });

  it("a reply that keeps failing becomes a dead letter staff can see and retry, and is then sent once", async () => {
    const chat = 8003;
    telegram.failNext(100, { status: 500 });
    await post(textUpdate(chat, "bonjour"));
    await until(async () => (await delivery.listDeadLetters()).some((d) => d.chatId === String(chat)));
    telegram.recover();
    const dead = (await delivery.listDeadLetters()).filter((d) => d.chatId === String(chat));
    expect(dead[0]).toMatchObject({ channel: "telegram", attempts: 3 });
    const row = await db.prisma.messageDelivery.findUniqueOrThrow({ where: { jobId: dead[0]!.id } });
    expect(row).toMatchObject({ status: "dead", attempts: 3, lastError: "telegram 500: Internal Server Error" });
    // Staff see the queue's dead letters through the desk, whichever process failed them.
    const desk = deadLetterDesk({ config: loadConfig({ REDIS_URL }), db, logger }, { prefix: queue.prefix });
    expect((await desk.list()).map((d) => d.id)).toEqual(expect.arrayContaining(dead.map((d) => d.id)));
    for (const d of dead) expect(await desk.retry(d.id)).toBe(true);
    await until(() => telegram.sent(chat).length >= dead.length);
    await settle();
    expect(new Set(texts(chat)).size).toBe(texts(chat).length);
    expect(await delivery.retryDeadLetter("telegram-nothing-0")).toBe(false);
    expect(await desk.retry(dead[0]!.id)).toBe(false);
    await until(
      async () =>
        (await db.prisma.messageDelivery.findUniqueOrThrow({ where: { jobId: dead[0]!.id } })).status === "sent",
    );
  });

  it("a worker that dies after sending but before finishing its job does not cause a second send", async () => {
    await queue.stopWorkers();
    const chat = 8004;
    let hung: OutboundJob | undefined;
    const dying = startWorker({ afterSend: (job) => ((hung = job), new Promise<void>(() => undefined)) });
    await post(textUpdate(chat, "bonjour, un généraliste demain matin"));
    await until(() => hung !== undefined);
    await dying.worker.close(true);
    startWorker();
    await until(async () => (await pendingJobs(delivery.queue)) === 0);
    expect(texts(chat).length).toBeGreaterThan(0);
    await settle();
    await settle();
    const sent = texts(chat);
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent.filter((t) => t === hung!.message.text)).toHaveLength(1);
  });
});
