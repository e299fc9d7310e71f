import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadLetterDesk } from "../../src/bots/delivery/desk.js";
import { PassThrough } from "node:stream";
import { deliveryRoute } from "../../src/bots/channels.js";
import { processDeadLetters } from "../../src/bots/delivery/inline.js";
import { WHATSAPP_WEB_QUEUE } from "../../src/bots/delivery/queue.js";
import { WhatsappWebSession } from "../../src/bots/whatsapp-web/session.js";
import { startWhatsappWeb } from "../../src/bots/whatsapp-web/start.js";
import { loadConfig } from "../../src/config.js";
import type { AppContext } from "../../src/context.js";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import { paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { FakeWhatsappWebClient, message } from "../support/fake-whatsapp-web.js";

// Embedded mode (no Redis): replies are sent in-process; WhatsApp Web never redelivers a message.
const db = await freshDatabase();
const client = new FakeWhatsappWebClient();
const session = new WhatsappWebSession(() => paris("2026-11-30T08:00"));
const ctx: AppContext = {
  config: loadConfig({ NODE_ENV: "test", WHATSAPP_WEB_ENABLED: "true" }),
  db,
  logger: pino({ level: "silent" }),
  now: () => paris("2026-11-30T08:00"),
  whatsappWeb: session,
};
const FAST = { sender: { intervalMs: 1, burst: 50 }, chat: { intervalMs: 1, burst: 10 } };
let running: Awaited<ReturnType<typeof startWhatsappWeb>>;

beforeAll(async () => {
  const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" });
  const started = client.nextInitialize();
  running = await startWhatsappWeb(
    ctx,
    clinicId,
    session,
    { sessionDir: "/nonexistent", chromiumPath: "/nonexistent" },
    { client, terminal: null, retryDelayMs: 1, limits: FAST, baseDelayMs: 1 },
  );
  await started;
  client.emit("qr", "2@fakeRef,fakeNoiseKey,fakeIdentityKey,fakeAdvSecret,1");
  client.emit("authenticated");
  client.emit("ready");
});
afterAll(() => running.close());

/** Emits a message like whatsapp-web.js and returns the texts sent back to that chat because of it. */
async function write(phone: string, body: string, extra: Partial<Parameters<typeof message>[0]> = {}) {
  const chat = `${phone}@c.us`;
  const before = client.textsTo(chat).length;
  client.emit("message", message({ from: chat, body, ...extra }));
  await running.idle();
  return client.textsTo(chat).slice(before);
}

describe("WhatsApp Web (whatsapp-web.js) through a client double", () => {
  it("a patient books a dermatologist by answering numbered choices with a digit", async () => {
    const phone = "33611110001";
    const [offer] = await write(phone, "bonjour, je voudrais voir un dermatologue mardi vers 15h");
    expect(offer).toMatch(/^1\. .*mardi 1 décembre/m);
    expect(offer).toMatch(/^2\. /m);
    expect((await write(phone, "1")).join("\n")).toMatch(/prénom et nom/);
    expect((await write(phone, "Ada Lovelace")).join("\n")).toMatch(/date de naissance/);
    const consent = (await write(phone, "10 décembre 1985")).join("\n");
    expect(consent).toMatch(/^1\. /m);
    expect((await write(phone, "1")).join("\n")).toMatch(/confirmé/);

    const appointment = await db.prisma.appointment.findFirstOrThrow({
      where: { patient: { lastName: "Lovelace" } },
      include: { patient: { include: { identities: true } } },
    });
    expect(appointment.status).toBe("confirmed");
    expect(appointment.sourceChannel).toBe("whatsapp");
    expect(appointment.patient.identities[0]).toMatchObject({ channel: "whatsapp", externalId: `+${phone}` });
    // Every reply's status is kept, with the id the page gave the sent message.
    const sent = client.sent.filter((s) => s.chatId === `${phone}@c.us`);
    const rows = await db.prisma.messageDelivery.findMany({
      where: { providerMessageId: { in: sent.map((s) => s.id) } },
    });
    expect(rows).toHaveLength(sent.length);
    expect(rows.every((r) => r.status === "sent" && r.channel === "whatsapp" && r.attempts === 1)).toBe(true);
  });

  it("the same message event emitted twice, even at the same moment, is answered once", async () => {
    const phone = "33611110002";
    const chat = `${phone}@c.us`;
    const m = message({ from: chat, body: "bonjour, un généraliste demain matin" });
    client.emit("message", m);
    client.emit("message", { ...m });
    await running.idle();
    const first = client.textsTo(chat);
    expect(first.length).toBeGreaterThan(0);
    client.emit("message", { ...m });
    await running.idle();
    expect(client.textsTo(chat)).toEqual(first);
    expect(
      await db.prisma.processedMessage.count({
        where: { channel: "whatsapp", conversation: { senderId: `+${phone}` } },
      }),
    ).toBe(1);
  });

  it("one patient's quick messages are handled in the order they were written", async () => {
    const phone = "33611110003";
    const chat = `${phone}@c.us`;
    client.emit("message", message({ from: chat, body: "bonjour, je voudrais voir un dermatologue mardi vers 15h" }));
    client.emit("message", message({ from: chat, body: "1" }));
    await running.idle();
    const texts = client.textsTo(chat);
    expect(texts[0]).toMatch(/^1\. /m);
    expect(texts.at(-1)).toMatch(/prénom et nom/);
  });

  it("receipts from the phone mark replies delivered, then read, never back", async () => {
    const phone = "33611110004";
    await write(phone, "bonjour");
    const reply = client.sent.find((s) => s.chatId === `${phone}@c.us`)!;
    const sentMessage = message({ from: "33100000000@c.us", to: reply.chatId, fromMe: true, id: reply.id });
    const statusOf = async () =>
      (await db.prisma.messageDelivery.findFirstOrThrow({ where: { providerMessageId: reply.id } })).status;
    client.emit("message_ack", sentMessage, 2);
    await expect.poll(statusOf).toBe("delivered");
    client.emit("message_ack", sentMessage, 3);
    await expect.poll(statusOf).toBe("read");
    client.emit("message_ack", sentMessage, 2);
    client.emit("message_ack", sentMessage, 1);
    await new Promise((r) => setImmediate(r));
    expect(await statusOf()).toBe("read");
  });

  it("a photo or a voice note gets a short explanation in the patient's language, once", async () => {
    const phone = "33611110005";
    const chat = `${phone}@c.us`;
    await write(phone, "hello, I would like to see a GP tomorrow morning");
    const voice = { type: "ptt", hasMedia: true, id: `false_${chat}_3EB0A1B2C3D4E5F6` };
    const [answer] = await write(phone, "", voice);
    expect(answer).toMatch(/only read written messages/);
    expect(answer).toMatch(/In an emergency, call 15/);
    expect(await write(phone, "", voice)).toEqual([]);
    const [french] = await write("33611110006", "", { type: "image", hasMedia: true });
    expect(french).toMatch(/Je ne lis que les messages écrits/);
  });

  it("group messages, status updates and the clinic's own messages are not answered", async () => {
    const before = client.sent.length;
    client.emit("message", message({ from: "120363041234567890@g.us", author: "33611110007@c.us", body: "bonjour" }));
    client.emit("message", message({ from: "status@broadcast", body: "bonjour", isStatus: true }));
    client.emit(
      "message",
      message({ from: "33611110007@c.us", body: "bonjour", fromMe: true, to: "33611110007@c.us" }),
    );
    await running.idle();
    expect(client.sent.length).toBe(before);
  });

  it("a sender known only by a WhatsApp privacy id (@lid) is answered at that id", async () => {
    const lid = "212345678901234@lid";
    client.emit("message", message({ from: lid, body: "bonjour" }));
    await running.idle();
    expect(client.textsTo(lid).length).toBeGreaterThan(0);
  });
});

describe("WhatsApp Web session states", () => {
  it("the QR, then the scan, then ready move the session's state; the QR is drawn in the terminal and gone once connected", async () => {
    const fresh = new WhatsappWebSession();
    const double = new FakeWhatsappWebClient();
    const terminal = new PassThrough();
    let drawn = "";
    terminal.on("data", (chunk: Buffer) => (drawn += chunk.toString("utf8")));
    const states: string[] = [];
    fresh.onChange((s) => states.push(s.qr ? `${s.status}:${s.qr}` : s.status));
    const started = double.nextInitialize();
    const other = await startWhatsappWeb(
      ctx,
      "00000000-0000-0000-0000-000000000000",
      fresh,
      { sessionDir: "/x", chromiumPath: "/x" },
      { client: double, terminal },
    );
    await started;
    double.emit("qr", "ref-1");
    double.emit("qr", "ref-2");
    double.emit("authenticated");
    double.emit("ready");
    expect(states).toEqual(["starting", "qr:ref-1", "qr:ref-2", "authenticated", "ready"]);
    expect(fresh.state.qr).toBeUndefined();
    await expect.poll(() => drawn).toMatch(/scan this code[^]*Linked devices[^]*/);
    // Terminal QR codes are drawn with block characters, one line per module row.
    expect(drawn.split("\n").filter((l) => /[█▀▄]/.test(l)).length).toBeGreaterThan(10);
    await other.close();
    expect(double.destructions).toBe(1);
  });

  it("a disconnection restarts the browser; replies written meanwhile become dead letters staff can send once it is back", async () => {
    const phone = "33611110008";
    const chat = `${phone}@c.us`;
    const restarted = client.nextInitialize();
    const destroyedBefore = client.destructions;
    client.emit("disconnected", "NAVIGATION");
    expect(session.state).toMatchObject({ status: "disconnected", reason: "NAVIGATION" });
    await restarted;
    expect(client.destructions).toBeGreaterThan(destroyedBefore);

    // The session is not ready: the reply cannot go out and nothing would redeliver the message.
    expect(await write(phone, "bonjour")).toEqual([]);
    const dead = processDeadLetters.list().filter((d) => d.chatId === `+${phone}`);
    expect(dead.length).toBeGreaterThan(0);
    expect(dead[0]!.reason).toMatch(/session is starting/);
    const row = await db.prisma.messageDelivery.findUniqueOrThrow({ where: { jobId: dead[0]!.id } });
    expect(row.status).toBe("dead");

    client.emit("ready");
    const desk = deadLetterDesk(ctx);
    for (const d of dead) expect(await desk.retry(d.id)).toBe(true);
    expect(client.textsTo(chat).length).toBe(dead.length);
    expect((await db.prisma.messageDelivery.findUniqueOrThrow({ where: { jobId: dead[0]!.id } })).status).toBe("sent");
    expect(await desk.retry(dead[0]!.id)).toBe(false);
  });

  it("WhatsApp's own logout is left to the library, which shows a new QR", async () => {
    const destroyedBefore = client.destructions;
    client.emit("disconnected", "LOGOUT");
    // A restart would have destroyed the client right away, inside the event.
    expect(client.destructions).toBe(destroyedBefore);
    client.emit("qr", "after-logout");
    expect(session.state).toMatchObject({ status: "qr", qr: "after-logout" });
    client.emit("ready");
  });
});

describe("WhatsApp transport configuration", () => {
  it("WhatsApp Web and the Cloud API cannot be configured together", () => {
    expect(() =>
      loadConfig({ WHATSAPP_WEB_ENABLED: "true", WHATSAPP_ACCESS_TOKEN: "EAAG-access-token-for-tests" }),
    ).toThrow(/choose one WhatsApp transport/);
    expect(loadConfig({ WHATSAPP_WEB_ENABLED: "true" }).WHATSAPP_WEB_CHROMIUM).toBe("/usr/bin/chromium");
  });

  it("reminders and notices for WhatsApp Web take its own queue, not the one other workers consume", () => {
    expect(deliveryRoute(loadConfig({ WHATSAPP_WEB_ENABLED: "true" }), "whatsapp")).toMatchObject({
      queueName: WHATSAPP_WEB_QUEUE,
      redelivered: false,
    });
    expect(deliveryRoute(loadConfig({}), "whatsapp")?.queueName).toBeUndefined();
  });
});
