// The demo clinic a newcomer finds at first start: eight weeks of a Paris practice's life and
// three weeks of bookings, as the domain would have left them. Seeded once on a fresh database
// (PGlite, or Postgres with DATABASE_URL) for "now" = Monday 7 December 2026, 10:40 in Paris.
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemo, seedDemoClinic } from "../../src/data/demo-clinic.js";
import { planDemoHistory, type DemoHistory } from "../../src/data/demo/history.js";
import { DEMO_SEED, readDemoClinicFacts } from "../../src/data/demo/seed.js";
import { listInvoices } from "../../src/domain/billing.js";
import { ClinicClock } from "../../src/domain/clinic-time.js";
import { listAppointments } from "../../src/domain/directory.js";
import { listEmergencies } from "../../src/domain/emergencies.js";
import { listHandoffs, readThread } from "../../src/domain/handoff.js";
import { noShowCandidates } from "../../src/domain/no-shows.js";
import { pendingNotices } from "../../src/domain/notices.js";
import { readClinicalRecord } from "../../src/domain/records.js";
import { appointmentsMissingReminders, dueReminders } from "../../src/domain/reminders.js";
import { clinicReport } from "../../src/domain/reports.js";
import type { StaffActor } from "../../src/domain/staff.js";
import { suggestSpecialtiesFor } from "../../src/domain/triage.js";
import { freedSlotsToOffer, listWaitlist } from "../../src/domain/waitlist.js";
import { handleInbound } from "../../src/flows/engine.js";
import { paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";

const NOW = paris("2026-12-07T10:40");
const db = await freshDatabase();
const clock = new ClinicClock("Europe/Paris");
const today = clock.dayOf(NOW);
let clinicId: string;
let secretary: StaffActor;
let doctor: StaffActor;

const rows = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);
const count = async (text: string, params: unknown[] = []) =>
  Number((await rows<{ n: number | string }>(text, params))[0]!.n);

beforeAll(async () => {
  const seeded = await seedDemo(db, { adminPassword: "demo-password-1", history: { now: NOW } });
  clinicId = seeded.clinicId;
  expect(seeded.credentials.map((c) => c.role)).toEqual(["admin", "secretary", "doctor"]);
  expect(seeded.history).toMatchObject({ from: "2026-10-12", to: "2026-12-27", patients: 160 });
  const staff = await db.prisma.staffUser.findMany({ where: { clinicId } });
  const sec = staff.find((s) => s.role === "secretary")!;
  const doc = staff.find((s) => s.role === "doctor")!;
  secretary = { kind: "staff", userId: sec.id, role: "secretary" };
  doctor = { kind: "staff", userId: doc.id, role: "doctor", doctorId: doc.doctorId };
});

describe("the pages a newcomer opens first have something to show", () => {
  it("today, a Monday, has visits already seen and patients still to come; so does tomorrow", async () => {
    const day = (d: string) => ({ from: new Date(clock.at(d, 0)), to: new Date(clock.at(clock.addDays(d, 1), 0)) });
    const todays = await listAppointments(db, clinicId, secretary, day(today));
    expect(
      todays.filter((a) => a.startsAt < NOW && ["completed", "confirmed"].includes(a.status)).length,
    ).toBeGreaterThan(0);
    expect(todays.filter((a) => a.startsAt > NOW && a.status === "confirmed").length).toBeGreaterThan(2);
    const tomorrow = await listAppointments(db, clinicId, secretary, day(clock.addDays(today, 1)));
    expect(tomorrow.filter((a) => ["confirmed", "requested"].includes(a.status)).length).toBeGreaterThan(2);
  });

  it("the request queue holds requests in the patients' own words, one the triage would send to cardiology", async () => {
    const requests = await listAppointments(db, clinicId, secretary, {
      from: new Date(clock.at(today, 0)),
      to: new Date(clock.at(clock.addDays(today, 30), 0)),
      status: ["requested"],
    });
    expect(requests.length).toBeGreaterThanOrEqual(3);
    expect(requests.every((a) => (a.reason ?? "").length > 10 && a.startsAt > NOW)).toBe(true);
    const [gp] = await rows<{ reason: string }>(
      `SELECT a.reason FROM appointment a JOIN appointment_type t ON t.id = a.type_id JOIN specialty s ON s.id = t.specialty_id
        WHERE a.status = 'requested' AND s.code = 'general'`,
    );
    expect((await suggestSpecialtiesFor(db, clinicId, gp!.reason))[0]?.specialty.code).toBe("cardiology");
    // Made while the clinic asked for approval; the admin has since switched it to instant booking.
    const [switched] = await rows<{ at: Date }>(`SELECT at FROM audit_log WHERE action = 'clinic.update'`);
    expect(
      await count(`SELECT count(*) AS n FROM appointment WHERE status = 'requested' AND created_at >= $1`, [
        switched!.at,
      ]),
    ).toBe(0);
    expect((await db.prisma.clinic.findUniqueOrThrow({ where: { id: clinicId } })).bookingMode).toBe("instant");
  });

  it("billing has invoices paid, partly paid, issued, a draft and a void one, and visits still to invoice", async () => {
    for (const status of ["paid", "partly_paid", "issued", "draft", "void"] as const)
      expect(
        (await listInvoices(db, { clinicId, actor: secretary }, { status: [status] })).length,
        status,
      ).toBeGreaterThan(0);
    const invoices = await listInvoices(db, { clinicId, actor: secretary }, { limit: 100 });
    expect(
      invoices.some((i) => i.status === "partly_paid" && i.balance.dueMinor > 0 && i.balance.paidByPatientMinor > 0),
    ).toBe(true);
    expect(
      await count(
        `SELECT count(*) AS n FROM appointment a WHERE a.status = 'completed' AND a.starts_at > $1
            AND NOT EXISTS (SELECT 1 FROM invoice i WHERE i.appointment_id = a.id)`,
        [new Date(+NOW - 4 * 86_400_000)],
      ),
    ).toBeGreaterThan(0);
  });

  it("the reports for the last eight weeks have activity, reminders answered, revenue and money owed", async () => {
    const report = await clinicReport(
      db,
      { clinicId, actor: secretary },
      { from: clock.addDays(today, -56), to: clock.addDays(today, -1) },
    );
    expect(report.rates.appointments).toBeGreaterThan(400);
    expect(report.rates.noShow).toBeGreaterThan(0);
    expect(report.rates.cancelled).toBeGreaterThan(0);
    expect(report.rates.remindersConfirmed).toBeGreaterThan(0);
    expect(report.money!.revenueMinor).toBeGreaterThan(0);
    expect(report.money!.receivables.totalMinor).toBeGreaterThan(0);
    expect(report.perChannel.length).toBeGreaterThanOrEqual(5);
    for (const u of report.utilization) expect(u.rate).toBeGreaterThan(0);
    // Every week of the eight has visits.
    for (let w = 0; w < 8; w++) {
      const week = report.perDay.slice(w * 7, w * 7 + 7);
      expect(week.reduce((n, d) => n + d.completed, 0)).toBeGreaterThan(10);
    }
  });

  it("the waiting list, the emergency board, the handoff inbox and the no-show call list are not empty", async () => {
    const waitlist = await listWaitlist(db, { clinicId, actor: secretary });
    expect(waitlist.filter((e) => e.status === "waiting").length).toBeGreaterThanOrEqual(3);
    const booked = waitlist.find((e) => e.status === "booked")!;
    expect(booked.offers.map((o) => o.status)).toEqual(["accepted"]);
    const taken = await db.prisma.appointment.findFirstOrThrow({
      where: { idempotencyKey: `waitlist-${booked.offers[0]!.id}` },
    });
    expect(+taken.startsAt).toBe(+booked.offers[0]!.startsAt);

    const [emergency] = await listEmergencies(db, { clinicId, actor: secretary });
    expect(emergency).toMatchObject({
      category: "breathing",
      acknowledgedByName: "Dr Claire Martin",
      resolvedAt: null,
    });

    const [handoff] = await listHandoffs(db, clinicId, secretary);
    expect(handoff?.messageCount).toBe(5);
    const thread = await readThread(db, clinicId, secretary, handoff!.id);
    expect(thread.lines.at(-1)?.text).toMatch(/transmis votre conversation au secrétariat/);

    expect((await noShowCandidates(db, { clinicId, actor: secretary }, NOW)).length).toBeGreaterThanOrEqual(2);
  });

  it("Dr Martin, the doctor who logs in, finds notes, diagnoses, allergies and prescriptions in her patients' records", async () => {
    const [withAllergy] = await rows<{ patient_id: string }>(`SELECT patient_id FROM allergy LIMIT 1`);
    const record = await readClinicalRecord(db, { clinicId, actor: doctor }, withAllergy!.patient_id);
    expect(record.allergies.length).toBe(1);
    expect(record.notes.length).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM prescription_item`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM diagnosis`)).toBeGreaterThan(0);
  });
});

describe("the history is one the domain could have written", () => {
  it("no two active appointments of a doctor overlap, and every one lies in the doctor's hours, outside leave and holidays", async () => {
    expect(
      await count(
        `SELECT count(*) AS n FROM appointment a JOIN appointment b ON a.doctor_id = b.doctor_id AND a.id < b.id
          WHERE a.status IN ('requested', 'confirmed') AND b.status IN ('requested', 'confirmed')
            AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)`,
      ),
    ).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM appointment WHERE overbooked`)).toBe(0);
    expect(
      await count(
        `SELECT count(*) AS n FROM appointment a JOIN clinic c ON c.id = a.clinic_id
          WHERE NOT EXISTS (
                  SELECT 1 FROM working_hours w
                   WHERE w.doctor_id = a.doctor_id AND w.weekday = extract(isodow FROM a.starts_at AT TIME ZONE c.time_zone)
                     AND (a.starts_at AT TIME ZONE c.time_zone) >= (a.starts_at AT TIME ZONE c.time_zone)::date + make_interval(mins => w.start_minute)
                     AND (a.ends_at AT TIME ZONE c.time_zone) <= (a.starts_at AT TIME ZONE c.time_zone)::date + make_interval(mins => w.end_minute))
             OR EXISTS (SELECT 1 FROM schedule_exception e WHERE (e.doctor_id IS NULL OR e.doctor_id = a.doctor_id)
                          AND tstzrange(e.starts_at, e.ends_at) && tstzrange(a.starts_at, a.ends_at))`,
      ),
    ).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM schedule_exception WHERE kind = 'holiday'`)).toBeGreaterThan(0);
  });

  it("every appointment was booked before it began, and its history runs from booking to its status", async () => {
    expect(
      await count(`SELECT count(*) AS n FROM appointment WHERE created_at >= starts_at OR created_at > $1`, [NOW]),
    ).toBe(0);
    const [chains] = await rows<{ first: number; links: number; last: number; updated: number }>(
      `WITH e AS (SELECT appointment_id, from_status, to_status, lag(to_status) OVER w AS prev, row_number() OVER w AS n
                    FROM appointment_event WINDOW w AS (PARTITION BY appointment_id ORDER BY at, id))
       SELECT count(*) FILTER (WHERE n = 1 AND from_status IS NOT NULL)::int AS first,
              count(*) FILTER (WHERE n > 1 AND from_status IS DISTINCT FROM prev)::int AS links,
              (SELECT count(*)::int FROM appointment a WHERE a.status <> (
                 SELECT x.to_status FROM appointment_event x WHERE x.appointment_id = a.id ORDER BY x.at DESC, x.id DESC LIMIT 1)) AS last,
              (SELECT count(*)::int FROM appointment a WHERE a.updated_at <> (
                 SELECT max(x.at) FROM appointment_event x WHERE x.appointment_id = a.id AND x.reason IS DISTINCT FROM 'reminder confirmed')) AS updated
         FROM e`,
    );
    expect(chains).toEqual({ first: 0, links: 0, last: 0, updated: 0 });
    for (const table of [
      "appointment_event.at",
      "audit_log.at",
      "payment.received_at",
      "notice.sent_at",
      "reminder.sent_at",
    ]) {
      const [t, c] = table.split(".");
      expect(await count(`SELECT count(*) AS n FROM ${t} WHERE ${c} > $1`, [NOW]), table).toBe(0);
    }
  });

  it("every chat booking came from an address the patient had then, and chat messages went where the patient can be reached", async () => {
    expect(
      await count(
        `SELECT count(*) AS n FROM appointment a
          WHERE a.source_channel IN ('web', 'whatsapp', 'sms', 'telegram')
            AND NOT EXISTS (SELECT 1 FROM channel_identity i WHERE i.patient_id = a.patient_id
                              AND i.channel = a.source_channel AND i.created_at <= a.created_at)`,
      ),
    ).toBe(0);
    expect(
      await count(
        `SELECT count(*) AS n FROM reminder r JOIN appointment a ON a.id = r.appointment_id
          WHERE r.channel = 'telegram' AND NOT EXISTS (
            SELECT 1 FROM channel_identity i WHERE i.patient_id = a.patient_id AND i.channel = 'telegram' AND i.created_at <= r.sent_at)`,
      ),
    ).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM patient WHERE created_at > updated_at`)).toBe(0);
    expect(
      await count(
        `SELECT count(*) AS n FROM patient p WHERE p.preferred_channel IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM channel_identity i WHERE i.patient_id = p.id AND i.channel = p.preferred_channel)`,
      ),
    ).toBe(0);
    // The first appointment of a patient the chat created is the booking that created them.
    expect(
      await count(
        `SELECT count(*) AS n FROM patient p WHERE p.consent_at IS NOT NULL AND EXISTS (
           SELECT 1 FROM appointment a WHERE a.patient_id = p.id AND a.created_at < p.consent_at)`,
      ),
    ).toBe(0);
  });

  it("leaves the first start's workers nothing to make up: reminders, notices and waitlist offers are where they would be", async () => {
    const horizon = new Date(+NOW + 8 * 86_400_000);
    expect(await appointmentsMissingReminders(db, { now: NOW, horizon, limit: 10 })).toEqual([]);
    expect(await dueReminders(db, { until: new Date(+NOW - 1000), now: NOW, leaseMs: 60_000, limit: 10 })).toEqual([]);
    expect(await pendingNotices(db, { now: NOW, leaseMs: 60_000, limit: 10 })).toEqual([]);
    expect(
      await freedSlotsToOffer(db, { now: NOW, channels: ["telegram", "whatsapp", "sms", "web"], limit: 10 }),
    ).toEqual([]);
    expect(await count(`SELECT count(*) AS n FROM waitlist_offer WHERE status = 'offered'`)).toBe(0);
    // Reminders of cancelled or closed appointments were never left to send.
    expect(
      await count(
        `SELECT count(*) AS n FROM reminder r JOIN appointment a ON a.id = r.appointment_id
          WHERE r.status = 'scheduled' AND (a.status <> 'confirmed' OR a.starts_at <= $1)`,
        [NOW],
      ),
    ).toBe(0);
  });

  it("invoice totals follow their lines, payments never exceed a payer's part, numbers run without a gap", async () => {
    const [money] = await rows<{ total: number; paid: number; partly: number; unpaid: number; over: number }>(
      `SELECT count(*) FILTER (WHERE i.total_minor <> l.sum)::int AS total,
              count(*) FILTER (WHERE i.status = 'paid' AND coalesce(p.patient, 0) + coalesce(p.insurer, 0) <> i.total_minor)::int AS paid,
              count(*) FILTER (WHERE i.status = 'partly_paid' AND NOT (coalesce(p.patient, 0) + coalesce(p.insurer, 0) BETWEEN 1 AND i.total_minor - 1))::int AS partly,
              count(*) FILTER (WHERE i.status IN ('draft', 'issued', 'void') AND p.invoice_id IS NOT NULL)::int AS unpaid,
              count(*) FILTER (WHERE p.patient > i.patient_part_minor OR p.insurer > i.insurer_part_minor)::int AS over
         FROM invoice i
         CROSS JOIN LATERAL (SELECT coalesce(sum(quantity * unit_price_minor), 0) AS sum FROM invoice_line WHERE invoice_id = i.id) l
         LEFT JOIN (SELECT invoice_id, sum(amount_minor) FILTER (WHERE payer = 'patient') AS patient,
                           sum(amount_minor) FILTER (WHERE payer = 'insurer') AS insurer
                      FROM payment GROUP BY invoice_id) p ON p.invoice_id = i.id`,
    );
    expect(money).toEqual({ total: 0, paid: 0, partly: 0, unpaid: 0, over: 0 });
    const numbers = await rows<{ number: string }>(
      `SELECT number FROM invoice WHERE number IS NOT NULL ORDER BY issued_at, number`,
    );
    const seq = numbers.map((n) => Number(n.number.split("-")[1]));
    expect(seq).toEqual(seq.map((_, i) => i + 1));
  });

  it("what staff did is in the audit log when it happened: each invoice created, issued and paid", async () => {
    const missing = await count(
      `SELECT count(*) AS n FROM invoice i
        WHERE NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.action = 'invoice.create' AND l.resource_id = i.id::text AND l.at = i.created_at)
           OR (i.issued_at IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM audit_log l WHERE l.action = 'invoice.issue' AND l.resource_id = i.id::text AND l.at = i.issued_at
                  AND l.detail ->> 'number' = i.number))`,
    );
    expect(missing).toBe(0);
    expect(
      await count(
        `SELECT count(*) AS n FROM payment p WHERE NOT EXISTS (
           SELECT 1 FROM audit_log l WHERE l.action = 'payment.record' AND l.detail ->> 'paymentId' = p.id::text AND l.at = p.received_at)`,
      ),
    ).toBe(0);
  });
});

describe("the handed-over conversation", () => {
  it("reads as the dialogue engine writes it, and the patient's next message is answered from its saved state", async () => {
    const [seeded] = await rows<{ id: string; sender_id: string }>(
      `SELECT id, sender_id FROM conversation WHERE handed_to_human`,
    );
    const transcript = (conversationId: string) =>
      rows<{ direction: string; author: string; text: string }>(
        `SELECT direction, author, text FROM conversation_message WHERE conversation_id = $1::uuid ORDER BY id`,
        [conversationId],
      );
    const said = (await transcript(seeded!.id)).filter((l) => l.direction === "in").map((l) => l.text);
    const later = new Date(+NOW + 3600_000);
    const deps = { db, clinicId, holdMinutes: 5, now: () => later };
    const replay = "33600000042";
    for (const [i, text] of said.entries())
      await handleInbound(deps, {
        channel: "whatsapp",
        senderId: replay,
        text,
        providerMessageId: `replay-${i}`,
        receivedAt: later,
      });
    const [replayed] = await rows<{ id: string }>(`SELECT id FROM conversation WHERE sender_id = $1`, [replay]);
    expect(await transcript(replayed!.id)).toEqual(await transcript(seeded!.id));

    // Minutes after the handoff the saved dialogue is restored as it is (not started afresh).
    const [{ last_activity_at: last } = { last_activity_at: new Date() }] = await rows<{ last_activity_at: Date }>(
      `SELECT last_activity_at FROM conversation WHERE id = $1::uuid`,
      [seeded!.id],
    );
    const soon = new Date(+new Date(last) + 5 * 60_000);
    const answer = await handleInbound(
      { ...deps, now: () => soon },
      {
        channel: "whatsapp",
        senderId: seeded!.sender_id,
        text: "merci",
        providerMessageId: "after-handoff",
        receivedAt: soon,
      },
    );
    expect(answer.map((a) => a.text).join("\n")).not.toMatch(/reprenons depuis le début/);
    expect(answer.length).toBeGreaterThan(0);
  });
});

describe("the plan", () => {
  let facts: Awaited<ReturnType<typeof readDemoClinicFacts>>;
  beforeAll(async () => {
    facts = await readDemoClinicFacts(db, clinicId);
  });
  const summary = (h: DemoHistory) =>
    h.appointments.map((a) => `${a.doctorId}|${a.startsAt}|${a.status}|${a.patientId}`);

  it("is the same for the same seed and moment, and another seed draws another clinic", () => {
    const a = planDemoHistory(facts, { now: NOW, seed: DEMO_SEED });
    const b = planDemoHistory(facts, { now: NOW, seed: DEMO_SEED });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(summary(planDemoHistory(facts, { now: NOW, seed: DEMO_SEED + 1 }))).not.toEqual(summary(a));
  });

  it.each([
    ["a Sunday afternoon", paris("2026-12-06T15:00")],
    ["before opening on a Monday", paris("2026-12-07T06:30")],
    ["the first Monday of a year", paris("2027-01-04T09:10")],
    ["a public holiday (Easter Monday 2027)", paris("2027-03-29T14:00")],
    ["the night clocks go back", paris("2026-10-25T02:30")],
  ])("holds on %s: pending requests ahead, nothing happened after now, invoice numbers per year", (_, now) => {
    const h = planDemoHistory(facts, { now, seed: DEMO_SEED });
    const requested = h.appointments.filter((a) => a.status === "requested");
    expect(requested.length).toBeGreaterThanOrEqual(3);
    expect(requested.every((a) => a.startsAt > +now && a.createdAt < h.instantSince)).toBe(true);
    expect(h.events.every((e) => e.at <= +now) && h.audit.every((e) => e.at <= +now)).toBe(true);
    const upcoming = h.appointments.filter((a) => a.startsAt > +now && a.status === "confirmed");
    expect(upcoming.length).toBeGreaterThan(40);
    const byYear = new Map<string, number[]>();
    for (const inv of h.invoices.filter((i) => i.number).sort((x, y) => x.issuedAt! - y.issuedAt!)) {
      const [year, n] = inv.number!.split("-");
      byYear.set(year!, [...(byYear.get(year!) ?? []), Number(n)]);
      expect(clock.dayOf(inv.issuedAt!).slice(0, 4)).toBe(year);
    }
    for (const seq of byYear.values()) expect(seq).toEqual(seq.map((_, i) => i + 1));
  });
});

describe("a database that already has a clinic", () => {
  it("is left as it is: no second clinic, no history written over it", async () => {
    const before = await count(`SELECT count(*) AS n FROM appointment`);
    expect((await seedDemo(db, { history: { now: NOW } })).credentials).toEqual([]);
    expect((await seedDemoClinic(db.prisma)).credentials).toEqual([]);
    expect(await count(`SELECT count(*) AS n FROM clinic`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM appointment`)).toBe(before);
  });
});
