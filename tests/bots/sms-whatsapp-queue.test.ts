import type { AddressInfo } from "node:net";
import express from "express";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutboundJob } from "../../src/bots/delivery/outbound.js";
import { replayingEngine } from "../../src/bots/chat-engine.js";
import { smsChannel } from "../../src/bots/sms/channel.js";
import { smsSender, twilioClient } from "../../src/bots/sms/send.js";
import { whatsappCloudChannel } from "../../src/bots/whatsapp-cloud/channel.js";
import { whatsappCloudSender } from "../../src/bots/whatsapp-cloud/send.js";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import { paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { cloudMessagePayload, postMetaWebhook, startFakeGraph } from "../support/fake-graph.js";
import { startFakeTwilio, twilioSignature } from "../support/fake-twilio.js";
import { pendingJobs, testOutboundQueue, until } from "../support/queue.js";

// SMS and WhatsApp Cloud replies through BullMQ on a real Redis (REDIS_URL, its DB index as given).
const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn("sms-whatsapp-queue.test.ts skipped: set REDIS_URL (e.g. redis://127.0.0.1:6379/5)");

describe.skipIf(!REDIS_URL)("SMS and WhatsApp Cloud replies through the BullMQ outbound queue", () => {
  const ACCOUNT = "AC00000000000000000000000000000002";
  const TWILIO_TOKEN = "twilio-auth-token-for-queue-tests";
  const FROM = "+33900000002";
  const PUBLIC_URL = "https://tabib.example.org";
  const ACCESS_TOKEN = "EAAG-queue-access-token";
  const APP_SECRET = "app-secret-for-queue-tests";
  const PHONE_ID = "106540352242923";
  const logger = pino({ level: "silent" });
  let twilio: Awaited<ReturnType<typeof startFakeTwilio>>;
  let graph: Awaited<ReturnType<typeof startFakeGraph>>;
  let queue: ReturnType<typeof testOutboundQueue>;
  let base: string;
  let server: ReturnType<express.Express["listen"]>;
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  beforeAll(async () => {
    db = await freshDatabase();
    const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" });
    twilio = await startFakeTwilio(ACCOUNT, TWILIO_TOKEN);
    graph = await startFakeGraph(ACCESS_TOKEN);
    const now = () => paris("2026-11-30T08:00");
    const client = twilioClient({ accountSid: ACCOUNT, authToken: TWILIO_TOKEN, apiBase: twilio.apiBase });
    queue = testOutboundQueue({
      redisUrl: REDIS_URL!,
      db,
      logger,
      senders: {
        sms: smsSender({ client, from: FROM, db, logger }),
        whatsapp: whatsappCloudSender({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_ID, apiBase: graph.apiBase }),
      },
    });
    const engine = replayingEngine({ db, clinicId, holdMinutes: 5, now });
    const common = { engine, delivery: queue.delivery, db, clinicId, logger, now };
    const app = express();
    app.use(smsChannel({ authToken: TWILIO_TOKEN, publicUrl: PUBLIC_URL, ...common }).router);
    app.use(
      whatsappCloudChannel({ appSecret: APP_SECRET, verifyToken: "verify", phoneNumberId: PHONE_ID, ...common }).router,
    );
    server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await queue?.close();
    await new Promise((r) => server?.close(r));
    await twilio?.close();
    await graph?.close();
  });

  const settle = () => new Promise((r) => setTimeout(r, 600));

  let seq = 0;
  /** A patient texts the clinic's number; returns the MessageSid, after Twilio's webhook got its 200. */
  const textSms = async (phone: string, body: string) => {
    const params = { MessageSid: `SMq${++seq}`, AccountSid: ACCOUNT, From: phone, To: FROM, Body: body, NumMedia: "0" };
    const path = "/webhooks/twilio/sms";
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilioSignature(TWILIO_TOKEN, PUBLIC_URL + path, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(200);
    return params.MessageSid;
  };
  /** A patient writes on WhatsApp; returns the wamid, after Meta's webhook got its 200. */
  const writeWhatsapp = async (waId: string, body: string) => {
    const id = `wamid.HBgLq${waId}${++seq}`;
    const message = { from: waId, id, timestamp: "1796000000", type: "text", text: { body } };
    const res = await postMetaWebhook(`${base}/webhooks/whatsapp`, APP_SECRET, cloudMessagePayload(PHONE_ID, message));
    expect(res.status).toBe(200);
    return id;
  };

  it("an SMS Twilio refuses with 429 and Retry-After waits in the queue for that delay, without using an attempt, then goes out once", async () => {
    queue.startWorker();
    const phone = "+33611120001";
    twilio.failNext(1, { status: 429, retryAfter: 2 });
    const sid = await textSms(phone, "bonjour");
    const job = async () => (await queue.delivery.queue.getJob(`sms-${sid}-0`))!;
    const refused = () => twilio.calls.some((c) => c.params.To === phone && c.status === 429);
    await until(async () => refused() && (await (await job()).getState()) === "delayed");
    // Back in the delayed set for what Twilio asked (not the 50 ms backoff), its attempts untouched.
    const waiting = await job();
    expect(waiting.attemptsMade).toBe(0);
    expect(waiting.delay).toBeGreaterThan(1_000);
    expect(waiting.delay).toBeLessThanOrEqual(2_000);
    await until(async () => (await job()).returnvalue === "sent");
    await settle();
    const body = twilio.calls.find((c) => c.params.To === phone)!.params.Body;
    expect(twilio.calls.filter((c) => c.params.Body === body).map((c) => c.status)).toEqual([429, 201]);
    const row = await db.prisma.messageDelivery.findUniqueOrThrow({ where: { jobId: `sms-${sid}-0` } });
    expect(row).toMatchObject({ status: "sent", attempts: 1, providerMessageId: expect.stringMatching(/^SM/) });
  });

  const channels = [
    {
      name: "SMS",
      write: (chat: string, text: string) => textSms(chat, text),
      jobPrefix: (sid: string) => `sms-${sid}-`,
      accepted: (chat: string) => twilio.sent(chat).map((c) => c.params.Body!),
      chat: "+33611120002",
    },
    {
      name: "WhatsApp Cloud",
      write: (chat: string, text: string) => writeWhatsapp(chat, text),
      jobPrefix: (wamid: string) => `whatsapp-${wamid.replace(/[^A-Za-z0-9_-]/g, "_")}-`,
      accepted: (chat: string) => graph.sent(chat).map((s) => JSON.stringify(s.body)),
      chat: "33611120003",
    },
  ];

  for (const channel of channels) {
    it(`${channel.name}: a worker that dies after sending but before finishing its job does not cause a second send`, async () => {
      await queue.stopWorkers();
      let hung: OutboundJob | undefined;
      const dying = queue.startWorker({ afterSend: (job) => ((hung = job), new Promise<void>(() => undefined)) });
      const messageId = await channel.write(channel.chat, "bonjour, un généraliste demain matin");
      await until(() => hung !== undefined);
      expect(channel.accepted(channel.chat)).toHaveLength(1);
      await dying.worker.close(true);
      // Another worker takes the dead one's job over once its lock expires, and every other reply.
      queue.startWorker();
      await until(async () => (await pendingJobs(queue.delivery.queue)) === 0);
      await settle();
      await settle();
      const jobs = await db.prisma.messageDelivery.findMany({
        where: { jobId: { startsWith: channel.jobPrefix(messageId) } },
      });
      expect(jobs.map((j) => j.jobId)).toContain(hung!.id);
      expect(jobs.every((j) => j.status === "sent")).toBe(true);
      // One provider send per reply: the hung job's was not repeated.
      const accepted = channel.accepted(channel.chat);
      expect(accepted).toHaveLength(jobs.length);
      expect(new Set(accepted).size).toBe(accepted.length);
      expect((await queue.delivery.queue.getJob(hung!.id))?.returnvalue).toBe("already-sent");
    });
  }
});
