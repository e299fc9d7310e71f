import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../src/domain/actor.js";
import {
  bookAppointment,
  cancelAppointment,
  confirmAttendance,
  decideRequest,
  rescheduleAppointment,
} from "../../src/domain/booking.js";
import { ClinicClock } from "../../src/domain/clinic-time.js";
import { quietPeriodAt } from "../../src/domain/quiet-hours.js";
import {
  appointmentsMissingReminders,
  claimReminder,
  finishReminder,
  isClaimed,
  listUnconfirmed,
  planReminders,
  remindersOf,
  type ReminderSettings,
} from "../../src/domain/reminders.js";
import { noShowCandidates, noShowCounts, patientNoShows } from "../../src/domain/no-shows.js";
import { markNoShow } from "../../src/domain/booking.js";
import { createTestClinic, paris, type TestClinic } from "../support/clinic.js";
import { freshDatabase, type TestDatabase } from "../support/database.js";

const PARIS: ReminderSettings = {
  timeZone: "Europe/Paris",
  offsetsMinutes: [2880, 120],
  quiet: { startMinute: 21 * 60, endMinute: 8 * 60 },
};
const clock = new ClinicClock("Europe/Paris");
const iso = (d: Date) => d.toISOString();

describe("planning a reminder", () => {
  const monday = paris("2026-11-30T08:00");

  it("asks for confirmation 48 hours ahead and reminds plainly 2 hours ahead", () => {
    const plans = planReminders(PARIS, paris("2026-12-03T10:00"), monday);
    expect(plans.map((p) => [p.offsetMinutes, p.kind, iso(p.sendAt), p.status])).toEqual([
      [2880, "confirm", iso(paris("2026-12-01T10:00")), "scheduled"],
      [120, "plain", iso(paris("2026-12-03T08:00")), "scheduled"],
    ]);
  });

  it("a reminder due at night waits for the clinic's morning", () => {
    const [, plain] = planReminders(PARIS, paris("2026-12-03T09:30"), monday);
    expect(iso(plain!.dueAt)).toBe(iso(paris("2026-12-03T07:30")));
    expect(iso(plain!.sendAt)).toBe(iso(paris("2026-12-03T08:00")));
  });

  it("when the morning would be too late, it goes the evening before, just before quiet hours", () => {
    const [, plain] = planReminders(PARIS, paris("2026-12-03T08:00"), monday);
    expect(iso(plain!.sendAt)).toBe(iso(paris("2026-12-02T20:59")));
  });

  it("an appointment booked inside a reminder's offset skips that reminder: the patient has just been told", () => {
    const [confirm, plain] = planReminders(PARIS, paris("2026-12-01T10:00"), monday);
    expect([confirm!.status, confirm!.reason]).toEqual(["skipped", "booked_late"]);
    expect(plain!.status).toBe("scheduled");
  });

  it("quiet hours are clinic time: a clinic in Montréal sleeps on its own clock", () => {
    const montreal = { ...PARIS, timeZone: "America/Montreal" };
    const startsAt = new Date("2026-12-03T14:30:00Z"); // 09:30 in Montréal
    const [, plain] = planReminders(montreal, startsAt, monday);
    expect(iso(plain!.sendAt)).toBe("2026-12-03T13:00:00.000Z"); // 08:00 in Montréal
  });

  describe("across a change of clocks in Paris", () => {
    it("the night the clocks go forward (last Sunday of March) is an hour shorter, and ends at 08:00 summer time", () => {
      const night = quietPeriodAt(paris("2027-03-28T02:30"), PARIS.quiet, clock)!;
      expect(iso(night.from)).toBe("2027-03-27T20:00:00.000Z"); // 21:00 CET
      expect(iso(night.to)).toBe("2027-03-28T06:00:00.000Z"); // 08:00 CEST
      expect(+night.to - +night.from).toBe(10 * 3_600_000);
    });

    it("the night the clocks go back (last Sunday of October) is an hour longer, and ends at 08:00 winter time", () => {
      const night = quietPeriodAt(new Date("2026-10-25T01:30:00Z"), PARIS.quiet, clock)!;
      expect(iso(night.from)).toBe("2026-10-24T19:00:00.000Z"); // 21:00 CEST
      expect(iso(night.to)).toBe("2026-10-25T07:00:00.000Z"); // 08:00 CET
      expect(+night.to - +night.from).toBe(12 * 3_600_000);
    });

    it("a Sunday-morning reminder on the spring night goes at 08:00 CEST, not an hour late", () => {
      const settings = { ...PARIS, offsetsMinutes: [540, 120] };
      const startsAt = paris("2027-03-28T09:00"); // 07:00Z
      const [nine, two] = planReminders(settings, startsAt, paris("2027-03-20T10:00"));
      expect(iso(nine!.dueAt)).toBe("2027-03-27T22:00:00.000Z"); // Saturday 23:00 CET
      expect(iso(nine!.sendAt)).toBe("2027-03-28T06:00:00.000Z");
      expect(iso(two!.sendAt)).toBe("2027-03-28T06:00:00.000Z");
    });

    it("a Sunday-morning reminder on the autumn night goes at 08:00 CET, not an hour early", () => {
      const settings = { ...PARIS, offsetsMinutes: [540, 120] };
      const startsAt = paris("2026-10-25T09:00"); // 08:00Z
      const [nine, two] = planReminders(settings, startsAt, paris("2026-10-20T10:00"));
      expect(iso(nine!.dueAt)).toBe("2026-10-24T23:00:00.000Z"); // Sunday 01:00 CEST
      expect(iso(nine!.sendAt)).toBe("2026-10-25T07:00:00.000Z");
      expect(iso(two!.sendAt)).toBe("2026-10-25T07:00:00.000Z");
    });
  });
});

describe("reminders follow the appointment", () => {
  let db: TestDatabase;
  let clinic: TestClinic;
  const now = paris("2026-11-30T08:00");
  const secretary: Actor = { kind: "staff", userId: "sec-1", role: "secretary" };

  beforeAll(async () => {
    db = await freshDatabase();
    clinic = await createTestClinic(db, { doctors: 2, patients: 3 });
  });

  const book = (startsAt: Date, patient = 0, actor: Actor = secretary) =>
    bookAppointment(db, {
      clinicId: clinic.clinicId,
      patientId: clinic.patientIds[patient]!,
      appointmentTypeId: clinic.typeId,
      doctorId: clinic.doctorIds[0]!,
      startsAt,
      sourceChannel: "console",
      actor,
      now,
    });
  const live = async (appointmentId: string) =>
    (await remindersOf(db, appointmentId)).filter((r) => r.status === "scheduled");

  it("booking schedules the clinic's two reminders", async () => {
    const a = await book(paris("2026-12-03T10:00"));
    const rows = await remindersOf(db, a.id);
    expect(rows.map((r) => [r.kind, iso(r.sendAt), r.status])).toEqual([
      ["confirm", iso(paris("2026-12-01T10:00")), "scheduled"],
      ["plain", iso(paris("2026-12-03T08:00")), "scheduled"],
    ]);
  });

  it("moving the appointment moves its reminders, under new ids (an old queued job finds nothing)", async () => {
    const a = await book(paris("2026-12-03T11:00"));
    const before = await live(a.id);
    await rescheduleAppointment(db, {
      appointmentId: a.id,
      startsAt: paris("2026-12-04T09:30"),
      actor: secretary,
      now,
    });
    const after = await live(a.id);
    expect(after.map((r) => iso(r.sendAt))).toEqual([iso(paris("2026-12-02T09:30")), iso(paris("2026-12-04T08:00"))]);
    expect(after.map((r) => r.id).some((id) => before.some((b) => b.id === id))).toBe(false);
  });

  it("cancelling removes them; a sent reminder stays recorded as sent", async () => {
    const a = await book(paris("2026-12-03T09:00"), 1);
    const [confirm] = await live(a.id);
    const claimed = await claimReminder(db, confirm!.id, new Date(+confirm!.sendAt + 1000), 60_000);
    expect(isClaimed(claimed)).toBe(true);
    await finishReminder(db, confirm!.id, { status: "sent", channel: "sms" }, new Date(+confirm!.sendAt + 2000));
    await cancelAppointment(db, { appointmentId: a.id, actor: secretary, now });
    const rows = await remindersOf(db, a.id);
    expect(rows.map((r) => r.status)).toEqual(["sent", "cancelled"]);
  });

  it("the same change followed twice sends nothing twice: an already-sent reminder is not re-armed", async () => {
    const a = await book(paris("2026-12-03T09:30"), 2);
    const [confirm] = await live(a.id);
    await claimReminder(db, confirm!.id, confirm!.sendAt, 60_000);
    await finishReminder(db, confirm!.id, { status: "sent", channel: "sms" }, confirm!.sendAt);
    const { syncReminders } = await import("../../src/domain/reminders.js");
    await syncReminders(db, a.id, now);
    expect((await remindersOf(db, a.id)).map((r) => [r.id, r.status])).toEqual([
      [confirm!.id, "sent"],
      [expect.any(String), "scheduled"],
    ]);
  });

  it("of two workers claiming one due reminder, exactly one gets it; a stale claim can be retaken", async () => {
    const a = await book(paris("2026-12-04T10:00"));
    const [confirm] = await live(a.id);
    const at = new Date(+confirm!.sendAt + 1000);
    const [first, second] = await Promise.all([
      claimReminder(db, confirm!.id, at, 60_000),
      claimReminder(db, confirm!.id, at, 60_000),
    ]);
    expect([isClaimed(first), isClaimed(second)].filter(Boolean)).toHaveLength(1);
    const early = await claimReminder(db, confirm!.id, new Date(+at + 30_000), 60_000);
    expect(early).toMatchObject({ state: "busy" });
    expect(isClaimed(await claimReminder(db, confirm!.id, new Date(+at + 61_000), 60_000))).toBe(true);
  });

  it("the sweep finds the appointments a crashed process left without their reminders, and none that are in order", async () => {
    const [fine, unplanned, dropped, moved, cancelled] = await Promise.all(
      ["09:00", "09:30", "10:00", "10:30", "11:00"].map((t, i) => book(paris(`2026-12-02T${t}`), i % 3)),
    );
    // Booked, then the process died before planning; a stale plan for an offset the clinic no
    // longer has; moved without re-planning; one reminder cancelled while the appointment stands.
    await db.sql.query(`DELETE FROM reminder WHERE appointment_id = $1`, [unplanned!.id]);
    await db.sql.query(
      `INSERT INTO reminder (appointment_id, offset_minutes, kind, due_at, send_at)
       SELECT id, 60, 'plain', starts_at - interval '1 hour', starts_at - interval '1 hour' FROM appointment WHERE id = $1`,
      [dropped!.id],
    );
    await db.sql.query(
      `UPDATE appointment SET starts_at = starts_at + interval '1 day', ends_at = ends_at + interval '1 day' WHERE id = $1`,
      [moved!.id],
    );
    await db.sql.query(`UPDATE reminder SET status = 'cancelled' WHERE appointment_id = $1 AND offset_minutes = 120`, [
      cancelled!.id,
    ]);
    const found = await appointmentsMissingReminders(db, {
      now,
      horizon: new Date(+now + 8 * 86_400_000),
      limit: 1000,
    });
    expect(found).toEqual(expect.arrayContaining([unplanned!.id, dropped!.id, moved!.id, cancelled!.id]));
    expect(found).not.toContain(fine!.id);
  });

  it("a reminder is not claimed before its time", async () => {
    const a = await book(paris("2026-12-04T11:00"));
    const [confirm] = await live(a.id);
    expect(await claimReminder(db, confirm!.id, now, 60_000)).toMatchObject({ state: "not_due" });
  });

  it("in approval mode a request gets reminders only once accepted", async () => {
    const approval = await createTestClinic(db, { bookingMode: "approval", patients: 1 });
    const patientId = approval.patientIds[0]!;
    const requested = await bookAppointment(db, {
      clinicId: approval.clinicId,
      patientId,
      appointmentTypeId: approval.typeId,
      doctorId: approval.doctorIds[0]!,
      startsAt: paris("2026-12-03T10:00"),
      sourceChannel: "web",
      actor: { kind: "patient", patientId },
      now,
    });
    expect(requested.status).toBe("requested");
    expect(await remindersOf(db, requested.id)).toEqual([]);
    await decideRequest(db, { appointmentId: requested.id, decision: "accept", actor: secretary, now });
    expect(await live(requested.id)).toHaveLength(2);
  });

  describe("the unconfirmed list", () => {
    it("shows an appointment whose confirmation request went unanswered past the deadline, until the patient confirms", async () => {
      const a = await book(paris("2026-12-07T10:00"));
      const [confirm] = await live(a.id);
      await claimReminder(db, confirm!.id, confirm!.sendAt, 60_000);
      await finishReminder(db, confirm!.id, { status: "sent", channel: "telegram" }, confirm!.sendAt);
      const access = { clinicId: clinic.clinicId, actor: secretary as Extract<Actor, { kind: "staff" }> };
      const beforeDeadline = paris("2026-12-06T09:00"); // 25 h before, the clinic waits 24 h
      expect((await listUnconfirmed(db, access, beforeDeadline)).map((u) => u.appointmentId)).not.toContain(a.id);
      const pastDeadline = paris("2026-12-06T10:30");
      const [row] = (await listUnconfirmed(db, access, pastDeadline)).filter((u) => u.appointmentId === a.id);
      expect(row).toMatchObject({ reminder: { status: "sent", channel: "telegram" }, noShows: 0 });
      expect(row!.patient.lastName).toBe("Ient0");
      await confirmAttendance(db, {
        appointmentId: a.id,
        actor: { kind: "patient", patientId: clinic.patientIds[0]! },
        now: paris("2026-12-06T11:00"),
      });
      expect((await listUnconfirmed(db, access, paris("2026-12-06T12:00"))).map((u) => u.appointmentId)).not.toContain(
        a.id,
      );
      const audited = await db.prisma.auditLog.count({ where: { resourceId: a.id, action: "appointment.list" } });
      expect(audited).toBe(1);
    });

    it("a doctor sees only their own unconfirmed appointments", async () => {
      const doctor: Actor = { kind: "staff", userId: "doc-2", role: "doctor", doctorId: clinic.doctorIds[1]! };
      const list = await listUnconfirmed(
        db,
        { clinicId: clinic.clinicId, actor: doctor as Extract<Actor, { kind: "staff" }> },
        paris("2026-12-06T10:30"),
      );
      expect(list).toEqual([]);
    });
  });

  describe("no-shows", () => {
    it("a confirmed appointment not marked completed by the end of its day becomes a candidate; confirming it counts against the patient", async () => {
      const a = await book(paris("2026-12-08T09:00"), 2);
      const access = { clinicId: clinic.clinicId, actor: secretary as Extract<Actor, { kind: "staff" }> };
      const sameEvening = paris("2026-12-08T22:00");
      expect((await noShowCandidates(db, access, sameEvening)).map((c) => c.appointmentId)).not.toContain(a.id);
      const nextDay = paris("2026-12-09T08:00");
      const [candidate] = (await noShowCandidates(db, access, nextDay)).filter((c) => c.appointmentId === a.id);
      expect(candidate).toMatchObject({ noShows: 0, patient: { id: clinic.patientIds[2] } });
      await markNoShow(db, { appointmentId: a.id, actor: secretary, now: nextDay });
      expect((await noShowCandidates(db, access, nextDay)).map((c) => c.appointmentId)).not.toContain(a.id);
      expect(await noShowCounts(db, clinic.clinicId, [clinic.patientIds[2]!, clinic.patientIds[1]!])).toEqual(
        expect.arrayContaining([
          { patientId: clinic.patientIds[2], count: 1, lastAt: paris("2026-12-08T09:00") },
          { patientId: clinic.patientIds[1], count: 0, lastAt: null },
        ]),
      );
      expect(await patientNoShows(db, access, clinic.patientIds[2]!)).toMatchObject({ count: 1 });
    });
  });
});
