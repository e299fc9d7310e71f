import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Request, Response, Router } from "express";
import type { AppContext } from "../context.js";
import type { Channel } from "../data/generated/client.js";
import { ClinicClock, type LocalDate } from "../domain/clinic-time.js";
import { getClinic } from "../domain/directory.js";
import { isDomainError } from "../domain/errors.js";
import { decimalString, formatMoney, minorDigits } from "../domain/money.js";
import { clinicReport, type ClinicReport, type ReportRange } from "../domain/reports.js";
import { toCsv, type CsvCell } from "../lib/csv.js";
import { BILLING_ASSET_VERSION, METHOD_LABEL } from "./billing.js";
import { actorOf, guard, mustSession, renderError } from "./http.js";
import type { ConsoleLocale, MessageKey, Translate } from "./i18n.js";
import { renderPage, type PageLocals } from "./render.js";

/*
 * Activity and money reports over a range of days in the clinic's time zone, drawn with
 * Chart.js (served from node_modules) above plain tables that carry the same figures for
 * screen readers and printing, each exportable as CSV. Doctors see their own activity only.
 */

// chart.js exports no subpath for its browser bundle: find it beside the package's CommonJS entry.
export const CHART_FILE = path.join(
  path.dirname(createRequire(import.meta.url).resolve("chart.js")),
  "chart.umd.min.js",
);
const ASSET_CACHE = { maxAge: "365d", immutable: true } as const;
/** Changes with Chart.js and the page's own assets, so a year-long cache never serves a stale one. */
const REPORT_ASSET_VERSION = createHash("sha256")
  .update(BILLING_ASSET_VERSION)
  .update(readFileSync(CHART_FILE))
  .digest("hex")
  .slice(0, 10);
const LOCAL_DAY = /^\d{4}-\d{2}-\d{2}$/;
const DEFAULT_DAYS = 30;

const CHANNEL_LABEL: Record<Channel, MessageKey> = {
  telegram: "repChannelTelegram",
  whatsapp: "repChannelWhatsapp",
  sms: "repChannelSms",
  web: "repChannelWeb",
  console: "repChannelConsole",
  api: "repChannelApi",
};

const TABLES = ["days", "doctors", "specialties", "channels", "utilization", "revenue", "payments"] as const;
type Table = (typeof TABLES)[number];
const MONEY_TABLES: readonly Table[] = ["revenue", "payments"];

interface Asked {
  range: ReportRange;
  valid: boolean;
}

/** The asked range, or the last 30 days up to today in the clinic's zone. */
function askedRange(req: Request, clock: ClinicClock, today: LocalDate): Asked {
  const from = typeof req.query.from === "string" ? req.query.from : "";
  const to = typeof req.query.to === "string" ? req.query.to : "";
  if (!from && !to) return { range: { from: clock.addDays(today, -(DEFAULT_DAYS - 1)), to: today }, valid: true };
  return { range: { from, to }, valid: LOCAL_DAY.test(from) && LOCAL_DAY.test(to) };
}

function shortcuts(clock: ClinicClock, today: LocalDate) {
  const year = today.slice(0, 4);
  const monthStart = `${today.slice(0, 7)}-01`;
  const lastMonthEnd = clock.addDays(monthStart, -1);
  return [
    { key: "repLast7" as const, from: clock.addDays(today, -6), to: today },
    { key: "repLast30" as const, from: clock.addDays(today, -29), to: today },
    { key: "repThisMonth" as const, from: monthStart, to: today },
    { key: "repLastMonth" as const, from: `${lastMonthEnd.slice(0, 7)}-01`, to: lastMonthEnd },
    { key: "repThisYear" as const, from: `${year}-01-01`, to: today },
  ];
}

export function reportRoutes(router: Router, ctx: AppContext): void {
  router.get("/assets/chart.umd.min.js", (_req, res) => res.sendFile(CHART_FILE, ASSET_CACHE));

  router.get("/reports", guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const clinic = await getClinic(ctx.db, session.user.clinicId);
      const clock = new ClinicClock(clinic.timeZone);
      const today = clock.dayOf(ctx.now());
      const asked = askedRange(req, clock, today);
      const base = {
        title: session.user.role === "doctor" ? t("repTitleMine") : t("repTitle"),
        billingVersion: BILLING_ASSET_VERSION,
        reportVersion: REPORT_ASSET_VERSION,
        from: asked.range.from,
        to: asked.range.to,
        shortcuts: shortcuts(clock, today).map((s) => ({
          label: t(s.key),
          href: `/reports?from=${s.from}&to=${s.to}`,
        })),
      };
      let report: ClinicReport | null = null;
      if (asked.valid) {
        try {
          report = await clinicReport(
            ctx.db,
            { clinicId: session.user.clinicId, actor: actorOf(session) },
            asked.range,
          );
        } catch (err) {
          if (!isDomainError(err, "invalid")) throw err;
        }
      }
      if (!report) {
        renderPage(res, "reports", { ...base, error: t("repBadRange"), report: null }, { status: 400 });
        return;
      }
      renderPage(res, "reports", { ...base, error: null, report: present(report, t, locale) });
    } catch (err) {
      next(err);
    }
  });

  router.get("/reports/export.csv", guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const table = TABLES.find((x) => x === req.query.table);
      if (!table) return renderError(res, 404, "notFound");
      if (session.user.role === "doctor" && MONEY_TABLES.includes(table)) return renderError(res, 403, "forbidden");
      const clinic = await getClinic(ctx.db, session.user.clinicId);
      const clock = new ClinicClock(clinic.timeZone);
      const asked = askedRange(req, clock, clock.dayOf(ctx.now()));
      if (!asked.valid) return badRange(res, t);
      let report: ClinicReport;
      try {
        report = await clinicReport(ctx.db, { clinicId: session.user.clinicId, actor: actorOf(session) }, asked.range);
      } catch (err) {
        if (isDomainError(err, "invalid")) return badRange(res, t);
        throw err;
      }
      const { header, rows } = csvTable(report, table, t, locale);
      res
        .status(200)
        .set("Cache-Control", "no-store")
        .type("text/csv; charset=utf-8")
        .attachment(`tabib-${table}-${asked.range.from}-${asked.range.to}.csv`)
        .send(toCsv(header, rows));
    } catch (err) {
      next(err);
    }
  });
}

function badRange(res: Response, t: Translate): void {
  res.status(400).type("text/plain; charset=utf-8").send(t("repBadRange"));
}

const specialtyName = (s: { nameFr: string | null; nameEn: string | null }, t: Translate, locale: ConsoleLocale) =>
  (locale === "fr" ? s.nameFr : s.nameEn) ?? t("repNoSpecialty");

/** Rounded to 4 decimals for CSV: a rate is a fraction (0.125 = 12.5 %). */
const fraction = (x: number | null): CsvCell => (x === null ? null : Math.round(x * 10_000) / 10_000);

function csvTable(
  report: ClinicReport,
  table: Table,
  t: Translate,
  locale: ConsoleLocale,
): { header: string[]; rows: CsvCell[][] } {
  const counts = [t("repAppointments"), t("repCancelled"), t("repNoShows"), t("repSeen")];
  switch (table) {
    case "days":
      return {
        header: [t("date"), ...counts],
        rows: report.perDay.map((d) => [d.day, d.total, d.cancelled, d.noShow, d.completed]),
      };
    case "doctors":
      return {
        header: [t("doctor"), ...counts],
        rows: report.perDoctor.map((d) => [d.name, d.total, d.cancelled, d.noShow, d.completed]),
      };
    case "specialties":
      return {
        header: [t("repSpecialty"), ...counts],
        rows: report.perSpecialty.map((s) => [
          specialtyName(s, t, locale),
          s.total,
          s.cancelled,
          s.noShow,
          s.completed,
        ]),
      };
    case "channels":
      return {
        header: [t("channel"), ...counts],
        rows: report.perChannel.map((c) => [t(CHANNEL_LABEL[c.channel]), c.total, c.cancelled, c.noShow, c.completed]),
      };
    case "utilization":
      return {
        header: [t("doctor"), t("repWorkingMinutes"), t("repBookedMinutes"), t("repUtilization")],
        rows: report.utilization.map((u) => [u.name, u.workingMinutes, u.bookedMinutes, fraction(u.rate)]),
      };
    case "revenue": {
      const money = report.money!;
      return {
        header: [t("date"), t("repRevenue"), t("repCurrency")],
        rows: money.revenueByDay.map((d) => [d.day, decimalString(d.amountMinor, money.currency), money.currency]),
      };
    }
    case "payments": {
      const money = report.money!;
      return {
        header: [t("billPayer"), t("billMethod"), t("billAmount"), t("repCurrency")],
        rows: money.revenueByMethod.map((p) => [
          t(p.payer === "patient" ? "billPayerPatient" : "billPayerInsurer"),
          t(METHOD_LABEL[p.method]),
          decimalString(p.amountMinor, money.currency),
          money.currency,
        ]),
      };
    }
  }
}

/** The report as the page shows it: formatted figures, table rows and the charts' data. */
function present(report: ClinicReport, t: Translate, locale: ConsoleLocale) {
  const tag = locale === "fr" ? "fr-FR" : "en-GB";
  const pct = new Intl.NumberFormat(tag, { style: "percent", maximumFractionDigits: 1 });
  const num = new Intl.NumberFormat(tag);
  const hours = new Intl.NumberFormat(tag, { maximumFractionDigits: 1 });
  const shortDay = new Intl.DateTimeFormat(tag, { timeZone: "UTC", day: "numeric", month: "short" });
  const longDay = new Intl.DateTimeFormat(tag, { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" });
  const dayLabel = (d: LocalDate, f = shortDay) => f.format(new Date(`${d}T12:00:00Z`));
  const rate = (x: number | null) => (x === null ? "—" : pct.format(x));
  const money = report.money;
  const cash = (minor: number) => (money ? formatMoney(minor, money.currency, locale) : "");
  const r = report.rates;
  const csv = (table: Table) => `/reports/export.csv?table=${table}&from=${report.range.from}&to=${report.range.to}`;

  return {
    scope: report.scope,
    rangeLabel: t("repRangeLabel", {
      from: dayLabel(report.range.from, longDay),
      to: dayLabel(report.range.to, longDay),
    }),
    tiles: [
      { label: t("repAppointments"), value: num.format(r.appointments) },
      { label: t("repCancellationRate"), value: rate(r.cancellationRate) },
      { label: t("repNoShowRate"), value: rate(r.noShowRate) },
      { label: t("repConfirmationRate"), value: rate(r.confirmationRate) },
      ...(money
        ? [
            { label: t("repRevenue"), value: cash(money.revenueMinor), money: true },
            { label: t("repInvoiced"), value: cash(money.invoicedMinor), money: true },
            { label: t("repReceivables"), value: cash(money.receivables.totalMinor), money: true },
          ]
        : []),
    ],
    csv: Object.fromEntries(TABLES.map((x) => [x, csv(x)])),
    days: report.perDay.map((d) => ({
      day: dayLabel(d.day, longDay),
      total: d.total,
      cancelled: d.cancelled,
      noShow: d.noShow,
    })),
    doctors: report.perDoctor.map((d) => ({ ...d })),
    specialties: report.perSpecialty.map((s) => ({ name: specialtyName(s, t, locale), ...s })),
    channels: report.perChannel.map((c) => ({ name: t(CHANNEL_LABEL[c.channel]), ...c })),
    rates: {
      cancellation: t("repRateOf", { count: r.cancelled, of: r.appointments, rate: rate(r.cancellationRate) }),
      noShow: t("repRateOf", { count: r.noShow, of: r.withOutcome, rate: rate(r.noShowRate) }),
      confirmation: t("repRateOf", {
        count: r.remindersConfirmed,
        of: r.remindersSent,
        rate: rate(r.confirmationRate),
      }),
    },
    utilization: report.utilization.map((u) => ({
      name: u.name,
      working: hours.format(u.workingMinutes / 60),
      booked: hours.format(u.bookedMinutes / 60),
      rate: rate(u.rate),
    })),
    money: money
      ? {
          revenue: cash(money.revenueMinor),
          invoiced: cash(money.invoicedMinor),
          invoices: money.invoices,
          patientDue: cash(money.receivables.patientMinor),
          insurerDue: cash(money.receivables.insurerMinor),
          receivables: cash(money.receivables.totalMinor),
          byMethod: money.revenueByMethod.map((p) => ({
            payer: t(p.payer === "patient" ? "billPayerPatient" : "billPayerInsurer"),
            method: t(METHOD_LABEL[p.method]),
            amount: cash(p.amountMinor),
          })),
          byDay: money.revenueByDay
            .filter((d) => d.amountMinor > 0)
            .map((d) => ({ day: dayLabel(d.day, longDay), amount: cash(d.amountMinor) })),
        }
      : null,
    // What reports.js draws; the tables below each chart carry the same numbers.
    charts: {
      locale: tag,
      currency: money?.currency ?? null,
      labels: {
        kept: t("repKept"),
        cancelled: t("repCancelled"),
        appointments: t("repAppointments"),
        utilization: t("repUtilization"),
        revenue: t("repRevenue"),
      },
      days: {
        labels: report.perDay.map((d) => dayLabel(d.day)),
        kept: report.perDay.map((d) => d.total - d.cancelled),
        cancelled: report.perDay.map((d) => d.cancelled),
      },
      doctors: { labels: report.perDoctor.map((d) => d.name), values: report.perDoctor.map((d) => d.total) },
      specialties: {
        labels: report.perSpecialty.map((s) => specialtyName(s, t, locale)),
        values: report.perSpecialty.map((s) => s.total),
      },
      channels: {
        labels: report.perChannel.map((c) => t(CHANNEL_LABEL[c.channel])),
        values: report.perChannel.map((c) => c.total),
      },
      utilization: {
        labels: report.utilization.map((u) => u.name),
        values: report.utilization.map((u) => (u.rate === null ? 0 : Math.round(u.rate * 1000) / 10)),
      },
      revenue: money
        ? {
            labels: money.revenueByDay.map((d) => dayLabel(d.day)),
            values: money.revenueByDay.map((d) => d.amountMinor / 10 ** minorDigits(money.currency)),
          }
        : null,
    },
  };
}
