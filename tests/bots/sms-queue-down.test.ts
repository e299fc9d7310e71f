import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayingEngine } from "../../src/bots/chat-engine.js";
import { queueDelivery } from "../../src/bots/delivery/queue.js";
import { smsChannel } from "../../src/bots/sms/channel.js";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import { paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { serveLocally } from "../support/serve.js";
import { twilioSignature } from "../support/fake-twilio.js";

// Queue mode with Redis down: nothing listens on port 1, so every reply fails to be queued.
const TOKEN = "twilio-auth-token-for-tests";
const PUBLIC_URL = "https://tabib.example.org";
const db = await freshDatabase();
const logger = pino({ level: "silent" });
const delivery = queueDelivery({
  redisUrl: "redis://127.0.0.1:1",
  prefix: `tabib-test-${process.pid}-down`,
  limits: { sender: { intervalMs: 1, burst: 30 }, chat: { intervalMs: 1, burst: 5 } },
  logger,
});
let base: string;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" });
  const now = () => paris("2026-11-30T08:00");
  const engine = replayingEngine({ db, clinicId, holdMinutes: 5, now });
  const { router } = smsChannel({
    authToken: TOKEN,
    publicUrl: PUBLIC_URL,
    engine,
    delivery,
    db,
    clinicId,
    logger,
    now,
  });
  ({ base, close: closeServer } = await serveLocally(router));
});
afterAll(async () => {
  await closeServer?.();
  await delivery.close();
});

let sid = 0;
/** Posts an SMS as Twilio does; returns the status and the bodies of the TwiML <Message>s answered. */
async function text(from: string, body: string): Promise<{ status: number; messages: string[] }> {
  const path = "/webhooks/twilio/sms";
  const params = { MessageSid: `SMdown${++sid}`, From: from, To: "+33900000001", Body: body, NumMedia: "0" };
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": twilioSignature(TOKEN, PUBLIC_URL + path, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  expect(res.headers.get("content-type")).toMatch(/text\/xml/);
  const xml = await res.text();
  const messages = [...xml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) =>
    m[1]!
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, "&"),
  );
  return { status: res.status, messages };
}

describe("SMS while the reply queue is down", () => {
  it("a patient who texts while Redis is down still gets the answer, in the webhook's TwiML, and the conversation goes on", async () => {
    const phone = "+33611119901";
    const first = await text(phone, "bonjour, je voudrais voir un dermatologue mardi vers 15h");
    // Twilio does not retry a failed webhook: a 5xx here would have lost the reply.
    expect(first.status).toBe(200);
    expect(first.messages).toHaveLength(1);
    expect(first.messages[0]).toMatch(/^1\. .*mardi 1 décembre/m);
    const second = await text(phone, "1");
    expect(second.status).toBe(200);
    expect(second.messages.join("\n")).toMatch(/prénom et nom/);
  });

  it("STOP is still acknowledged, and the number is opted out", async () => {
    const phone = "+33611119902";
    const stop = await text(phone, "STOP");
    expect(stop.status).toBe(200);
    expect(stop.messages).toHaveLength(1);
    expect(await db.prisma.smsOptOut.findUnique({ where: { phone } })).not.toBeNull();
  });
});
