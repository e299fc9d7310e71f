import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { clinicOutbox, type Outbox } from "../../src/bots/outbox.js";
import { loadConfig } from "../../src/config.js";
import type { Actor } from "../../src/domain/actor.js";
import { bookAppointment, cancelAppointment, decideRequest, rescheduleAppointment } from "../../src/domain/booking.js";
import { noticesOf } from "../../src/domain/notices.js";
import { listUnconfirmed, remindersOf } from "../../src/domain/reminders.js";
import { optOutOfSms } from "../../src/domain/sms-consent.js";
import { handleInbound } from "../../src/flows/engine.js";
import type { FollowUpDeps } from "../../src/jobs/deps.js";
import { smtpMailer } from "../../src/jobs/mailer.js";
import { sweepFollowUps } from "../../src/jobs/sweeper.js";
import { createTestClinic, paris, type TestClinic } from "../support/clinic.js";
import { freshDatabase, type TestDatabase } from "../support/database.js";
import { testFollowUpDeps } from "../support/follow-up-deps.js";
import { startFakeGraph } from "../support/fake-graph.js";
import { header, mimePart, startFakeSmtp } from "../support/fake-smtp.js";
import { startFakeTelegram } from "../support/fake-telegram.js";
import { startFakeTwilio } from "../support/fake-twilio.js";

// Embedded mode: no REDIS_URL, so the sweeper itself sends what is due, through in-process delivery.
const TG_TOKEN = "123456:follow-up-token";
const TWILIO_SID = `AC${"f".repeat(32)}`;
const TWILIO_TOKEN = "twilio-auth-token-for-tests";
const WA_TOKEN = "whatsapp-access-token-for-tests";

let db: TestDatabase;
let clinic: TestClinic;
let deps: FollowUpDeps;
let now = paris("2026-11-30T08:00");
let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
let twilio: Awaited<ReturnType<typeof startFakeTwilio>>;
let graph: Awaited<ReturnType<typeof startFakeGraph>>;
let smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
let outbox: Outbox;
const secretary: Actor = { kind: "staff", userId: "sec-1", role: "secretary" };
const sweep = () => sweepFollowUps(deps, { queue: null, lookaheadMs: 0 });

beforeAll(async () => {
  db = await freshDatabase();
  clinic = await createTestClinic(db, {
    doctors: 2,
    patients: 0,
    hours: [1, 2, 3, 4, 5].map((d) => [d, 8 * 60, 18 * 60]),
  });
  [telegram, twilio, graph, smtp] = await Promise.all([
    startFakeTelegram(TG_TOKEN),
    startFakeTwilio(TWILIO_SID, TWILIO_TOKEN),
    startFakeGraph(WA_TOKEN),
    startFakeSmtp({ refuse: ["nobody@example.org"] }),
  ]);
  const config = loadConfig({
    NODE_ENV: "test",
    TELEGRAM_BOT_TOKEN: TG_TOKEN,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_MODE: "polling",
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM_NUMBER: "+33700000000",
    TWILIO_API_BASE: twilio.apiBase,
    PUBLIC_URL: "https://tabib.example.org",
    WHATSAPP_ACCESS_TOKEN: WA_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: "1234567890",
    WHATSAPP_APP_SECRET: "whatsapp-app-secret",
    WHATSAPP_VERIFY_TOKEN: "verify-token",
    WHATSAPP_GRAPH_BASE: graph.apiBase,
  });
  const logger = pino({ level: "silent" });
  outbox = clinicOutbox({ config, db, logger });
  deps = testFollowUpDeps({
    db,
    outbox,
    mailer: smtpMailer(smtp.url, "Clinique Test <rdv@clinique.example>"),
    logger,
    now: () => now,
  });
});

afterAll(async () => {
  deps?.mailer?.close();
  await outbox?.close();
  await Promise.all([telegram?.close(), twilio?.close(), graph?.close(), smtp?.close()]);
});

let patients = 0;
/** A patient of the clinic reachable as described. */
async function patient(opts: {
  preferred?: "telegram" | "whatsapp" | "sms" | "web";
  telegram?: string;
  whatsapp?: string;
  phone?: string;
  email?: string;
  locale?: "fr" | "en";
}) {
  const identities = [
    ...(opts.telegram ? [{ channel: "telegram" as const, externalId: opts.telegram }] : []),
    ...(opts.whatsapp ? [{ channel: "whatsapp" as const, externalId: opts.whatsapp }] : []),
  ];
  return db.prisma.patient.create({
    data: {
      clinicId: clinic.clinicId,
      firstName: "Pat",
      lastName: `Follow${++patients}`,
      phone: opts.phone ?? null,
      email: opts.email ?? null,
      preferredLocale: opts.locale ?? "fr",
      preferredChannel: opts.preferred ?? null,
      identities: { create: identities },
    },
  });
}

let slot = 0;
/** A fresh half-hour of doctor 0's week, from Thursday 3 December 08:00. */
const nextSlot = () => new Date(+paris("2026-12-03T08:00") + 30 * 60_000 * slot++);

const book = (patientId: string, startsAt = nextSlot(), actor: Actor = secretary) =>
  bookAppointment(db, {
    clinicId: clinic.clinicId,
    patientId,
    appointmentTypeId: clinic.typeId,
    doctorId: clinic.doctorIds[0]!,
    startsAt,
    sourceChannel: "console",
    actor,
    now,
  });

const telegramTexts = (chat: string) => telegram.sent(chat).map((c) => String(c.params.text));

async function atConfirmReminderOf(appointmentId: string) {
  const [confirm] = await remindersOf(db, appointmentId);
  now = confirm!.sendAt;
  return confirm!;
}

describe("reminders without Redis", () => {
  it("the sweeper alone delivers a due reminder, once, on the patient's preferred channel, with the three choices", async () => {
    const p = await patient({ preferred: "telegram", telegram: "7001", phone: "+33611000001" });
    now = paris("2026-11-30T08:00");
    const a = await book(p.id);
    await sweep(); // the booking notice
    await atConfirmReminderOf(a.id);
    await sweep();
    await sweep();
    const reminders = telegram.sent("7001").filter((c) => String(c.params.text).startsWith("Rappel"));
    expect(reminders).toHaveLength(1);
    const keyboard = (reminders[0]!.params.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard;
    expect(keyboard.flat().map((b) => b.text)).toEqual(["1. Oui, je confirme", "2. Annuler", "3. Déplacer"]);
    expect((await remindersOf(db, a.id))[0]).toMatchObject({ status: "sent", channel: "telegram" });
    expect(twilio.sent("+33611000001")).toHaveLength(0);
  });

  it("the 2-hour reminder is a plain message", async () => {
    const p = await patient({ preferred: "telegram", telegram: "7002" });
    now = paris("2026-11-30T08:00");
    const a = await book(p.id);
    await sweep(); // the booking notice
    const [, plain] = await remindersOf(db, a.id);
    now = plain!.sendAt;
    await sweep();
    const last = telegram.sent("7002").at(-1)!;
    expect(String(last.params.text)).toMatch(/^Rappel : rendez-vous le jeudi 3 décembre à \d\d:\d\d avec Dr Doc0 Tor0/);
    expect(last.params.reply_markup).toBeUndefined();
  });

  it("a reminder never goes before its time", async () => {
    const p = await patient({ preferred: "telegram", telegram: "7003" });
    now = paris("2026-11-30T08:00");
    const a = await book(p.id);
    const confirm = await atConfirmReminderOf(a.id);
    now = new Date(+confirm.sendAt - 1000);
    await sweep();
    expect(telegramTexts("7003").filter((t) => t.startsWith("Rappel"))).toEqual([]);
  });

  it("without a preferred channel that can carry it, SMS is the fallback", async () => {
    const p = await patient({ preferred: "web", phone: "+33611000004" });
    now = paris("2026-11-30T08:00");
    const a = await book(p.id);
    await atConfirmReminderOf(a.id);
    await sweep();
    const [sms] = twilio.sent("+33611000004").filter((c) => c.params.Body!.startsWith("Rappel"));
    expect(sms!.params.Body).toMatch(/1\. Oui, je confirme/);
    expect((await remindersOf(db, a.id))[0]).toMatchObject({ status: "sent", channel: "sms" });
  });

  it("a patient who blocked the bot on Telegram gets the reminder by SMS instead, once, with its numbered choices", async () => {
    const p = await patient({ preferred: "telegram", telegram: "7010", phone: "+33611000010" });
    now = paris("2026-11-30T08:00");
    const a = await book(p.id);
    await sweep(); // the booking notice
    await atConfirmReminderOf(a.id);
    telegram.failNext(1, { status: 403 });
    await sweep(); // Telegram refuses for good: a dead letter
    await sweep();
    await sweep();
    const sms = twilio.sent("+33611000010").filter((c) => c.params.Body!.startsWith("Rappel"));
    expect(sms).toHaveLength(1);
    expect(sms[0]!.params.Body).toMatch(/1\. Oui, je confirme/);
    expect((await remindersOf(db, a.id))[0]).toMatchObject({ status: "sent", channel: "sms" });
    // Their SMS answer lands in the reminder flow like any other.
    expect(telegramTexts("7010").filter((t) => t.startsWith("Rappel"))).toEqual([]);
  });

  it("a number that texted STOP gets no SMS: the reminder is skipped and the appointment shows as unconfirmed", async () => {
    const p = await patient({ preferred: "sms", phone: "+33611000005" });
    await optOutOfSms(db, "+33611000005", paris("2026-11-01T10:00"));
    now = paris("2026-11-30T08:00");
    const a = await book(p.id);
    await atConfirmReminderOf(a.id);
    await sweep();
    expect(twilio.sent("+33611000005")).toHaveLength(0);
    expect((await remindersOf(db, a.id))[0]).toMatchObject({ status: "skipped", lastError: "opted_out" });
    now = new Date(+a.startsAt - 12 * 3_600_000);
    const unconfirmed = await listUnconfirmed(
      db,
      { clinicId: clinic.clinicId, actor: secretary as Extract<Actor, { kind: "staff" }> },
      now,
    );
    expect(unconfirmed.find((u) => u.appointmentId === a.id)?.reminder).toMatchObject({
      status: "skipped",
      reason: "opted_out",
    });
  });

  it("on WhatsApp outside the 24-hour window the reminder is the approved template, its buttons carrying the choices", async () => {
    const p = await patient({ preferred: "whatsapp", whatsapp: "33611000006" });
    now = paris("2026-11-30T08:00");
    const a = await book(p.id);
    await atConfirmReminderOf(a.id);
    await sweep();
    const [sent] = graph.sent("33611000006").filter((s) => s.body.type === "template");
    const template = sent!.body.template as {
      name: string;
      language: { code: string };
      components: { type: string; parameters: { text?: string; payload?: string }[] }[];
    };
    expect(template.name).toBe("appointment_reminder");
    expect(template.language.code).toBe("fr");
    expect(template.components[0]!.parameters.map((x) => x.text)).toEqual([
      expect.stringMatching(/jeudi 3 décembre/),
      "Dr Doc0 Tor0",
    ]);
    const payloads = template.components.filter((c) => c.type === "button").map((c) => c.parameters[0]!.payload);
    expect(payloads).toHaveLength(3);
    expect(payloads[0]).toMatch(/\.reminder\.confirm$/);
  });

  it("on WhatsApp inside the window the reminder is a plain interactive message", async () => {
    const p = await patient({ preferred: "whatsapp", whatsapp: "33611000007" });
    now = paris("2026-11-30T08:00");
    const a = await book(p.id);
    await sweep(); // the booking notice
    const confirm = await atConfirmReminderOf(a.id);
    now = new Date(+confirm.sendAt - 3_600_000);
    await handleInbound(
      { db, clinicId: clinic.clinicId, holdMinutes: 5, now: () => now },
      {
        channel: "whatsapp",
        senderId: "33611000007",
        text: "bonjour",
        providerMessageId: "wamid.in7",
        receivedAt: now,
      },
    );
    now = confirm.sendAt;
    await sweep();
    const last = graph.sent("33611000007").at(-1)!;
    expect(last.body.type).toBe("interactive");
  });
});

describe("the patient's answer goes through the reminder flow", () => {
  const reply = (chat: string, text: string, id: string) =>
    handleInbound(
      { db, clinicId: clinic.clinicId, holdMinutes: 5, now: () => now },
      { channel: "telegram", senderId: chat, text, providerMessageId: id, receivedAt: now },
    );

  it("'1' confirms: the appointment records the confirmation and leaves the unconfirmed list", async () => {
    const p = await patient({ preferred: "telegram", telegram: "7101" });
    now = paris("2026-11-30T08:00");
    const a = await book(p.id);
    await atConfirmReminderOf(a.id);
    await sweep();
    now = new Date(+now + 3 * 3_600_000);
    const answer = await reply("7101", "1", "tg-7101-1");
    expect(answer.map((m) => m.text).join(" ")).toMatch(/Merci/);
    expect(
      await db.prisma.appointmentEvent.count({ where: { appointmentId: a.id, reason: "reminder confirmed" } }),
    ).toBe(1);
    now = new Date(+a.startsAt - 12 * 3_600_000);
    const list = await listUnconfirmed(
      db,
      { clinicId: clinic.clinicId, actor: secretary as Extract<Actor, { kind: "staff" }> },
      now,
    );
    expect(list.map((u) => u.appointmentId)).not.toContain(a.id);
  });

  it("'annuler' then 'oui' cancels: the remaining reminder is cancelled and the patient is emailed, not messaged twice", async () => {
    const p = await patient({ preferred: "telegram", telegram: "7102", email: "pat7102@example.org" });
    now = paris("2026-11-30T08:00");
    const a = await book(p.id);
    await sweep(); // the booking's notices
    await atConfirmReminderOf(a.id);
    await sweep();
    await reply("7102", "annuler", "tg-7102-1");
    const done = await reply("7102", "oui", "tg-7102-2");
    expect(done.map((m) => m.text).join(" ")).toMatch(/annulé/);
    expect((await db.prisma.appointment.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("cancelled");
    expect((await remindersOf(db, a.id)).map((r) => r.status)).toEqual(["sent", "cancelled"]);
    await sweep();
    const notices = await noticesOf(db, a.id);
    expect(notices.map((n) => [n.kind, n.medium, n.status])).toEqual([
      ["confirmed", "telegram", "sent"],
      ["confirmed", "email", "sent"],
      ["cancelled", "email", "sent"],
    ]);
    const cancelMail = smtp.to("pat7102@example.org").at(-1)!;
    expect(header(cancelMail.raw, "subject")).toMatch(/^Rendez-vous annulé/);
    expect(mimePart(cancelMail.raw, "cancellation.ics")).toMatch(/METHOD:CANCEL[\s\S]*STATUS:CANCELLED/);
  });
});

describe("notices", () => {
  it("a secretary's booking is confirmed in chat and by email with the appointment as an .ics attachment", async () => {
    const p = await patient({ preferred: "telegram", telegram: "7201", email: "pat7201@example.org" });
    now = paris("2026-11-30T08:00");
    const a = await book(p.id, paris("2026-12-10T14:00"));
    await sweep();
    expect(telegramTexts("7201")).toEqual([
      "Votre rendez-vous du jeudi 10 décembre à 14:00 avec Dr Doc0 Tor0 est confirmé. Adresse : 1 rue du Test, Paris.",
    ]);
    const [mail] = smtp.to("pat7201@example.org");
    expect(header(mail!.raw, "subject")).toBe("Rendez-vous confirmé — jeudi 10 décembre");
    expect(header(mail!.raw, "from")).toMatch(/rdv@clinique\.example/);
    const ics = mimePart(mail!.raw, "appointment.ics")!;
    expect(ics).toContain(`UID:${a.id}@tabib`);
    expect(ics).toContain("DTSTART:20261210T130000Z");
    expect(ics).toContain("DTEND:20261210T133000Z");
    expect(ics).toContain("METHOD:PUBLISH");
    await sweep();
    expect(smtp.to("pat7201@example.org")).toHaveLength(1);
  });

  it("moving and cancelling are told too; the calendar entry keeps its UID with a higher SEQUENCE", async () => {
    const p = await patient({ preferred: "telegram", telegram: "7202", email: "pat7202@example.org" });
    now = paris("2026-11-30T08:00");
    const a = await book(p.id, paris("2026-12-10T15:00"));
    await sweep();
    await rescheduleAppointment(db, {
      appointmentId: a.id,
      startsAt: paris("2026-12-11T09:00"),
      actor: secretary,
      now,
    });
    await sweep();
    await cancelAppointment(db, { appointmentId: a.id, actor: secretary, now });
    await sweep();
    expect(telegramTexts("7202").slice(1)).toEqual([
      "Votre rendez-vous a été déplacé : il a lieu désormais le vendredi 11 décembre à 09:00 avec Dr Doc0 Tor0.",
      expect.stringMatching(/^Votre rendez-vous du vendredi 11 décembre à 09:00 avec Dr Doc0 Tor0 est annulé/),
    ]);
    const mails = smtp.to("pat7202@example.org");
    expect(mails.map((m) => header(m.raw, "subject"))).toEqual([
      "Rendez-vous confirmé — jeudi 10 décembre",
      "Rendez-vous déplacé — vendredi 11 décembre",
      "Rendez-vous annulé — vendredi 11 décembre",
    ]);
    const seq = (raw: string, file: string) => Number(/SEQUENCE:(\d+)/.exec(mimePart(raw, file)!)![1]);
    expect(seq(mails[1]!.raw, "appointment.ics")).toBeGreaterThan(seq(mails[0]!.raw, "appointment.ics"));
    expect(seq(mails[2]!.raw, "cancellation.ics")).toBeGreaterThan(seq(mails[1]!.raw, "appointment.ics"));
  });

  it("in approval mode the patient is told the decision: accepted, or declined", async () => {
    const approval = await createTestClinic(db, { bookingMode: "approval", patients: 0 });
    const make = (chat: string) =>
      db.prisma.patient.create({
        data: {
          clinicId: approval.clinicId,
          firstName: "Req",
          lastName: chat,
          preferredChannel: "telegram",
          identities: { create: [{ channel: "telegram", externalId: chat }] },
        },
      });
    now = paris("2026-11-30T08:00");
    const request = async (patientId: string, startsAt: Date) =>
      bookAppointment(db, {
        clinicId: approval.clinicId,
        patientId,
        appointmentTypeId: approval.typeId,
        doctorId: approval.doctorIds[0]!,
        startsAt,
        sourceChannel: "telegram",
        actor: { kind: "patient", patientId },
        now,
      });
    const yes = await request((await make("7301")).id, paris("2026-12-03T09:00"));
    const no = await request((await make("7302")).id, paris("2026-12-03T10:00"));
    await sweep();
    expect(telegramTexts("7301")).toEqual([]);
    await decideRequest(db, { appointmentId: yes.id, decision: "accept", actor: secretary, now });
    await decideRequest(db, { appointmentId: no.id, decision: "decline", actor: secretary, now });
    await sweep();
    expect(telegramTexts("7301")).toEqual([
      "Bonne nouvelle : votre demande de rendez-vous du jeudi 3 décembre à 09:00 avec Dr Doc0 Tor0 est acceptée.",
    ]);
    expect(telegramTexts("7302")[0]).toMatch(
      /^Votre demande de rendez-vous du jeudi 3 décembre à 10:00 .* n'a pas pu être acceptée/,
    );
  });

  it("an address the mail server refuses fails the email notice for good, without retrying", async () => {
    const p = await patient({ email: "nobody@example.org" });
    now = paris("2026-11-30T08:00");
    const a = await book(p.id);
    await sweep();
    await sweep();
    const notices = await noticesOf(db, a.id);
    expect(notices.map((n) => [n.medium, n.status])).toEqual([
      ["chat", "skipped"],
      ["email", "failed"],
    ]);
    expect(notices[1]!.lastError).toMatch(/550|No such user/);
  });

  it("a patient writing in English is told in English", async () => {
    const p = await patient({ preferred: "telegram", telegram: "7401", locale: "en" });
    now = paris("2026-11-30T08:00");
    await book(p.id, paris("2026-12-10T16:00"));
    await sweep();
    expect(telegramTexts("7401")).toEqual([
      "Your appointment on Thursday 10 December at 16:00 with Dr Doc0 Tor0 is confirmed. Address: 1 rue du Test, Paris.",
    ]);
  });
});
