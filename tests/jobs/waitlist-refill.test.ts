import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { loadConfig } from "../../src/config.js";
import type { AppContext } from "../../src/context.js";
import { cancelAppointment, rescheduleAppointment } from "../../src/domain/booking.js";
import { optOutOfSms } from "../../src/domain/sms-consent.js";
import { joinWaitlist } from "../../src/domain/waitlist.js";
import { FREED_SLOT_SWEEP_MS, startCare, type CareService } from "../../src/jobs/care.js";
import { createTestClinic, paris, seedAppointment, type TestClinic } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { startFakeTelegram } from "../support/fake-telegram.js";
import { startFakeTwilio } from "../support/fake-twilio.js";

// Waitlist offers with Postgres as the truth: the care pass finds what events missed. Embedded mode (no Redis).
const TG_TOKEN = "123456:waitlist-refill-token";
const TWILIO_SID = `AC${"e".repeat(32)}`;
const TWILIO_TOKEN = "twilio-auth-token-for-waitlist";
const system = { kind: "system" as const, reason: "test" };

const db = await freshDatabase();
const telegram = await startFakeTelegram(TG_TOKEN);
const twilio = await startFakeTwilio(TWILIO_SID, TWILIO_TOKEN);
let now = paris("2026-11-30T08:00");
/** Moves the clock past the pass's interval for looking up freed slots. */
const nextPass = () => (now = new Date(+now + FREED_SLOT_SWEEP_MS));
let clinic: TestClinic;
let ctx: AppContext;

beforeAll(async () => {
  clinic = await createTestClinic(db, { doctors: 1, patients: 1, cutoffHours: 0 });
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
  });
  ctx = { config, db, logger: pino({ level: "silent" }), now: () => now };
});
afterAll(async () => {
  await Promise.all([telegram.close(), twilio.close()]);
});

let day = 0;
/** A fresh weekday morning of the doctor's for each story (Tuesday 1 December onwards). */
function nextMorning(): (hhmm: string) => Date {
  const dates = ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-07", "2026-12-08", "2026-12-09"];
  const ymd = dates[day++]!;
  return (hhmm) => paris(`${ymd}T${hhmm}`);
}

let patients = 0;
/** A patient on the waiting list for the doctor, reachable as given. */
async function waitlisted(reach: { telegram?: string; phone?: string }) {
  const p = await db.prisma.patient.create({
    data: {
      clinicId: clinic.clinicId,
      firstName: "Wait",
      lastName: `Listed${++patients}`,
      phone: reach.phone ?? null,
      identities: reach.telegram ? { create: [{ channel: "telegram", externalId: reach.telegram }] } : undefined,
    },
  });
  await joinWaitlist(db, {
    clinicId: clinic.clinicId,
    patientId: p.id,
    channel: reach.telegram ? "telegram" : "sms",
    doctorId: clinic.doctorIds[0]!,
    actor: { kind: "patient", patientId: p.id },
    now,
  });
  return p;
}

/** Withdraws everyone still waiting, so each story starts with its own list. */
const emptyList = () => db.sql.query(`UPDATE waitlist_entry SET status = 'withdrawn' WHERE status = 'waiting'`);

async function cancelled(startsAt: Date) {
  const a = await seedAppointment(db, clinic, { doctorId: clinic.doctorIds[0]!, startsAt });
  await cancelAppointment(db, { appointmentId: a.id, actor: system, now });
  return a;
}

const offersTo = (chat: string) =>
  telegram.sent(chat).filter((c) => /une place s'est libérée/.test(String(c.params.text)));
const smsOffersTo = (phone: string) => twilio.sent(phone).filter((c) => /une place s'est libérée/.test(c.params.Body!));

async function withCare(story: (care: CareService) => Promise<void>) {
  const care = startCare(ctx);
  try {
    await story(care);
  } finally {
    await care.close();
  }
}

describe("a freed slot the process never heard about", () => {
  it("a cancellation made while the care service was down is offered by its next pass, once", async () => {
    await emptyList();
    const at = nextMorning();
    await waitlisted({ telegram: "7301" });
    // Nobody listens: the cancellation's event is lost, as when the process was down.
    await cancelled(at("10:00"));
    expect(offersTo("7301")).toHaveLength(0);

    await withCare(async (care) => {
      nextPass();
      expect((await care.tick()).waitlistOffers).toBe(1);
      expect(String(offersTo("7301")[0]?.params.text)).toMatch(/mardi 1 décembre à 10:00 avec Dr Doc0 Tor0/);
      nextPass();
      expect((await care.tick()).waitlistOffers).toBe(0);
    });
    expect(offersTo("7301")).toHaveLength(1);
    const offers = await db.prisma.waitlistOffer.findMany({ where: { startsAt: at("10:00") } });
    expect(offers).toHaveLength(1);
    expect(offers[0]!.sentAt).not.toBeNull();
  });

  it("a time given up by an appointment moved away is offered too", async () => {
    await emptyList();
    const at = nextMorning();
    await waitlisted({ telegram: "7302" });
    const a = await seedAppointment(db, clinic, { doctorId: clinic.doctorIds[0]!, startsAt: at("09:00") });
    await rescheduleAppointment(db, { appointmentId: a.id, startsAt: at("11:00"), actor: system, now });

    await withCare(async (care) => {
      nextPass();
      await care.tick();
    });
    expect(offersTo("7302").map((c) => String(c.params.text))).toEqual([
      expect.stringMatching(/à 09:00 avec Dr Doc0 Tor0/),
    ]);
  });

  it("a slot taken again before the pass is not offered", async () => {
    await emptyList();
    const at = nextMorning();
    await waitlisted({ telegram: "7303" });
    await cancelled(at("10:30"));
    await seedAppointment(db, clinic, { doctorId: clinic.doctorIds[0]!, startsAt: at("10:30") });

    await withCare(async (care) => {
      nextPass();
      expect((await care.tick()).waitlistOffers).toBe(0);
    });
    expect(offersTo("7303")).toHaveLength(0);
  });
});

describe("a patient the clinic knows only by phone", () => {
  it("is offered the freed slot by SMS, and their number takes part in the chain", async () => {
    await emptyList();
    const at = nextMorning();
    await waitlisted({ phone: "+33612300001" });
    await withCare(async (care) => {
      await cancelled(at("09:30"));
      await care.settled();
    });
    const [sms] = smsOffersTo("+33612300001");
    expect(sms?.params.Body).toMatch(/vendredi 4 décembre à 09:30/);
    const offer = await db.prisma.waitlistOffer.findFirstOrThrow({ where: { startsAt: at("09:30") } });
    expect(offer).toMatchObject({ channel: "sms", chatId: "+33612300001" });
  });

  it("is skipped when the number texted STOP: the next patient gets it", async () => {
    await emptyList();
    const at = nextMorning();
    await optOutOfSms(db, "+33612300002", paris("2026-11-01T10:00"));
    await waitlisted({ phone: "+33612300002" });
    await waitlisted({ telegram: "7304" });
    await withCare(async (care) => {
      await cancelled(at("11:00"));
      await care.settled();
    });
    expect(twilio.sent("+33612300002")).toHaveLength(0);
    expect(offersTo("7304")).toHaveLength(1);
  });
});

describe("an offer whose send failed", () => {
  it("is sent by the next pass, once, with the whole hold ahead of the patient", async () => {
    await emptyList();
    const at = nextMorning();
    await waitlisted({ telegram: "7305" });
    await withCare(async (care) => {
      // Telegram asks to come back in a minute: too long to wait in the event's own send.
      telegram.failNext(1, { status: 429, retryAfter: 60 });
      await cancelled(at("09:00"));
      await care.settled();
      expect(offersTo("7305")).toHaveLength(0);
      const unsent = await db.prisma.waitlistOffer.findFirstOrThrow({ where: { startsAt: at("09:00") } });
      expect(unsent).toMatchObject({
        sentAt: null,
        claimedAt: null,
        lastError: expect.stringMatching(/not delivered/),
      });

      now = new Date(+now + 5 * 60_000);
      expect((await care.tick()).waitlistOffers).toBe(1);
      await care.tick();
      await care.tick();
      const sent = await db.prisma.waitlistOffer.findUniqueOrThrow({ where: { id: unsent.id } });
      expect(sent.sentAt).toEqual(now);
      // Told "15 minutes" five minutes late: the hold starts over from the send.
      expect(sent.expiresAt).toEqual(new Date(+now + 15 * 60_000));
      const hold = await db.prisma.slotHold.findFirstOrThrow({ where: { startsAt: at("09:00") } });
      expect(hold.expiresAt).toEqual(sent.expiresAt);
    });
    expect(offersTo("7305")).toHaveLength(1);
    expect(String(offersTo("7305")[0]!.params.text)).toMatch(/15 minutes/);
  });
});

describe("a freed slot the doctor cannot see anyone in", () => {
  it("a time cancelled because the doctor is on leave is offered to nobody", async () => {
    await emptyList();
    const at = nextMorning();
    await waitlisted({ telegram: "7306" });
    await db.prisma.scheduleException.create({
      data: {
        clinicId: clinic.clinicId,
        doctorId: clinic.doctorIds[0]!,
        kind: "leave",
        startsAt: at("09:00"),
        endsAt: at("12:00"),
      },
    });
    await withCare(async (care) => {
      await cancelled(at("09:30"));
      await care.settled();
      nextPass();
      expect((await care.tick()).waitlistOffers).toBe(0);
    });
    expect(offersTo("7306")).toHaveLength(0);
  });
});
