import type { Database, Sql } from "../data/db.js";
import type { InvoiceStatus, Payer, PaymentMethod } from "../data/generated/client.js";
import { auditAppointmentList, recordAudit } from "./audit.js";
import { ClinicClock } from "./clinic-time.js";
import { DomainError, invalid, notFound } from "./errors.js";
import { splitTotal } from "./money.js";
import type { StaffActor } from "./staff.js";

/*
 * Invoices, their lines and payments, in integer minor units of the clinic's currency.
 *
 * Life of an invoice: draft → issued → partly_paid → paid, or void.
 * - Lines change only while the invoice is a draft; the draft's totals follow its lines.
 * - Issuing freezes the payer split (the patient's insurer and coverage at that moment) and
 *   gives the next number of the clinic's year ("2026-000042"), with no gap: numbers are
 *   taken under a per-clinic advisory lock in the issuing transaction, so a rolled-back issue
 *   takes no number.
 * - A payment names its payer (patient or insurer) and may not exceed what that payer still owes.
 * - Voiding needs a reason and is allowed only before any money came in (draft or issued).
 *   Tabib records no refunds (payments are positive by a CHECK), so a paid or partly paid
 *   invoice stays as it is; a correction goes on a new invoice.
 * Billing is the front desk's and the administration's: doctors have no access to it.
 */

/** Who is working on invoices, from where: what the audit rows record. */
export interface BillingAccess {
  clinicId: string;
  actor: StaffActor;
  ip?: string | null;
}

export interface InvoiceLineInput {
  description: string;
  quantity: number;
  unitPriceMinor: number;
}

export interface PaymentInput {
  payer: Payer;
  method: PaymentMethod;
  amountMinor: number;
  reference?: string | null;
}

export interface InvoiceLineView {
  id: string;
  position: number;
  description: string;
  quantity: number;
  unitPriceMinor: number;
  amountMinor: number;
}

export interface PaymentView {
  id: string;
  payer: Payer;
  method: PaymentMethod;
  amountMinor: number;
  receivedAt: Date;
  reference: string | null;
}

/** What each payer has paid and still owes on an invoice. */
export interface InvoiceBalance {
  paidByPatientMinor: number;
  paidByInsurerMinor: number;
  patientDueMinor: number;
  insurerDueMinor: number;
  dueMinor: number;
}

export interface InvoiceSummary {
  id: string;
  number: string | null;
  status: InvoiceStatus;
  currency: string;
  patient: { id: string; firstName: string; lastName: string };
  appointmentId: string | null;
  insurerId: string | null;
  insurerShareBp: number;
  totalMinor: number;
  insurerPartMinor: number;
  patientPartMinor: number;
  issuedAt: Date | null;
  createdAt: Date;
  balance: InvoiceBalance;
}

export interface InvoiceDetail extends InvoiceSummary {
  insurer: { id: string; name: string; code: string } | null;
  appointment: { id: string; startsAt: Date; doctorId: string; typeId: string } | null;
  voidedAt: Date | null;
  voidReason: string | null;
  lines: InvoiceLineView[];
  payments: PaymentView[];
}

/** Appointments that can be billed: booked ones, whether seen, still to come, or missed. */
const BILLABLE = ["confirmed", "completed", "no_show"];
const MAX_QUANTITY = 1000;
/** 10 million major units: far above any consultation, far below int4 overflow per line. */
const MAX_UNIT_PRICE_MINOR = 1_000_000_000;
const MAX_INT4 = 2_147_483_647;
const NO_INSURER_METHODS: readonly PaymentMethod[] = ["cash", "card", "transfer"];
const INSURER_METHODS: readonly PaymentMethod[] = ["insurer", "transfer"];

const asDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

/** Billing is for the front desk and the administration. */
function assertBillingStaff(actor: StaffActor): void {
  if (actor.role === "doctor") throw new DomainError("forbidden", "Billing is for administration and front desk");
}

/** The same database, with its raw SQL going through one open transaction (audit rows included). */
const within = (db: Database, tx: Sql): Database => ({ ...db, sql: tx });

/** Balances from the frozen parts and the payments received. */
export function balanceOf(
  parts: { insurerPartMinor: number; patientPartMinor: number; status: InvoiceStatus },
  payments: readonly { payer: Payer; amountMinor: number }[],
): InvoiceBalance {
  let paidByPatientMinor = 0;
  let paidByInsurerMinor = 0;
  for (const p of payments) {
    if (p.payer === "patient") paidByPatientMinor += p.amountMinor;
    else paidByInsurerMinor += p.amountMinor;
  }
  // Drafts and void invoices are not owed by anyone.
  const owed = parts.status === "issued" || parts.status === "partly_paid" || parts.status === "paid";
  const patientDueMinor = owed ? parts.patientPartMinor - paidByPatientMinor : 0;
  const insurerDueMinor = owed ? parts.insurerPartMinor - paidByInsurerMinor : 0;
  return {
    paidByPatientMinor,
    paidByInsurerMinor,
    patientDueMinor,
    insurerDueMinor,
    dueMinor: patientDueMinor + insurerDueMinor,
  };
}

function checkLine(line: InvoiceLineInput): InvoiceLineInput {
  const description = line.description.trim();
  if (description.length === 0 || description.length > 200) throw invalid("description", "1 to 200 characters");
  if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY)
    throw invalid("quantity", `a whole number from 1 to ${MAX_QUANTITY}`);
  if (!Number.isInteger(line.unitPriceMinor) || line.unitPriceMinor < 0 || line.unitPriceMinor > MAX_UNIT_PRICE_MINOR)
    throw invalid("unitPriceMinor", "a non-negative whole number of minor units");
  return { description, quantity: line.quantity, unitPriceMinor: line.unitPriceMinor };
}

interface LockedInvoice {
  id: string;
  patient_id: string;
  status: InvoiceStatus;
  insurer_id: string | null;
  insurer_share_bp: number;
  total_minor: number;
  insurer_part_minor: number;
  patient_part_minor: number;
}

/** The invoice row, locked until the transaction ends; not found outside the clinic. */
async function lockInvoice(tx: Sql, clinicId: string, invoiceId: string): Promise<LockedInvoice> {
  const rows = await tx.query<LockedInvoice>(
    `SELECT id, patient_id, status, insurer_id, insurer_share_bp, total_minor, insurer_part_minor, patient_part_minor
       FROM invoice WHERE id = $1::uuid AND clinic_id = $2::uuid FOR UPDATE`,
    [invoiceId, clinicId],
  );
  const row = rows[0];
  if (!row) throw notFound("invoice", invoiceId);
  return row;
}

/**
 * Changes one invoice under its row lock, only in the `allowed` statuses, audited as `action`
 * with what `change` returns as detail (identifiers only); returns the invoice as it now is.
 */
async function changeInvoice(
  db: Database,
  access: BillingAccess,
  invoiceId: string,
  how: { allowed: readonly InvoiceStatus[]; verb: string; action: string },
  change: (tx: Sql, invoice: LockedInvoice) => Promise<Record<string, unknown> | void>,
): Promise<InvoiceDetail> {
  await db.sql.transaction(async (tx) => {
    const invoice = await lockInvoice(tx, access.clinicId, invoiceId);
    requireStatus(invoice, how.allowed, how.verb);
    const detail = await change(tx, invoice);
    await recordAudit(within(db, tx), {
      actor: access.actor,
      action: how.action,
      resourceType: "invoice",
      resourceId: invoiceId,
      patientId: invoice.patient_id,
      ip: access.ip,
      ...(detail ? { detail } : {}),
    });
  });
  return readInvoiceUnaudited(db, access.clinicId, invoiceId);
}

function requireStatus(invoice: LockedInvoice, allowed: readonly InvoiceStatus[], action: string): void {
  if (!allowed.includes(invoice.status))
    throw new DomainError("invalid_transition", `Cannot ${action} an invoice that is ${invoice.status}`, {
      status: invoice.status,
    });
}

/** Recomputes a draft's totals from its lines with the draft's current insurer share. */
async function refreshDraftTotals(tx: Sql, invoice: LockedInvoice): Promise<void> {
  const total = await linesTotal(tx, invoice.id);
  const { insurerMinor, patientMinor } = splitTotal(total, invoice.insurer_share_bp);
  await tx.query(
    `UPDATE invoice SET total_minor = $2, insurer_part_minor = $3, patient_part_minor = $4, updated_at = now()
      WHERE id = $1::uuid`,
    [invoice.id, total, insurerMinor, patientMinor],
  );
}

async function linesTotal(tx: Sql, invoiceId: string): Promise<number> {
  const [row] = await tx.query<{ total: string | number }>(
    `SELECT coalesce(sum(quantity::bigint * unit_price_minor), 0) AS total FROM invoice_line WHERE invoice_id = $1::uuid`,
    [invoiceId],
  );
  const total = Number(row?.total ?? 0);
  if (total > MAX_INT4) throw invalid("lines", "the invoice total is too large");
  return total;
}

/**
 * Opens a draft invoice for a booked appointment: one line for its type at the type's price,
 * the patient's insurer and coverage as they stand (refreshed when issued). One appointment has
 * at most one invoice that is not void.
 */
export async function createInvoiceFromAppointment(
  db: Database,
  access: BillingAccess,
  appointmentId: string,
): Promise<InvoiceDetail> {
  assertBillingStaff(access.actor);
  const id = await db.sql.transaction(async (tx) => {
    // Two clicks on "invoice" for one appointment queue here; the second finds the first's draft.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('invoice-for-appointment:' || $1, 0))`, [
      appointmentId,
    ]);
    const [a] = await tx.query<{
      patient_id: string;
      status: string;
      price_minor: number;
      name_fr: string;
      name_en: string;
      currency: string;
      default_locale: "fr" | "en";
      insurer_id: string | null;
      insurance_coverage_bp: number;
      erased_at: Date | null;
    }>(
      `SELECT a.patient_id, a.status, t.price_minor, t.name_fr, t.name_en, c.currency, c.default_locale,
              p.insurer_id, p.insurance_coverage_bp, p.erased_at
         FROM appointment a
         JOIN appointment_type t ON t.id = a.type_id
         JOIN clinic c ON c.id = a.clinic_id
         JOIN patient p ON p.id = a.patient_id
        WHERE a.id = $1::uuid AND a.clinic_id = $2::uuid`,
      [appointmentId, access.clinicId],
    );
    if (!a) throw notFound("appointment", appointmentId);
    if (!BILLABLE.includes(a.status))
      throw new DomainError("invalid_transition", `A ${a.status} appointment is not billed`, { status: a.status });
    if (a.erased_at) throw new DomainError("conflict", "The patient's record was erased");
    const [existing] = await tx.query<{ id: string }>(
      `SELECT id FROM invoice WHERE appointment_id = $1::uuid AND status <> 'void' LIMIT 1`,
      [appointmentId],
    );
    if (existing)
      throw new DomainError("conflict", "This appointment already has an invoice", { invoiceId: existing.id });
    const shareBp = a.insurer_id ? a.insurance_coverage_bp : 0;
    const { insurerMinor, patientMinor } = splitTotal(a.price_minor, shareBp);
    const [created] = await tx.query<{ id: string }>(
      `INSERT INTO invoice (clinic_id, patient_id, appointment_id, status, currency, insurer_id, insurer_share_bp,
                            total_minor, insurer_part_minor, patient_part_minor)
       VALUES ($1::uuid, $2::uuid, $3::uuid, 'draft', $4, $5::uuid, $6, $7, $8, $9) RETURNING id`,
      [
        access.clinicId,
        a.patient_id,
        appointmentId,
        a.currency,
        a.insurer_id,
        shareBp,
        a.price_minor,
        insurerMinor,
        patientMinor,
      ],
    );
    const invoiceId = created!.id;
    await tx.query(
      `INSERT INTO invoice_line (invoice_id, position, description, quantity, unit_price_minor)
       VALUES ($1::uuid, 1, $2, 1, $3)`,
      [invoiceId, a.default_locale === "en" ? a.name_en : a.name_fr, a.price_minor],
    );
    await recordAudit(within(db, tx), {
      actor: access.actor,
      action: "invoice.create",
      resourceType: "invoice",
      resourceId: invoiceId,
      patientId: a.patient_id,
      ip: access.ip,
      detail: { appointmentId },
    });
    return invoiceId;
  });
  return readInvoiceUnaudited(db, access.clinicId, id);
}

async function lineCount(tx: Sql, invoiceId: string): Promise<number> {
  const [{ n } = { n: 0 }] = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM invoice_line WHERE invoice_id = $1::uuid`,
    [invoiceId],
  );
  return n;
}

/** Adds a line to a draft. */
export async function addInvoiceLine(
  db: Database,
  access: BillingAccess,
  invoiceId: string,
  input: InvoiceLineInput,
): Promise<InvoiceDetail> {
  assertBillingStaff(access.actor);
  const line = checkLine(input);
  return changeInvoice(
    db,
    access,
    invoiceId,
    { allowed: ["draft"], verb: "change the lines of", action: "invoice.update" },
    async (tx, invoice) => {
      const n = await lineCount(tx, invoiceId);
      if (n >= 100) throw invalid("lines", "at most 100 lines");
      await tx.query(
        `INSERT INTO invoice_line (invoice_id, position, description, quantity, unit_price_minor)
       SELECT $1::uuid, coalesce(max(position), 0) + 1, $2, $3, $4 FROM invoice_line WHERE invoice_id = $1::uuid`,
        [invoiceId, line.description, line.quantity, line.unitPriceMinor],
      );
      await refreshDraftTotals(tx, invoice);
      return { change: "line_added" };
    },
  );
}

/** Removes a line from a draft. */
export async function removeInvoiceLine(
  db: Database,
  access: BillingAccess,
  invoiceId: string,
  lineId: string,
): Promise<InvoiceDetail> {
  assertBillingStaff(access.actor);
  return changeInvoice(
    db,
    access,
    invoiceId,
    { allowed: ["draft"], verb: "change the lines of", action: "invoice.update" },
    async (tx, invoice) => {
      const deleted = await tx.query(
        `DELETE FROM invoice_line WHERE id = $1::uuid AND invoice_id = $2::uuid RETURNING 1`,
        [lineId, invoiceId],
      );
      if (deleted.length === 0) throw notFound("invoice line", lineId);
      await refreshDraftTotals(tx, invoice);
      return { change: "line_removed" };
    },
  );
}

/**
 * Issues a draft: freezes its lines, its total and the payer split (the patient's insurer and
 * coverage now), and gives it the clinic's next number for the current local year. A zero total
 * is paid on issue. With `expectedTotalMinor`, a draft whose total changed since the caller
 * looked at it is not issued (conflict).
 */
export async function issueInvoice(
  db: Database,
  access: BillingAccess,
  invoiceId: string,
  now: Date = new Date(),
  opts: { expectedTotalMinor?: number } = {},
): Promise<InvoiceDetail> {
  assertBillingStaff(access.actor);
  const [clinic] = await db.sql.query<{ time_zone: string }>(`SELECT time_zone FROM clinic WHERE id = $1::uuid`, [
    access.clinicId,
  ]);
  if (!clinic) throw notFound("clinic", access.clinicId);
  const year = new ClinicClock(clinic.time_zone).dayOf(now).slice(0, 4);
  return changeInvoice(
    db,
    access,
    invoiceId,
    { allowed: ["draft"], verb: "issue", action: "invoice.issue" },
    async (tx, invoice) => {
      const n = await lineCount(tx, invoiceId);
      if (n === 0) throw invalid("lines", "an invoice needs at least one line");
      const total = await linesTotal(tx, invoiceId);
      if (opts.expectedTotalMinor !== undefined && opts.expectedTotalMinor !== total)
        throw new DomainError("conflict", "The draft's total changed", { reason: "total_changed", totalMinor: total });
      const [patient] = await tx.query<{ insurer_id: string | null; insurance_coverage_bp: number }>(
        `SELECT insurer_id, insurance_coverage_bp FROM patient WHERE id = $1::uuid`,
        [invoice.patient_id],
      );
      const insurerId = patient?.insurer_id ?? null;
      const shareBp = insurerId ? (patient?.insurance_coverage_bp ?? 0) : 0;
      const { insurerMinor, patientMinor } = splitTotal(total, shareBp);
      // Serializes numbering per clinic: the next number is read only once the previous issuer committed.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('invoice-number:' || $1, 0))`, [access.clinicId]);
      const [{ next } = { next: 1 }] = await tx.query<{ next: number }>(
        `SELECT coalesce(max(split_part(number, '-', 2)::int), 0) + 1 AS next
         FROM invoice WHERE clinic_id = $1::uuid AND number LIKE $2`,
        [access.clinicId, `${year}-%`],
      );
      const number = `${year}-${String(next).padStart(6, "0")}`;
      await tx.query(
        `UPDATE invoice SET number = $2, status = $3::"InvoiceStatus", issued_at = $4, insurer_id = $5::uuid,
              insurer_share_bp = $6, total_minor = $7, insurer_part_minor = $8, patient_part_minor = $9, updated_at = $4
        WHERE id = $1::uuid`,
        [
          invoiceId,
          number,
          total === 0 ? "paid" : "issued",
          now,
          insurerId,
          shareBp,
          total,
          insurerMinor,
          patientMinor,
        ],
      );
      return { number };
    },
  );
}

/**
 * Records money received from the patient or the insurer. The amount may not exceed what that
 * payer still owes; the invoice becomes partly paid, or paid once nothing is owed.
 */
export async function recordPayment(
  db: Database,
  access: BillingAccess,
  invoiceId: string,
  input: PaymentInput,
  now: Date = new Date(),
): Promise<InvoiceDetail> {
  assertBillingStaff(access.actor);
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0)
    throw invalid("amountMinor", "a positive whole number of minor units");
  const allowed = input.payer === "insurer" ? INSURER_METHODS : NO_INSURER_METHODS;
  if (!allowed.includes(input.method))
    throw invalid("method", `${input.payer} payments are made by ${allowed.join(", ")}`);
  const reference = input.reference?.trim() || null;
  if (reference && reference.length > 100) throw invalid("reference", "at most 100 characters");
  return changeInvoice(
    db,
    access,
    invoiceId,
    { allowed: ["issued", "partly_paid"], verb: "record a payment on", action: "payment.record" },
    async (tx, invoice) => {
      const payments = await tx.query<{ payer: Payer; amount: string | number }>(
        `SELECT payer, sum(amount_minor) AS amount FROM payment WHERE invoice_id = $1::uuid GROUP BY payer`,
        [invoiceId],
      );
      const balance = balanceOf(
        {
          insurerPartMinor: invoice.insurer_part_minor,
          patientPartMinor: invoice.patient_part_minor,
          status: "issued",
        },
        payments.map((p) => ({ payer: p.payer, amountMinor: Number(p.amount) })),
      );
      const due = input.payer === "patient" ? balance.patientDueMinor : balance.insurerDueMinor;
      if (input.amountMinor > due)
        throw new DomainError("conflict", `The ${input.payer} owes ${due} on this invoice`, {
          reason: "over_balance",
          dueMinor: due,
        });
      const [payment] = await tx.query<{ id: string }>(
        `INSERT INTO payment (invoice_id, payer, method, amount_minor, received_at, reference, recorded_by)
       VALUES ($1::uuid, $2::"Payer", $3::"PaymentMethod", $4, $5, $6, $7::uuid) RETURNING id`,
        [invoiceId, input.payer, input.method, input.amountMinor, now, reference, access.actor.userId],
      );
      const settled = balance.dueMinor - input.amountMinor === 0;
      await tx.query(`UPDATE invoice SET status = $2::"InvoiceStatus", updated_at = $3 WHERE id = $1::uuid`, [
        invoiceId,
        settled ? "paid" : "partly_paid",
        now,
      ]);
      return { paymentId: payment!.id, payer: input.payer, method: input.method };
    },
  );
}

/** Voids a draft or an issued invoice that has received no payment; its number stays used. */
export async function voidInvoice(
  db: Database,
  access: BillingAccess,
  invoiceId: string,
  reason: string,
  now: Date = new Date(),
): Promise<InvoiceDetail> {
  assertBillingStaff(access.actor);
  const why = reason.trim();
  if (why.length < 3 || why.length > 500) throw invalid("reason", "3 to 500 characters");
  return changeInvoice(
    db,
    access,
    invoiceId,
    { allowed: ["draft", "issued"], verb: "void", action: "invoice.void" },
    async (tx) => {
      const [paid] = await tx.query(`SELECT 1 FROM payment WHERE invoice_id = $1::uuid LIMIT 1`, [invoiceId]);
      if (paid) throw new DomainError("invalid_transition", "An invoice with payments cannot be voided");
      await tx.query(
        `UPDATE invoice SET status = 'void', voided_at = $2, void_reason = $3, updated_at = $2 WHERE id = $1::uuid`,
        [invoiceId, now, why],
      );
    },
  );
}

/** One invoice with its lines and payments, audited as a read of the patient's data. */
export async function readInvoice(
  db: Database,
  access: BillingAccess,
  invoiceId: string,
  action = "invoice.read",
): Promise<InvoiceDetail> {
  assertBillingStaff(access.actor);
  const invoice = await readInvoiceUnaudited(db, access.clinicId, invoiceId);
  await recordAudit(db, {
    actor: access.actor,
    action,
    resourceType: "invoice",
    resourceId: invoice.id,
    patientId: invoice.patient.id,
    ip: access.ip,
  });
  return invoice;
}

// The writes above were audited themselves; what they return is the record just written.
async function readInvoiceUnaudited(db: Database, clinicId: string, invoiceId: string): Promise<InvoiceDetail> {
  const row = await db.prisma.invoice.findFirst({
    where: { id: invoiceId, clinicId },
    include: {
      patient: { select: { id: true, firstName: true, lastName: true } },
      insurer: { select: { id: true, name: true, code: true } },
      appointment: { select: { id: true, startsAt: true, doctorId: true, typeId: true } },
      lines: { orderBy: { position: "asc" } },
      payments: { orderBy: [{ receivedAt: "asc" }, { id: "asc" }] },
    },
  });
  if (!row) throw notFound("invoice", invoiceId);
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    currency: row.currency,
    patient: row.patient,
    appointmentId: row.appointmentId,
    appointment: row.appointment,
    insurerId: row.insurerId,
    insurer: row.insurer,
    insurerShareBp: row.insurerShareBp,
    totalMinor: row.totalMinor,
    insurerPartMinor: row.insurerPartMinor,
    patientPartMinor: row.patientPartMinor,
    issuedAt: row.issuedAt,
    voidedAt: row.voidedAt,
    voidReason: row.voidReason,
    createdAt: row.createdAt,
    lines: row.lines.map((l) => ({
      id: l.id,
      position: l.position,
      description: l.description,
      quantity: l.quantity,
      unitPriceMinor: l.unitPriceMinor,
      amountMinor: l.quantity * l.unitPriceMinor,
    })),
    payments: row.payments.map((p) => ({
      id: p.id,
      payer: p.payer,
      method: p.method,
      amountMinor: p.amountMinor,
      receivedAt: p.receivedAt,
      reference: p.reference,
    })),
    balance: balanceOf(row, row.payments),
  };
}

export interface InvoiceFilter {
  status?: InvoiceStatus[];
  patientId?: string;
  insurerId?: string;
  /** Only invoices still owed something (issued or partly paid). */
  outstanding?: boolean;
  limit?: number;
}

/** Invoices of the clinic, newest first; each one listed is audited as a read of its patient's data. */
export async function listInvoices(
  db: Database,
  access: BillingAccess,
  filter: InvoiceFilter = {},
): Promise<InvoiceSummary[]> {
  assertBillingStaff(access.actor);
  const statuses = filter.outstanding ? (["issued", "partly_paid"] as InvoiceStatus[]) : filter.status;
  const rows = await db.prisma.invoice.findMany({
    where: {
      clinicId: access.clinicId,
      ...(statuses?.length ? { status: { in: statuses } } : {}),
      ...(filter.patientId ? { patientId: filter.patientId } : {}),
      ...(filter.insurerId ? { insurerId: filter.insurerId } : {}),
    },
    include: {
      patient: { select: { id: true, firstName: true, lastName: true } },
      payments: { select: { payer: true, amountMinor: true } },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(filter.limit ?? 100, 500),
  });
  await recordAudit(
    db,
    rows.map((r) => ({
      actor: access.actor,
      action: "invoice.list",
      resourceType: "invoice",
      resourceId: r.id,
      patientId: r.patientId,
      ip: access.ip,
    })),
  );
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    status: r.status,
    currency: r.currency,
    patient: r.patient,
    appointmentId: r.appointmentId,
    insurerId: r.insurerId,
    insurerShareBp: r.insurerShareBp,
    totalMinor: r.totalMinor,
    insurerPartMinor: r.insurerPartMinor,
    patientPartMinor: r.patientPartMinor,
    issuedAt: r.issuedAt,
    createdAt: r.createdAt,
    balance: balanceOf(r, r.payments),
  }));
}

export interface PatientBalance {
  patientId: string;
  firstName: string;
  lastName: string;
  currency: string;
  invoices: number;
  dueMinor: number;
}

export interface InsurerBalance {
  insurerId: string;
  name: string;
  code: string;
  currency: string;
  invoices: number;
  dueMinor: number;
}

/** What each patient still owes on issued invoices (their own part), largest first; audited per patient. */
export async function outstandingByPatient(
  db: Database,
  access: BillingAccess,
  opts: { patientId?: string; limit?: number } = {},
): Promise<PatientBalance[]> {
  assertBillingStaff(access.actor);
  const rows = await db.sql.query<{
    patient_id: string;
    first_name: string;
    last_name: string;
    currency: string;
    invoices: number;
    due: string | number;
  }>(
    `SELECT p.id AS patient_id, p.first_name, p.last_name, i.currency, count(*)::int AS invoices,
            sum(i.patient_part_minor - coalesce(paid.amount, 0)) AS due
       FROM invoice i
       JOIN patient p ON p.id = i.patient_id
       LEFT JOIN LATERAL (SELECT sum(amount_minor) AS amount FROM payment
                           WHERE invoice_id = i.id AND payer = 'patient') paid ON true
      WHERE i.clinic_id = $1::uuid AND i.status IN ('issued', 'partly_paid')
        AND i.patient_part_minor > coalesce(paid.amount, 0)
        AND ($2::uuid IS NULL OR i.patient_id = $2::uuid)
      GROUP BY p.id, p.first_name, p.last_name, i.currency
      ORDER BY due DESC, p.last_name, p.id
      LIMIT $3`,
    [access.clinicId, opts.patientId ?? null, Math.min(opts.limit ?? 100, 1000)],
  );
  await recordAudit(
    db,
    rows.map((r) => ({
      actor: access.actor,
      action: "patient.balance",
      resourceType: "patient",
      resourceId: r.patient_id,
      patientId: r.patient_id,
      ip: access.ip,
    })),
  );
  return rows.map((r) => ({
    patientId: r.patient_id,
    firstName: r.first_name,
    lastName: r.last_name,
    currency: r.currency,
    invoices: r.invoices,
    dueMinor: Number(r.due),
  }));
}

/** What each insurer still owes on issued invoices (its part), largest first. */
export async function outstandingByInsurer(db: Database, access: BillingAccess): Promise<InsurerBalance[]> {
  assertBillingStaff(access.actor);
  const rows = await db.sql.query<{
    insurer_id: string;
    name: string;
    code: string;
    currency: string;
    invoices: number;
    due: string | number;
  }>(
    `SELECT n.id AS insurer_id, n.name, n.code, i.currency, count(*)::int AS invoices,
            sum(i.insurer_part_minor - coalesce(paid.amount, 0)) AS due
       FROM invoice i
       JOIN insurer n ON n.id = i.insurer_id
       LEFT JOIN LATERAL (SELECT sum(amount_minor) AS amount FROM payment
                           WHERE invoice_id = i.id AND payer = 'insurer') paid ON true
      WHERE i.clinic_id = $1::uuid AND i.status IN ('issued', 'partly_paid')
        AND i.insurer_part_minor > coalesce(paid.amount, 0)
      GROUP BY n.id, n.name, n.code, i.currency
      ORDER BY due DESC, n.name, n.id`,
    [access.clinicId],
  );
  return rows.map((r) => ({
    insurerId: r.insurer_id,
    name: r.name,
    code: r.code,
    currency: r.currency,
    invoices: r.invoices,
    dueMinor: Number(r.due),
  }));
}

export interface BillableAppointment {
  appointmentId: string;
  startsAt: Date;
  doctorId: string;
  typeId: string;
  priceMinor: number;
  patient: { id: string; firstName: string; lastName: string };
}

/**
 * Booked appointments in [from, to) with no invoice yet (void ones aside), latest first: the
 * front desk's "to invoice" list. Each is audited as a read of its patient's name.
 */
export async function appointmentsToInvoice(
  db: Database,
  access: BillingAccess,
  range: { from: Date; to: Date; limit?: number },
): Promise<BillableAppointment[]> {
  assertBillingStaff(access.actor);
  const rows = await db.sql.query<{
    id: string;
    starts_at: Date | string;
    doctor_id: string;
    type_id: string;
    price_minor: number;
    patient_id: string;
    first_name: string;
    last_name: string;
  }>(
    `SELECT a.id, a.starts_at, a.doctor_id, a.type_id, t.price_minor, p.id AS patient_id, p.first_name, p.last_name
       FROM appointment a
       JOIN appointment_type t ON t.id = a.type_id
       JOIN patient p ON p.id = a.patient_id
      WHERE a.clinic_id = $1::uuid AND a.starts_at >= $2 AND a.starts_at < $3
        AND a.status IN ('confirmed', 'completed', 'no_show') AND p.erased_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM invoice i WHERE i.appointment_id = a.id AND i.status <> 'void')
      ORDER BY a.starts_at DESC, a.id
      LIMIT $4`,
    [access.clinicId, range.from, range.to, Math.min(range.limit ?? 50, 500)],
  );
  await auditAppointmentList(
    db,
    access,
    rows.map((r) => ({ appointmentId: r.id, patientId: r.patient_id })),
    "to_invoice",
  );
  return rows.map((r) => ({
    appointmentId: r.id,
    startsAt: asDate(r.starts_at),
    doctorId: r.doctor_id,
    typeId: r.type_id,
    priceMinor: r.price_minor,
    patient: { id: r.patient_id, firstName: r.first_name, lastName: r.last_name },
  }));
}
