import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  addInvoiceLine,
  appointmentsToInvoice,
  balanceOf,
  createInvoiceFromAppointment,
  issueInvoice,
  listInvoices,
  outstandingByInsurer,
  outstandingByPatient,
  readInvoice,
  recordPayment,
  removeInvoiceLine,
  voidInvoice,
  type BillingAccess,
} from "../../src/domain/billing.js";
import { isDomainError } from "../../src/domain/errors.js";
import { decimalString, formatMoney, parseAmount, splitTotal } from "../../src/domain/money.js";
import type { StaffActor } from "../../src/domain/staff.js";
import { createTestClinic, paris, seedAppointment, type TestClinic } from "../support/clinic.js";
import { freshDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
let clinic: TestClinic;
let insurerId: string;
let slot = 0;
const now = paris("2026-12-07T18:00");
const secretary: StaffActor = { kind: "staff", userId: "00000000-0000-4000-8000-000000000001", role: "secretary" };
const doctor: StaffActor = {
  kind: "staff",
  userId: "00000000-0000-4000-8000-000000000002",
  role: "doctor",
  doctorId: null,
};
let desk: BillingAccess;

beforeAll(async () => {
  db = await freshDatabase({ poolSize: 20 });
  clinic = await createTestClinic(db, { doctors: 1, patients: 3 });
  desk = { clinicId: clinic.clinicId, actor: secretary, ip: "127.0.0.1" };
  insurerId = (await db.prisma.insurer.create({ data: { clinicId: clinic.clinicId, name: "MGEN", code: "mgen" } })).id;
  // Patient 1 is 70 % covered by the insurer; patient 0 pays everything.
  await db.prisma.patient.update({
    where: { id: clinic.patientIds[1]! },
    data: { insurerId, insuranceCoverageBp: 7000 },
  });
});

/** A fresh completed appointment (each in its own half hour of the past weeks). */
async function seenAppointment(patientIndex = 0, status: "completed" | "cancelled" | "confirmed" = "completed") {
  const startsAt = new Date(+paris("2026-10-01T09:00") + slot++ * 30 * 60_000);
  const a = await seedAppointment(db, clinic, {
    doctorId: clinic.doctorIds[0]!,
    startsAt,
    patientId: clinic.patientIds[patientIndex]!,
  });
  if (status !== "confirmed") await db.prisma.appointment.update({ where: { id: a.id }, data: { status } });
  return a;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isDomainError(err)) return err.code;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("money", () => {
  it("the insurer's and the patient's parts always add up to the total", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000_000_000 }), fc.integer({ min: 0, max: 10_000 }), (total, bp) => {
        const { insurerMinor, patientMinor } = splitTotal(total, bp);
        expect(insurerMinor + patientMinor).toBe(total);
        expect(insurerMinor).toBe(Math.round((total * bp) / 10_000));
        expect(insurerMinor).toBeGreaterThanOrEqual(0);
        expect(patientMinor).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 2000 },
    );
    expect(splitTotal(3333, 7000)).toEqual({ insurerMinor: 2333, patientMinor: 1000 });
    expect(splitTotal(5, 5000)).toEqual({ insurerMinor: 3, patientMinor: 2 });
  });

  it("amounts typed by staff read exactly into minor units, for two-decimal and zero-decimal currencies", () => {
    expect(parseAmount("12", "EUR")).toBe(1200);
    expect(parseAmount("12,5", "EUR")).toBe(1250);
    expect(parseAmount("1 234.56", "EUR")).toBe(123456);
    expect(parseAmount("0.1", "EUR")).toBe(10);
    expect(parseAmount("12.345", "EUR")).toBeNull();
    expect(parseAmount("-3", "EUR")).toBeNull();
    expect(parseAmount("abc", "EUR")).toBeNull();
    expect(parseAmount("1500", "JPY")).toBe(1500);
    expect(parseAmount("15.5", "JPY")).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), (minor) => {
        expect(parseAmount(decimalString(minor, "EUR"), "EUR")).toBe(minor);
      }),
    );
  });

  it("amounts print in the reader's language", () => {
    expect(formatMoney(123456, "EUR", "fr").replace(/\s/g, " ")).toBe("1 234,56 €");
    expect(formatMoney(123456, "EUR", "en")).toBe("€1,234.56");
    expect(formatMoney(1500, "JPY", "en")).toBe("JP¥1,500");
  });
});

describe("invoices", () => {
  it("an invoice from an appointment starts as a draft at the appointment type's price", async () => {
    const a = await seenAppointment(0);
    const invoice = await createInvoiceFromAppointment(db, desk, a.id);
    expect(invoice).toMatchObject({
      status: "draft",
      number: null,
      currency: "EUR",
      appointmentId: a.id,
      totalMinor: 3000,
      patientPartMinor: 3000,
      insurerPartMinor: 0,
    });
    expect(invoice.lines).toEqual([
      expect.objectContaining({ position: 1, description: "Consultation", amountMinor: 3000 }),
    ]);
    const audit = await db.prisma.auditLog.findMany({ where: { resourceId: invoice.id } });
    expect(audit.map((r) => [r.action, r.patientId])).toEqual([["invoice.create", clinic.patientIds[0]]]);
  });

  it("a second invoice for the same appointment is refused, even when both clicks arrive together", async () => {
    const a = await seenAppointment(0);
    const results = await Promise.allSettled([
      createInvoiceFromAppointment(db, desk, a.id),
      createInvoiceFromAppointment(db, desk, a.id),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(isDomainError(rejected.reason, "conflict")).toBe(true);
    expect(await db.prisma.invoice.count({ where: { appointmentId: a.id } })).toBe(1);
  });

  it("a cancelled appointment is not billed", async () => {
    const a = await seenAppointment(0, "cancelled");
    expect(await refusal(createInvoiceFromAppointment(db, desk, a.id))).toBe("invalid_transition");
  });

  it("extra lines change a draft's total; once issued, lines are frozen and the split follows the coverage", async () => {
    const a = await seenAppointment(1);
    const draft = await createInvoiceFromAppointment(db, desk, a.id);
    expect(draft).toMatchObject({ insurerShareBp: 7000, insurerPartMinor: 2100, patientPartMinor: 900 });
    const more = await addInvoiceLine(db, desk, draft.id, { description: "ECG", quantity: 2, unitPriceMinor: 1433 });
    expect(more.totalMinor).toBe(3000 + 2866);
    expect(more.insurerPartMinor + more.patientPartMinor).toBe(5866);
    const fewer = await removeInvoiceLine(db, desk, draft.id, draft.lines[0]!.id);
    expect(fewer.lines.map((l) => l.description)).toEqual(["ECG"]);
    expect(fewer.totalMinor).toBe(2866);

    const issued = await issueInvoice(db, desk, draft.id, now);
    expect(issued.status).toBe("issued");
    expect(issued.number).toMatch(/^2026-\d{6}$/);
    expect(issued).toMatchObject({ totalMinor: 2866, insurerPartMinor: 2006, patientPartMinor: 860, insurerId });
    expect(
      await refusal(addInvoiceLine(db, desk, draft.id, { description: "x", quantity: 1, unitPriceMinor: 1 })),
    ).toBe("invalid_transition");
    expect(await refusal(removeInvoiceLine(db, desk, draft.id, issued.lines[0]!.id))).toBe("invalid_transition");
    expect(await refusal(issueInvoice(db, desk, draft.id, now))).toBe("invalid_transition");
  });

  it("the split is frozen at issue: a later change of the patient's coverage does not touch it", async () => {
    const a = await seenAppointment(2);
    const draft = await createInvoiceFromAppointment(db, desk, a.id);
    expect(draft.insurerShareBp).toBe(0);
    // Coverage registered between the visit and the bill: the issue takes it.
    await db.prisma.patient.update({
      where: { id: clinic.patientIds[2]! },
      data: { insurerId, insuranceCoverageBp: 6000 },
    });
    const issued = await issueInvoice(db, desk, draft.id, now);
    expect(issued).toMatchObject({ insurerShareBp: 6000, insurerPartMinor: 1800, patientPartMinor: 1200 });
    await db.prisma.patient.update({ where: { id: clinic.patientIds[2]! }, data: { insuranceCoverageBp: 10_000 } });
    const again = await readInvoice(db, desk, draft.id);
    expect(again).toMatchObject({ insurerShareBp: 6000, insurerPartMinor: 1800, patientPartMinor: 1200 });
    await db.prisma.patient.update({
      where: { id: clinic.patientIds[2]! },
      data: { insurerId: null, insuranceCoverageBp: 0 },
    });
  });

  it("an invoice without lines cannot be issued and takes no number", async () => {
    const a = await seenAppointment(0);
    const draft = await createInvoiceFromAppointment(db, desk, a.id);
    await removeInvoiceLine(db, desk, draft.id, draft.lines[0]!.id);
    const before = await db.prisma.invoice.count({ where: { clinicId: clinic.clinicId, number: { not: null } } });
    expect(await refusal(issueInvoice(db, desk, draft.id, now))).toBe("invalid");
    expect(await db.prisma.invoice.count({ where: { clinicId: clinic.clinicId, number: { not: null } } })).toBe(before);
  });

  it("numbers run per clinic and year with no gap, even when twenty invoices are issued at once", async () => {
    const other = await createTestClinic(db, { doctors: 1, patients: 1 });
    const otherDesk = { ...desk, clinicId: other.clinicId };
    const drafts = [];
    for (let i = 0; i < 20; i++)
      drafts.push((await createInvoiceFromAppointment(db, desk, (await seenAppointment(0)).id)).id);
    const before = await db.prisma.invoice.count({ where: { clinicId: clinic.clinicId, number: { not: null } } });
    const otherAppointment = await seedAppointment(db, other, {
      doctorId: other.doctorIds[0]!,
      startsAt: paris("2026-11-02T09:00"),
    });
    const otherDraft = await createInvoiceFromAppointment(db, otherDesk, otherAppointment.id);
    const issued = await Promise.all([
      ...drafts.map((id) => issueInvoice(db, desk, id, now)),
      issueInvoice(db, otherDesk, otherDraft.id, now),
    ]);
    expect(issued.at(-1)!.number).toBe("2026-000001");
    const numbers = (
      await db.prisma.invoice.findMany({
        where: { clinicId: clinic.clinicId, number: { not: null } },
        select: { number: true },
      })
    )
      .map((r) => Number(r.number!.slice(5)))
      .sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: before + 20 }, (_, i) => i + 1));

    // A new year starts a new sequence.
    const january = await createInvoiceFromAppointment(db, desk, (await seenAppointment(0)).id);
    const first2027 = await issueInvoice(db, desk, january.id, paris("2027-01-01T00:30"));
    expect(first2027.number).toBe("2027-000001");
  });

  it("partial payments: the patient pays in two goes, the insurer its part, then the invoice is paid", async () => {
    const a = await seenAppointment(1);
    const draft = await createInvoiceFromAppointment(db, desk, a.id);
    const issued = await issueInvoice(db, desk, draft.id, now);
    expect(issued.balance).toMatchObject({ patientDueMinor: 900, insurerDueMinor: 2100, dueMinor: 3000 });
    expect(
      await refusal(recordPayment(db, desk, draft.id, { payer: "patient", method: "cash", amountMinor: 901 })),
    ).toBe("conflict");
    const part = await recordPayment(db, desk, draft.id, { payer: "patient", method: "card", amountMinor: 500 }, now);
    expect(part.status).toBe("partly_paid");
    expect(part.balance).toMatchObject({ paidByPatientMinor: 500, patientDueMinor: 400, dueMinor: 2500 });
    expect(
      await refusal(recordPayment(db, desk, draft.id, { payer: "patient", method: "cash", amountMinor: 401 })),
    ).toBe("conflict");
    const later = new Date(+now + 60_000);
    await recordPayment(db, desk, draft.id, { payer: "patient", method: "cash", amountMinor: 400 }, later);
    // The patient's part is settled; the insurer's is not.
    expect(await refusal(recordPayment(db, desk, draft.id, { payer: "patient", method: "cash", amountMinor: 1 }))).toBe(
      "conflict",
    );
    expect(
      await refusal(recordPayment(db, desk, draft.id, { payer: "insurer", method: "cash", amountMinor: 100 })),
    ).toBe("invalid");
    const paid = await recordPayment(
      db,
      desk,
      draft.id,
      { payer: "insurer", method: "insurer", amountMinor: 2100, reference: "BORDEREAU 77" },
      new Date(+later + 60_000),
    );
    expect(paid.status).toBe("paid");
    expect(paid.balance.dueMinor).toBe(0);
    expect(paid.payments.map((p) => [p.payer, p.method, p.amountMinor])).toEqual([
      ["patient", "card", 500],
      ["patient", "cash", 400],
      ["insurer", "insurer", 2100],
    ]);
    expect(
      await refusal(recordPayment(db, desk, draft.id, { payer: "insurer", method: "insurer", amountMinor: 1 })),
    ).toBe("invalid_transition");
  });

  it("two desks taking the whole balance at the same moment: one payment is kept", async () => {
    const a = await seenAppointment(0);
    const draft = await createInvoiceFromAppointment(db, desk, a.id);
    await issueInvoice(db, desk, draft.id, now);
    const results = await Promise.allSettled(
      [0, 1, 2].map(() =>
        recordPayment(db, desk, draft.id, { payer: "patient", method: "cash", amountMinor: 3000 }, now),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.prisma.payment.count({ where: { invoiceId: draft.id } })).toBe(1);
    expect((await readInvoice(db, desk, draft.id)).status).toBe("paid");
  });

  it("a payment on a draft is refused: it has no number yet", async () => {
    const a = await seenAppointment(0);
    const draft = await createInvoiceFromAppointment(db, desk, a.id);
    expect(
      await refusal(recordPayment(db, desk, draft.id, { payer: "patient", method: "cash", amountMinor: 10 })),
    ).toBe("invalid_transition");
  });

  it("voiding needs a reason and no payment; a void invoice keeps its number and frees the appointment", async () => {
    const a = await seenAppointment(0);
    const draft = await createInvoiceFromAppointment(db, desk, a.id);
    const issued = await issueInvoice(db, desk, draft.id, now);
    expect(await refusal(voidInvoice(db, desk, draft.id, " "))).toBe("invalid");
    const voided = await voidInvoice(db, desk, draft.id, "wrong patient", now);
    expect(voided).toMatchObject({ status: "void", number: issued.number, voidReason: "wrong patient" });
    expect(voided.balance.dueMinor).toBe(0);
    expect(
      await refusal(recordPayment(db, desk, draft.id, { payer: "patient", method: "cash", amountMinor: 10 })),
    ).toBe("invalid_transition");
    const again = await createInvoiceFromAppointment(db, desk, a.id);
    expect(again.id).not.toBe(draft.id);

    const paidOne = await issueInvoice(db, desk, again.id, now);
    await recordPayment(db, desk, paidOne.id, { payer: "patient", method: "cash", amountMinor: 100 }, now);
    expect(await refusal(voidInvoice(db, desk, paidOne.id, "changed my mind"))).toBe("invalid_transition");
  });

  it("a doctor has no access to billing", async () => {
    const a = await seenAppointment(0);
    const access = { clinicId: clinic.clinicId, actor: doctor };
    expect(await refusal(createInvoiceFromAppointment(db, access, a.id))).toBe("forbidden");
    expect(await refusal(listInvoices(db, access))).toBe("forbidden");
    expect(await refusal(outstandingByPatient(db, access))).toBe("forbidden");
  });

  it("another clinic's invoice is not found", async () => {
    const other = await createTestClinic(db, { doctors: 1, patients: 1 });
    const a = await seenAppointment(0);
    const draft = await createInvoiceFromAppointment(db, desk, a.id);
    const foreign = { ...desk, clinicId: other.clinicId };
    expect(await refusal(readInvoice(db, foreign, draft.id))).toBe("not_found");
    expect(await refusal(issueInvoice(db, foreign, draft.id))).toBe("not_found");
    expect(await refusal(createInvoiceFromAppointment(db, foreign, a.id))).toBe("not_found");
  });

  it("the to-invoice list holds booked appointments without a live invoice", async () => {
    const waiting = await seenAppointment(0);
    const rows = await appointmentsToInvoice(db, desk, { from: paris("2026-09-01T00:00"), to: now, limit: 500 });
    const ids = rows.map((r) => r.appointmentId);
    expect(ids).toContain(waiting.id);
    const invoiced = await db.prisma.invoice.findMany({
      where: { status: { not: "void" } },
      select: { appointmentId: true },
    });
    for (const i of invoiced) expect(ids).not.toContain(i.appointmentId);
  });
});

describe("billing totals over random invoices", () => {
  it("whatever the lines, coverage and payments, parts add up, nobody pays more than owed, and balances agree", async () => {
    const property = fc.asyncProperty(
      fc.array(
        fc.record({ quantity: fc.integer({ min: 1, max: 5 }), unitPriceMinor: fc.integer({ min: 0, max: 50_000 }) }),
        { minLength: 0, maxLength: 5 },
      ),
      fc.integer({ min: 0, max: 10_000 }),
      fc.array(
        fc.record({
          payer: fc.constantFrom("patient" as const, "insurer" as const),
          amountMinor: fc.integer({ min: 1, max: 120_000 }),
        }),
        { maxLength: 6 },
      ),
      async (lines, coverageBp, payments) => {
        const patientId = clinic.patientIds[2]!;
        await db.prisma.patient.update({
          where: { id: patientId },
          data: { insurerId, insuranceCoverageBp: coverageBp },
        });
        const draft = await createInvoiceFromAppointment(db, desk, (await seenAppointment(2)).id);
        for (const line of lines) await addInvoiceLine(db, desk, draft.id, { description: "Acte", ...line });
        let invoice = await issueInvoice(db, desk, draft.id, now);
        const expectedTotal = 3000 + lines.reduce((s, l) => s + l.quantity * l.unitPriceMinor, 0);
        expect(invoice.totalMinor).toBe(expectedTotal);
        expect(invoice.insurerPartMinor + invoice.patientPartMinor).toBe(expectedTotal);
        expect(invoice.insurerPartMinor).toBe(Math.round((expectedTotal * coverageBp) / 10_000));
        const kept = { patient: 0, insurer: 0 };
        for (const p of payments) {
          const due =
            (p.payer === "patient" ? invoice.patientPartMinor : invoice.insurerPartMinor) -
            kept[p.payer as "patient" | "insurer"];
          const method = p.payer === "patient" ? ("card" as const) : ("insurer" as const);
          try {
            invoice = await recordPayment(
              db,
              desk,
              draft.id,
              { payer: p.payer, method, amountMinor: p.amountMinor },
              now,
            );
            expect(p.amountMinor).toBeLessThanOrEqual(due);
            kept[p.payer as "patient" | "insurer"] += p.amountMinor;
          } catch (err) {
            if (!isDomainError(err)) throw err;
            // Refused only when it would overpay, or the invoice is already settled.
            expect(p.amountMinor > due || invoice.status === "paid").toBe(true);
          }
        }
        invoice = await readInvoice(db, desk, draft.id);
        const paid = invoice.payments.reduce((s, p) => s + p.amountMinor, 0);
        expect(paid).toBe(kept.patient + kept.insurer);
        expect(invoice.balance.paidByPatientMinor).toBeLessThanOrEqual(invoice.patientPartMinor);
        expect(invoice.balance.paidByInsurerMinor).toBeLessThanOrEqual(invoice.insurerPartMinor);
        expect(invoice.balance.dueMinor + paid).toBe(invoice.totalMinor);
        expect(invoice.status).toBe(paid === invoice.totalMinor ? "paid" : paid > 0 ? "partly_paid" : "issued");
      },
    );
    await fc.assert(property, { numRuns: 25 });

    // Per-patient and per-insurer balances are the sums of what each invoice still owes.
    const open = await listInvoices(db, desk, { outstanding: true, limit: 500 });
    const patientDue = open.reduce((s, i) => s + i.balance.patientDueMinor, 0);
    const insurerDue = open.reduce((s, i) => s + i.balance.insurerDueMinor, 0);
    const byPatient = await outstandingByPatient(db, desk, { limit: 1000 });
    const byInsurer = await outstandingByInsurer(db, desk);
    expect(byPatient.reduce((s, r) => s + r.dueMinor, 0)).toBe(patientDue);
    expect(byInsurer.reduce((s, r) => s + r.dueMinor, 0)).toBe(insurerDue);
    expect(byInsurer.every((r) => r.insurerId === insurerId && r.name === "MGEN")).toBe(true);
  });

  it("balances of any payments never go negative nor exceed a part", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 8 }),
        (total, bp, amounts) => {
          const { insurerMinor, patientMinor } = splitTotal(total, bp);
          const taken: { payer: "patient" | "insurer"; amountMinor: number }[] = [];
          for (const [i, amount] of amounts.entries()) {
            const payer = i % 2 ? "insurer" : "patient";
            const b = balanceOf(
              { insurerPartMinor: insurerMinor, patientPartMinor: patientMinor, status: "issued" },
              taken,
            );
            if (amount <= (payer === "patient" ? b.patientDueMinor : b.insurerDueMinor))
              taken.push({ payer, amountMinor: amount });
          }
          const b = balanceOf(
            { insurerPartMinor: insurerMinor, patientPartMinor: patientMinor, status: "issued" },
            taken,
          );
          expect(b.patientDueMinor).toBeGreaterThanOrEqual(0);
          expect(b.insurerDueMinor).toBeGreaterThanOrEqual(0);
          expect(b.dueMinor + b.paidByInsurerMinor + b.paidByPatientMinor).toBe(total);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
