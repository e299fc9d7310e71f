import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import express from "express";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelSenders } from "../../src/bots/channels.js";
import { clinicEngine } from "../../src/bots/chat-engine.js";
import { deliveryFor } from "../../src/bots/delivery/for-channel.js";
import { startDeliveryWorker } from "../../src/bots/delivery/queue.js";
import { clinicOutbox } from "../../src/bots/outbox.js";
import { whatsappCloudChannel } from "../../src/bots/whatsapp-cloud/channel.js";
import { WHATSAPP_CLOUD_LIMITS, whatsappCloudSender } from "../../src/bots/whatsapp-cloud/send.js";
import { loadConfig } from "../../src/config.js";
import type { AppContext } from "../../src/context.js";
import { raiseEmergency } from "../../src/domain/emergencies.js";
import { handleInbound } from "../../src/flows/engine.js";
import { startCare, type CareService } from "../../src/jobs/care.js";
import { createTestClinic, paris, seedAppointment, type TestClinic } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { cloudMessagePayload, startFakeGraph, type GraphSend } from "../support/fake-graph.js";

// Doctors on WhatsApp (Cloud API): their taps come back as signed webhooks, and Meta delivers a
// webhook again whenever it is unsure it got through. Wired as src/bots/whatsapp-cloud/start.ts
// does it, sending to the local fake Graph API; once in-process (no Redis), once through the
// Redis outbound queue and a delivery worker (REDIS_URL).
const ACCESS_TOKEN = "EAAG-doctor-access-token";
const APP_SECRET = "app-secret-for-doctor-tests";
const VERIFY_TOKEN = "verify-token-for-doctor-tests";
const PHONE_ID = "106540352242933";
const REDIS_URL = process.env.REDIS_URL;
const db = await freshDatabase();
const graph = await startFakeGraph(ACCESS_TOKEN);
const logger = pino({ level: "silent" });
const secretary = {
  kind: "staff" as const,
  userId: "00000000-0000-0000-0000-0000000000bb",
  role: "secretary" as const,
};
afterAll(() => graph.close());

type Interactive = { body?: { text?: string }; action?: { buttons?: { reply: { id: string; title: string } }[] } };
const to = (phone: string) => phone.replace("+", "");
const textOf = (s: GraphSend | undefined) =>
  String((s?.body as { text?: { body?: string } })?.text?.body ?? (s?.body.interactive as Interactive)?.body?.text);
const buttonsOf = (s: GraphSend | undefined) =>
  ((s?.body.interactive as Interactive | undefined)?.action?.buttons ?? []).map((b) => b.reply);
const sentTo = (phone: string) => graph.sent(to(phone));

let seq = 0;
/** A doctor's tap on a reply button, as Meta's webhook carries it (one wamid per tap). */
const buttonTap = (phone: string, id: string) =>
  cloudMessagePayload(PHONE_ID, {
    from: to(phone),
    id: `wamid.HBgLdoc${randomBytes(3).toString("hex")}${++seq}`,
    timestamp: "1796000000",
    type: "interactive",
    interactive: { type: "button_reply", button_reply: { id, title: "…" } },
  });

// Each mode has a clinic of its own, its doctors their own numbers.
const modes: { name: string; redis?: string; doctors: readonly [string, string] }[] = [
  { name: "in-process (no Redis)", doctors: ["+33611110000", "+33611110001"] },
  ...(REDIS_URL
    ? [
        {
          name: "through the Redis outbound queue",
          redis: REDIS_URL,
          doctors: ["+33622220000", "+33622220001"] as const,
        },
      ]
    : []),
];

describe.each(modes)("doctors' buttons on WhatsApp Cloud, $name", ({ redis, doctors: DOC }) => {
  const prefix = `tabib-test-${randomBytes(4).toString("hex")}`;
  let now = paris("2026-11-30T08:00");
  const closers: (() => Promise<void>)[] = [];
  let care: CareService;
  let base: string;
  let clinic: TestClinic;

  beforeAll(async () => {
    clinic = await createTestClinic(db, { doctors: 2, patients: 1, bookingMode: "approval" });
    await db.prisma.clinic.update({ where: { id: clinic.clinicId }, data: { emergencyAckMinutes: 2 } });
    for (const [i, id] of clinic.doctorIds.entries())
      await db.prisma.doctor.update({
        where: { id },
        data: { whatsappPhone: DOC[i], onCall: i === 0, escalationRank: i * 10 },
      });
    const config = loadConfig({
      NODE_ENV: "test",
      JWT_SECRET: "x".repeat(32),
      ...(redis ? { REDIS_URL: redis } : {}),
      WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_ID,
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      WHATSAPP_GRAPH_BASE: graph.apiBase,
    });
    const ctx: AppContext = { config, db, logger, now: () => now };
    // The doctors wrote to the clinic's number this morning: inside their 24-hour window alerts
    // and requests carry buttons (outside it they go as the notice template, tests/jobs/care-whatsapp.test.ts).
    for (const phone of DOC)
      await handleInbound(
        { db, clinicId: clinic.clinicId, holdMinutes: 5, now: () => now },
        {
          channel: "whatsapp",
          senderId: to(phone),
          text: "bonjour",
          providerMessageId: `wamid.hello${to(phone)}`,
          receivedAt: now,
        },
      );
    const outbox = clinicOutbox(ctx, { prefix });
    care = startCare(ctx, { outbox });
    const senders = {
      whatsapp: whatsappCloudSender({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_ID, apiBase: graph.apiBase }),
    };
    const delivery = deliveryFor(ctx, senders, WHATSAPP_CLOUD_LIMITS, { prefix });
    const { router } = whatsappCloudChannel({
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      phoneNumberId: PHONE_ID,
      engine: clinicEngine(ctx, clinic.clinicId),
      delivery,
      db,
      clinicId: clinic.clinicId,
      logger,
      now: () => now,
    });
    const app = express();
    app.use(router);
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closers.push(
      () => care.close(),
      () => outbox.close(),
      () => delivery.close(),
      () => new Promise<void>((r) => server.close(() => r())),
    );
    if (redis) {
      const worker = startDeliveryWorker({ redisUrl: redis, prefix, senders: channelSenders(ctx), logger });
      closers.push(worker.close, async () => {
        const r = new Redis(redis);
        const keys = await r.keys(`${prefix}:*`);
        if (keys.length > 0) await r.del(...keys);
        await r.quit();
      });
    }
  });
  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
  });

  /** Posts a webhook body as Meta does: non-ASCII escaped, signed with the app secret. */
  const post = (payload: unknown) => {
    const body = JSON.stringify(payload).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
    const signature = `sha256=${createHmac("sha256", APP_SECRET).update(body).digest("hex")}`;
    return fetch(`${base}/webhooks/whatsapp`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signature },
      body,
    });
  };
  const until = async (check: () => boolean | Promise<boolean>, what: string) => {
    for (const end = Date.now() + 15_000; !(await check());) {
      if (Date.now() > end) throw new Error(`${what}: not met in time`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  /** The last message to `phone` carrying a button whose id starts with `prefix`. */
  const withButton = (phone: string, idPrefix: string) =>
    sentTo(phone).findLast((s) => buttonsOf(s).some((b) => b.id.startsWith(idPrefix)));
  /**
   * Meta delivers the same tap again; then the doctor taps a button of a message that is gone,
   * whose answer comes after anything the redelivery might have sent. Returns what the doctor got since.
   */
  async function redeliverThenSettle(phone: string, tap: ReturnType<typeof buttonTap>) {
    const before = sentTo(phone).length;
    expect((await post(tap)).status).toBe(200);
    expect((await post(buttonTap(phone, `dr.ack.${randomUUID()}`))).status).toBe(200);
    await until(
      () => sentTo(phone).some((s, i) => i >= before && /n'existe plus/.test(textOf(s))),
      "the answer to the gone button",
    );
    return sentTo(phone).slice(before).map(textOf);
  }

  it("Acknowledge on an emergency alert: the emergency is taken once, the colleague told once, even when Meta delivers the tap twice", async () => {
    const event = await raiseEmergency(db, {
      clinicId: clinic.clinicId,
      actor: secretary,
      category: "chest_pain",
      patientId: clinic.patientIds[0]!,
      now,
    });
    await care.settled();
    const alert = await db.prisma.emergencyAlert.findFirstOrThrow({
      where: { eventId: event.id, doctorId: clinic.doctorIds[0] },
    });
    await until(() => Boolean(withButton(DOC[0], `dr.ack.${alert.id}`)), "the alert at the on-call doctor");
    expect(textOf(withButton(DOC[0], "dr.ack."))).toMatch(/URGENCE : douleur thoracique/);
    // Nobody answers: after the clinic's two minutes the next doctor is alerted too.
    now = new Date(+now + 2 * 60_000);
    expect((await care.tick()).alerts).toBe(1);
    const second = await db.prisma.emergencyAlert.findFirstOrThrow({
      where: { eventId: event.id, doctorId: clinic.doctorIds[1] },
    });
    await until(() => Boolean(withButton(DOC[1], `dr.ack.${second.id}`)), "the escalated alert");

    const tap = buttonTap(DOC[1], `dr.ack.${second.id}`);
    const firstSeen = sentTo(DOC[0]).length;
    const acknowledgedAt = now;
    expect((await post(tap)).status).toBe(200);
    await until(() => /vous prenez en charge/.test(textOf(sentTo(DOC[1]).at(-1))), "the doctor's confirmation");
    await until(() => sentTo(DOC[0]).length > firstSeen, "the colleague told");
    expect(textOf(sentTo(DOC[0]).at(-1))).toMatch(/Dr Doc1 Tor1 prend en charge/);

    now = new Date(+now + 60_000);
    expect(await redeliverThenSettle(DOC[1], tap)).toEqual(["Cette demande ou cette alerte n'existe plus."]);
    expect(await db.prisma.emergencyEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({
      acknowledgedAt,
      acknowledgedByDoctorId: clinic.doctorIds[1],
    });
    expect(sentTo(DOC[0]).filter((s) => /prend en charge/.test(textOf(s)))).toHaveLength(1);
    // And the escalation stopped with the first tap.
    now = new Date(+now + 10 * 60_000);
    expect((await care.tick()).alerts).toBe(0);
  });

  it("Accept on a request: the appointment is confirmed once and the patient told once, even when Meta delivers the tap twice", async () => {
    const appointment = await seedAppointment(db, clinic, {
      doctorId: clinic.doctorIds[0]!,
      startsAt: paris("2026-12-02T09:00"),
      status: "requested",
    });
    await care.tick();
    await until(() => Boolean(withButton(DOC[0], `dr.acc.${appointment.id}`)), "the request at the doctor");
    const request = withButton(DOC[0], `dr.acc.${appointment.id}`);
    expect(textOf(request)).toMatch(/Nouvelle demande de rendez-vous : Pat0 Ient0/);
    expect(buttonsOf(request).map((b) => b.title)).toEqual(["Accepter", "Refuser"]);

    const tap = buttonTap(DOC[0], `dr.acc.${appointment.id}`);
    expect((await post(tap)).status).toBe(200);
    await until(() => /Rendez-vous accepté : Pat0 Ient0/.test(textOf(sentTo(DOC[0]).at(-1))), "the doctor's answer");
    expect(await redeliverThenSettle(DOC[0], tap)).toEqual(["Cette demande ou cette alerte n'existe plus."]);

    expect((await db.prisma.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).status).toBe("confirmed");
    const decisions = await db.prisma.appointmentEvent.findMany({
      where: { appointmentId: appointment.id, toStatus: "confirmed" },
    });
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ actorKind: "doctor", actorId: clinic.doctorIds[0], fromStatus: "requested" });
    const notices = await db.prisma.notice.findMany({ where: { appointmentId: appointment.id, medium: "chat" } });
    // The patient's "accepted" notice exists once (the job runner sends it).
    expect(notices.filter((n) => n.kind === "accepted")).toHaveLength(1);
  });
});
