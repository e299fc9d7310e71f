import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { clinicOutbox, type Outbox } from "../../src/bots/outbox.js";
import { loadConfig } from "../../src/config.js";
import { bookAppointment } from "../../src/domain/booking.js";
import { getClinic } from "../../src/domain/directory.js";
import { forgetClinicFacts } from "../../src/domain/recent-facts.js";
import { remindersOf } from "../../src/domain/reminders.js";
import { saveClinicSettings, settingsOf, type ClinicSettings } from "../../src/domain/settings.js";
import type { StaffActor } from "../../src/domain/staff.js";
import type { FollowUpDeps } from "../../src/jobs/deps.js";
import { sweepFollowUps } from "../../src/jobs/sweeper.js";
import { createTestClinic, paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { testFollowUpDeps } from "../support/follow-up-deps.js";
import { startFakeTelegram } from "../support/fake-telegram.js";

// An admin changes how reminders are planned; the reminders already planned follow. Embedded mode (no Redis).
const TG_TOKEN = "123456:reminder-replan-token";
const db = await freshDatabase();
const telegram = await startFakeTelegram(TG_TOKEN);
const admin: StaffActor = { kind: "staff", userId: "00000000-0000-0000-0000-0000000000ad", role: "admin" };
const secretary: StaffActor = { kind: "staff", userId: "00000000-0000-0000-0000-0000000000ec", role: "secretary" };
let now = paris("2026-11-30T08:00");
let outbox: Outbox;
let deps: FollowUpDeps;
const sweep = () => sweepFollowUps(deps, { queue: null, lookaheadMs: 0 });

beforeAll(() => {
  const config = loadConfig({
    NODE_ENV: "test",
    TELEGRAM_BOT_TOKEN: TG_TOKEN,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_MODE: "polling",
  });
  const logger = pino({ level: "silent" });
  outbox = clinicOutbox({ config, db, logger });
  deps = testFollowUpDeps({ db, outbox, logger, now: () => now });
});
afterAll(async () => {
  await outbox.close();
  await telegram.close();
});

/**
 * A clinic of its own (reminders 48 h and 2 h ahead, quiet 21:00–08:00) with a patient on
 * Telegram booked on Thursday 3 December at `hhmm`; the 48-hour request has gone.
 */
async function bookedThursday(chat: string, hhmm: string) {
  now = paris("2026-11-30T08:00");
  const clinic = await createTestClinic(db, { doctors: 1, patients: 0 });
  const patient = await db.prisma.patient.create({
    data: {
      clinicId: clinic.clinicId,
      firstName: "Rémi",
      lastName: `Replan${chat}`,
      identities: { create: [{ channel: "telegram", externalId: chat }] },
    },
  });
  const appointment = await bookAppointment(db, {
    clinicId: clinic.clinicId,
    patientId: patient.id,
    appointmentTypeId: clinic.typeId,
    doctorId: clinic.doctorIds[0]!,
    startsAt: paris(`2026-12-03T${hhmm}`),
    sourceChannel: "console",
    actor: secretary,
    now,
  });
  const [confirm] = await remindersOf(db, appointment.id);
  now = confirm!.sendAt;
  await sweep();
  return { clinicId: clinic.clinicId, appointmentId: appointment.id };
}

async function adminChanges(clinicId: string, change: Partial<ClinicSettings>) {
  const before = settingsOf(await getClinic(db, clinicId));
  return saveClinicSettings(db, admin, clinicId, { ...before, ...change }, null, now);
}

/** The plain (2-hour) reminders the chat received: the ones without buttons. */
const plainReminders = (chat: string) =>
  telegram.sent(chat).filter((c) => String(c.params.text).startsWith("Rappel") && !c.params.reply_markup);

describe("an admin changing the reminder settings", () => {
  it("removes the 2-hour reminder: the one still planned for Thursday's appointment is not sent", async () => {
    const { clinicId, appointmentId } = await bookedThursday("7401", "10:00");
    now = paris("2026-12-01T12:00");
    await adminChanges(clinicId, { reminderOffsetsMinutes: [2880] });
    expect((await remindersOf(db, appointmentId)).map((r) => [r.offsetMinutes, r.status])).toEqual([
      [2880, "sent"],
      [120, "cancelled"],
    ]);
    now = paris("2026-12-03T08:00");
    await sweep();
    now = paris("2026-12-03T09:00");
    await sweep();
    expect(plainReminders("7401")).toHaveLength(0);
  });

  it("lengthens the quiet hours to 10:00: the 09:30 reminder goes at 10:00, once", async () => {
    const { clinicId, appointmentId } = await bookedThursday("7402", "11:30");
    now = paris("2026-12-01T12:00");
    await adminChanges(clinicId, { quietHoursEndMinute: 10 * 60 });
    const [, plain] = await remindersOf(db, appointmentId);
    expect(plain).toMatchObject({ status: "scheduled", sendAt: paris("2026-12-03T10:00") });
    now = paris("2026-12-03T09:30");
    await sweep();
    expect(plainReminders("7402")).toHaveLength(0);
    now = paris("2026-12-03T10:00");
    await sweep();
    await sweep();
    expect(plainReminders("7402")).toHaveLength(1);
    expect(String(plainReminders("7402")[0]!.params.text)).toMatch(/jeudi 3 décembre à 11:30/);
  });

  it("a change saved by another process, whose new offsets this one had not seen, is caught by the sweep", async () => {
    const { appointmentId, clinicId } = await bookedThursday("7403", "10:30");
    // Another instance saved the settings: the row changed, this process was not told.
    await db.prisma.clinic.update({ where: { id: clinicId }, data: { reminderOffsetsMinutes: [2880] } });
    forgetClinicFacts(); // the few seconds this process keeps clinic facts have passed
    now = paris("2026-12-01T12:00");
    expect((await sweep()).repaired).toBe(1);
    expect((await remindersOf(db, appointmentId)).find((r) => r.offsetMinutes === 120)?.status).toBe("cancelled");
    now = paris("2026-12-03T08:30");
    await sweep();
    expect(plainReminders("7403")).toHaveLength(0);
  });

  it("a change that does not touch reminders leaves them as planned", async () => {
    const { clinicId, appointmentId } = await bookedThursday("7404", "09:30");
    const planned = await remindersOf(db, appointmentId);
    await adminChanges(clinicId, { name: "Clinique du Parc" });
    expect(await remindersOf(db, appointmentId)).toEqual(planned);
  });
});
