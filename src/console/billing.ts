import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import express, { type Request, type Response, type Router } from "express";
import type { AppContext } from "../context.js";
import type { InvoiceStatus, PaymentMethod } from "../data/generated/client.js";
import {
  addInvoiceLine,
  appointmentsToInvoice,
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
} from "../domain/billing.js";
import { ClinicClock } from "../domain/clinic-time.js";
import { getClinic } from "../domain/directory.js";
import { DomainError, notFound } from "../domain/errors.js";
import { decimalString, formatMoney, formatShare, parseAmount } from "../domain/money.js";
import { ClinicFormat, doctorName, personName } from "./format.js";
import { actorOf, guard, mustSession } from "./http.js";
import { translator, type MessageKey } from "./i18n.js";
import { renderInvoicePdf } from "./invoice-pdf.js";
import { PUBLIC_DIR, renderPage, type PageLocals } from "./render.js";
import type { ConsoleSession } from "./session.js";

/*
 * The front desk's billing pages: appointments waiting for an invoice, invoices with their
 * lines, payments and PDF, and what patients and insurers still owe. Admins and secretaries
 * only; doctors get a 403. Every page showing a patient's name goes through an audited read.
 */

const form = express.urlencoded({ extended: false, limit: "16kb" });
const billingStaff = guard({ roles: ["admin", "secretary"] });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES: readonly InvoiceStatus[] = ["draft", "issued", "partly_paid", "paid", "void"];
const METHODS: readonly PaymentMethod[] = ["cash", "card", "transfer", "insurer"];
/** Cache-busting version of the billing and report pages' own assets. */
export const BILLING_ASSET_VERSION = createHash("sha256")
  .update(readFileSync(path.join(PUBLIC_DIR, "billing.css")))
  .update(readFileSync(path.join(PUBLIC_DIR, "reports.js")))
  .digest("hex")
  .slice(0, 10);
/** How far back the "to invoice" list looks, and how many it shows before "show all". */
const TO_INVOICE_DAYS = 60;
const TO_INVOICE_SHOWN = 10;

export const INVOICE_STATUS_LABEL: Record<InvoiceStatus, MessageKey> = {
  draft: "billStatusDraft",
  issued: "billStatusIssued",
  partly_paid: "billStatusPartlyPaid",
  paid: "billStatusPaid",
  void: "billStatusVoid",
};

export const METHOD_LABEL: Record<PaymentMethod, MessageKey> = {
  cash: "billMethodCash",
  card: "billMethodCard",
  transfer: "billMethodTransfer",
  insurer: "billMethodInsurer",
};

/** Refusals a form can come back with; the key travels in the URL, never any typed text. */
const ERRORS = {
  amount: "billErrAmount",
  line: "billErrLine",
  over_balance: "billErrOverBalance",
  state: "billErrState",
  reason: "billErrReason",
  method: "billErrMethod",
  empty: "billErrEmpty",
  exists: "billErrExists",
  total_changed: "billErrTotalChanged",
} as const satisfies Record<string, MessageKey>;
type FormError = keyof typeof ERRORS;

const DONE = {
  created: "billDoneCreated",
  line: "billDoneLine",
  issued: "billDoneIssued",
  paid: "billDonePaid",
  voided: "billDoneVoided",
} as const satisfies Record<string, MessageKey>;

function idParam(req: Request, name = "id"): string {
  const id = req.params[name];
  if (typeof id !== "string" || !UUID.test(id)) throw notFound("page");
  return id;
}

const field = (req: Request, name: string): string => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : "";
};

const accessOf = (session: ConsoleSession, req: Request): BillingAccess => ({
  clinicId: session.user.clinicId,
  actor: actorOf(session),
  ip: req.ip,
});

/** Known refusals go back to the form as a message; anything else is the console's error page. */
function refusalOf(err: unknown): FormError | null {
  if (!(err instanceof DomainError)) return null;
  if (err.code === "invalid_transition") return "state";
  if (err.code === "conflict" && err.details.reason === "over_balance") return "over_balance";
  if (err.code === "conflict" && err.details.reason === "total_changed") return "total_changed";
  if (err.code === "invalid") {
    const f = String(err.details.field ?? "");
    if (f === "method") return "method";
    if (f === "reason") return "reason";
    if (f === "lines") return "empty";
    if (f === "amountMinor") return "amount";
    return "line";
  }
  return null;
}

export function billingRoutes(router: Router, ctx: AppContext): void {
  router.get("/billing", billingStaff, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const access = accessOf(session, req);
      const clinic = await getClinic(ctx.db, session.user.clinicId);
      const clock = new ClinicClock(clinic.timeZone);
      const format = new ClinicFormat(locale, clinic.timeZone);
      const dates = new Intl.DateTimeFormat(locale === "fr" ? "fr-FR" : "en-GB", {
        timeZone: clinic.timeZone,
        dateStyle: "medium",
      });
      const today = clock.dayOf(ctx.now());
      const status = STATUSES.find((s) => s === req.query.status);
      const showAll = req.query.all === "1";
      const shown = showAll ? 200 : TO_INVOICE_SHOWN;
      const [toInvoice, invoices, patients, insurers, names] = await Promise.all([
        appointmentsToInvoice(ctx.db, access, {
          from: new Date(clock.at(clock.addDays(today, -TO_INVOICE_DAYS), 0)),
          to: new Date(clock.at(clock.addDays(today, 1), 0)),
          // One more than shown tells whether to offer the full list.
          limit: shown + 1,
        }),
        listInvoices(ctx.db, access, { status: status ? [status] : undefined, limit: 100 }),
        outstandingByPatient(ctx.db, access, { limit: 20 }),
        outstandingByInsurer(ctx.db, access),
        clinicNames(ctx, session.user.clinicId, locale),
      ]);
      const money = (minor: number, currency = clinic.currency) => formatMoney(minor, currency, locale);
      renderPage(res, "billing", {
        title: t("billTitle"),
        billingVersion: BILLING_ASSET_VERSION,
        status: status ?? "",
        statuses: STATUSES.map((s) => ({ value: s, label: t(INVOICE_STATUS_LABEL[s]) })),
        moreToInvoice: toInvoice.length > shown,
        toInvoice: toInvoice.slice(0, shown).map((a) => ({
          appointmentId: a.appointmentId,
          when: format.dateTimeOf(a.startsAt),
          patient: personName(a.patient),
          patientId: a.patient.id,
          doctor: names.doctor.get(a.doctorId) ?? "—",
          type: names.type.get(a.typeId) ?? "—",
          price: money(a.priceMinor),
        })),
        invoices: invoices.map((i) => ({
          id: i.id,
          number: i.number ?? t("billNoNumber"),
          patient: personName(i.patient),
          patientId: i.patient.id,
          date: dates.format(i.issuedAt ?? i.createdAt),
          total: money(i.totalMinor, i.currency),
          due: money(i.balance.dueMinor, i.currency),
          status: i.status,
          statusLabel: t(INVOICE_STATUS_LABEL[i.status]),
        })),
        patients: patients.map((p) => ({
          patientId: p.patientId,
          name: personName(p),
          invoices: p.invoices,
          due: money(p.dueMinor, p.currency),
        })),
        insurers: insurers.map((n) => ({ name: n.name, invoices: n.invoices, due: money(n.dueMinor, n.currency) })),
      });
    } catch (err) {
      next(err);
    }
  });

  router.post("/billing/invoices", form, billingStaff, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const appointmentId = field(req, "appointmentId");
      if (!UUID.test(appointmentId)) throw notFound("appointment");
      try {
        const invoice = await createInvoiceFromAppointment(ctx.db, accessOf(session, req), appointmentId);
        res.redirect(303, `/billing/invoices/${invoice.id}?done=created`);
      } catch (err) {
        const existing = err instanceof DomainError && err.code === "conflict" ? err.details.invoiceId : undefined;
        if (typeof existing === "string") {
          res.redirect(303, `/billing/invoices/${existing}?error=exists`);
          return;
        }
        throw err;
      }
    } catch (err) {
      next(err);
    }
  });

  router.get("/billing/invoices/:id", billingStaff, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const invoice = await readInvoice(ctx.db, accessOf(session, req), idParam(req));
      const clinic = await getClinic(ctx.db, session.user.clinicId);
      const format = new ClinicFormat(locale, clinic.timeZone);
      const names = await clinicNames(ctx, session.user.clinicId, locale);
      const money = (minor: number) => formatMoney(minor, invoice.currency, locale);
      const error = typeof req.query.error === "string" && req.query.error in ERRORS ? req.query.error : null;
      const done = typeof req.query.done === "string" && req.query.done in DONE ? req.query.done : null;
      const b = invoice.balance;
      renderPage(res, "invoice", {
        title: invoice.number ? t("billInvoiceNumbered", { number: invoice.number }) : t("billDraftTitle"),
        billingVersion: BILLING_ASSET_VERSION,
        error: error ? t(ERRORS[error as FormError]) : null,
        flash: done ? t(DONE[done as keyof typeof DONE]) : null,
        inv: {
          id: invoice.id,
          status: invoice.status,
          statusLabel: t(INVOICE_STATUS_LABEL[invoice.status]),
          draft: invoice.status === "draft",
          payable: invoice.status === "issued" || invoice.status === "partly_paid",
          voidable: (invoice.status === "draft" || invoice.status === "issued") && invoice.payments.length === 0,
          printable: invoice.status !== "draft",
          patient: personName(invoice.patient),
          patientId: invoice.patient.id,
          appointment: invoice.appointment
            ? {
                when: format.dateTimeOf(invoice.appointment.startsAt),
                doctor: names.doctor.get(invoice.appointment.doctorId) ?? "—",
                type: names.type.get(invoice.appointment.typeId) ?? "—",
              }
            : null,
          issuedAt: invoice.issuedAt ? format.dateTimeOf(invoice.issuedAt) : null,
          insurer: invoice.insurer
            ? `${invoice.insurer.name} (${formatShare(invoice.insurerShareBp, locale)})`
            : t("billNoInsurer"),
          hasInsurerPart: invoice.insurerPartMinor > 0,
          voidReason: invoice.voidReason,
          voidedAt: invoice.voidedAt ? format.dateTimeOf(invoice.voidedAt) : null,
          total: money(invoice.totalMinor),
          totalMinor: invoice.totalMinor,
          insurerPart: money(invoice.insurerPartMinor),
          patientPart: money(invoice.patientPartMinor),
          paidByPatient: money(b.paidByPatientMinor),
          paidByInsurer: money(b.paidByInsurerMinor),
          patientDue: money(b.patientDueMinor),
          insurerDue: money(b.insurerDueMinor),
          due: money(b.dueMinor),
          suggestedAmount: amountInput(
            b.patientDueMinor > 0 ? b.patientDueMinor : b.insurerDueMinor,
            invoice.currency,
            locale,
          ),
          suggestedPayer: b.patientDueMinor > 0 ? "patient" : "insurer",
        },
        lines: invoice.lines.map((l) => ({
          id: l.id,
          description: l.description,
          quantity: l.quantity,
          unit: money(l.unitPriceMinor),
          amount: money(l.amountMinor),
        })),
        payments: invoice.payments.map((p) => ({
          when: format.dateTimeOf(p.receivedAt),
          payer: t(p.payer === "patient" ? "billPayerPatient" : "billPayerInsurer"),
          method: t(METHOD_LABEL[p.method]),
          amount: money(p.amountMinor),
          reference: p.reference ?? "",
        })),
        methods: METHODS.map((m) => ({ value: m, label: t(METHOD_LABEL[m]) })),
        currency: invoice.currency,
      });
    } catch (err) {
      next(err);
    }
  });

  /** Runs a change on one invoice, then back to its page with a flash or the refusal's message. */
  function invoiceAction(
    path: string,
    done: keyof typeof DONE,
    run: (access: BillingAccess, invoiceId: string, req: Request, currency: string) => Promise<FormError | void>,
  ): void {
    router.post(path, form, billingStaff, async (req: Request, res: Response, next) => {
      try {
        const session = mustSession(res);
        const id = idParam(req);
        const access = accessOf(session, req);
        const inv = await ctx.db.prisma.invoice.findFirst({
          where: { id, clinicId: session.user.clinicId },
          select: { currency: true },
        });
        if (!inv) throw notFound("invoice", id);
        let outcome: FormError | void;
        try {
          outcome = await run(access, id, req, inv.currency);
        } catch (err) {
          const refusal = refusalOf(err);
          if (!refusal) throw err;
          outcome = refusal;
        }
        res.redirect(303, `/billing/invoices/${id}?${outcome ? `error=${outcome}` : `done=${done}`}`);
      } catch (err) {
        next(err);
      }
    });
  }

  invoiceAction("/billing/invoices/:id/lines", "line", async (access, id, req, currency) => {
    const unitPriceMinor = parseAmount(field(req, "unitPrice"), currency);
    const quantity = Number(field(req, "quantity") || "1");
    if (unitPriceMinor === null) return "amount";
    await addInvoiceLine(ctx.db, access, id, { description: field(req, "description"), quantity, unitPriceMinor });
  });

  invoiceAction("/billing/invoices/:id/lines/:lineId/delete", "line", async (access, id, req) => {
    await removeInvoiceLine(ctx.db, access, id, idParam(req, "lineId"));
  });

  invoiceAction("/billing/invoices/:id/issue", "issued", async (access, id, req) => {
    // The total the secretary saw: a line added meanwhile (another tab) stops the issue.
    const seen = Number(field(req, "expectedTotal"));
    await issueInvoice(ctx.db, access, id, ctx.now(), Number.isSafeInteger(seen) ? { expectedTotalMinor: seen } : {});
  });

  invoiceAction("/billing/invoices/:id/payments", "paid", async (access, id, req, currency) => {
    const amountMinor = parseAmount(field(req, "amount"), currency);
    const payer = field(req, "payer");
    const method = METHODS.find((m) => m === field(req, "method"));
    if (amountMinor === null || amountMinor === 0) return "amount";
    if ((payer !== "patient" && payer !== "insurer") || !method) return "method";
    await recordPayment(
      ctx.db,
      access,
      id,
      { payer, method, amountMinor, reference: field(req, "reference").slice(0, 100) },
      ctx.now(),
    );
  });

  invoiceAction("/billing/invoices/:id/void", "voided", async (access, id, req) => {
    await voidInvoice(ctx.db, access, id, field(req, "reason"), ctx.now());
  });

  router.get("/billing/invoices/:id/pdf", billingStaff, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const invoice = await readInvoice(ctx.db, accessOf(session, req), idParam(req), "invoice.print");
      if (invoice.status === "draft") {
        res.redirect(303, `/billing/invoices/${invoice.id}?error=state`);
        return;
      }
      const [clinic, patient] = await Promise.all([
        getClinic(ctx.db, session.user.clinicId),
        ctx.db.prisma.patient.findUniqueOrThrow({
          where: { id: invoice.patient.id },
          select: { preferredLocale: true, insuranceNumber: true },
        }),
      ]);
      // The invoice is handed to the patient: it speaks their language.
      const locale = patient.preferredLocale;
      const names = await clinicNames(ctx, session.user.clinicId, locale);
      const pdf = await renderInvoicePdf({
        invoice,
        clinic,
        locale,
        t: translator(locale),
        doctor: invoice.appointment ? (names.doctor.get(invoice.appointment.doctorId) ?? null) : null,
        insuranceNumber: patient.insuranceNumber,
      });
      res
        .status(200)
        .set("Cache-Control", "no-store")
        .type("application/pdf")
        .attachment(`${locale === "fr" ? "facture" : "invoice"}-${invoice.number}.pdf`)
        .send(pdf);
    } catch (err) {
      next(err);
    }
  });
}

/** An amount as the payment form pre-fills it: "9,50" in French, "9.50" in English. */
function amountInput(minor: number, currency: string, locale: "fr" | "en"): string {
  const text = decimalString(minor, currency);
  return locale === "fr" ? text.replace(".", ",") : text;
}

async function clinicNames(ctx: AppContext, clinicId: string, locale: "fr" | "en") {
  const [doctors, types] = await Promise.all([
    ctx.db.prisma.doctor.findMany({ where: { clinicId } }),
    ctx.db.prisma.appointmentType.findMany({ where: { clinicId } }),
  ]);
  return {
    doctor: new Map(doctors.map((d) => [d.id, doctorName(d)])),
    type: new Map(types.map((t) => [t.id, locale === "fr" ? t.nameFr : t.nameEn])),
  };
}
