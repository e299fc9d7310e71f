import { createHmac } from "node:crypto";
import http from "node:http";
import { Worker } from "node:worker_threads";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import express from "express";
import pino from "pino";
import { replayingEngine, type ChatEngine } from "../src/bots/chat-engine.js";
import { inlineDelivery } from "../src/bots/delivery/inline.js";
import type { Delivery } from "../src/bots/delivery/outbound.js";
import { memoryPacer } from "../src/bots/delivery/pacing.js";
import { postgresDeliveryLog } from "../src/bots/delivery/status.js";
import { smsChannel } from "../src/bots/sms/channel.js";
import { smsSender, twilioClient } from "../src/bots/sms/send.js";
import { telegramChannel } from "../src/bots/telegram/channel.js";
import { telegramApi, telegramSender } from "../src/bots/telegram/send.js";
import { whatsappCloudChannel } from "../src/bots/whatsapp-cloud/channel.js";
import { whatsappCloudSender } from "../src/bots/whatsapp-cloud/send.js";
import type { Database } from "../src/data/db.js";
import { seedDemoClinic } from "../src/data/demo-clinic.js";
import { twilioSignature } from "../tests/support/fake-twilio.js";
import type { BenchResult } from "./booking.bench.js";
import { benchDatabase, ms, pool, summarize } from "./support.js";

const CONCURRENCY = 32;
const MESSAGES = Number(process.env.BENCH_CHANNEL_MESSAGES ?? 4000);
const CONVERSATIONS = Number(process.env.BENCH_CHANNEL_CONVERSATIONS ?? 60);
const TELEGRAM_TARGET = 1000;

const TG_TOKEN = "123456:bench-token";
const TG_SECRET = "bench-webhook-secret";
const WA_TOKEN = "EAAG-bench-access-token";
const WA_SECRET = "bench-app-secret-0123";
const WA_PHONE_ID = "106540352242922";
const TW_ACCOUNT = "AC00000000000000000000000000000009";
const TW_TOKEN = "bench-twilio-auth-token";
const PUBLIC_URL = "https://tabib.example.org";

/** Pacing wide open: the providers' own limits (30/s per Telegram bot…) would measure them, not us. */
const OPEN = { sender: { intervalMs: 0, burst: 1_000_000 }, chat: { intervalMs: 0, burst: 1_000_000 } };

/** One channel as served: its real router and delivery, a way to post one inbound message, and the fake's send count. */
interface Rig {
  name: string;
  post(sender: number, text: string, seq: number): Promise<number>;
  sends(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Webhook in → provider send out, per channel, against the local fakes on real PostgreSQL: each
 * request is a provider webhook (signed, in its wire format) handled by the channel's router, the
 * engine, the in-process delivery (status rows in `message_delivery`) and the official client
 * library sending to the fake. The webhook answers once the reply is out, so a request's latency
 * covers the whole path. Measured with the real dialogue engine (booking conversations), and with
 * an engine that answers "ok" so the channel layer's own cost shows; a bare Express JSON handler
 * hit the same way in the same run gives the scale.
 */
export async function channelsBench(): Promise<BenchResult> {
  const { db, drop } = await benchDatabase("channels", CONCURRENCY + 8);
  const fakes = await startFakes();
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "bench-password-1" });
    const now = new Date("2026-11-30T07:00:00Z"); // a Monday, 08:00 in Paris
    const real = replayingEngine({ db, clinicId, holdMinutes: 5, now: () => now });
    const trivial: ChatEngine = async () => [{ text: "ok" }];
    const figures: Record<string, string | number> = {};
    let telegramRate = 0;
    // Right before the Telegram run it is compared with, and again at the end: a busy machine shows.
    const bareBefore = await bareExpress(agent);

    for (const [label, engine] of [
      ['channel layer alone (engine answers "ok")', trivial],
      ["with the dialogue engine (booking conversations)", real],
    ] as const) {
      for (const build of [telegramRig, whatsappRig, smsRig]) {
        const rig = await build({ db, clinicId, engine, agent, fakes, now });
        try {
          const r = engine === trivial ? await flood(rig) : await conversations(rig);
          figures[`${rig.name}, ${label}`] =
            `${r.rate.toFixed(0)} messages/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)} (${r.n} webhooks, ${r.sends} sends, ${r.errors} errors)`;
          if (rig.name === "Telegram" && engine === trivial) telegramRate = r.rate;
        } finally {
          await rig.close();
        }
      }
    }
    const bareAfter = await bareExpress(agent);
    figures["bare Express JSON handler, same client and concurrency"] =
      `${bareBefore.toFixed(0)} requests/s just before the Telegram run, ${bareAfter.toFixed(0)} at the end`;
    figures["Telegram channel layer / bare Express (adjacent runs)"] =
      `${((telegramRate / bareBefore) * 100).toFixed(1)} %`;
    return {
      name: `channels: webhook in → provider send out (fakes on 127.0.0.1, concurrency ${CONCURRENCY})`,
      figures,
      target: `≥ ${TELEGRAM_TARGET} Telegram messages/s through the channel layer`,
      met: telegramRate >= TELEGRAM_TARGET,
    };
  } finally {
    agent.destroy();
    await fakes.close();
    await drop();
  }
}

interface RigInput {
  db: Database;
  clinicId: string;
  engine: ChatEngine;
  agent: http.Agent;
  fakes: Fakes;
  now: Date;
}

const logger = pino({ level: "silent" });

type FakeName = "telegram" | "graph" | "twilio";
interface Fakes {
  base: Record<FakeName, string>;
  sends(name: FakeName): Promise<number>;
  close(): Promise<void>;
}

/** The provider fakes (tests/support) on a worker thread: their CPU is not Tabib's. */
async function startFakes(): Promise<Fakes> {
  // A TypeScript worker needs tsx loaded inside the thread itself.
  const entry = new URL("./fakes-worker.ts", import.meta.url).href;
  const worker = new Worker(
    `import("tsx/esm/api").then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`,
    {
      eval: true,
      workerData: { telegramToken: TG_TOKEN, graphToken: WA_TOKEN, twilioAccount: TW_ACCOUNT, twilioToken: TW_TOKEN },
    },
  );
  const base = await new Promise<Record<FakeName, string>>((resolve, reject) => {
    worker.once("message", (m: { ready: Record<FakeName, string> }) => resolve(m.ready));
    worker.once("error", reject);
  });
  let id = 0;
  const ask = <T>(what: "sends" | "close") =>
    new Promise<T>((resolve) => {
      const mine = ++id;
      const onMessage = (m: { id: number } & T) => {
        if (m.id !== mine) return;
        worker.off("message", onMessage);
        resolve(m);
      };
      worker.on("message", onMessage);
      worker.postMessage({ ask: what, id: mine });
    });
  return {
    base,
    sends: async (name) => (await ask<{ sends: Record<FakeName, number> }>("sends")).sends[name],
    close: async () => {
      await ask("close");
      await worker.terminate();
    },
  };
}

function delivery(db: Database, senders: Parameters<typeof inlineDelivery>[0]["senders"]): Delivery {
  return inlineDelivery({ senders, pacer: memoryPacer(OPEN), logger, log: postgresDeliveryLog(db, logger) });
}

async function serve(router: express.Router): Promise<{ port: number; close(): Promise<void> }> {
  const app = express();
  app.use(router);
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function request(
  agent: http.Agent,
  port: number,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        agent,
        headers: { ...headers, "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function telegramRig(i: RigInput): Promise<Rig> {
  const api = telegramApi({ token: TG_TOKEN, apiRoot: i.fakes.base.telegram });
  const { router } = telegramChannel({
    api,
    webhookSecret: TG_SECRET,
    engine: i.engine,
    delivery: delivery(i.db, { telegram: telegramSender(api) }),
    db: i.db,
    clinicId: i.clinicId,
    logger,
    now: () => i.now,
  });
  const server = await serve(router);
  let update = 0;
  return {
    name: "Telegram",
    post: (sender, text, seq) => {
      const chat = 7_000_000 + sender;
      const body = JSON.stringify({
        update_id: ++update,
        message: {
          message_id: seq,
          date: 1_796_000_000,
          chat: { id: chat, type: "private" },
          from: { id: chat, is_bot: false, first_name: "P", language_code: "fr" },
          text,
        },
      });
      return request(i.agent, server.port, "/webhooks/telegram", body, {
        "content-type": "application/json",
        "x-telegram-bot-api-secret-token": TG_SECRET,
      });
    },
    sends: () => i.fakes.sends("telegram"),
    close: server.close,
  };
}

async function whatsappRig(i: RigInput): Promise<Rig> {
  const { router } = whatsappCloudChannel({
    appSecret: WA_SECRET,
    verifyToken: "bench-verify-token",
    phoneNumberId: WA_PHONE_ID,
    engine: i.engine,
    delivery: delivery(i.db, {
      whatsapp: whatsappCloudSender({
        accessToken: WA_TOKEN,
        phoneNumberId: WA_PHONE_ID,
        apiBase: i.fakes.base.graph,
      }),
    }),
    db: i.db,
    clinicId: i.clinicId,
    logger,
    now: () => i.now,
  });
  const server = await serve(router);
  return {
    name: "WhatsApp Cloud",
    post: (sender, text, seq) => {
      const from = `3367${String(sender).padStart(7, "0")}`;
      const body = JSON.stringify({
        object: "whatsapp_business_account",
        entry: [
          {
            id: "102290129340398",
            changes: [
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  metadata: { display_phone_number: "33100000000", phone_number_id: WA_PHONE_ID },
                  contacts: [{ profile: { name: "P" }, wa_id: from }],
                  messages: [
                    {
                      from,
                      id: `wamid.bench${from}${seq}`,
                      timestamp: "1796000000",
                      type: "text",
                      text: { body: text },
                    },
                  ],
                },
              },
            ],
          },
        ],
      }).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
      const signature = `sha256=${createHmac("sha256", WA_SECRET).update(body).digest("hex")}`;
      return request(i.agent, server.port, "/webhooks/whatsapp", body, {
        "content-type": "application/json",
        "x-hub-signature-256": signature,
      });
    },
    sends: () => i.fakes.sends("graph"),
    close: server.close,
  };
}

async function smsRig(i: RigInput): Promise<Rig> {
  const client = twilioClient({ accountSid: TW_ACCOUNT, authToken: TW_TOKEN, apiBase: i.fakes.base.twilio });
  const { router } = smsChannel({
    authToken: TW_TOKEN,
    publicUrl: PUBLIC_URL,
    engine: i.engine,
    delivery: delivery(i.db, { sms: smsSender({ client, from: "+33900000001", db: i.db, logger }) }),
    db: i.db,
    clinicId: i.clinicId,
    logger,
    now: () => i.now,
  });
  const server = await serve(router);
  return {
    name: "SMS (Twilio)",
    post: (sender, text, seq) => {
      const from = `+3377${String(sender).padStart(7, "0")}`;
      const sid = `SMbench${sender}x${seq}`;
      const params = {
        MessageSid: sid,
        SmsSid: sid,
        AccountSid: TW_ACCOUNT,
        From: from,
        To: "+33900000001",
        Body: text,
        NumMedia: "0",
      };
      const signature = twilioSignature(TW_TOKEN, `${PUBLIC_URL}/webhooks/twilio/sms`, params);
      return request(i.agent, server.port, "/webhooks/twilio/sms", new URLSearchParams(params).toString(), {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature,
      });
    },
    sends: () => i.fakes.sends("twilio"),
    close: server.close,
  };
}

interface Run {
  sends: number;
  rate: number;
  p50: number;
  p99: number;
  n: number;
  errors: number;
}

let senders = 0;

/** MESSAGES single messages from distinct senders, CONCURRENCY at a time (after a warm-up). */
async function flood(rig: Rig): Promise<Run> {
  const timed = async (samples: number[] | null, n: number) => {
    const base = (senders += n + 1);
    return pool(n, CONCURRENCY, async (k) => {
      const t = performance.now();
      const status = await rig.post(base - k, "bonjour", 1);
      samples?.push(performance.now() - t);
      if (status !== 200) throw new Error(`HTTP ${status}`);
    });
  };
  await timed(null, 300);
  const before = await rig.sends();
  const samples: number[] = [];
  const t0 = performance.now();
  const outcomes = await timed(samples, MESSAGES);
  const seconds = (performance.now() - t0) / 1000;
  const s = summarize(samples);
  return {
    sends: (await rig.sends()) - before,
    rate: samples.length / seconds,
    p50: s.p50,
    p99: s.p99,
    n: samples.length,
    errors: outcomes.filter((o) => o.status === "rejected").length,
  };
}

/** CONVERSATIONS patients each booking in five messages (as in the dialogue benchmark), CONCURRENCY at a time. */
async function conversations(rig: Rig): Promise<Run> {
  const samples: number[] = [];
  let errors = 0;
  const before = await rig.sends();
  const say = async (sender: number, text: string, seq: number) => {
    const t = performance.now();
    const status = await rig.post(sender, text, seq);
    samples.push(performance.now() - t);
    if (status !== 200) errors++;
  };
  const base = (senders += CONVERSATIONS + 1);
  const t0 = performance.now();
  await pool(CONVERSATIONS, CONCURRENCY, async (k) => {
    const who = base - k;
    await say(
      who,
      [
        "bonjour, je voudrais voir un généraliste demain matin",
        "un cardiologue mardi après-midi",
        "un pédiatre au plus vite",
      ][k % 3]!,
      1,
    );
    await say(who, "1", 2);
    await say(who, ["Camille Martin", "Louis Bernard", "Emma Petit"][k % 3]!, 3);
    await say(who, "12/03/1985", 4);
    await say(who, "1", 5);
  });
  const seconds = (performance.now() - t0) / 1000;
  const s = summarize(samples);
  const sends = (await rig.sends()) - before;
  return { sends, rate: samples.length / seconds, p50: s.p50, p99: s.p99, n: samples.length, errors };
}

/** Requests/s of a trivial Express JSON endpoint, same client, same concurrency, MESSAGES requests. */
async function bareExpress(agent: http.Agent): Promise<number> {
  const app = express();
  app.use(express.json());
  app.post("/m", (req, res) => {
    res.json({ ok: true, n: (req.body as { text?: string }).text?.length ?? 0 });
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  const body = JSON.stringify({
    update_id: 1,
    message: { message_id: 1, chat: { id: 1, type: "private" }, text: "bonjour" },
  });
  const post = () => request(agent, port, "/m", body, { "content-type": "application/json" });
  try {
    await pool(300, CONCURRENCY, post);
    const t0 = performance.now();
    await pool(MESSAGES, CONCURRENCY, post);
    return MESSAGES / ((performance.now() - t0) / 1000);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
