import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelSenders } from "../../src/bots/channels.js";
import { replayingEngine } from "../../src/bots/chat-engine.js";
import { inlineDelivery } from "../../src/bots/delivery/inline.js";
import { memoryPacer } from "../../src/bots/delivery/pacing.js";
import { startDeliveryWorker } from "../../src/bots/delivery/queue.js";
import { clinicOutbox } from "../../src/bots/outbox.js";
import { telegramChannel } from "../../src/bots/telegram/channel.js";
import { telegramApi, telegramSender } from "../../src/bots/telegram/send.js";
import { loadConfig } from "../../src/config.js";
import type { AppContext } from "../../src/context.js";
import { cancelAppointment } from "../../src/domain/booking.js";
import { raiseEmergency } from "../../src/domain/emergencies.js";
import { joinWaitlist } from "../../src/domain/waitlist.js";
import { startCare, type CareService } from "../../src/jobs/care.js";
import { createTestClinic, paris, seedAppointment, type TestClinic } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { serveLocally } from "../support/serve.js";
import { startFakeTelegram, type BotApiCall } from "../support/fake-telegram.js";

// Doctors in Telegram, against the local fake Bot API. Embedded mode (no Redis) unless said.
const TOKEN = "123456:doctor-token";
const SECRET = "webhook-secret-for-doctor-tests";
const DOC = ["8100", "8101", "8102"] as const;
const db = await freshDatabase();
const telegram = await startFakeTelegram(TOKEN);
const logger = pino({ level: "silent" });
const secretary = {
  kind: "staff" as const,
  userId: "00000000-0000-0000-0000-0000000000bb",
  role: "secretary" as const,
};

let now = paris("2026-11-30T08:00");
const later = (minutes: number) => (now = new Date(+now + minutes * 60_000));
let clinic: TestClinic;
let ctx: AppContext;
let care: CareService;
let base: string;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  clinic = await createTestClinic(db, { doctors: 3, patients: 2, bookingMode: "approval" });
  await db.prisma.clinic.update({ where: { id: clinic.clinicId }, data: { emergencyAckMinutes: 2 } });
  for (const [i, id] of clinic.doctorIds.entries())
    await db.prisma.doctor.update({
      where: { id },
      data: { telegramChatId: DOC[i], onCall: i === 0, escalationRank: i * 10 },
    });
  const config = loadConfig({
    NODE_ENV: "test",
    JWT_SECRET: "x".repeat(32),
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
  });
  ctx = { config, db, logger, now: () => now };
  care = startCare(ctx);
  const api = telegramApi({ token: TOKEN, apiRoot: telegram.apiRoot });
  const delivery = inlineDelivery({
    senders: { telegram: telegramSender(api) },
    pacer: memoryPacer({ sender: { intervalMs: 1, burst: 30 }, chat: { intervalMs: 1, burst: 10 } }),
    logger,
  });
  const engine = replayingEngine({ db, clinicId: clinic.clinicId, holdMinutes: 5, now: () => now });
  const { router } = telegramChannel({
    api,
    webhookSecret: SECRET,
    engine,
    delivery,
    db,
    clinicId: clinic.clinicId,
    logger,
    now: () => now,
  });
  ({ base, close: closeServer } = await serveLocally(router));
});
afterAll(async () => {
  await care?.close();
  await closeServer?.();
  await telegram.close();
});

let updateId = 9000;
/** A tap on a button of the message `messageId` in a private chat (a doctor's or a patient's). */
async function tap(chatId: string, data: string, messageId = 1): Promise<Response> {
  const id = ++updateId;
  return fetch(`${base}/webhooks/telegram`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
    body: JSON.stringify({
      update_id: id,
      callback_query: {
        id: `dq${id}`,
        from: { id: Number(chatId), is_bot: false, first_name: "Doc", language_code: "fr" },
        chat_instance: "ci",
        data,
        message: { message_id: messageId, date: 1_796_000_000, chat: { id: Number(chatId), type: "private" } },
      },
    }),
  });
}

const buttonsOf = (call: BotApiCall | undefined) =>
  (
    (call?.params.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] })?.inline_keyboard ??
    []
  ).flat();
const lastTo = (chat: string) => telegram.sent(chat).at(-1);
const textTo = (chat: string) => String(lastTo(chat)?.params.text ?? "");
const callsOf = (method: string) => telegram.calls.filter((c) => c.method === method);

describe("emergency alerts in Telegram", () => {
  it("an emergency raised at the front desk reaches the on-call doctor with an acknowledge button; the tap stops the escalation", async () => {
    const event = await raiseEmergency(db, {
      clinicId: clinic.clinicId,
      actor: secretary,
      category: "chest_pain",
      patientId: clinic.patientIds[0]!,
      note: "Douleur depuis 20 min",
      now,
    });
    await care.settled();
    expect(textTo(DOC[0])).toMatch(
      /URGENCE : douleur thoracique[\s\S]*Pat0 Ient0 — \+33610000000[\s\S]*Douleur depuis 20 min/,
    );
    const [ack] = buttonsOf(lastTo(DOC[0]));
    expect(ack).toMatchObject({ text: "Je prends en charge", callback_data: expect.stringMatching(/^dr\.ack\./) });

    expect((await tap(DOC[0], ack!.callback_data, 77)).status).toBe(200);
    const acknowledged = await db.prisma.emergencyEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(acknowledged).toMatchObject({ acknowledgedAt: now, acknowledgedByDoctorId: clinic.doctorIds[0] });
    expect(textTo(DOC[0])).toMatch(/vous prenez en charge/);
    expect(callsOf("answerCallbackQuery").at(-1)?.params.text).toMatch(/vous prenez en charge/);
    expect(callsOf("editMessageReplyMarkup").at(-1)?.params).toMatchObject({ chat_id: DOC[0], message_id: 77 });

    const before = telegram.sent(DOC[1]).length;
    later(5);
    await care.tick();
    expect(telegram.sent(DOC[1])).toHaveLength(before);
  });

  it("unanswered, it goes to the next doctor after the clinic's minutes; their acknowledgement is told to the first", async () => {
    await raiseEmergency(db, { clinicId: clinic.clinicId, actor: secretary, category: "breathing", now });
    await care.settled();
    expect(textTo(DOC[0])).toMatch(/détresse respiratoire/);
    later(1);
    expect((await care.tick()).alerts).toBe(0);
    later(1);
    expect((await care.tick()).alerts).toBe(1);
    expect(textTo(DOC[1])).toMatch(/Sans réponse de : Dr Doc0 Tor0/);
    const [ack] = buttonsOf(lastTo(DOC[1]));
    expect((await tap(DOC[1], ack!.callback_data)).status).toBe(200);
    expect(textTo(DOC[0])).toMatch(/Dr Doc1 Tor1 prend en charge l'urgence/);
    // A colleague's late tap on the first alert is answered, and changes nothing.
    const [first] = buttonsOf(telegram.sent(DOC[0]).findLast((c) => buttonsOf(c).length > 0));
    await tap(DOC[0], first!.callback_data);
    expect(textTo(DOC[0])).toMatch(/déjà prise en charge par Dr Doc1 Tor1/);
  });
});

describe("red flags in a patient's chat", () => {
  it("reach the on-call doctor at the next pass, with the chat they came from", async () => {
    const chat = 7800;
    const id = ++updateId;
    const res = await fetch(`${base}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify({
        update_id: id,
        message: {
          message_id: id,
          date: 1_796_000_000,
          chat: { id: chat, type: "private" },
          from: { id: chat, is_bot: false, first_name: "P", language_code: "fr" },
          text: "j'ai une douleur dans la poitrine qui serre très fort",
        },
      }),
    });
    expect(res.status).toBe(200);
    const event = await db.prisma.emergencyEvent.findFirstOrThrow({
      where: { conversation: { senderId: String(chat) } },
    });
    expect(event.category).toBe("chest_pain");
    expect((await care.tick()).alerts).toBe(1);
    expect(textTo(DOC[0])).toMatch(/URGENCE : douleur thoracique\nPatient non identifié/);
  });
});

describe("requests in approval mode", () => {
  async function requested(hhmm: string) {
    const appointment = await seedAppointment(db, clinic, {
      doctorId: clinic.doctorIds[0]!,
      startsAt: paris(`2026-12-02T${hhmm}`),
      status: "requested",
    });
    await care.tick();
    const message = telegram
      .sent(DOC[0])
      .findLast((c) => buttonsOf(c).some((b) => b.callback_data.endsWith(appointment.id)));
    return { appointment, message, buttons: buttonsOf(message) };
  }
  const statusOf = async (id: string) => (await db.prisma.appointment.findUniqueOrThrow({ where: { id } })).status;

  it("the doctor gets the request with Accept / Refuse, once; Accept confirms the appointment", async () => {
    const { appointment, message, buttons } = await requested("09:00");
    expect(message?.params.text).toMatch(
      /Nouvelle demande de rendez-vous : Pat0 Ient0\nmercredi 2 décembre à 09:00 — Consultation/,
    );
    expect(buttons.map((b) => b.text)).toEqual(["Accepter", "Refuser"]);
    const sent = telegram.sent(DOC[0]).length;
    await care.tick();
    expect(telegram.sent(DOC[0])).toHaveLength(sent);

    expect((await tap(DOC[0], buttons[0]!.callback_data)).status).toBe(200);
    expect(await statusOf(appointment.id)).toBe("confirmed");
    expect(textTo(DOC[0])).toMatch(/Rendez-vous accepté : Pat0 Ient0, mercredi 2 décembre à 09:00/);
    const decision = await db.prisma.appointmentEvent.findFirstOrThrow({
      where: { appointmentId: appointment.id, toStatus: "confirmed" },
    });
    expect(decision).toMatchObject({ actorKind: "doctor", actorId: clinic.doctorIds[0], fromStatus: "requested" });
  });

  it("Refuse declines it, and a second tap says it was already dealt with", async () => {
    const { appointment, buttons } = await requested("09:30");
    await tap(DOC[0], buttons[1]!.callback_data);
    expect(await statusOf(appointment.id)).toBe("declined");
    expect(textTo(DOC[0])).toMatch(/Demande refusée/);
    await tap(DOC[0], buttons[0]!.callback_data);
    expect(await statusOf(appointment.id)).toBe("declined");
    expect(textTo(DOC[0])).toMatch(/déjà été traitée \(refusée\)/);
  });

  it("a tap from another doctor's chat, or from a stranger, changes nothing", async () => {
    const { appointment, buttons } = await requested("10:00");
    await tap(DOC[1], buttons[0]!.callback_data);
    expect(textTo(DOC[1])).toMatch(/concerne un autre médecin/);
    await tap("5555", buttons[0]!.callback_data);
    expect(textTo("5555")).toMatch(/réservé au médecin/);
    expect(await statusOf(appointment.id)).toBe("requested");
  });
});

describe("the morning agenda", () => {
  it("each doctor with appointments today gets the day's list once, after the clinic's agenda time", async () => {
    await db.prisma.clinic.update({ where: { id: clinic.clinicId }, data: { agendaMinute: 7 * 60 + 30 } });
    try {
      const day = paris("2026-12-03T07:00");
      await seedAppointment(db, clinic, { doctorId: clinic.doctorIds[2]!, startsAt: paris("2026-12-03T11:00") });
      await seedAppointment(db, clinic, {
        doctorId: clinic.doctorIds[2]!,
        startsAt: paris("2026-12-03T09:30"),
        patientId: clinic.patientIds[1]!,
        status: "requested",
      });
      now = day;
      const agendas = () => telegram.sent(DOC[2]).filter((c) => String(c.params.text).startsWith("Votre journée"));
      expect((await care.tick()).agendas).toBe(0);
      now = paris("2026-12-03T07:31");
      expect((await care.tick()).agendas).toBe(1);
      expect(agendas().at(-1)?.params.text).toBe(
        "Votre journée du jeudi 3 décembre :\n• 09:30 — Pat1 Ient1 (Consultation) — demande en attente\n• 11:00 — Pat0 Ient0 (Consultation)",
      );
      now = paris("2026-12-03T08:00");
      expect((await care.tick()).agendas).toBe(0);
      expect(agendas()).toHaveLength(1);
      expect(
        await db.prisma.auditLog.count({ where: { action: "doctor.agenda", patientId: clinic.patientIds[1]! } }),
      ).toBe(1);
    } finally {
      await db.prisma.clinic.update({ where: { id: clinic.clinicId }, data: { agendaMinute: null } });
      now = paris("2026-11-30T08:00");
    }
  });
});

describe("the waiting list in Telegram", () => {
  it("a cancellation offers the slot to the waitlisted patient; their tap asks for it, and the doctor gets the request", async () => {
    const chat = "7700";
    const waiting = await db.prisma.patient.create({
      data: {
        clinicId: clinic.clinicId,
        firstName: "Zoé",
        lastName: "Lambert",
        identities: { create: [{ channel: "telegram", externalId: chat }] },
      },
    });
    await joinWaitlist(db, {
      clinicId: clinic.clinicId,
      patientId: waiting.id,
      channel: "telegram",
      doctorId: clinic.doctorIds[1]!,
      actor: { kind: "patient", patientId: waiting.id },
      now,
    });
    const freed = await seedAppointment(db, clinic, {
      doctorId: clinic.doctorIds[1]!,
      startsAt: paris("2026-12-04T10:00"),
    });
    await cancelAppointment(db, { appointmentId: freed.id, actor: secretary, now });
    await care.settled();
    expect(textTo(chat)).toMatch(
      /une place s'est libérée le vendredi 4 décembre à 10:00 avec Dr Doc1 Tor1.*15 minutes/,
    );
    const [accept] = buttonsOf(lastTo(chat));
    expect(accept).toMatchObject({ text: "Oui, je la prends", callback_data: expect.stringMatching(/^m\.waitlist\./) });

    expect((await tap(chat, accept!.callback_data)).status).toBe(200);
    expect(textTo(chat)).toMatch(/Votre demande pour le vendredi 4 décembre à 10:00 avec Dr Doc1 Tor1 est envoyée/);
    const asked = await db.prisma.appointment.findFirstOrThrow({ where: { patientId: waiting.id } });
    expect(asked).toMatchObject({ status: "requested", doctorId: clinic.doctorIds[1], startsAt: freed.startsAt });
    await care.tick();
    expect(textTo(DOC[1])).toMatch(/Nouvelle demande de rendez-vous : Zoé Lambert\nvendredi 4 décembre à 10:00/);
  });
});

const REDIS_URL = process.env.REDIS_URL;
describe.skipIf(!REDIS_URL)("through the Redis outbound queue", () => {
  it("an alert is queued and sent to the doctor by the delivery worker", async () => {
    const prefix = `tabib-test-${randomBytes(4).toString("hex")}`;
    const queued: AppContext = { ...ctx, config: { ...ctx.config, REDIS_URL } };
    const outbox = clinicOutbox(queued, { prefix });
    const service = startCare(queued, { outbox });
    const worker = startDeliveryWorker({
      redisUrl: REDIS_URL!,
      prefix,
      senders: channelSenders(queued),
      logger,
      lockDurationMs: 5_000,
      stalledIntervalMs: 5_000,
    });
    try {
      const event = await raiseEmergency(db, { clinicId: clinic.clinicId, actor: secretary, category: "seizure", now });
      await service.settled();
      const alert = await db.prisma.emergencyAlert.findFirstOrThrow({ where: { eventId: event.id } });
      for (let i = 0; i < 200 && !buttonsOf(lastTo(DOC[0])).some((b) => b.callback_data === `dr.ack.${alert.id}`); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(textTo(DOC[0])).toMatch(/convulsions/);
      expect(buttonsOf(lastTo(DOC[0]))[0]!.callback_data).toBe(`dr.ack.${alert.id}`);
    } finally {
      await service.close();
      await outbox.close();
      await worker.close();
    }
  });
});
