import type { Database } from "../data/db.js";
import type { Channel, Payer, PaymentMethod } from "../data/generated/client.js";
import { ClinicClock, type LocalDate } from "./clinic-time.js";
import { doctorName } from "./doctor-name.js";
import { invalid, notFound } from "./errors.js";
import type { StaffActor } from "./staff.js";

/*
 * Activity and money figures over a range of local days in the clinic's time zone.
 * Definitions (shown to staff next to the figures):
 * - appointments: those starting in the range that were booked (confirmed, seen, missed or
 *   cancelled); requests never accepted and declined ones are not appointments;
 * - cancellation rate: cancelled / appointments;
 * - no-show rate: missed / (seen + missed), the appointments whose outcome is known;
 * - reminder confirmation rate: appointments whose confirmation reminder was sent and that the
 *   patient then confirmed from it ("reminder confirmed" in their history) / those sent one;
 * - utilization: minutes booked (not cancelled) / working minutes (weekly hours minus leave,
 *   holidays and blocked time), per doctor;
 * - revenue: payments received in the range; invoiced: totals of invoices issued in the range
 *   (void ones aside); receivables: what those invoices still owe today, patient and insurer.
 * Doctors see their own activity only and no money figures. Only counts and sums leave this
 * module, never a patient's identity, so reading a report is not a read of patient records.
 */

export interface ReportAccess {
  clinicId: string;
  actor: StaffActor;
}

/** Local days, both ends included. */
export interface ReportRange {
  from: LocalDate;
  to: LocalDate;
}

export const MAX_REPORT_DAYS = 366;

export interface ActivityCounts {
  /** Booked appointments (confirmed, seen, missed or cancelled). */
  total: number;
  cancelled: number;
  noShow: number;
  completed: number;
}

export interface DayActivity extends ActivityCounts {
  day: LocalDate;
}
export interface DoctorActivity extends ActivityCounts {
  doctorId: string;
  name: string;
}
export interface SpecialtyActivity extends ActivityCounts {
  /** Null: appointment types attached to no specialty. */
  specialtyId: string | null;
  nameFr: string | null;
  nameEn: string | null;
}
export interface ChannelActivity extends ActivityCounts {
  channel: Channel;
}

export interface Rates {
  appointments: number;
  cancelled: number;
  /** Null when there is nothing to divide by. */
  cancellationRate: number | null;
  withOutcome: number;
  noShow: number;
  noShowRate: number | null;
  remindersSent: number;
  remindersConfirmed: number;
  confirmationRate: number | null;
}

export interface Utilization {
  doctorId: string;
  name: string;
  workingMinutes: number;
  bookedMinutes: number;
  rate: number | null;
}

export interface MoneyFigures {
  currency: string;
  revenueMinor: number;
  revenueByDay: { day: LocalDate; amountMinor: number }[];
  revenueByMethod: { payer: Payer; method: PaymentMethod; amountMinor: number }[];
  invoicedMinor: number;
  invoices: number;
  receivables: { patientMinor: number; insurerMinor: number; totalMinor: number };
}

export interface ClinicReport {
  range: ReportRange & { days: LocalDate[] };
  timeZone: string;
  /** "doctor": a doctor's own activity only. */
  scope: "clinic" | "doctor";
  perDay: DayActivity[];
  perDoctor: DoctorActivity[];
  perSpecialty: SpecialtyActivity[];
  perChannel: ChannelActivity[];
  rates: Rates;
  utilization: Utilization[];
  /** Null for doctors. */
  money: MoneyFigures | null;
}

const LOCAL_DAY = /^\d{4}-\d{2}-\d{2}$/;
const MINUTE = 60_000;

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);
const empty = (): ActivityCounts => ({ total: 0, cancelled: 0, noShow: 0, completed: 0 });

/** Checks a range of local days; returns its instants [from, to) in the clinic's zone. */
export function rangeInstants(clock: ClinicClock, range: ReportRange): { from: Date; to: Date; days: LocalDate[] } {
  for (const [field, day] of [
    ["from", range.from],
    ["to", range.to],
  ] as const) {
    const parsed = new Date(`${day}T00:00:00Z`);
    if (!LOCAL_DAY.test(day) || Number.isNaN(+parsed) || parsed.toISOString().slice(0, 10) !== day)
      throw invalid(field, "a date as YYYY-MM-DD");
  }
  if (range.to < range.from) throw invalid("to", "must not be before from");
  const from = new Date(clock.at(range.from, 0));
  const to = new Date(clock.at(clock.addDays(range.to, 1), 0));
  const days = clock.daysBetween(from, to);
  if (days.length > MAX_REPORT_DAYS) throw invalid("to", `at most ${MAX_REPORT_DAYS} days`);
  return { from, to, days };
}

/** The whole report for a range; doctors get their own figures only. */
export async function clinicReport(db: Database, access: ReportAccess, range: ReportRange): Promise<ClinicReport> {
  const clinic = await db.prisma.clinic.findUnique({
    where: { id: access.clinicId },
    select: { timeZone: true, currency: true },
  });
  if (!clinic) throw notFound("clinic", access.clinicId);
  const clock = new ClinicClock(clinic.timeZone);
  const { from, to, days } = rangeInstants(clock, range);
  const doctorOnly =
    access.actor.role === "doctor" ? (access.actor.doctorId ?? "00000000-0000-0000-0000-000000000000") : null;

  const [activity, reminders, doctors, specialties, utilization, money] = await Promise.all([
    activityRows(db, access.clinicId, clinic.timeZone, from, to, doctorOnly),
    reminderCounts(db, access.clinicId, from, to, doctorOnly),
    db.prisma.doctor.findMany({
      where: { clinicId: access.clinicId, ...(doctorOnly ? { id: doctorOnly } : {}) },
      orderBy: [{ lastName: "asc" }, { firstName: "asc" }],
    }),
    db.prisma.specialty.findMany({ where: { clinicId: access.clinicId }, orderBy: { nameFr: "asc" } }),
    workingMinutes(db, access.clinicId, clock, from, to, doctorOnly),
    doctorOnly ? Promise.resolve(null) : moneyFigures(db, access.clinicId, clinic.timeZone, clinic.currency, from, to),
  ]);

  const perDayMap = new Map(days.map((d) => [d, { day: d, ...empty() }]));
  const doctorCounts = new Map<string, ActivityCounts & { bookedMinutes: number }>();
  const specialtyCounts = new Map<string | null, ActivityCounts>();
  const channelCounts = new Map<Channel, ActivityCounts>();
  const add = (into: ActivityCounts, r: ActivityRow) => {
    into.total += r.total;
    into.cancelled += r.cancelled;
    into.noShow += r.no_show;
    into.completed += r.completed;
  };
  for (const raw of activity) {
    const r = normalize(raw);
    if (r.grouping === "day") {
      const day = perDayMap.get(r.day!);
      if (day) add(day, r);
    } else if (r.grouping === "doctor") {
      const c = { ...empty(), bookedMinutes: r.booked_minutes };
      add(c, r);
      doctorCounts.set(r.doctor_id!, c);
    } else if (r.grouping === "specialty") {
      const c = empty();
      add(c, r);
      specialtyCounts.set(r.specialty_id, c);
    } else {
      const c = empty();
      add(c, r);
      channelCounts.set(r.channel!, c);
    }
  }

  const names = new Map(doctors.map((d) => [d.id, doctorName(d)]));
  // Active doctors always appear; inactive ones only when they had appointments in the range.
  const shownDoctors = doctors.filter((d) => d.active || doctorCounts.has(d.id));
  const perDoctor = shownDoctors.map((d) => {
    const { bookedMinutes: _minutes, ...counts } = doctorCounts.get(d.id) ?? { ...empty(), bookedMinutes: 0 };
    return { doctorId: d.id, name: names.get(d.id)!, ...counts };
  });
  const specialtyById = new Map(specialties.map((s) => [s.id, s]));
  const perSpecialty = [...specialtyCounts.entries()]
    .map(([id, counts]) => {
      const s = id ? specialtyById.get(id) : undefined;
      return { specialtyId: id, nameFr: s?.nameFr ?? null, nameEn: s?.nameEn ?? null, ...counts };
    })
    .sort((a, b) => b.total - a.total || (a.nameFr ?? "~").localeCompare(b.nameFr ?? "~"));
  const perChannel = [...channelCounts.entries()]
    .map(([channel, counts]) => ({ channel, ...counts }))
    .sort((a, b) => b.total - a.total || a.channel.localeCompare(b.channel));

  const totals = perDoctor.reduce((sum, d) => {
    add(sum, { total: d.total, cancelled: d.cancelled, no_show: d.noShow, completed: d.completed } as ActivityRow);
    return sum;
  }, empty());
  const withOutcome = totals.completed + totals.noShow;

  return {
    range: { ...range, days },
    timeZone: clinic.timeZone,
    scope: doctorOnly ? "doctor" : "clinic",
    perDay: [...perDayMap.values()],
    perDoctor,
    perSpecialty,
    perChannel,
    rates: {
      appointments: totals.total,
      cancelled: totals.cancelled,
      cancellationRate: ratio(totals.cancelled, totals.total),
      withOutcome,
      noShow: totals.noShow,
      noShowRate: ratio(totals.noShow, withOutcome),
      remindersSent: reminders.sent,
      remindersConfirmed: reminders.confirmed,
      confirmationRate: ratio(reminders.confirmed, reminders.sent),
    },
    utilization: shownDoctors.map((d) => {
      const working = utilization.get(d.id) ?? 0;
      const booked = doctorCounts.get(d.id)?.bookedMinutes ?? 0;
      return {
        doctorId: d.id,
        name: names.get(d.id)!,
        workingMinutes: working,
        bookedMinutes: booked,
        rate: ratio(booked, working),
      };
    }),
    money,
  };
}

interface ActivityRow {
  grouping: "day" | "doctor" | "specialty" | "channel";
  day: string | null;
  doctor_id: string | null;
  specialty_id: string | null;
  channel: Channel | null;
  total: number;
  cancelled: number;
  no_show: number;
  completed: number;
  booked_minutes: number;
}

function normalize(r: ActivityRow): ActivityRow {
  return {
    ...r,
    total: Number(r.total),
    cancelled: Number(r.cancelled),
    no_show: Number(r.no_show),
    completed: Number(r.completed),
    booked_minutes: Number(r.booked_minutes),
  };
}

/** Counts per local day, doctor, specialty and channel in one pass (grouping sets). */
function activityRows(
  db: Database,
  clinicId: string,
  timeZone: string,
  from: Date,
  to: Date,
  doctorOnly: string | null,
): Promise<ActivityRow[]> {
  return db.sql.query<ActivityRow>(
    `SELECT CASE GROUPING(to_char(a.starts_at AT TIME ZONE $4, 'YYYY-MM-DD'), a.doctor_id, t.specialty_id, a.source_channel)
              WHEN 7 THEN 'day' WHEN 11 THEN 'doctor' WHEN 13 THEN 'specialty' ELSE 'channel' END AS grouping,
            to_char(a.starts_at AT TIME ZONE $4, 'YYYY-MM-DD') AS day, a.doctor_id, t.specialty_id,
            a.source_channel AS channel,
            count(*)::int AS total,
            count(*) FILTER (WHERE a.status = 'cancelled')::int AS cancelled,
            count(*) FILTER (WHERE a.status = 'no_show')::int AS no_show,
            count(*) FILTER (WHERE a.status = 'completed')::int AS completed,
            coalesce(sum(extract(epoch FROM a.ends_at - a.starts_at) / 60) FILTER (WHERE a.status <> 'cancelled'), 0)::int
              AS booked_minutes
       FROM appointment a JOIN appointment_type t ON t.id = a.type_id
      WHERE a.clinic_id = $1::uuid AND a.starts_at >= $2 AND a.starts_at < $3
        AND a.status IN ('confirmed', 'completed', 'no_show', 'cancelled')
        AND ($5::uuid IS NULL OR a.doctor_id = $5::uuid)
      GROUP BY GROUPING SETS ((to_char(a.starts_at AT TIME ZONE $4, 'YYYY-MM-DD')), (a.doctor_id), (t.specialty_id), (a.source_channel))`,
    [clinicId, from, to, timeZone, doctorOnly],
  );
}

async function reminderCounts(
  db: Database,
  clinicId: string,
  from: Date,
  to: Date,
  doctorOnly: string | null,
): Promise<{ sent: number; confirmed: number }> {
  const [row] = await db.sql.query<{ sent: number; confirmed: number }>(
    `SELECT count(*)::int AS sent,
            count(*) FILTER (WHERE EXISTS (
              SELECT 1 FROM appointment_event e
               WHERE e.appointment_id = a.id AND e.reason = 'reminder confirmed'))::int AS confirmed
       FROM appointment a
      WHERE a.clinic_id = $1::uuid AND a.starts_at >= $2 AND a.starts_at < $3
        AND ($4::uuid IS NULL OR a.doctor_id = $4::uuid)
        AND EXISTS (SELECT 1 FROM reminder r WHERE r.appointment_id = a.id AND r.kind = 'confirm' AND r.status = 'sent')`,
    [clinicId, from, to, doctorOnly],
  );
  return { sent: Number(row?.sent ?? 0), confirmed: Number(row?.confirmed ?? 0) };
}

/** Working minutes per doctor over [from, to): weekly hours minus leave, holidays and blocked time. */
async function workingMinutes(
  db: Database,
  clinicId: string,
  clock: ClinicClock,
  from: Date,
  to: Date,
  doctorOnly: string | null,
): Promise<Map<string, number>> {
  const [hours, exceptions] = await Promise.all([
    db.prisma.workingHours.findMany({
      where: { doctor: { clinicId, ...(doctorOnly ? { id: doctorOnly } : {}) } },
    }),
    db.prisma.scheduleException.findMany({
      where: {
        clinicId,
        startsAt: { lt: to },
        endsAt: { gt: from },
        ...(doctorOnly ? { OR: [{ doctorId: doctorOnly }, { doctorId: null }] } : {}),
      },
    }),
  ]);
  const days = clock.daysBetween(from, to);
  const clinicWide = exceptions.filter((e) => e.doctorId === null);
  const byDoctor = new Map<string, typeof hours>();
  for (const h of hours) byDoctor.set(h.doctorId, [...(byDoctor.get(h.doctorId) ?? []), h]);
  const out = new Map<string, number>();
  for (const [doctorId, blocks] of byDoctor) {
    const off = [...clinicWide, ...exceptions.filter((e) => e.doctorId === doctorId)].map(
      (e) => [+e.startsAt, +e.endsAt] as [number, number],
    );
    let minutes = 0;
    for (const day of days) {
      const weekday = clock.weekday(day);
      for (const b of blocks) {
        if (b.weekday !== weekday) continue;
        if (b.validFrom && day < b.validFrom.toISOString().slice(0, 10)) continue;
        if (b.validUntil && day > b.validUntil.toISOString().slice(0, 10)) continue;
        const start = Math.max(clock.at(day, b.startMinute), +from);
        const end = Math.min(clock.at(day, b.endMinute), +to);
        if (end > start) minutes += (end - start - overlap(off, start, end)) / MINUTE;
      }
    }
    out.set(doctorId, Math.round(minutes));
  }
  return out;
}

/** Milliseconds of [start, end) covered by the union of the intervals. */
function overlap(intervals: [number, number][], start: number, end: number): number {
  const clipped = intervals
    .map(([s, e]) => [Math.max(s, start), Math.min(e, end)] as [number, number])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reach = start;
  for (const [s, e] of clipped) {
    if (e <= reach) continue;
    covered += e - Math.max(s, reach);
    reach = e;
  }
  return covered;
}

async function moneyFigures(
  db: Database,
  clinicId: string,
  timeZone: string,
  currency: string,
  from: Date,
  to: Date,
): Promise<MoneyFigures> {
  const [payments, invoiced] = await Promise.all([
    db.sql.query<{ day: string; payer: Payer; method: PaymentMethod; amount: string | number }>(
      `SELECT to_char(p.received_at AT TIME ZONE $4, 'YYYY-MM-DD') AS day, p.payer, p.method, sum(p.amount_minor) AS amount
         FROM payment p JOIN invoice i ON i.id = p.invoice_id
        WHERE i.clinic_id = $1::uuid AND i.currency = $5 AND p.received_at >= $2 AND p.received_at < $3
        GROUP BY 1, 2, 3`,
      [clinicId, from, to, timeZone, currency],
    ),
    db.sql.query<{
      invoices: number;
      total: string | number;
      insurer_due: string | number;
      patient_due: string | number;
    }>(
      `SELECT count(*)::int AS invoices, coalesce(sum(i.total_minor), 0) AS total,
              coalesce(sum(i.insurer_part_minor - coalesce(paid.insurer, 0)) FILTER (WHERE i.status IN ('issued', 'partly_paid')), 0) AS insurer_due,
              coalesce(sum(i.patient_part_minor - coalesce(paid.patient, 0)) FILTER (WHERE i.status IN ('issued', 'partly_paid')), 0) AS patient_due
         FROM invoice i
         LEFT JOIN LATERAL (
           SELECT sum(amount_minor) FILTER (WHERE payer = 'insurer') AS insurer,
                  sum(amount_minor) FILTER (WHERE payer = 'patient') AS patient
             FROM payment WHERE invoice_id = i.id) paid ON true
        WHERE i.clinic_id = $1::uuid AND i.currency = $4 AND i.status <> 'void' AND i.status <> 'draft'
          AND i.issued_at >= $2 AND i.issued_at < $3`,
      [clinicId, from, to, currency],
    ),
  ]);
  const byDay = new Map<string, number>();
  const byMethod = new Map<string, { payer: Payer; method: PaymentMethod; amountMinor: number }>();
  let revenue = 0;
  for (const p of payments) {
    const amount = Number(p.amount);
    revenue += amount;
    byDay.set(p.day, (byDay.get(p.day) ?? 0) + amount);
    const key = `${p.payer}|${p.method}`;
    const entry = byMethod.get(key) ?? { payer: p.payer, method: p.method, amountMinor: 0 };
    entry.amountMinor += amount;
    byMethod.set(key, entry);
  }
  const clock = new ClinicClock(timeZone);
  const inv = invoiced[0];
  const insurerMinor = Number(inv?.insurer_due ?? 0);
  const patientMinor = Number(inv?.patient_due ?? 0);
  return {
    currency,
    revenueMinor: revenue,
    revenueByDay: clock.daysBetween(from, to).map((day) => ({ day, amountMinor: byDay.get(day) ?? 0 })),
    revenueByMethod: [...byMethod.values()].sort((a, b) => b.amountMinor - a.amountMinor),
    invoicedMinor: Number(inv?.total ?? 0),
    invoices: Number(inv?.invoices ?? 0),
    receivables: { patientMinor, insurerMinor, totalMinor: patientMinor + insurerMinor },
  };
}
