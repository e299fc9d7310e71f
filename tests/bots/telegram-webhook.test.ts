import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inlineDelivery } from "../../src/bots/delivery/inline.js";
import { memoryPacer } from "../../src/bots/delivery/pacing.js";
import { telegramChannel } from "../../src/bots/telegram/channel.js";
import { replayingEngine } from "../../src/bots/chat-engine.js";
import { telegramApi, telegramSender } from "../../src/bots/telegram/send.js";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import { paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { serveLocally } from "../support/serve.js";
import { startFakeTelegram, type BotApiCall } from "../support/fake-telegram.js";

// Embedded mode (no Redis): replies are sent in-process before the webhook answers.
const TOKEN = "123456:test-token";
const SECRET = "webhook-secret-for-tests";
const db = await freshDatabase();
const telegram = await startFakeTelegram(TOKEN);
let base: string;
let clinicId: string;
let closeServer: () => Promise<void>;
const logger = pino({ level: "silent" });

beforeAll(async () => {
  ({ clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" }));
  const now = () => paris("2026-11-30T08:00");
  const api = telegramApi({ token: TOKEN, apiRoot: telegram.apiRoot });
  const delivery = inlineDelivery({
    senders: { telegram: telegramSender(api) },
    pacer: memoryPacer({ sender: { intervalMs: 1, burst: 30 }, chat: { intervalMs: 5, burst: 1 } }),
    logger,
    baseDelayMs: 20,
  });
  const engine = replayingEngine({ db, clinicId, holdMinutes: 5, now });
  const { router } = telegramChannel({ api, webhookSecret: SECRET, engine, delivery, db, clinicId, logger, now });
  ({ base, close: closeServer } = await serveLocally(router));
});
afterAll(async () => {
  await closeServer?.();
  await telegram.close();
});

let updateId = 5000;
let messageId = 1;
const user = (id: number, language_code = "fr") => ({ id, is_bot: false, first_name: "Patient", language_code });
const textUpdate = (chatId: number, text: string) => ({
  update_id: ++updateId,
  message: {
    message_id: ++messageId,
    date: 1_796_000_000,
    chat: { id: chatId, type: "private" },
    from: user(chatId),
    text,
  },
});
const tapUpdate = (chatId: number, data: string) => ({
  update_id: ++updateId,
  callback_query: {
    id: `cq${++messageId}`,
    from: user(chatId),
    chat_instance: "ci",
    data,
    message: { message_id: 1, date: 1_796_000_000, chat: { id: chatId, type: "private" } },
  },
});

const post = (update: unknown, secret: string | null = SECRET) =>
  fetch(`${base}/webhooks/telegram`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(secret !== null ? { "x-telegram-bot-api-secret-token": secret } : {}),
    },
    body: JSON.stringify(update),
  });

/** Posts an update like Telegram does and returns the messages sent to that chat because of it. */
async function deliver(chatId: number, update: unknown): Promise<BotApiCall[]> {
  const before = telegram.sent(chatId).length;
  const res = await post(update);
  expect(res.status).toBe(200);
  return telegram.sent(chatId).slice(before);
}

const buttons = (calls: BotApiCall[]) =>
  calls.flatMap((c) =>
    (
      (c.params.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] })?.inline_keyboard ??
      []
    ).flat(),
  );
const texts = (calls: BotApiCall[]) => calls.map((c) => c.params.text as string).join("\n");

describe("Telegram webhook", () => {
  it("a patient books a dermatologist on Telegram by typing and tapping buttons", async () => {
    const chat = 7001;
    const offer = await deliver(chat, textUpdate(chat, "bonjour, je voudrais voir un dermatologue mardi vers 15h"));
    const slot = buttons(offer).find((b) => b.callback_data.includes(".slot."));
    expect(slot?.text).toMatch(/mardi 1 décembre/);
    expect(Buffer.byteLength(slot!.callback_data)).toBeLessThanOrEqual(64);

    const tap = tapUpdate(chat, slot!.callback_data);
    expect(texts(await deliver(chat, tap))).toMatch(/prénom et nom/);
    expect(
      telegram.calls.some(
        (c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === tap.callback_query.id,
      ),
    ).toBe(true);
    expect(texts(await deliver(chat, textUpdate(chat, "Ada Lovelace")))).toMatch(/date de naissance/);
    const consent = await deliver(chat, textUpdate(chat, "10 décembre 1985"));
    const yes = buttons(consent).find((b) => b.callback_data.endsWith(".yes."));
    expect(texts(await deliver(chat, tapUpdate(chat, yes!.callback_data)))).toMatch(/confirmé/);

    const appointment = await db.prisma.appointment.findFirstOrThrow({
      where: { patient: { lastName: "Lovelace" } },
      include: { patient: { include: { identities: true } } },
    });
    expect(appointment.status).toBe("confirmed");
    expect(appointment.sourceChannel).toBe("telegram");
    expect(appointment.patient.identities[0]).toMatchObject({ channel: "telegram", externalId: String(chat) });
  });

  it("a request without the secret token, or with a forged one, gets 401 and nothing is processed or sent", async () => {
    const chat = 7002;
    const callsBefore = telegram.calls.length;
    expect((await post(textUpdate(chat, "bonjour"), null)).status).toBe(401);
    expect((await post(textUpdate(chat, "bonjour"), "not-the-secret")).status).toBe(401);
    expect((await post(textUpdate(chat, "bonjour"), SECRET.slice(0, -1))).status).toBe(401);
    expect(telegram.calls.length).toBe(callsBefore);
    expect(await db.prisma.conversation.count({ where: { channel: "telegram", senderId: String(chat) } })).toBe(0);
  });

  it("the same update delivered twice is answered once", async () => {
    const chat = 7003;
    const update = textUpdate(chat, "bonjour, un généraliste demain matin");
    const first = await deliver(chat, update);
    expect(first.length).toBeGreaterThan(0);
    expect(await deliver(chat, update)).toEqual([]);
    expect(
      await db.prisma.processedMessage.count({
        where: { channel: "telegram", conversation: { senderId: String(chat) } },
      }),
    ).toBe(1);
  });

  it("when Telegram says 429, the reply goes out once, after the retry_after it asked for", async () => {
    const chat = 7004;
    telegram.failNext(1, { status: 429, retryAfter: 1 });
    const sent = await deliver(chat, textUpdate(chat, "bonjour"));
    expect(sent.length).toBeGreaterThan(0);
    const attempts = telegram.calls.filter(
      (c) => c.method === "sendMessage" && String(c.params.chat_id) === String(chat),
    );
    expect(attempts[0]!.status).toBe(429);
    expect(attempts[1]!.status).toBe(200);
    expect(attempts[1]!.params.text).toBe(attempts[0]!.params.text);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(990);
    expect(new Set(sent.map((c) => c.params.text)).size).toBe(sent.length);
  });

  it("when Telegram says 429 more often than a reply has attempts, the reply still goes out once: waiting out a rate limit is no attempt", async () => {
    const chat = 7014;
    telegram.failNext(4, { status: 429, retryAfter: 1 });
    const sent = await deliver(chat, textUpdate(chat, "bonjour"));
    const attempts = telegram.calls.filter(
      (c) => c.method === "sendMessage" && String(c.params.chat_id) === String(chat),
    );
    expect(attempts.map((a) => a.status).slice(0, 5)).toEqual([429, 429, 429, 429, 200]);
    for (let i = 1; i < 5; i++) expect(attempts[i]!.at - attempts[i - 1]!.at).toBeGreaterThanOrEqual(990);
    expect(new Set(sent.map((c) => c.params.text)).size).toBe(sent.length);
  }, 30_000);

  it("when Telegram fails twice with 500, the reply still goes out exactly once", async () => {
    const chat = 7005;
    telegram.failNext(2, { status: 500 });
    const sent = await deliver(chat, textUpdate(chat, "bonjour"));
    const attempts = telegram.calls.filter(
      (c) => c.method === "sendMessage" && String(c.params.chat_id) === String(chat),
    );
    expect(attempts.map((a) => a.status).slice(0, 3)).toEqual([500, 500, 200]);
    expect(new Set(sent.map((c) => c.params.text)).size).toBe(sent.length);
  });

  it("when Telegram stays down, the webhook answers 503 so Telegram redelivers, and the redelivery sends the reply once", async () => {
    const chat = 7006;
    telegram.failNext(10, { status: 500 });
    const update = textUpdate(chat, "bonjour");
    expect((await post(update)).status).toBe(503);
    expect(telegram.sent(chat)).toEqual([]);
    telegram.recover();
    const redelivered = await deliver(chat, update);
    expect(redelivered.length).toBeGreaterThan(0);
    expect(await deliver(chat, update)).toEqual([]);
  });

  it("sharing one's own phone number links the chat to the patient with that number", async () => {
    const chat = 7007;
    const patient = await db.prisma.patient.create({
      data: { clinicId, firstName: "Grace", lastName: "Hopper", phone: "+33612345678" },
    });
    const forwarded = {
      update_id: ++updateId,
      message: {
        message_id: ++messageId,
        date: 1_796_000_000,
        chat: { id: chat, type: "private" },
        from: user(chat, "en"),
        contact: { phone_number: "33612345678", first_name: "Grace", user_id: 1234 },
      },
    };
    expect(texts(await deliver(chat, forwarded))).toMatch(/your own number/);
    expect(await db.prisma.channelIdentity.count({ where: { patientId: patient.id } })).toBe(0);

    const own = {
      ...forwarded,
      update_id: ++updateId,
      message: {
        ...forwarded.message,
        message_id: ++messageId,
        contact: { ...forwarded.message.contact, user_id: chat },
      },
    };
    expect(texts(await deliver(chat, own))).toMatch(/linked to your record/);
    const identity = await db.prisma.channelIdentity.findFirstOrThrow({ where: { patientId: patient.id } });
    expect(identity).toMatchObject({ channel: "telegram", externalId: String(chat), verified: true });
  });
});
