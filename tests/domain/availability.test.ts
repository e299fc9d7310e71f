import { beforeAll, describe, expect, it } from "vitest";
import { earliestSlot, findSlots, slotsNear } from "../../src/domain/availability.js";
import { holdSlot, holdSlots, releaseHolds } from "../../src/domain/holds.js";
import { freshDatabase, type TestDatabase } from "../support/database.js";
import { createTestClinic, paris, seedAppointment, type TestClinic } from "../support/clinic.js";

let db: TestDatabase;
let clinic: TestClinic;
const MONDAY = "2026-11-30"; // a Monday
const now = paris("2026-11-27T08:00"); // the Friday before

beforeAll(async () => {
  db = await freshDatabase();
  clinic = await createTestClinic(db, { doctors: 2 });
});

const times = (slots: { startsAt: Date }[]) => slots.map((s) => s.startsAt.toISOString());

describe("free slots", () => {
  it("a doctor's Monday morning 09:00–12:00 gives six 30-minute slots in Paris time", async () => {
    const slots = await findSlots(db, {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      doctorId: clinic.doctorIds[0],
      from: paris(`${MONDAY}T00:00`),
      to: paris(`${MONDAY}T23:59`),
      now,
    });
    expect(times(slots)).toEqual(
      ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"].map((t) => paris(`${MONDAY}T${t}`).toISOString()),
    );
    expect(slots.every((s) => +s.endsAt - +s.startsAt === 30 * 60_000)).toBe(true);
  });

  it("the last slot ends exactly when the working day ends, never after", async () => {
    const slots = await findSlots(db, {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      doctorId: clinic.doctorIds[0],
      from: paris(`${MONDAY}T11:00`),
      to: paris(`${MONDAY}T23:00`),
      now,
    });
    expect(slots.at(-1)!.endsAt.toISOString()).toBe(paris(`${MONDAY}T12:00`).toISOString());
  });

  it("weekends without working hours have no slots", async () => {
    const slots = await findSlots(db, {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      from: paris("2026-11-28T00:00"),
      to: paris("2026-11-30T00:00"),
      now,
    });
    expect(slots).toEqual([]);
  });

  it("a booked appointment and a doctor's leave remove exactly the covered slots", async () => {
    const [doctorId] = clinic.doctorIds;
    const day = "2026-12-01";
    const appt = await seedAppointment(db, clinic, { doctorId: doctorId!, startsAt: paris(`${day}T10:00`) });
    const leave = await db.prisma.scheduleException.create({
      data: {
        clinicId: clinic.clinicId,
        doctorId: doctorId!,
        kind: "leave",
        startsAt: paris(`${day}T11:15`),
        endsAt: paris(`${day}T13:00`),
      },
    });
    const slots = await findSlots(db, {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      doctorId,
      from: paris(`${day}T00:00`),
      to: paris(`${day}T23:59`),
      now,
    });
    expect(times(slots)).toEqual(["09:00", "09:30", "10:30"].map((t) => paris(`${day}T${t}`).toISOString()));
    await db.prisma.appointment.delete({ where: { id: appt.id } });
    await db.prisma.scheduleException.delete({ where: { id: leave.id } });
  });

  it("a cancelled appointment frees its slot again", async () => {
    const day = "2026-12-02";
    const appt = await seedAppointment(db, clinic, {
      doctorId: clinic.doctorIds[0]!,
      startsAt: paris(`${day}T09:00`),
      status: "cancelled",
    });
    const slots = await findSlots(db, {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      doctorId: clinic.doctorIds[0],
      from: paris(`${day}T00:00`),
      to: paris(`${day}T10:00`),
      now,
    });
    expect(times(slots)).toContain(paris(`${day}T09:00`).toISOString());
    await db.prisma.appointment.delete({ where: { id: appt.id } });
  });

  it("a public holiday closes the whole clinic for every doctor", async () => {
    const day = "2026-12-25";
    const holiday = await db.prisma.scheduleException.create({
      data: {
        clinicId: clinic.clinicId,
        kind: "holiday",
        startsAt: paris(`${day}T00:00`),
        endsAt: paris("2026-12-26T00:00"),
        reason: "Noël",
      },
    });
    const slots = await findSlots(db, {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      from: paris(`${day}T00:00`),
      to: paris("2026-12-26T00:00"),
      now,
    });
    expect(slots).toEqual([]);
    await db.prisma.scheduleException.delete({ where: { id: holiday.id } });
  });

  it("the minimum booking notice hides slots too soon to book", async () => {
    const noticeDb = await createTestClinic(db, { minNoticeMinutes: 120 });
    const slots = await findSlots(db, {
      clinicId: noticeDb.clinicId,
      appointmentTypeId: noticeDb.typeId,
      from: paris(`${MONDAY}T00:00`),
      to: paris(`${MONDAY}T23:00`),
      now: paris(`${MONDAY}T08:45`),
    });
    expect(times(slots)[0]).toBe(paris(`${MONDAY}T11:00`).toISOString());
  });

  it("a slot in the past is never offered", async () => {
    const slots = await findSlots(db, {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      doctorId: clinic.doctorIds[0],
      from: paris(`${MONDAY}T00:00`),
      to: paris(`${MONDAY}T23:00`),
      now: paris(`${MONDAY}T10:10`),
    });
    expect(times(slots)[0]).toBe(paris(`${MONDAY}T10:30`).toISOString());
  });
});

describe("time-zone changes", () => {
  it("working hours stay at 09:00 local on both sides of the spring DST change", async () => {
    // Paris moves to summer time on Sunday 2027-03-28.
    const friday = await findSlots(db, {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      doctorId: clinic.doctorIds[0],
      from: paris("2027-03-26T00:00"),
      to: paris("2027-03-27T00:00"),
      now,
      limit: 1,
    });
    const monday = await findSlots(db, {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      doctorId: clinic.doctorIds[0],
      from: paris("2027-03-29T00:00"),
      to: paris("2027-03-30T00:00"),
      now,
      limit: 1,
    });
    expect(friday[0]!.startsAt.toISOString()).toBe("2027-03-26T08:00:00.000Z");
    expect(monday[0]!.startsAt.toISOString()).toBe("2027-03-29T07:00:00.000Z");
  });

  it("working hours stay at 09:00 local on both sides of the autumn DST change", async () => {
    // Paris returns to winter time on Sunday 2026-10-25; check with a clinic open on Sundays too.
    const sunday = await createTestClinic(db, {
      hours: [
        [7, 1 * 60, 4 * 60],
        [6, 9 * 60, 10 * 60],
        [1, 9 * 60, 10 * 60],
      ],
    });
    const sat = await findSlots(db, {
      clinicId: sunday.clinicId,
      appointmentTypeId: sunday.typeId,
      from: paris("2026-10-24T00:00"),
      to: paris("2026-10-25T00:00"),
      now: new Date("2026-10-01T00:00:00Z"),
      limit: 1,
    });
    const mon = await findSlots(db, {
      clinicId: sunday.clinicId,
      appointmentTypeId: sunday.typeId,
      from: paris("2026-10-26T00:00"),
      to: paris("2026-10-27T00:00"),
      now: new Date("2026-10-01T00:00:00Z"),
      limit: 1,
    });
    expect(sat[0]!.startsAt.toISOString()).toBe("2026-10-24T07:00:00.000Z");
    expect(mon[0]!.startsAt.toISOString()).toBe("2026-10-26T08:00:00.000Z");
    // 01:00–04:00 local on the night the clock goes back lasts four real hours: 8 half-hour slots, all distinct.
    const night = await findSlots(db, {
      clinicId: sunday.clinicId,
      appointmentTypeId: sunday.typeId,
      from: new Date("2026-10-24T22:00:00Z"),
      to: new Date("2026-10-25T04:00:00Z"),
      now: new Date("2026-10-01T00:00:00Z"),
    });
    expect(night.length).toBe(8);
    expect(new Set(times(night)).size).toBe(night.length);
    expect(night[0]!.startsAt.toISOString()).toBe("2026-10-24T23:00:00.000Z");
    expect(night.at(-1)!.endsAt.toISOString()).toBe("2026-10-25T03:00:00.000Z");
  });
});

describe("holds", () => {
  it("conversations offering the same six times at the same instant each hold three of their own", async () => {
    // Days of December, one per round: racing statements only collide now and then.
    for (let round = 0; round < 8; round++) {
      const day = `2026-12-${String(14 + round).padStart(2, "0")}`;
      const six = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"].map((t) => ({
        doctorId: clinic.doctorIds[1]!,
        startsAt: paris(`${day}T${t}`),
        endsAt: new Date(+paris(`${day}T${t}`) + 30 * 60_000),
      }));
      const [a, b] = await Promise.all(
        ["race-a", "race-b"].map((holder) => holdSlots(db, six, { holder, minutes: 5, count: 3, now })),
      );
      expect([a!.length, b!.length]).toEqual([3, 3]);
      const taken = [...a!, ...b!].map((h) => +h.startsAt);
      expect(new Set(taken).size).toBe(6);
      await releaseHolds(db, "race-a");
      await releaseHolds(db, "race-b");
    }
  });

  it("a slot held for one conversation is hidden from others but still offered to its holder", async () => {
    const day = "2026-12-03";
    const slot = { doctorId: clinic.doctorIds[0]!, startsAt: paris(`${day}T09:00`), endsAt: paris(`${day}T09:30`) };
    expect(await holdSlot(db, { ...slot, holder: "conv-a", minutes: 5, now })).not.toBeNull();
    expect(await holdSlot(db, { ...slot, holder: "conv-b", minutes: 5, now })).toBeNull();
    const q = {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      doctorId: clinic.doctorIds[0],
      from: paris(`${day}T09:00`),
      to: paris(`${day}T09:30`),
      now,
    };
    expect(await findSlots(db, { ...q, holder: "conv-b" })).toEqual([]);
    expect(await findSlots(db, { ...q, holder: "conv-a" })).toHaveLength(1);
    await releaseHolds(db, "conv-a");
    expect(await findSlots(db, { ...q, holder: "conv-b" })).toHaveLength(1);
  });

  it("an expired hold frees itself without any job running", async () => {
    const day = "2026-12-04";
    const slot = { doctorId: clinic.doctorIds[0]!, startsAt: paris(`${day}T09:00`), endsAt: paris(`${day}T09:30`) };
    await holdSlot(db, { ...slot, holder: "conv-old", minutes: 5, now });
    const later = new Date(+now + 6 * 60_000);
    const q = {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      doctorId: clinic.doctorIds[0],
      from: slot.startsAt,
      to: slot.endsAt,
    };
    expect(await findSlots(db, { ...q, now })).toEqual([]);
    expect(await findSlots(db, { ...q, now: later })).toHaveLength(1);
    expect(await holdSlot(db, { ...slot, holder: "conv-new", minutes: 5, now: later })).not.toBeNull();
  });
});

describe("earliest and nearest", () => {
  it("the earliest slot skips the weekend and, with two doctors free, assigns the less loaded one", async () => {
    const day = "2026-12-07";
    // Doctor 0 already has two appointments that Monday; doctor 1 none.
    for (const t of ["11:00", "11:30"]) {
      await seedAppointment(db, clinic, { doctorId: clinic.doctorIds[0]!, startsAt: paris(`${day}T${t}`) });
    }
    const slot = await earliestSlot(db, {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      specialtyId: clinic.specialtyId,
      from: paris("2026-12-05T10:00"),
      now,
    });
    expect(slot!.startsAt.toISOString()).toBe(paris(`${day}T09:00`).toISOString());
    expect(slot!.doctorId).toBe(clinic.doctorIds[1]);
  });

  it("a fully booked day rolls over to the next working morning, still to the less loaded doctor", async () => {
    const c = await createTestClinic(db, { doctors: 2 });
    const busyDay = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"].flatMap((t) =>
      c.doctorIds.map((doctorId) => ({ doctorId, startsAt: paris(`2026-12-15T${t}`) })),
    );
    const loaded = [{ doctorId: c.doctorIds[1]!, startsAt: paris("2026-12-16T11:30") }];
    await db.prisma.appointment.createMany({
      data: [...busyDay, ...loaded].map(({ doctorId, startsAt }) => ({
        clinicId: c.clinicId,
        doctorId,
        patientId: c.patientIds[0]!,
        typeId: c.typeId,
        startsAt,
        endsAt: new Date(+startsAt + 1_800_000),
        status: "confirmed" as const,
        sourceChannel: "api" as const,
      })),
    });
    const slot = await earliestSlot(db, {
      clinicId: c.clinicId,
      appointmentTypeId: c.typeId,
      from: paris("2026-12-15T08:00"),
      now,
    });
    expect(slot!.startsAt.toISOString()).toBe(paris("2026-12-16T09:00").toISOString());
    expect(slot!.doctorId).toBe(c.doctorIds[0]);
  });

  it("'Tuesday around 10' offers the closest free times, nearest first", async () => {
    const day = "2026-12-08";
    await seedAppointment(db, clinic, { doctorId: clinic.doctorIds[0]!, startsAt: paris(`${day}T10:00`) });
    const near = await slotsNear(db, {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      doctorId: clinic.doctorIds[0],
      target: paris(`${day}T10:00`),
      count: 3,
      now,
    });
    expect(times(near)).toEqual(["09:30", "10:30", "09:00"].map((t) => paris(`${day}T${t}`).toISOString()));
  });

  it("with no doctor preferred, 'around 10' offers one doctor per time", async () => {
    const day = "2026-12-09";
    const near = await slotsNear(db, {
      clinicId: clinic.clinicId,
      appointmentTypeId: clinic.typeId,
      target: paris(`${day}T10:00`),
      count: 2,
      now,
    });
    expect(times(near)).toEqual(["10:00", "09:30"].map((t) => paris(`${day}T${t}`).toISOString()));
  });

  it("an unknown appointment type is reported, not answered with nothing", async () => {
    await expect(
      findSlots(db, {
        clinicId: clinic.clinicId,
        appointmentTypeId: "00000000-0000-0000-0000-000000000000",
        from: now,
        to: new Date(+now + 86_400_000),
        now,
      }),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("housekeeping", () => {
  it("expired holds older than an hour are deleted; live and recent ones stay", async () => {
    const { runHousekeeping } = await import("../../src/jobs/housekeeping.js");
    const day = "2026-12-10";
    const slot = (t: string) => ({
      doctorId: clinic.doctorIds[1]!,
      startsAt: paris(`${day}T${t}`),
      endsAt: new Date(+paris(`${day}T${t}`) + 1_800_000),
    });
    await holdSlot(db, { ...slot("09:00"), holder: "hk-old", minutes: 5, now: new Date(+now - 3 * 3_600_000) });
    await holdSlot(db, { ...slot("09:30"), holder: "hk-recent", minutes: 5, now: new Date(+now - 20 * 60_000) });
    await holdSlot(db, { ...slot("10:00"), holder: "hk-live", minutes: 5, now });
    const report = await runHousekeeping(db, now);
    expect(report.expiredHoldsDeleted).toBeGreaterThanOrEqual(1);
    const left = (await db.prisma.slotHold.findMany({ where: { holder: { startsWith: "hk-" } } }))
      .map((h) => h.holder)
      .sort();
    expect(left).toEqual(["hk-live", "hk-recent"]);
  });
});
