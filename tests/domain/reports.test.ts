import { beforeAll, describe, expect, it } from "vitest";
import type { Channel } from "../../src/data/generated/client.js";
import { createInvoiceFromAppointment, issueInvoice, recordPayment } from "../../src/domain/billing.js";
import { isDomainError } from "../../src/domain/errors.js";
import { clinicReport, type ClinicReport } from "../../src/domain/reports.js";
import type { StaffActor } from "../../src/domain/staff.js";
import { csvCell, toCsv } from "../../src/lib/csv.js";
import { createTestClinic, paris, type TestClinic } from "../support/clinic.js";
import { freshDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
let clinic: TestClinic;
let untypedTypeId: string;
const secretary: StaffActor = { kind: "staff", userId: "00000000-0000-4000-8000-00000000000a", role: "secretary" };
const week = { from: "2026-12-07", to: "2026-12-11" };
let report: ClinicReport;

type Status = "requested" | "confirmed" | "declined" | "cancelled" | "completed" | "no_show";

async function appointment(
  doctor: number,
  local: string,
  status: Status,
  channel: Channel,
  opts: { typeId?: string; patient?: number } = {},
) {
  const startsAt = paris(local);
  return db.prisma.appointment.create({
    data: {
      clinicId: clinic.clinicId,
      doctorId: clinic.doctorIds[doctor]!,
      patientId: clinic.patientIds[opts.patient ?? 0]!,
      typeId: opts.typeId ?? clinic.typeId,
      startsAt,
      endsAt: new Date(+startsAt + 30 * 60_000),
      status,
      sourceChannel: channel,
    },
  });
}

async function sentConfirmReminder(appointmentId: string, confirmed: boolean) {
  const a = await db.prisma.appointment.findUniqueOrThrow({ where: { id: appointmentId } });
  const dueAt = new Date(+a.startsAt - 48 * 3600_000);
  await db.prisma.reminder.create({
    data: { appointmentId, offsetMinutes: 2880, kind: "confirm", dueAt, sendAt: dueAt, status: "sent", sentAt: dueAt },
  });
  if (confirmed)
    await db.prisma.appointmentEvent.create({
      data: {
        appointmentId,
        actorKind: "patient",
        fromStatus: a.status,
        toStatus: a.status,
        reason: "reminder confirmed",
        at: new Date(+dueAt + 3600_000),
      },
    });
}

beforeAll(async () => {
  db = await freshDatabase();
  // Two GPs working Monday–Friday 09:00–12:00 in Paris.
  clinic = await createTestClinic(db, { doctors: 2, patients: 2 });
  untypedTypeId = (
    await db.prisma.appointmentType.create({
      data: {
        clinicId: clinic.clinicId,
        code: "certificate",
        nameFr: "Certificat",
        nameEn: "Certificate",
        durationMinutes: 30,
        priceMinor: 2500,
      },
    })
  ).id;
  await appointment(0, "2026-12-07T09:00", "completed", "telegram");
  await appointment(0, "2026-12-07T09:30", "no_show", "sms");
  await appointment(0, "2026-12-08T09:00", "cancelled", "web");
  const confirmedByReminder = await appointment(0, "2026-12-08T10:00", "confirmed", "whatsapp");
  const unconfirmed = await appointment(0, "2026-12-11T11:00", "confirmed", "whatsapp", { typeId: untypedTypeId });
  const seen = await appointment(1, "2026-12-07T10:00", "completed", "telegram", { patient: 1 });
  // 00:15 in Paris on Monday is still Sunday in UTC: it counts on Monday.
  await appointment(1, "2026-12-07T00:15", "confirmed", "api", { patient: 1 });
  // Not appointments: a request never accepted, a declined one; and Sunday night is outside the week.
  await appointment(1, "2026-12-08T11:00", "requested", "web");
  await appointment(1, "2026-12-09T11:00", "declined", "web");
  await appointment(1, "2026-12-06T23:30", "confirmed", "web");
  await sentConfirmReminder(confirmedByReminder.id, true);
  await sentConfirmReminder(unconfirmed.id, false);

  // Doctor 1 is on leave all Wednesday; the clinic closes Thursday 10:00–11:00.
  await db.prisma.scheduleException.create({
    data: {
      clinicId: clinic.clinicId,
      doctorId: clinic.doctorIds[1]!,
      kind: "leave",
      startsAt: paris("2026-12-09T00:00"),
      endsAt: paris("2026-12-10T00:00"),
    },
  });
  await db.prisma.scheduleException.create({
    data: {
      clinicId: clinic.clinicId,
      kind: "holiday",
      startsAt: paris("2026-12-10T10:00"),
      endsAt: paris("2026-12-10T11:00"),
    },
  });

  // Money: one invoice paid in part on Tuesday; one from the week before, paid this week.
  const desk = { clinicId: clinic.clinicId, actor: secretary };
  const bill = await createInvoiceFromAppointment(db, desk, seen.id);
  await issueInvoice(db, desk, bill.id, paris("2026-12-07T12:00"));
  await recordPayment(
    db,
    desk,
    bill.id,
    { payer: "patient", method: "card", amountMinor: 1000 },
    paris("2026-12-08T09:00"),
  );
  const older = await appointment(1, "2026-11-30T09:00", "completed", "sms");
  const old = await createInvoiceFromAppointment(db, desk, older.id);
  await issueInvoice(db, desk, old.id, paris("2026-11-30T12:00"));
  await recordPayment(
    db,
    desk,
    old.id,
    { payer: "patient", method: "cash", amountMinor: 3000 },
    paris("2026-12-07T23:30"),
  );

  report = await clinicReport(db, desk, week);
});

describe("clinic reports", () => {
  it("counts appointments per local day, doctor, specialty and channel", () => {
    expect(report.perDay.map((d) => [d.day, d.total, d.cancelled])).toEqual([
      ["2026-12-07", 4, 0],
      ["2026-12-08", 2, 1],
      ["2026-12-09", 0, 0],
      ["2026-12-10", 0, 0],
      ["2026-12-11", 1, 0],
    ]);
    expect(report.perDoctor.map((d) => [d.name, d.total, d.cancelled, d.noShow, d.completed])).toEqual([
      ["Dr Doc0 Tor0", 5, 1, 1, 1],
      ["Dr Doc1 Tor1", 2, 0, 0, 1],
    ]);
    expect(report.perSpecialty.map((s) => [s.nameEn, s.total])).toEqual([
      ["General medicine", 6],
      [null, 1],
    ]);
    expect(Object.fromEntries(report.perChannel.map((c) => [c.channel, c.total]))).toEqual({
      telegram: 2,
      whatsapp: 2,
      sms: 1,
      web: 1,
      api: 1,
    });
  });

  it("cancellation, no-show and reminder confirmation rates", () => {
    expect(report.rates).toEqual({
      appointments: 7,
      cancelled: 1,
      cancellationRate: 1 / 7,
      withOutcome: 3,
      noShow: 1,
      noShowRate: 1 / 3,
      remindersSent: 2,
      remindersConfirmed: 1,
      confirmationRate: 0.5,
    });
  });

  it("utilization is booked minutes over working minutes net of leave and holidays", () => {
    // 5 days × 180 min, minus the clinic's hour on Thursday; doctor 1 also loses Wednesday.
    expect(report.utilization.map((u) => [u.workingMinutes, u.bookedMinutes])).toEqual([
      [840, 120],
      [660, 60],
    ]);
    expect(report.utilization[0]!.rate).toBeCloseTo(120 / 840);
  });

  it("revenue is what came in during the range; receivables what the range's invoices still owe", () => {
    expect(report.money).toMatchObject({
      currency: "EUR",
      revenueMinor: 4000,
      invoicedMinor: 3000,
      invoices: 1,
      receivables: { patientMinor: 2000, insurerMinor: 0, totalMinor: 2000 },
    });
    expect(report.money!.revenueByDay.filter((d) => d.amountMinor > 0)).toEqual([
      { day: "2026-12-07", amountMinor: 3000 },
      { day: "2026-12-08", amountMinor: 1000 },
    ]);
    expect(report.money!.revenueByMethod).toEqual([
      { payer: "patient", method: "cash", amountMinor: 3000 },
      { payer: "patient", method: "card", amountMinor: 1000 },
    ]);
  });

  it("a doctor sees only their own activity and no money", async () => {
    const own = await clinicReport(
      db,
      {
        clinicId: clinic.clinicId,
        actor: { kind: "staff", userId: secretary.userId, role: "doctor", doctorId: clinic.doctorIds[1]! },
      },
      week,
    );
    expect(own.scope).toBe("doctor");
    expect(own.money).toBeNull();
    expect(own.perDoctor.map((d) => d.doctorId)).toEqual([clinic.doctorIds[1]]);
    expect(own.rates.appointments).toBe(2);
    expect(own.rates.remindersSent).toBe(0);
    expect(own.utilization.map((u) => u.workingMinutes)).toEqual([660]);
  });

  it("a bad or too long range is refused", async () => {
    const desk = { clinicId: clinic.clinicId, actor: secretary };
    for (const range of [
      { from: "2026-12-32", to: "2026-12-31" },
      { from: "2026-12-10", to: "2026-12-01" },
      { from: "2025-01-01", to: "2026-12-31" },
    ]) {
      const refused = await clinicReport(db, desk, range).catch((err: unknown) => err);
      expect(isDomainError(refused, "invalid"), JSON.stringify(range)).toBe(true);
    }
  });
});

describe("CSV export", () => {
  it("quotes what needs quoting and defuses formulas", () => {
    expect(csvCell('Dr "House", MD')).toBe('"Dr ""House"", MD"');
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"');
    for (const risky of ['=HYPERLINK("x")', "+33", "-1+1", "@SUM(A1)", "\tcmd"])
      expect(csvCell(risky).replace(/^"/, "").startsWith("'")).toBe(true);
    expect(csvCell("=1,2")).toBe(`"'=1,2"`);
    expect(csvCell(-3)).toBe("-3");
    expect(csvCell(null)).toBe("");
    expect(toCsv(["a", "b"], [["x", 1]])).toBe("\uFEFFa,b\r\nx,1\r\n");
  });
});
