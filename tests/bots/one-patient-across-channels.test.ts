import type { AddressInfo } from "node:net";
import express from "express";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayingEngine } from "../../src/bots/chat-engine.js";
import { inlineDelivery } from "../../src/bots/delivery/inline.js";
import { memoryPacer } from "../../src/bots/delivery/pacing.js";
import { telegramChannel } from "../../src/bots/telegram/channel.js";
import { telegramApi, telegramSender } from "../../src/bots/telegram/send.js";
import { whatsappCloudChannel } from "../../src/bots/whatsapp-cloud/channel.js";
import { whatsappCloudSender } from "../../src/bots/whatsapp-cloud/send.js";
import { WhatsappWebSession } from "../../src/bots/whatsapp-web/session.js";
import { startWhatsappWeb } from "../../src/bots/whatsapp-web/start.js";
import { loadConfig } from "../../src/config.js";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import { paris, seedBookedPatient } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { cloudMessagePayload, postMetaWebhook, startFakeGraph, type GraphSend } from "../support/fake-graph.js";
import { startFakeTelegram } from "../support/fake-telegram.js";
import { FakeWhatsappWebClient, message } from "../support/fake-whatsapp-web.js";

// One clinic served on WhatsApp Cloud, whatsapp-web.js and Telegram at once (embedded mode, no Redis).
const ACCESS_TOKEN = "EAAG-identity-access-token";
const APP_SECRET = "app-secret-for-identity-tests";
const PHONE_ID = "106540352242924";
const TG_TOKEN = "123456:identity-token";
const TG_SECRET = "webhook-secret-for-identity-tests";
const now = () => paris("2026-11-30T08:00");
const logger = pino({ level: "silent" });
const db = await freshDatabase();
const graph = await startFakeGraph(ACCESS_TOKEN);
const telegram = await startFakeTelegram(TG_TOKEN);
const webClient = new FakeWhatsappWebClient();
let clinicId: string;
let base: string;
let server: ReturnType<express.Express["listen"]>;
let whatsappWeb: Awaited<ReturnType<typeof startWhatsappWeb>>;

beforeAll(async () => {
  ({ clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" }));
  const api = telegramApi({ token: TG_TOKEN, apiRoot: telegram.apiRoot });
  const delivery = inlineDelivery({
    senders: {
      whatsapp: whatsappCloudSender({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_ID, apiBase: graph.apiBase }),
      telegram: telegramSender(api),
    },
    pacer: memoryPacer({ sender: { intervalMs: 1, burst: 80 }, chat: { intervalMs: 1, burst: 10 } }),
    logger,
  });
  const engine = replayingEngine({ db, clinicId, holdMinutes: 5, now });
  const common = { engine, delivery, db, clinicId, logger, now };
  const app = express();
  app.use(whatsappCloudChannel({ appSecret: APP_SECRET, verifyToken: "v", phoneNumberId: PHONE_ID, ...common }).router);
  app.use(telegramChannel({ api, webhookSecret: TG_SECRET, ...common }).router);
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const session = new WhatsappWebSession(now);
  const ctx = { config: loadConfig({ NODE_ENV: "test", WHATSAPP_WEB_ENABLED: "true" }), db, logger, now };
  const fast = { sender: { intervalMs: 1, burst: 50 }, chat: { intervalMs: 1, burst: 10 } };
  whatsappWeb = await startWhatsappWeb(
    { ...ctx, whatsappWeb: session },
    clinicId,
    session,
    { sessionDir: "/nonexistent", chromiumPath: "/nonexistent" },
    { client: webClient, terminal: null, retryDelayMs: 1, limits: fast, baseDelayMs: 1 },
  );
  webClient.emit("ready");
});
afterAll(async () => {
  await whatsappWeb?.close();
  await new Promise((r) => server.close(r));
  await graph.close();
  await telegram.close();
});

let seq = 0;
/** A patient writes (or taps) on WhatsApp Cloud; returns the texts sent back because of it. */
async function onWhatsapp(wa: string, content: Record<string, unknown>): Promise<GraphSend[]> {
  const before = graph.sent(wa).length;
  const m = { from: wa, id: `wamid.HBgLx${wa}${++seq}`, timestamp: "1796000000", ...content };
  const res = await postMetaWebhook(`${base}/webhooks/whatsapp`, APP_SECRET, cloudMessagePayload(PHONE_ID, m));
  expect(res.status).toBe(200);
  return graph.sent(wa).slice(before);
}
const said = (sends: GraphSend[]) =>
  sends.map((s) => JSON.stringify(s.body.type === "text" ? s.body.text : s.body.interactive)).join("\n");
/** Ids of the choices offered (buttons or list rows) whose id ends with `suffix`. */
const choiceId = (sends: GraphSend[], pattern: RegExp) =>
  [...said(sends).matchAll(/"id":"([^"]+)"/g)].map((m) => m[1]!).find((id) => pattern.test(id));

/** A Telegram user writes or shares a contact; returns the texts the bot sent back because of it. */
async function onTelegram(chat: number, content: Record<string, unknown>): Promise<string> {
  const before = telegram.sent(chat).length;
  const res = await fetch(`${base}/webhooks/telegram`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": TG_SECRET },
    body: JSON.stringify({
      update_id: ++seq,
      message: {
        message_id: seq,
        date: 1_796_000_000,
        chat: { id: chat, type: "private" },
        from: { id: chat, is_bot: false, first_name: "Ada", language_code: "fr" },
        ...content,
      },
    }),
  });
  expect(res.status).toBe(200);
  return telegram
    .sent(chat)
    .slice(before)
    .map((c) => c.params.text as string)
    .join("\n");
}

const staffBooked = (phone: string, lastName: string, startsAt: string) =>
  seedBookedPatient(db, clinicId, { firstName: "Grace", lastName, phone }, paris(startsAt));

const identityOf = (channel: "whatsapp" | "telegram", externalId: string) =>
  db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel, externalId } } });

describe("one person on several channels is one patient", () => {
  it("a patient who booked on WhatsApp, then shares their phone on Telegram, sees the same appointment there", async () => {
    const wa = "33611130001";
    const offer = await onWhatsapp(wa, {
      type: "text",
      text: { body: "bonjour, je voudrais voir un dermatologue mardi vers 15h" },
    });
    const slot = choiceId(offer, /\.slot\./)!;
    await onWhatsapp(wa, { type: "interactive", interactive: { type: "list_reply", list_reply: { id: slot } } });
    await onWhatsapp(wa, { type: "text", text: { body: "Ada Lovelace" } });
    const consent = await onWhatsapp(wa, { type: "text", text: { body: "10 décembre 1985" } });
    const yes = choiceId(consent, /\.yes\.$/)!;
    const booked = await onWhatsapp(wa, {
      type: "interactive",
      interactive: { type: "button_reply", button_reply: { id: yes, title: "Oui" } },
    });
    expect(said(booked)).toMatch(/confirmé/);

    // Later, on Telegram: the same person, who proves the number by sharing their own contact.
    const chat = 7101;
    expect(await onTelegram(chat, { text: "mes rendez-vous" })).not.toMatch(/mardi 1 décembre/);
    const shared = await onTelegram(chat, {
      contact: { phone_number: wa, first_name: "Ada", user_id: chat },
    });
    expect(shared).toMatch(/relié à votre dossier/);
    expect(await onTelegram(chat, { text: "mes rendez-vous" })).toMatch(/mardi 1 décembre/);

    const onWa = await identityOf("whatsapp", `+${wa}`);
    const onTg = await identityOf("telegram", String(chat));
    expect(onTg.patientId).toBe(onWa.patientId);
    expect(await db.prisma.patient.findMany({ where: { clinicId, lastName: "Lovelace" } })).toEqual([
      expect.objectContaining({ id: onWa.patientId, phone: `+${wa}` }),
    ]);
  });

  it("on WhatsApp Cloud, the first message from a number a record carries opens that patient's appointments", async () => {
    const wa = "33611130002";
    const patient = await staffBooked(`+${wa}`, "Hopper", "2026-12-03T10:00");
    const answer = await onWhatsapp(wa, { type: "text", text: { body: "mes rendez-vous" } });
    expect(said(answer)).toMatch(/jeudi 3 décembre/);
    expect(await identityOf("whatsapp", `+${wa}`)).toMatchObject({ patientId: patient.id, verified: true });
  });

  it("a patient who books on whatsapp-web.js gets their WhatsApp number on the new record", async () => {
    const phone = "33611130004";
    const write = async (body: string) => {
      const chatId = `${phone}@c.us`;
      const before = webClient.textsTo(chatId).length;
      webClient.emit("message", message({ from: chatId, body }));
      await whatsappWeb.idle();
      return webClient.textsTo(chatId).slice(before).join("\n");
    };
    expect(await write("bonjour, je voudrais voir un dermatologue mardi vers 15h")).toMatch(/^1\. /m);
    await write("1");
    await write("Katherine Johnson");
    await write("26 août 1918");
    expect(await write("1")).toMatch(/confirmé/);
    const identity = await identityOf("whatsapp", `+${phone}`);
    expect(await db.prisma.patient.findUniqueOrThrow({ where: { id: identity.patientId } })).toMatchObject({
      lastName: "Johnson",
      phone: `+${phone}`,
    });
  });

  it("on whatsapp-web.js too, the first message from a number a record carries opens that patient's appointments", async () => {
    const phone = "33611130003";
    const patient = await staffBooked(`+${phone}`, "Johnson", "2026-12-04T11:00");
    const chatId = `${phone}@c.us`;
    const before = webClient.textsTo(chatId).length;
    webClient.emit("message", message({ from: chatId, body: "mes rendez-vous" }));
    await whatsappWeb.idle();
    expect(webClient.textsTo(chatId).slice(before).join("\n")).toMatch(/vendredi 4 décembre/);
    expect(await identityOf("whatsapp", `+${phone}`)).toMatchObject({ patientId: patient.id, verified: true });
  });
});
