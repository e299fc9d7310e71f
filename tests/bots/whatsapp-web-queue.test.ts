import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OUTBOUND_QUEUE, WHATSAPP_WEB_QUEUE } from "../../src/bots/delivery/queue.js";
import { WhatsappWebSession } from "../../src/bots/whatsapp-web/session.js";
import { startWhatsappWeb } from "../../src/bots/whatsapp-web/start.js";
import { loadConfig } from "../../src/config.js";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import { paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { FakeWhatsappWebClient, message } from "../support/fake-whatsapp-web.js";

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL)
  console.warn("whatsapp-web-queue.test.ts skipped: set REDIS_URL (e.g. redis://127.0.0.1:6379/5) to run it");

describe.skipIf(!REDIS_URL)("WhatsApp Web replies through Redis", () => {
  const prefix = `tabib-test-${randomBytes(4).toString("hex")}`;
  const client = new FakeWhatsappWebClient();
  let running: Awaited<ReturnType<typeof startWhatsappWeb>>;
  let connection: Redis;

  beforeAll(async () => {
    const db = await freshDatabase();
    const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" });
    const session = new WhatsappWebSession();
    const ctx = {
      config: loadConfig({ NODE_ENV: "test", WHATSAPP_WEB_ENABLED: "true", REDIS_URL }),
      db,
      logger: pino({ level: "silent" }),
      now: () => paris("2026-11-30T08:00"),
      whatsappWeb: session,
    };
    running = await startWhatsappWeb(
      ctx,
      clinicId,
      session,
      { sessionDir: "/x", chromiumPath: "/x" },
      {
        client,
        terminal: null,
        prefix,
        limits: { sender: { intervalMs: 1, burst: 50 }, chat: { intervalMs: 1, burst: 10 } },
      },
    );
    client.emit("ready");
    connection = new Redis(REDIS_URL!);
  });

  afterAll(async () => {
    await running?.close();
    if (!connection) return;
    const keys = await connection.keys(`${prefix}:*`);
    if (keys.length > 0) await connection.del(...keys);
    await connection.quit();
  });

  it("go through WhatsApp Web's own queue, consumed by the process holding the session, never the shared one", async () => {
    const chat = "33611110030@c.us";
    const m = message({ from: chat, body: "bonjour, un généraliste demain matin" });
    client.emit("message", m);
    await running.idle();
    await expect.poll(() => client.textsTo(chat).length, { timeout: 10_000 }).toBeGreaterThan(0);

    const jobId = `whatsapp-${m.id._serialized.replace(/[^A-Za-z0-9_-]/g, "_")}-0`;
    const own = new Queue(WHATSAPP_WEB_QUEUE, { connection, prefix });
    const shared = new Queue(OUTBOUND_QUEUE, { connection, prefix });
    await expect.poll(async () => (await own.getJob(jobId))?.finishedOn !== undefined, { timeout: 10_000 }).toBe(true);
    expect(await shared.getJob(jobId)).toBeUndefined();
    await own.close();
    await shared.close();

    // A redelivered event adds nothing: the job id already exists.
    const sent = client.textsTo(chat).length;
    client.emit("message", { ...m });
    await running.idle();
    expect(client.textsTo(chat).length).toBe(sent);
  });
});
