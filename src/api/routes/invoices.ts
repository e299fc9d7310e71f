import type { Request } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import {
  addInvoiceLine,
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
  type InvoiceBalance,
  type InvoiceDetail,
  type InvoiceSummary,
} from "../../domain/billing.js";
import type { StaffPrincipal } from "../../http/auth.js";
import { actorOf, type ApiRoutes } from "../route.js";
import { IdParams, iso, isoOrNull, QueryBool, Timestamp } from "../schemas.js";

const BILLING = ["admin", "secretary"] as const;

const InvoiceStatusName = z.enum(["draft", "issued", "partly_paid", "paid", "void"]);
const PayerName = z.enum(["patient", "insurer"]);
const MethodName = z.enum(["cash", "card", "transfer", "insurer"]);
const Minor = z.number().int().meta({ description: "Integer amount in the currency's minor unit (cents for EUR)" });

const BalanceDto = z
  .object({
    paidByPatientMinor: Minor,
    paidByInsurerMinor: Minor,
    patientDueMinor: Minor,
    insurerDueMinor: Minor,
    dueMinor: Minor,
  })
  .meta({ id: "InvoiceBalance" });

const summaryShape = {
  id: z.uuid(),
  number: z.string().nullable().meta({ description: "Sequential per clinic and year once issued, e.g. 2026-000042" }),
  status: InvoiceStatusName,
  currency: z.string().length(3),
  patient: z.object({ id: z.uuid(), firstName: z.string(), lastName: z.string() }),
  appointmentId: z.uuid().nullable(),
  insurerId: z.uuid().nullable(),
  insurerShareBp: z.number().int().meta({ description: "Insurer's share in basis points, frozen at issue" }),
  totalMinor: Minor,
  insurerPartMinor: Minor,
  patientPartMinor: Minor,
  issuedAt: Timestamp.nullable(),
  createdAt: Timestamp,
  balance: BalanceDto,
};
const InvoiceSummaryDto = z.object(summaryShape).meta({ id: "InvoiceSummary" });
const InvoiceDto = z
  .object({
    ...summaryShape,
    insurer: z.object({ id: z.uuid(), name: z.string(), code: z.string() }).nullable(),
    appointment: z.object({ id: z.uuid(), startsAt: Timestamp, doctorId: z.uuid(), typeId: z.uuid() }).nullable(),
    voidedAt: Timestamp.nullable(),
    voidReason: z.string().nullable(),
    lines: z.array(
      z.object({
        id: z.uuid(),
        position: z.number().int(),
        description: z.string(),
        quantity: z.number().int(),
        unitPriceMinor: Minor,
        amountMinor: Minor,
      }),
    ),
    payments: z.array(
      z.object({
        id: z.uuid(),
        payer: PayerName,
        method: MethodName,
        amountMinor: Minor,
        receivedAt: Timestamp,
        reference: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "Invoice" });

const presentBalance = (b: InvoiceBalance): z.input<typeof BalanceDto> => ({ ...b });

const presentSummary = (i: InvoiceSummary): z.input<typeof InvoiceSummaryDto> => ({
  id: i.id,
  number: i.number,
  status: i.status,
  currency: i.currency,
  patient: i.patient,
  appointmentId: i.appointmentId,
  insurerId: i.insurerId,
  insurerShareBp: i.insurerShareBp,
  totalMinor: i.totalMinor,
  insurerPartMinor: i.insurerPartMinor,
  patientPartMinor: i.patientPartMinor,
  issuedAt: isoOrNull(i.issuedAt),
  createdAt: iso(i.createdAt),
  balance: presentBalance(i.balance),
});

const present = (i: InvoiceDetail): z.input<typeof InvoiceDto> => ({
  ...presentSummary(i),
  insurer: i.insurer,
  appointment: i.appointment ? { ...i.appointment, startsAt: iso(i.appointment.startsAt) } : null,
  voidedAt: isoOrNull(i.voidedAt),
  voidReason: i.voidReason,
  lines: i.lines,
  payments: i.payments.map((p) => ({ ...p, receivedAt: iso(p.receivedAt) })),
});

const access = (staff: StaffPrincipal, req: Request): BillingAccess => ({
  clinicId: staff.clinicId,
  actor: actorOf(staff),
  ip: req.ip ?? null,
});

const STATE_ERRORS = { 404: "No such invoice", 409: "Not possible in the invoice's current status" } as const;

export function invoiceRoutes(api: ApiRoutes, ctx: AppContext): void {
  api.add({
    method: "get",
    path: "/invoices",
    tag: "billing",
    summary: "List invoices, newest first (each one listed is audited)",
    access: BILLING,
    scope: "staff-only",
    query: z.object({
      status: InvoiceStatusName.optional(),
      patientId: z.uuid().optional(),
      insurerId: z.uuid().optional(),
      outstanding: QueryBool.optional().meta({ description: "Only issued or partly paid invoices" }),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    ok: { description: "Invoices", schema: z.array(InvoiceSummaryDto) },
    async handler({ staff, query, req }) {
      const rows = await listInvoices(ctx.db, access(staff, req), {
        status: query.status ? [query.status] : undefined,
        patientId: query.patientId,
        insurerId: query.insurerId,
        outstanding: query.outstanding,
        limit: query.limit,
      });
      return rows.map(presentSummary);
    },
  });

  api.add({
    method: "get",
    path: "/invoices/:id",
    tag: "billing",
    summary: "One invoice with its lines, payments and balance (audited)",
    access: BILLING,
    scope: "staff-only",
    params: IdParams,
    ok: { description: "The invoice", schema: InvoiceDto },
    errors: { 404: "No such invoice" },
    async handler({ staff, params, req }) {
      return present(await readInvoice(ctx.db, access(staff, req), params.id));
    },
  });

  api.add({
    method: "post",
    path: "/invoices",
    tag: "billing",
    summary: "Open a draft invoice for a booked appointment, at its type's price",
    description:
      "The patient's insurer and coverage are copied and refreshed when the invoice is issued. An appointment has at most one invoice that is not void (409 with `invoiceId`).",
    access: BILLING,
    scope: "staff-only",
    body: z.strictObject({ appointmentId: z.uuid() }).meta({ id: "NewInvoice" }),
    ok: { status: 201, description: "The draft", schema: InvoiceDto },
    errors: { 404: "No such appointment", 409: "Already invoiced, or the appointment is not billable" },
    async handler({ staff, body, req }) {
      return present(await createInvoiceFromAppointment(ctx.db, access(staff, req), body.appointmentId));
    },
  });

  api.add({
    method: "post",
    path: "/invoices/:id/lines",
    tag: "billing",
    summary: "Add a line to a draft",
    access: BILLING,
    scope: "staff-only",
    params: IdParams,
    body: z
      .strictObject({
        description: z.string().trim().min(1).max(200),
        quantity: z.number().int().min(1).max(1000).default(1),
        unitPriceMinor: z.number().int().min(0).max(1_000_000_000),
      })
      .meta({ id: "NewInvoiceLine" }),
    ok: { description: "The draft", schema: InvoiceDto },
    errors: STATE_ERRORS,
    async handler({ staff, params, body, req }) {
      return present(await addInvoiceLine(ctx.db, access(staff, req), params.id, body));
    },
  });

  api.add({
    method: "delete",
    path: "/invoices/:id/lines/:lineId",
    tag: "billing",
    summary: "Remove a line from a draft",
    access: BILLING,
    scope: "staff-only",
    params: z.object({ id: z.uuid(), lineId: z.uuid() }),
    ok: { description: "The draft", schema: InvoiceDto },
    errors: STATE_ERRORS,
    async handler({ staff, params, req }) {
      return present(await removeInvoiceLine(ctx.db, access(staff, req), params.id, params.lineId));
    },
  });

  api.add({
    method: "post",
    path: "/invoices/:id/issue",
    tag: "billing",
    summary: "Issue a draft: freeze lines and payer split, assign the clinic's next number",
    access: BILLING,
    scope: "staff-only",
    params: IdParams,
    body: z
      .strictObject({
        expectedTotalMinor: Minor.optional().meta({
          description: "The total the caller reviewed; a draft changed since is not issued (409 total_changed)",
        }),
      })
      .meta({ id: "IssueInvoice" }),
    ok: { description: "The issued invoice", schema: InvoiceDto },
    errors: STATE_ERRORS,
    async handler({ staff, params, body, req }) {
      return present(await issueInvoice(ctx.db, access(staff, req), params.id, ctx.now(), body));
    },
  });

  api.add({
    method: "post",
    path: "/invoices/:id/payments",
    tag: "billing",
    summary: "Record a (possibly partial) payment by the patient or the insurer",
    description:
      "The amount may not exceed what that payer still owes (409 `over_balance` with `dueMinor`). Patients pay by cash, card or transfer; insurers by insurer settlement or transfer.",
    access: BILLING,
    scope: "staff-only",
    params: IdParams,
    body: z
      .strictObject({
        payer: PayerName,
        method: MethodName,
        amountMinor: z.number().int().min(1),
        reference: z.string().trim().max(100).nullable().default(null),
      })
      .meta({ id: "NewPayment" }),
    ok: { status: 201, description: "The invoice with the payment", schema: InvoiceDto },
    errors: STATE_ERRORS,
    async handler({ staff, params, body, req }) {
      return present(await recordPayment(ctx.db, access(staff, req), params.id, body, ctx.now()));
    },
  });

  api.add({
    method: "post",
    path: "/invoices/:id/void",
    tag: "billing",
    summary: "Void a draft or an issued invoice that has received no payment",
    access: BILLING,
    scope: "staff-only",
    params: IdParams,
    body: z.strictObject({ reason: z.string().trim().min(3).max(500) }).meta({ id: "VoidInvoice" }),
    ok: { description: "The void invoice", schema: InvoiceDto },
    errors: STATE_ERRORS,
    async handler({ staff, params, body, req }) {
      return present(await voidInvoice(ctx.db, access(staff, req), params.id, body.reason, ctx.now()));
    },
  });

  api.add({
    method: "get",
    path: "/balances/patients",
    tag: "billing",
    summary: "What each patient still owes on issued invoices, largest first (audited per patient)",
    access: BILLING,
    scope: "staff-only",
    query: z.object({
      patientId: z.uuid().optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    ok: {
      description: "Balances",
      schema: z.array(
        z
          .object({
            patientId: z.uuid(),
            firstName: z.string(),
            lastName: z.string(),
            currency: z.string().length(3),
            invoices: z.number().int(),
            dueMinor: Minor,
          })
          .meta({ id: "PatientBalance" }),
      ),
    },
    async handler({ staff, query, req }) {
      return outstandingByPatient(ctx.db, access(staff, req), query);
    },
  });

  api.add({
    method: "get",
    path: "/balances/insurers",
    tag: "billing",
    summary: "What each insurer still owes on issued invoices, largest first",
    access: BILLING,
    scope: "staff-only",
    ok: {
      description: "Balances",
      schema: z.array(
        z
          .object({
            insurerId: z.uuid(),
            name: z.string(),
            code: z.string(),
            currency: z.string().length(3),
            invoices: z.number().int(),
            dueMinor: Minor,
          })
          .meta({ id: "InsurerBalance" }),
      ),
    },
    async handler({ staff, req }) {
      return outstandingByInsurer(ctx.db, access(staff, req));
    },
  });
}
