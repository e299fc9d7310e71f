import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inlineDelivery } from "../../src/bots/delivery/inline.js";
import { DeliveryError, retryAfterHeaderMs, retryDelayMs } from "../../src/bots/delivery/outbound.js";
import { memoryPacer } from "../../src/bots/delivery/pacing.js";
import { postgresDeliveryLog } from "../../src/bots/delivery/status.js";
import { smsChannel } from "../../src/bots/sms/channel.js";
import { replayingEngine } from "../../src/bots/chat-engine.js";
import { smsSegments } from "../../src/bots/sms/segments.js";
import { smsSender, twilioClient } from "../../src/bots/sms/send.js";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import { isOptedOut } from "../../src/domain/sms-consent.js";
import { paris, seedBookedPatient } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { serveLocally } from "../support/serve.js";
import { startFakeTwilio, twilioSignature } from "../support/fake-twilio.js";

// Embedded mode (no Redis): replies are sent in-process before the webhook answers.
const ACCOUNT = "AC00000000000000000000000000000001";
const TOKEN = "twilio-auth-token-for-tests";
const FROM = "+33900000001";
const PUBLIC_URL = "https://tabib.example.org";
const db = await freshDatabase();
const twilio = await startFakeTwilio(ACCOUNT, TOKEN);
const logger = pino({ level: "silent" });
const client = twilioClient({ accountSid: ACCOUNT, authToken: TOKEN, apiBase: twilio.apiBase });
let base: string;
let clinicId: string;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  ({ clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" }));
  const now = () => paris("2026-11-30T08:00");
  const sender = smsSender({ client, from: FROM, statusCallback: `${PUBLIC_URL}/webhooks/twilio/status`, db, logger });
  const delivery = inlineDelivery({
    senders: { sms: sender },
    pacer: memoryPacer({ sender: { intervalMs: 1, burst: 30 }, chat: { intervalMs: 1, burst: 5 } }),
    logger,
    baseDelayMs: 20,
    log: postgresDeliveryLog(db, logger),
  });
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
  await twilio.close();
});

let sid = 0;
const inbound = (from: string, body: string) => ({
  ToCountry: "FR",
  SmsMessageSid: `SMin${++sid}`,
  NumMedia: "0",
  SmsSid: `SMin${sid}`,
  SmsStatus: "received",
  Body: body,
  To: FROM,
  NumSegments: "1",
  MessageSid: `SMin${sid}`,
  AccountSid: ACCOUNT,
  From: from,
  ApiVersion: "2010-04-01",
});

const post = (path: string, params: Record<string, string>, signature: string | null = "valid") =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(signature === null
        ? {}
        : {
            "x-twilio-signature": signature === "valid" ? twilioSignature(TOKEN, PUBLIC_URL + path, params) : signature,
          }),
    },
    body: new URLSearchParams(params).toString(),
  });

/** Posts an SMS like Twilio does and returns the bodies sent back to that number because of it. */
async function text(from: string, params: Record<string, string>): Promise<string[]> {
  const before = twilio.sent(from).length;
  const res = await post("/webhooks/twilio/sms", params);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/text\/xml/);
  expect(await res.text()).toMatch(/<Response\/>$/);
  return twilio
    .sent(from)
    .slice(before)
    .map((c) => c.params.Body!);
}

describe("SMS over Twilio", () => {
  it("a patient books a dermatologist by SMS, answering numbered choices with a digit", async () => {
    const phone = "+33611110001";
    const [offer] = await text(phone, inbound(phone, "bonjour, je voudrais voir un dermatologue mardi vers 15h"));
    expect(offer).toMatch(/^1\. .*mardi 1 décembre/m);
    expect(offer).toMatch(/^2\. /m);
    expect((await text(phone, inbound(phone, "1"))).join("\n")).toMatch(/prénom et nom/);
    expect((await text(phone, inbound(phone, "Ada Lovelace"))).join("\n")).toMatch(/date de naissance/);
    const consent = (await text(phone, inbound(phone, "10 décembre 1985"))).join("\n");
    expect(consent).toMatch(/^1\. /m);
    expect((await text(phone, inbound(phone, "1"))).join("\n")).toMatch(/confirmé/);

    const appointment = await db.prisma.appointment.findFirstOrThrow({
      where: { patient: { lastName: "Lovelace" } },
      include: { patient: { include: { identities: true } } },
    });
    expect(appointment.status).toBe("confirmed");
    expect(appointment.sourceChannel).toBe("sms");
    expect(appointment.patient.identities[0]).toMatchObject({ channel: "sms", externalId: phone });
    const call = twilio.sent(phone)[0]!;
    expect(call.params).toMatchObject({
      From: FROM,
      To: phone,
      StatusCallback: `${PUBLIC_URL}/webhooks/twilio/status`,
    });
  });

  it("a request with a forged or missing signature gets 403 and nothing is processed or sent", async () => {
    const phone = "+33611110002";
    const callsBefore = twilio.calls.length;
    const params = inbound(phone, "bonjour");
    expect((await post("/webhooks/twilio/sms", params, null)).status).toBe(403);
    expect((await post("/webhooks/twilio/sms", params, "bm90LWEtc2lnbmF0dXJl")).status).toBe(403);
    // Signed for other content: a tampered body.
    const signed = twilioSignature(TOKEN, `${PUBLIC_URL}/webhooks/twilio/sms`, params);
    expect((await post("/webhooks/twilio/sms", { ...params, Body: "annuler" }, signed)).status).toBe(403);
    expect(twilio.calls.length).toBe(callsBefore);
    expect(await db.prisma.conversation.count({ where: { channel: "sms", senderId: phone } })).toBe(0);
  });

  it("the same MessageSid delivered twice is answered once", async () => {
    const phone = "+33611110003";
    const params = inbound(phone, "bonjour, un généraliste demain matin");
    expect((await text(phone, params)).length).toBeGreaterThan(0);
    expect(await text(phone, params)).toEqual([]);
    expect(
      await db.prisma.processedMessage.count({ where: { channel: "sms", conversation: { senderId: phone } } }),
    ).toBe(1);
  });

  it("STOP is confirmed once, then nothing more is sent until START", async () => {
    const phone = "+33611110004";
    const stop = inbound(phone, "Stop");
    const confirmation = await text(phone, stop);
    expect(confirmation).toHaveLength(1);
    expect(confirmation[0]).toMatch(/ne recevrez plus de SMS/);
    expect(await text(phone, stop)).toEqual([]);
    expect(await isOptedOut(db, phone)).toBe(true);
    expect(await text(phone, inbound(phone, "bonjour, un généraliste demain"))).toEqual([]);
    expect(await db.prisma.conversation.count({ where: { channel: "sms", senderId: phone } })).toBe(0);

    expect((await text(phone, inbound(phone, "START"))).join("\n")).toMatch(/réactivés/);
    expect(await isOptedOut(db, phone)).toBe(false);
    expect((await text(phone, inbound(phone, "bonjour"))).length).toBeGreaterThan(0);
  });

  it("ARRÊT and STOP ALL opt out too, and AIDE gives the clinic's phone even after opting out", async () => {
    const phone = "+33611110005";
    expect((await text(phone, inbound(phone, "ARRÊT"))).join()).toMatch(/START/);
    expect((await text(phone, inbound(phone, "aide"))).join()).toMatch(/\+33140000000/);
    expect((await text(phone, inbound(phone, "HELP"))).join()).toMatch(/Front desk: \+33140000000/);
    const other = "+33611110006";
    expect((await text(other, inbound(other, "stop all"))).join()).toMatch(/no more texts/);
    expect(await isOptedOut(db, other)).toBe(true);
    // A sentence that merely contains "stop" is a dialogue message.
    const third = "+33611110007";
    expect((await text(third, inbound(third, "stop, je veux annuler mon rendez-vous"))).length).toBeGreaterThan(0);
    expect(await isOptedOut(db, third)).toBe(false);
  });

  it("when Twilio fails with 500 then 429, the reply still goes out exactly once", async () => {
    const phone = "+33611110008";
    twilio.failNext(1, { status: 500 });
    twilio.failNext(1, { status: 429 });
    const sent = await text(phone, inbound(phone, "bonjour"));
    expect(sent.length).toBeGreaterThan(0);
    const attempts = twilio.calls.filter((c) => c.params.To === phone).map((c) => c.status);
    expect(attempts.slice(0, 3)).toEqual([500, 429, 201]);
    expect(new Set(sent).size).toBe(sent.length);
  });

  it("when Twilio is busy and says how long to wait (Retry-After), the retry waits exactly that", async () => {
    const phone = "+33611110010";
    const send = smsSender({ client, from: FROM, db, logger });
    const reminder = {
      id: "sms-reminder-retry-after-0",
      channel: "sms" as const,
      chatId: phone,
      message: { text: "Rappel" },
    };
    twilio.failNext(1, { status: 429, retryAfter: 7 });
    expect(await send(reminder).catch((e: unknown) => e)).toMatchObject({
      kind: "retry",
      retryAfterMs: 7_000,
      message: "twilio 429 (20429): Too Many Requests",
    });
    twilio.failNext(1, { status: 503, retryAfter: 2 });
    expect(await send(reminder).catch((e: unknown) => e)).toMatchObject({ kind: "retry", retryAfterMs: 2_000 });
    // Without the header: the usual backoff.
    twilio.failNext(1, { status: 429 });
    const plain = await send(reminder).catch((e: unknown) => e);
    expect(plain).toMatchObject({ kind: "retry" });
    expect((plain as DeliveryError).retryAfterMs).toBeUndefined();
    expect(retryDelayMs(1, plain)).toBe(1_000);
    await send(reminder);
    expect(twilio.calls.filter((c) => c.params.To === phone).map((c) => c.status)).toEqual([429, 503, 429, 201]);
    // HTTP also allows a date there.
    expect(retryAfterHeaderMs("Tue, 01 Dec 2026 10:00:30 GMT", Date.parse("2026-12-01T10:00:00Z"))).toBe(30_000);
  });

  it("delivery statuses are stored per MessageSid, never moving back, and unsigned ones are refused", async () => {
    const phone = "+33611110009";
    await text(phone, inbound(phone, "bonjour"));
    const row = await db.prisma.smsDelivery.findFirstOrThrow({ where: { jobId: { startsWith: `sms-SMin${sid}-` } } });
    expect(row.status).toBe("queued");
    const status = (s: string) => ({ MessageSid: row.messageSid, MessageStatus: s, AccountSid: ACCOUNT, To: phone });
    expect((await post("/webhooks/twilio/status", status("delivered"))).status).toBe(204);
    expect((await post("/webhooks/twilio/status", status("sent"))).status).toBe(204);
    expect((await post("/webhooks/twilio/status", status("failed"), null)).status).toBe(403);
    expect((await db.prisma.smsDelivery.findUniqueOrThrow({ where: { messageSid: row.messageSid } })).status).toBe(
      "delivered",
    );
  });

  it("the first SMS from a number a record carries asks for the birth date; the right one opens the appointments", async () => {
    const phone = "+33611110020";
    const patient = await seedBookedPatient(
      db,
      clinicId,
      { firstName: "Grace", lastName: "Hopper", phone, birthDate: new Date("1980-01-31T00:00:00Z") },
      paris("2026-12-03T10:00"),
    );
    // Caller ID proves nothing: the appointments stay closed, and the real owner is asked.
    const first = await text(phone, inbound(phone, "mes rendez-vous"));
    expect(first[0]).toMatch(/répondez avec votre date de naissance/);
    expect(first.join("\n")).toMatch(/aucun rendez-vous à venir/);
    expect(await text(phone, inbound(phone, "mes rendez-vous"))).not.toContainEqual(
      expect.stringMatching(/date de naissance/),
    );
    expect(await text(phone, inbound(phone, "31/01/1980"))).toEqual([expect.stringMatching(/c'est bien vous/)]);
    expect((await text(phone, inbound(phone, "mes rendez-vous"))).join("\n")).toMatch(
      /Vos prochains rendez-vous :[^]*jeudi 3 décembre/,
    );
    const identity = await db.prisma.channelIdentity.findUniqueOrThrow({
      where: { channel_externalId: { channel: "sms", externalId: phone } },
    });
    expect(identity).toMatchObject({ patientId: patient.id, verified: true });
  });

  it("wrong birth dates are refused, and after three the number can no longer be proven by SMS that day", async () => {
    const phone = "+33611110021";
    await db.prisma.patient.create({
      data: { clinicId, firstName: "Alan", lastName: "Turing", phone, birthDate: new Date("1972-06-23T00:00:00Z") },
    });
    await text(phone, inbound(phone, "bonjour"));
    expect(await text(phone, inbound(phone, "01/01/1970"))).toEqual([expect.stringMatching(/ne correspond pas/)]);
    expect(await text(phone, inbound(phone, "02/01/1970"))).toEqual([expect.stringMatching(/ne correspond pas/)]);
    expect(await text(phone, inbound(phone, "03/01/1970"))).toEqual([
      expect.stringMatching(/contactez le secrétariat/),
    ]);
    await text(phone, inbound(phone, "23/06/1972"));
    expect(
      await db.prisma.channelIdentity.count({ where: { channel: "sms", externalId: phone, verified: true } }),
    ).toBe(0);
  });

  it("an MMS with only a picture is told, in words, what the chat can read", async () => {
    const phone = "+33611110022";
    const mms = {
      ...inbound(phone, ""),
      NumMedia: "1",
      MediaContentType0: "image/jpeg",
      MediaUrl0: "https://api.twilio.com/m/1",
    };
    const [answer] = await text(phone, mms);
    expect(answer).toMatch(/Je ne lis que les messages écrits/);
    expect(answer).toMatch(/appelez le 15/);
    expect(await text(phone, mms)).toEqual([]);
  });

  it("Twilio's delivered and undelivered callbacks reach the cross-channel delivery statuses, never moving back", async () => {
    const phone = "+33611110023";
    const replyRows = async (body: string) => {
      await text(phone, inbound(phone, body));
      const rows = await db.prisma.messageDelivery.findMany({ where: { jobId: { startsWith: `sms-SMin${sid}-` } } });
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.status === "sent" && r.providerMessageId?.startsWith("SM"))).toBe(true);
      return rows[0]!;
    };
    const callback = (messageSid: string, status: string, extra = {}) =>
      post("/webhooks/twilio/status", {
        MessageSid: messageSid,
        MessageStatus: status,
        AccountSid: ACCOUNT,
        To: phone,
        ...extra,
      });
    const statusOf = async (jobId: string) => db.prisma.messageDelivery.findUniqueOrThrow({ where: { jobId } });

    const first = await replyRows("bonjour");
    expect((await callback(first.providerMessageId!, "delivered")).status).toBe(204);
    expect((await callback(first.providerMessageId!, "sent")).status).toBe(204);
    expect((await statusOf(first.jobId)).status).toBe("delivered");

    const second = await replyRows("un généraliste demain");
    expect((await callback(second.providerMessageId!, "undelivered", { ErrorCode: "30003" })).status).toBe(204);
    expect(await statusOf(second.jobId)).toMatchObject({ status: "failed", lastError: "twilio undelivered (30003)" });
  });

  it("counts segments: GSM-7 (é is in it) at 160/153, UCS-2 (emoji, ç) at 70/67", () => {
    expect(smsSegments("a".repeat(160))).toEqual({ encoding: "GSM-7", segments: 1, units: 160 });
    expect(smsSegments("a".repeat(161))).toEqual({ encoding: "GSM-7", segments: 2, units: 161 });
    expect(smsSegments("é".repeat(306)).segments).toBe(2);
    expect(smsSegments("é".repeat(307)).segments).toBe(3);
    expect(smsSegments("€".repeat(80))).toEqual({ encoding: "GSM-7", segments: 1, units: 160 });
    expect(smsSegments("ç".repeat(70))).toEqual({ encoding: "UCS-2", segments: 1, units: 70 });
    expect(smsSegments("ç".repeat(71))).toEqual({ encoding: "UCS-2", segments: 2, units: 71 });
    expect(smsSegments(`rendez-vous confirmé ${"👍"}`).encoding).toBe("UCS-2");
    // A surrogate pair is never split: 66 units + one emoji (2 units) opens a new part.
    expect(smsSegments(`${"a".repeat(66)}👍${"a".repeat(10)}`).segments).toBe(2);
    expect(smsSegments(`${"a".repeat(66)}👍${"a".repeat(66)}`).segments).toBe(3);
  });
});
