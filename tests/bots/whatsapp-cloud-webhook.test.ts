import { createHmac } from "node:crypto";
import express from "express";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inlineDelivery } from "../../src/bots/delivery/inline.js";
import { memoryPacer } from "../../src/bots/delivery/pacing.js";
import { postgresDeliveryLog } from "../../src/bots/delivery/status.js";
import { replayingEngine } from "../../src/bots/chat-engine.js";
import { whatsappCloudChannel } from "../../src/bots/whatsapp-cloud/channel.js";
import { whatsappCloudSender } from "../../src/bots/whatsapp-cloud/send.js";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import { paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { serveLocally } from "../support/serve.js";
import { startFakeGraph, type GraphSend } from "../support/fake-graph.js";

// Embedded mode (no Redis): replies are sent in-process before the webhook answers.
const ACCESS_TOKEN = "EAAG-test-access-token";
const APP_SECRET = "app-secret-for-tests";
const VERIFY_TOKEN = "verify-token-for-tests";
const PHONE_ID = "106540352242922";
const db = await freshDatabase();
const graph = await startFakeGraph(ACCESS_TOKEN);
let base: string;
let clinicId: string;
let closeServer: () => Promise<void>;
const logger = pino({ level: "silent" });

beforeAll(async () => {
  ({ clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" }));
  const now = () => paris("2026-11-30T08:00");
  const delivery = inlineDelivery({
    senders: {
      whatsapp: whatsappCloudSender({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_ID, apiBase: graph.apiBase }),
    },
    pacer: memoryPacer({ sender: { intervalMs: 1, burst: 80 }, chat: { intervalMs: 5, burst: 1 } }),
    logger,
    baseDelayMs: 20,
    log: postgresDeliveryLog(db, logger),
  });
  const engine = replayingEngine({ db, clinicId, holdMinutes: 5, now });
  const { router } = whatsappCloudChannel({
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    phoneNumberId: PHONE_ID,
    engine,
    delivery,
    db,
    clinicId,
    logger,
    now,
  });
  const app = express();
  app.use(router);
  // The same router behind an app-wide JSON parser that keeps the raw bytes (see the report on app.ts).
  const parsed = express.Router();
  parsed.use(
    express.json({
      limit: "1mb",
      verify: (req, _res, buf) => {
        (req as unknown as { rawBody: Buffer }).rawBody = buf;
      },
    }),
  );
  parsed.use(router);
  app.use("/behind-json", parsed);
  // …and behind one that does not keep them.
  app.use("/plain-json", express.json({ limit: "1mb" }), router);
  ({ base, close: closeServer } = await serveLocally(app));
});
afterAll(async () => {
  await closeServer?.();
  await graph.close();
});

let seq = 0;
type Message = Record<string, unknown> & { id: string; from: string };
const textMessage = (from: string, body: string): Message => ({
  from,
  id: `wamid.HBgL${from}${++seq}`,
  timestamp: "1796000000",
  type: "text",
  text: { body },
});
const buttonReply = (from: string, id: string, title = "…"): Message => ({
  from,
  id: `wamid.HBgL${from}${++seq}`,
  timestamp: "1796000000",
  type: "interactive",
  interactive: { type: "button_reply", button_reply: { id, title } },
});
const listReply = (from: string, id: string): Message => ({
  from,
  id: `wamid.HBgL${from}${++seq}`,
  timestamp: "1796000000",
  type: "interactive",
  interactive: { type: "list_reply", list_reply: { id, title: "…" } },
});
const payloadOf = (value: Record<string, unknown>) => ({
  object: "whatsapp_business_account",
  entry: [
    { id: "102290129340398", changes: [{ field: "messages", value: { messaging_product: "whatsapp", ...value } }] },
  ],
});
const messagePayload = (m: Message, phoneNumberId = PHONE_ID) =>
  payloadOf({
    metadata: { display_phone_number: "33100000000", phone_number_id: phoneNumberId },
    contacts: [{ profile: { name: "Patient" }, wa_id: m.from }],
    messages: [m],
  });

/** Meta's bodies escape non-ASCII characters; the signature covers those exact bytes. */
const metaJson = (payload: unknown) =>
  JSON.stringify(payload).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
const sign = (body: string, secret = APP_SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

const post = (payload: unknown, signature: string | null | ((body: string) => string) = sign, path = "") => {
  const body = metaJson(payload);
  const header = typeof signature === "function" ? signature(body) : signature;
  return fetch(`${base}${path}/webhooks/whatsapp`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(header !== null ? { "x-hub-signature-256": header } : {}) },
    body,
  });
};

/** Posts a message like Meta does and returns what was sent to that number because of it. */
async function deliver(m: Message): Promise<GraphSend[]> {
  const before = graph.sent(m.from).length;
  const res = await post(messagePayload(m));
  expect(res.status).toBe(200);
  return graph.sent(m.from).slice(before);
}

type Interactive = {
  type: "button" | "list";
  body: { text: string };
  action: {
    buttons?: { reply: { id: string; title: string } }[];
    sections?: { rows: { id: string; title: string; description?: string }[] }[];
  };
};
const interactive = (sends: GraphSend[]) =>
  sends.filter((s) => s.body.type === "interactive").map((s) => s.body.interactive as Interactive);
const choices = (sends: GraphSend[]) =>
  interactive(sends).flatMap((i) =>
    i.type === "button"
      ? (i.action.buttons ?? []).map((b) => ({ id: b.reply.id, title: b.reply.title }))
      : (i.action.sections ?? []).flatMap((s) =>
          s.rows.map((r) => ({ id: r.id, title: `${r.title} ${r.description ?? ""}` })),
        ),
  );
const texts = (sends: GraphSend[]) =>
  sends
    .map((s) =>
      s.body.type === "text" ? (s.body.text as { body: string }).body : (s.body.interactive as Interactive).body.text,
    )
    .join("\n");

describe("WhatsApp Cloud API webhook", () => {
  it("Meta's subscription handshake gets the challenge back when the verify token matches", async () => {
    const ok = await fetch(
      `${base}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/text\/plain/);
    expect(await ok.text()).toBe("1158201444");
  });

  it("a handshake with a wrong or missing verify token is forbidden", async () => {
    for (const query of [
      "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1",
      `hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN.slice(0, -1)}&hub.challenge=1`,
      "hub.mode=subscribe&hub.challenge=1",
      `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`,
    ]) {
      const res = await fetch(`${base}/webhooks/whatsapp?${query}`);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain("1");
    }
  });

  it("a patient books a dermatologist on WhatsApp by typing and tapping interactive replies", async () => {
    const wa = "33611110001";
    const offer = await deliver(textMessage(wa, "bonjour, je voudrais voir un dermatologue mardi vers 15h"));
    expect(offer.every((s) => s.phoneNumberId === PHONE_ID)).toBe(true);
    const slot = choices(offer).find((c) => c.id.includes(".slot."));
    expect(slot?.title).toMatch(/mardi 1 décembre/);
    // Slot labels are longer than a button's 20 characters: a list, the doctor in each row's description.
    expect(interactive(offer)[0]?.action.sections?.[0]?.rows[0]).toMatchObject({
      title: expect.stringMatching(/^mardi 1 décembre à \d\d:\d\d$/),
      description: expect.stringMatching(/^Dr /),
    });

    expect(texts(await deliver(listReply(wa, slot!.id)))).toMatch(/prénom et nom/);
    expect(texts(await deliver(textMessage(wa, "Ada Lovelace")))).toMatch(/date de naissance/);
    const consent = await deliver(textMessage(wa, "10 décembre 1985"));
    expect(interactive(consent).some((i) => i.type === "button")).toBe(true);
    const yes = choices(consent).find((c) => c.id.endsWith(".yes."));
    expect(texts(await deliver(buttonReply(wa, yes!.id)))).toMatch(/confirmé/);

    const appointment = await db.prisma.appointment.findFirstOrThrow({
      where: { patient: { lastName: "Lovelace" } },
      include: { patient: { include: { identities: true } } },
    });
    expect(appointment.status).toBe("confirmed");
    expect(appointment.sourceChannel).toBe("whatsapp");
    expect(appointment.patient.identities[0]).toMatchObject({ channel: "whatsapp", externalId: `+${wa}` });
  });

  it("a request with a forged, stale or missing signature gets 401 and nothing is processed or sent", async () => {
    const wa = "33611110002";
    const sendsBefore = graph.sends.length;
    const payload = messagePayload(textMessage(wa, "bonjour"));
    expect((await post(payload, null)).status).toBe(401);
    expect((await post(payload, (b) => sign(b, "not-the-app-secret"))).status).toBe(401);
    expect((await post(payload, (b) => sign(`${b} `))).status).toBe(401);
    expect((await post(payload, "sha256=zz")).status).toBe(401);
    expect(graph.sends.length).toBe(sendsBefore);
    expect(await db.prisma.conversation.count({ where: { channel: "whatsapp", senderId: `+${wa}` } })).toBe(0);
  });

  it("the same wamid delivered twice is answered once", async () => {
    const wa = "33611110003";
    const m = textMessage(wa, "bonjour, un généraliste demain matin");
    expect((await deliver(m)).length).toBeGreaterThan(0);
    expect(await deliver(m)).toEqual([]);
    expect(
      await db.prisma.processedMessage.count({ where: { channel: "whatsapp", conversation: { senderId: `+${wa}` } } }),
    ).toBe(1);
  });

  it("when the Graph API says 429 (code 130429), the reply goes out once on retry", async () => {
    const wa = "33611110004";
    graph.failNext(1, { status: 429 });
    const sent = await deliver(textMessage(wa, "bonjour"));
    expect(sent.length).toBeGreaterThan(0);
    const attempts = graph.sends.filter((s) => s.body.to === wa);
    expect(attempts.map((a) => a.status).slice(0, 2)).toEqual([429, 200]);
    expect(attempts[1]!.body).toEqual(attempts[0]!.body);
    expect(new Set(sent.map((s) => JSON.stringify(s.body))).size).toBe(sent.length);
  });

  it("when the Graph API stays down, the webhook answers 503 so Meta redelivers, and the redelivery sends the reply once", async () => {
    const wa = "33611110005";
    graph.failNext(10, { status: 500 });
    const m = textMessage(wa, "bonjour");
    expect((await post(messagePayload(m))).status).toBe(503);
    expect(graph.sent(wa)).toEqual([]);
    graph.recover();
    const redelivered = await deliver(m);
    expect(redelivered.length).toBeGreaterThan(0);
    expect(await deliver(m)).toEqual([]);
  });

  it("a message sent to another number of the business account is not answered from ours", async () => {
    const wa = "33611110006";
    const res = await post(messagePayload(textMessage(wa, "bonjour"), "999999999999"));
    expect(res.status).toBe(200);
    expect(graph.sends.filter((s) => s.body.to === wa)).toEqual([]);
  });

  it("delivered and read receipts are stored on the reply they name, never moving back; a failure keeps Meta's code", async () => {
    const wa = "33611110009";
    /** Delivers a message and returns the delivery row of its first reply. */
    const firstReplyRow = async (m: Message) => {
      expect((await deliver(m)).length).toBeGreaterThan(0);
      return db.prisma.messageDelivery.findUniqueOrThrow({
        where: { jobId: `whatsapp-${m.id.replace(/[^A-Za-z0-9_-]/g, "_")}-0` },
      });
    };
    const row = await firstReplyRow(textMessage(wa, "bonjour"));
    expect(row).toMatchObject({ status: "sent", providerMessageId: expect.stringMatching(/^wamid\./) });
    const receipt = (id: string, status: string, errors?: unknown[]) =>
      post(
        payloadOf({
          metadata: { display_phone_number: "33100000000", phone_number_id: PHONE_ID },
          statuses: [{ id, status, timestamp: "1796000100", recipient_id: wa, ...(errors ? { errors } : {}) }],
        }),
      );
    const statusOf = async (jobId: string) => db.prisma.messageDelivery.findUniqueOrThrow({ where: { jobId } });
    expect((await receipt(row.providerMessageId!, "delivered")).status).toBe(200);
    expect((await statusOf(row.jobId)).status).toBe("delivered");
    expect((await receipt(row.providerMessageId!, "read")).status).toBe(200);
    expect((await receipt(row.providerMessageId!, "delivered")).status).toBe(200);
    expect((await statusOf(row.jobId)).status).toBe("read");

    const other = await firstReplyRow(textMessage(wa, "aide"));
    await receipt(other.providerMessageId!, "failed", [{ code: 131026, title: "Message undeliverable" }]);
    expect(await statusOf(other.jobId)).toMatchObject({ status: "failed", lastError: "whatsapp failed (code 131026)" });
  });

  it("a voice note, a photo or a location gets a short explanation in the patient's language, once", async () => {
    const wa = "33611110010";
    await deliver(textMessage(wa, "hello, I would like to see a GP tomorrow morning"));
    const voice: Message = {
      from: wa,
      id: `wamid.HBgL${wa}${++seq}`,
      timestamp: "1796000000",
      type: "audio",
      audio: { id: "1", mime_type: "audio/ogg; codecs=opus", voice: true },
    };
    const [answer] = await deliver(voice);
    expect((answer!.body.text as { body: string }).body).toMatch(/only read written messages[^]*call 15/);
    expect(await deliver(voice)).toEqual([]);
    const wa2 = "33611110011";
    const location: Message = {
      from: wa2,
      id: `wamid.HBgL${wa2}${++seq}`,
      timestamp: "1796000000",
      type: "location",
      location: { latitude: 48.85, longitude: 2.35 },
    };
    const [french] = await deliver(location);
    expect((french!.body.text as { body: string }).body).toMatch(/Je ne lis que les messages écrits/);
    // A reaction to one of our messages is not a question.
    const reaction: Message = {
      from: wa2,
      id: `wamid.HBgL${wa2}${++seq}`,
      timestamp: "1796000000",
      type: "reaction",
      reaction: { message_id: "wamid.x", emoji: "👍" },
    };
    expect(await deliver(reaction)).toEqual([]);
  });

  it("delivery statuses are acknowledged without sending anything", async () => {
    const before = graph.sends.length;
    const res = await post(
      payloadOf({
        metadata: { display_phone_number: "33100000000", phone_number_id: PHONE_ID },
        statuses: [{ id: "wamid.fake1", status: "read", timestamp: "1796000100", recipient_id: "33611110001" }],
      }),
    );
    expect(res.status).toBe(200);
    expect(graph.sends.length).toBe(before);
  });

  it("behind an app-wide JSON parser that keeps the raw bytes, signed messages are still answered", async () => {
    const wa = "33611110007";
    const res = await post(messagePayload(textMessage(wa, "bonjour")), sign, "/behind-json");
    expect(res.status).toBe(200);
    expect(graph.sent(wa).length).toBeGreaterThan(0);
    expect((await post(messagePayload(textMessage(wa, "bonjour")), null, "/behind-json")).status).toBe(401);
  });

  it("behind a JSON parser that drops the raw bytes, nothing is processed and the webhook answers 500", async () => {
    const wa = "33611110008";
    expect((await post(messagePayload(textMessage(wa, "bonjour")), sign, "/plain-json")).status).toBe(500);
    expect(graph.sends.filter((s) => s.body.to === wa)).toEqual([]);
  });
});
