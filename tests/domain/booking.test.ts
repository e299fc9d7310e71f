import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../src/domain/actor.js";
import {
  appointmentHistory,
  bookAppointment,
  bookUrgent,
  cancelAppointment,
  completeAppointment,
  confirmAttendance,
  decideRequest,
  markNoShow,
  rescheduleAppointment,
  type BookingRequest,
} from "../../src/domain/booking.js";
import { holdSlot } from "../../src/domain/holds.js";
import { freshDatabase, onRealPostgres, type TestDatabase } from "../support/database.js";
import { createTestClinic, paris, type TestClinic } from "../support/clinic.js";

let db: TestDatabase;
let clinic: TestClinic;
const now = paris("2026-11-27T08:00");
const secretary: Actor = { kind: "staff", userId: "sec-1", role: "secretary" };

beforeAll(async () => {
  db = await freshDatabase({ poolSize: 20 });
  clinic = await createTestClinic(db, { doctors: 2, patients: 3 });
});

const request = (over: Partial<BookingRequest> & { startsAt: Date }): BookingRequest => ({
  clinicId: clinic.clinicId,
  patientId: clinic.patientIds[0]!,
  appointmentTypeId: clinic.typeId,
  doctorId: clinic.doctorIds[0]!,
  sourceChannel: "web",
  actor: { kind: "patient", patientId: over.patientId ?? clinic.patientIds[0]! },
  now,
  ...over,
});

const activeAt = (doctorId: string, startsAt: Date) =>
  db.prisma.appointment.count({ where: { doctorId, startsAt, status: { in: ["requested", "confirmed"] } } });

describe("booking", () => {
  it("a patient books a free slot and gets a confirmed appointment with its history", async () => {
    const appt = await bookAppointment(db, request({ startsAt: paris("2026-11-30T09:00"), reason: "fièvre" }));
    expect(appt.status).toBe("confirmed");
    expect(appt.endsAt.toISOString()).toBe(paris("2026-11-30T09:30").toISOString());
    const history = await appointmentHistory(db, appt.id);
    expect(history.map((e) => [e.fromStatus, e.toStatus, e.actorKind])).toEqual([[null, "confirmed", "patient"]]);
  });

  it("a second patient asking for the same slot is told it is taken and offered the nearest alternatives", async () => {
    const err = await bookAppointment(
      db,
      request({ startsAt: paris("2026-11-30T09:00"), patientId: clinic.patientIds[1]! }),
    ).catch((e) => e);
    expect(err.code).toBe("slot_taken");
    expect(err.details.alternatives.map((s: { startsAt: Date }) => s.startsAt.toISOString())).toContain(
      paris("2026-11-30T09:30").toISOString(),
    );
  });

  it(`${onRealPostgres() ? 200 : 40} simultaneous attempts on one slot yield exactly one appointment`, async () => {
    const startsAt = paris("2026-11-30T10:00");
    const n = onRealPostgres() ? 200 : 40;
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) =>
        bookAppointment(
          db,
          request({ startsAt, patientId: clinic.patientIds[i % 3]!, doctorId: clinic.doctorIds[0]! }),
        ),
      ),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost.every((r) => r.reason.code === "slot_taken")).toBe(true);
    expect(await activeAt(clinic.doctorIds[0]!, startsAt)).toBe(1);
  });

  it("the database itself refuses an overlapping appointment, whatever the application checked", async () => {
    const startsAt = paris("2026-11-30T10:00");
    await expect(
      db.prisma.appointment.create({
        data: {
          clinicId: clinic.clinicId,
          doctorId: clinic.doctorIds[0]!,
          patientId: clinic.patientIds[2]!,
          typeId: clinic.typeId,
          startsAt: new Date(+startsAt + 15 * 60_000),
          endsAt: new Date(+startsAt + 45 * 60_000),
          status: "confirmed",
          sourceChannel: "api",
        },
      }),
    ).rejects.toThrow();
  });

  it("a patient who double-taps Confirm gets one appointment", async () => {
    const req = request({ startsAt: paris("2026-11-30T11:00"), idempotencyKey: "telegram:update:4242" });
    const [a, b] = await Promise.all([bookAppointment(db, req), bookAppointment(db, req)]);
    expect(a.id).toBe(b.id);
    expect(await db.prisma.appointment.count({ where: { idempotencyKey: "telegram:update:4242" } })).toBe(1);
  });

  it("a slot held by another conversation cannot be booked, but its holder can book it", async () => {
    const slot = {
      doctorId: clinic.doctorIds[1]!,
      startsAt: paris("2026-11-30T09:00"),
      endsAt: paris("2026-11-30T09:30"),
    };
    await holdSlot(db, { ...slot, holder: "conv-1", minutes: 5, now });
    const err = await bookAppointment(db, request({ startsAt: slot.startsAt, doctorId: slot.doctorId })).catch(
      (e) => e,
    );
    expect(err.code).toBe("slot_taken");
    const appt = await bookAppointment(
      db,
      request({ startsAt: slot.startsAt, doctorId: slot.doctorId, holder: "conv-1" }),
    );
    expect(appt.status).toBe("confirmed");
    expect(await db.prisma.slotHold.count({ where: { holder: "conv-1" } })).toBe(0);
  });

  it("a time outside working hours, on leave, or in the past is refused with alternatives", async () => {
    const outside = await bookAppointment(db, request({ startsAt: paris("2026-11-30T14:00") })).catch((e) => e);
    expect(outside.code).toBe("slot_unavailable");
    expect(outside.details.alternatives.length).toBeGreaterThan(0);
    await db.prisma.scheduleException.create({
      data: {
        clinicId: clinic.clinicId,
        doctorId: clinic.doctorIds[1]!,
        kind: "leave",
        startsAt: paris("2026-12-01T00:00"),
        endsAt: paris("2026-12-02T00:00"),
      },
    });
    const onLeave = await bookAppointment(
      db,
      request({ startsAt: paris("2026-12-01T09:00"), doctorId: clinic.doctorIds[1]! }),
    ).catch((e) => e);
    expect(onLeave.code).toBe("slot_unavailable");
    const past = await bookAppointment(db, request({ startsAt: paris("2026-11-23T09:00") })).catch((e) => e);
    expect(past.code).toBe("in_the_past");
  });

  it("a patient cannot book for someone else", async () => {
    const err = await bookAppointment(
      db,
      request({ startsAt: paris("2026-12-02T09:00"), actor: { kind: "patient", patientId: clinic.patientIds[1]! } }),
    ).catch((e) => e);
    expect(err.code).toBe("forbidden");
  });
});

describe("approval mode", () => {
  it("a patient's booking waits as a request until a secretary accepts it; a declined one frees the slot", async () => {
    const c = await createTestClinic(db, { bookingMode: "approval" });
    const base = {
      clinicId: c.clinicId,
      patientId: c.patientIds[0]!,
      appointmentTypeId: c.typeId,
      doctorId: c.doctorIds[0]!,
      sourceChannel: "telegram" as const,
      actor: { kind: "patient" as const, patientId: c.patientIds[0]! },
      now,
    };
    const requested = await bookAppointment(db, { ...base, startsAt: paris("2026-11-30T09:00") });
    expect(requested.status).toBe("requested");
    const accepted = await decideRequest(db, { appointmentId: requested.id, decision: "accept", actor: secretary });
    expect(accepted.status).toBe("confirmed");
    const second = await bookAppointment(db, { ...base, startsAt: paris("2026-11-30T10:00") });
    const declined = await decideRequest(db, {
      appointmentId: second.id,
      decision: "decline",
      actor: secretary,
      reason: "doctor unavailable",
    });
    expect(declined.status).toBe("declined");
    const again = await bookAppointment(db, {
      ...base,
      patientId: c.patientIds[1]!,
      actor: { kind: "patient", patientId: c.patientIds[1]! },
      startsAt: paris("2026-11-30T10:00"),
    });
    expect(again.status).toBe("requested");
    await expect(
      decideRequest(db, { appointmentId: accepted.id, decision: "decline", actor: secretary }),
    ).rejects.toMatchObject({ code: "invalid_transition" });
  });

  it("a doctor cannot decide another doctor's request", async () => {
    const c = await createTestClinic(db, { bookingMode: "approval", doctors: 2 });
    const appt = await bookAppointment(db, {
      clinicId: c.clinicId,
      patientId: c.patientIds[0]!,
      appointmentTypeId: c.typeId,
      doctorId: c.doctorIds[0]!,
      sourceChannel: "sms",
      actor: { kind: "patient", patientId: c.patientIds[0]! },
      now,
      startsAt: paris("2026-11-30T11:00"),
    });
    const otherDoctor: Actor = { kind: "staff", userId: "doc-2", role: "doctor", doctorId: c.doctorIds[1]! };
    await expect(
      decideRequest(db, { appointmentId: appt.id, decision: "accept", actor: otherDoctor }),
    ).rejects.toMatchObject({ code: "forbidden" });
    const ownDoctor: Actor = { kind: "staff", userId: "doc-1", role: "doctor", doctorId: c.doctorIds[0]! };
    expect((await decideRequest(db, { appointmentId: appt.id, decision: "accept", actor: ownDoctor })).status).toBe(
      "confirmed",
    );
  });
});

describe("rescheduling", () => {
  it("moving an appointment takes the new slot and frees the old one together", async () => {
    const appt = await bookAppointment(
      db,
      request({
        startsAt: paris("2026-12-03T09:00"),
        patientId: clinic.patientIds[2]!,
        actor: { kind: "patient", patientId: clinic.patientIds[2]! },
      }),
    );
    const moved = await rescheduleAppointment(db, {
      appointmentId: appt.id,
      startsAt: paris("2026-12-03T11:00"),
      actor: { kind: "patient", patientId: clinic.patientIds[2]! },
      now,
    });
    expect(moved.id).toBe(appt.id);
    expect(moved.startsAt.toISOString()).toBe(paris("2026-12-03T11:00").toISOString());
    expect(await activeAt(clinic.doctorIds[0]!, paris("2026-12-03T09:00"))).toBe(0);
    const history = await appointmentHistory(db, appt.id);
    expect(history.at(-1)!.detail).toMatchObject({
      from: { startsAt: paris("2026-12-03T09:00").toISOString() },
      to: { startsAt: paris("2026-12-03T11:00").toISOString() },
    });
  });

  it("moving onto a taken slot changes nothing", async () => {
    const a = await bookAppointment(db, request({ startsAt: paris("2026-12-04T09:00") }));
    const b = await bookAppointment(
      db,
      request({
        startsAt: paris("2026-12-04T10:00"),
        patientId: clinic.patientIds[1]!,
        actor: { kind: "patient", patientId: clinic.patientIds[1]! },
      }),
    );
    const err = await rescheduleAppointment(db, {
      appointmentId: b.id,
      startsAt: paris("2026-12-04T09:00"),
      actor: secretary,
      now,
    }).catch((e) => e);
    expect(err.code).toBe("slot_taken");
    const [stillA, stillB] = await Promise.all([
      db.prisma.appointment.findUniqueOrThrow({ where: { id: a.id } }),
      db.prisma.appointment.findUniqueOrThrow({ where: { id: b.id } }),
    ]);
    expect(stillA.startsAt.toISOString()).toBe(paris("2026-12-04T09:00").toISOString());
    expect(stillB.startsAt.toISOString()).toBe(paris("2026-12-04T10:00").toISOString());
  });

  it("moving an appointment by a quarter of an hour overlapping itself is allowed", async () => {
    const c = await createTestClinic(db, { hours: [[1, 9 * 60, 12 * 60]] });
    const a = await bookUrgent(db, {
      clinicId: c.clinicId,
      patientId: c.patientIds[0]!,
      appointmentTypeId: c.typeId,
      doctorId: c.doctorIds[0]!,
      startsAt: paris("2026-11-30T09:00"),
      sourceChannel: "console",
      actor: secretary,
      now,
    });
    const moved = await rescheduleAppointment(db, {
      appointmentId: a.id,
      startsAt: paris("2026-11-30T09:15"),
      actor: secretary,
      now,
    });
    expect(moved.startsAt.toISOString()).toBe(paris("2026-11-30T09:15").toISOString());
  });

  it("two patients moving onto the same free slot at once: one wins, the other keeps their old time", async () => {
    const a = await bookAppointment(db, request({ startsAt: paris("2026-12-07T09:00") }));
    const b = await bookAppointment(
      db,
      request({
        startsAt: paris("2026-12-07T09:30"),
        patientId: clinic.patientIds[1]!,
        actor: { kind: "patient", patientId: clinic.patientIds[1]! },
      }),
    );
    const target = paris("2026-12-07T11:30");
    const results = await Promise.allSettled([
      rescheduleAppointment(db, { appointmentId: a.id, startsAt: target, actor: secretary, now }),
      rescheduleAppointment(db, { appointmentId: b.id, startsAt: target, actor: secretary, now }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await activeAt(clinic.doctorIds[0]!, target)).toBe(1);
    const loser = results[0]!.status === "rejected" ? a : b;
    const kept = await db.prisma.appointment.findUniqueOrThrow({ where: { id: loser.id } });
    expect(kept.startsAt.toISOString()).toBe(loser.startsAt.toISOString());
  });
});

describe("cancellation policy", () => {
  const tomorrowMorning = paris("2026-11-30T09:00");
  const lateNow = paris("2026-11-29T20:00"); // 13 hours before, inside the 24-hour cutoff

  it("a patient cancelling inside the cutoff is refused with the reason and the clinic's phone", async () => {
    const c = await createTestClinic(db);
    const appt = await bookAppointment(db, {
      clinicId: c.clinicId,
      patientId: c.patientIds[0]!,
      appointmentTypeId: c.typeId,
      doctorId: c.doctorIds[0]!,
      sourceChannel: "whatsapp",
      actor: { kind: "patient", patientId: c.patientIds[0]! },
      now,
      startsAt: tomorrowMorning,
    });
    const err = await cancelAppointment(db, {
      appointmentId: appt.id,
      actor: { kind: "patient", patientId: c.patientIds[0]! },
      now: lateNow,
    }).catch((e) => e);
    expect(err.code).toBe("inside_cutoff");
    expect(err.details).toMatchObject({ cutoffHours: 24, clinicPhone: "+33100000000" });
    const secErr = await cancelAppointment(db, { appointmentId: appt.id, actor: secretary, now: lateNow }).catch(
      (e) => e,
    );
    expect(secErr.code).toBe("inside_cutoff");
    const cancelled = await cancelAppointment(db, {
      appointmentId: appt.id,
      actor: secretary,
      override: { reason: "patient called, family emergency" },
      now: lateNow,
    });
    expect(cancelled.status).toBe("cancelled");
    const last = (await appointmentHistory(db, appt.id)).at(-1)!;
    expect(last.reason).toContain("family emergency");
    expect(last.detail).toMatchObject({ cutoffOverride: true });
  });

  it("a patient cancelling well ahead frees the slot for someone else", async () => {
    const appt = await bookAppointment(db, request({ startsAt: paris("2026-12-08T09:00") }));
    await cancelAppointment(db, {
      appointmentId: appt.id,
      actor: { kind: "patient", patientId: clinic.patientIds[0]! },
      now,
    });
    const other = await bookAppointment(
      db,
      request({
        startsAt: paris("2026-12-08T09:00"),
        patientId: clinic.patientIds[1]!,
        actor: { kind: "patient", patientId: clinic.patientIds[1]! },
      }),
    );
    expect(other.status).toBe("confirmed");
  });

  it("a patient cannot cancel someone else's appointment", async () => {
    const appt = await bookAppointment(db, request({ startsAt: paris("2026-12-08T10:00") }));
    await expect(
      cancelAppointment(db, {
        appointmentId: appt.id,
        actor: { kind: "patient", patientId: clinic.patientIds[1]! },
        now,
      }),
    ).rejects.toMatchObject({ code: "not_found" });
  });

  it("completed, no-show and cancelled appointments cannot change again", async () => {
    const a = await bookAppointment(db, request({ startsAt: paris("2026-12-08T10:30") }));
    await completeAppointment(db, { appointmentId: a.id, actor: secretary });
    await expect(cancelAppointment(db, { appointmentId: a.id, actor: secretary, now })).rejects.toMatchObject({
      code: "invalid_transition",
    });
    const b = await bookAppointment(db, request({ startsAt: paris("2026-12-08T11:00") }));
    expect((await markNoShow(db, { appointmentId: b.id, actor: secretary })).status).toBe("no_show");
    await expect(completeAppointment(db, { appointmentId: b.id, actor: secretary })).rejects.toMatchObject({
      code: "invalid_transition",
    });
  });
});

describe("urgent booking", () => {
  it("staff can squeeze a patient in right now, and overbook only with a recorded reason", async () => {
    const c = await createTestClinic(db, { minNoticeMinutes: 240 });
    const at = paris("2026-11-30T09:30");
    const in10 = paris("2026-11-30T09:20");
    const base = {
      clinicId: c.clinicId,
      appointmentTypeId: c.typeId,
      doctorId: c.doctorIds[0]!,
      sourceChannel: "console" as const,
      now: in10,
    };
    const patientTry = await bookAppointment(db, {
      ...base,
      patientId: c.patientIds[0]!,
      actor: { kind: "patient", patientId: c.patientIds[0]! },
      startsAt: at,
    }).catch((e) => e);
    expect(patientTry.code).toBe("notice_too_short");
    const first = await bookUrgent(db, { ...base, patientId: c.patientIds[0]!, actor: secretary, startsAt: at });
    expect(first.overbooked).toBe(false);
    const refused = await bookUrgent(db, {
      ...base,
      patientId: c.patientIds[1]!,
      actor: secretary,
      startsAt: at,
    }).catch((e) => e);
    expect(refused.code).toBe("slot_taken");
    const over = await bookUrgent(db, {
      ...base,
      patientId: c.patientIds[1]!,
      actor: secretary,
      startsAt: at,
      overbook: { reason: "chest pain, doctor agreed" },
    });
    expect(over.overbooked).toBe(true);
    expect((await appointmentHistory(db, over.id))[0]).toMatchObject({
      reason: "chest pain, doctor agreed",
      detail: { overbooked: true },
    });
    await expect(
      bookUrgent(db, {
        ...base,
        patientId: c.patientIds[1]!,
        actor: { kind: "patient", patientId: c.patientIds[1]! },
        startsAt: at,
      }),
    ).rejects.toMatchObject({ code: "forbidden" });
    // Once the first patient cancels, the overbooked one still occupies the slot: no third patient lands on it.
    await cancelAppointment(db, { appointmentId: first.id, actor: secretary, override: { reason: "test" }, now: in10 });
    const onTop = await bookUrgent(db, { ...base, patientId: c.patientIds[0]!, actor: secretary, startsAt: at }).catch(
      (e) => e,
    );
    expect(onTop.code).toBe("slot_taken");
  });
});

describe("attendance confirmation", () => {
  it("a patient confirming a reminder leaves the appointment as it is and adds a dated event; a cancelled one cannot be confirmed", async () => {
    const patientActor: Actor = { kind: "patient", patientId: clinic.patientIds[0]! };
    const appt = await bookAppointment(db, request({ startsAt: paris("2026-12-09T09:00") }));
    expect(await confirmAttendance(db, { appointmentId: appt.id, actor: patientActor, now })).toBe(true);
    // Booking events carry the database's clock and this one the pinned `now`, so it is looked up, not taken last.
    const events = await appointmentHistory(db, appt.id);
    expect(events.filter((e) => e.reason === "reminder confirmed")).toHaveLength(1);
    expect(events.find((e) => e.reason === "reminder confirmed")).toMatchObject({
      fromStatus: "confirmed",
      toStatus: "confirmed",
      reason: "reminder confirmed",
      actorKind: "patient",
    });
    await cancelAppointment(db, { appointmentId: appt.id, actor: patientActor, now });
    expect(await confirmAttendance(db, { appointmentId: appt.id, actor: patientActor, now })).toBe(false);
    const other: Actor = { kind: "patient", patientId: clinic.patientIds[1]! };
    const second = await bookAppointment(db, request({ startsAt: paris("2026-12-09T09:30") }));
    await expect(confirmAttendance(db, { appointmentId: second.id, actor: other, now })).rejects.toMatchObject({
      code: "not_found",
    });
  });
});

describe("a change is saved whole or not at all", () => {
  // A real failure inside the database, late in the unit of work: the reminder rows refuse to be written.
  const breakReminders = () =>
    db.sql.exec(`CREATE FUNCTION refuse_reminder() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'reminders are down'; END $$;
      CREATE TRIGGER refuse_reminder BEFORE INSERT OR UPDATE ON reminder FOR EACH ROW EXECUTE FUNCTION refuse_reminder();`);
  const mendReminders = () => db.sql.exec(`DROP TRIGGER refuse_reminder ON reminder; DROP FUNCTION refuse_reminder();`);

  it("a booking whose reminders cannot be written leaves no appointment, and the retry books it", async () => {
    const startsAt = paris("2026-12-03T10:00");
    const ask = request({ startsAt, doctorId: clinic.doctorIds[1]!, idempotencyKey: "retry-after-failure" });
    await breakReminders();
    try {
      await expect(bookAppointment(db, ask)).rejects.toThrow(/reminders are down/);
      expect(await activeAt(clinic.doctorIds[1]!, startsAt)).toBe(0);
      expect(await db.prisma.appointmentEvent.count({ where: { appointment: { startsAt } } })).toBe(0);
    } finally {
      await mendReminders();
    }
    const booked = await bookAppointment(db, ask);
    expect(booked.status).toBe("confirmed");
    expect(await db.prisma.reminder.count({ where: { appointmentId: booked.id } })).toBeGreaterThan(0);
  });

  it("a cancellation whose reminders cannot be withdrawn leaves the appointment as it was", async () => {
    const booked = await bookAppointment(db, request({ startsAt: paris("2026-12-04T11:00") }));
    await breakReminders();
    try {
      await expect(cancelAppointment(db, { appointmentId: booked.id, actor: secretary, now })).rejects.toThrow(
        /reminders are down/,
      );
    } finally {
      await mendReminders();
    }
    const after = await db.prisma.appointment.findUniqueOrThrow({ where: { id: booked.id } });
    expect(after.status).toBe("confirmed");
    expect((await appointmentHistory(db, booked.id)).map((e) => e.toStatus)).toEqual(["confirmed"]);
  });
});
