import { performance } from "node:perf_hooks";
import { earliestSlot } from "../src/domain/availability.js";
import { bookAppointment } from "../src/domain/booking.js";
import { benchDatabase, ms, pool, summarize } from "./support.js";
import type { Database } from "../src/data/db.js";

export interface BenchResult {
  name: string;
  figures: Record<string, string | number>;
  target?: string;
  met?: boolean;
}

const DAY = 86_400_000;

/** A clinic of `doctors` GPs working Mon–Fri 09:00–12:00 and 14:00–18:00, 30-minute consultations. */
export async function bigClinic(db: Database, doctors: number) {
  const [clinic] = await db.sql.query<{ id: string }>(
    `INSERT INTO clinic (name, address, phone, emergency_phone, time_zone, min_booking_notice_minutes, slot_step_minutes)
     VALUES ('Bench clinic', 'Paris', '+33100000000', '+33100000099', 'Europe/Paris', 0, 30) RETURNING id`,
  );
  const clinicId = clinic!.id;
  const [spec] = await db.sql.query<{ id: string }>(
    `INSERT INTO specialty (clinic_id, code, name_fr, name_en, keywords_fr, keywords_en) VALUES ($1, 'general', 'MG', 'GP', '{}', '{}') RETURNING id`,
    [clinicId],
  );
  const [type] = await db.sql.query<{ id: string }>(
    `INSERT INTO appointment_type (clinic_id, specialty_id, code, name_fr, name_en, duration_minutes, price_minor) VALUES ($1, $2, 'c', 'C', 'C', 30, 3000) RETURNING id`,
    [clinicId, spec!.id],
  );
  const doctorRows = await db.sql.query<{ id: string }>(
    `INSERT INTO doctor (clinic_id, first_name, last_name, languages) SELECT $1, 'D', 'Doc' || g, '{fr}' FROM generate_series(1, $2) g RETURNING id`,
    [clinicId, doctors],
  );
  const doctorIds = doctorRows.map((r) => r.id);
  await db.sql.query(`INSERT INTO doctor_specialty (doctor_id, specialty_id) SELECT unnest($1::uuid[]), $2`, [
    doctorIds,
    spec!.id,
  ]);
  await db.sql.query(
    `INSERT INTO working_hours (doctor_id, weekday, start_minute, end_minute)
     SELECT d, wd, b.s, b.e FROM unnest($1::uuid[]) d, generate_series(1, 5) wd, (VALUES (540, 720), (840, 1080)) b(s, e)`,
    [doctorIds],
  );
  const [patient] = await db.sql.query<{ id: string }>(
    `INSERT INTO patient (clinic_id, first_name, last_name) VALUES ($1, 'P', 'Bench') RETURNING id`,
    [clinicId],
  );
  return { clinicId, specialtyId: spec!.id, typeId: type!.id, doctorIds, patientId: patient!.id };
}

/** Earliest free slot for a specialty across 100 doctors × 60 days at 50 % occupancy. */
export async function earliestSlotBench(): Promise<BenchResult> {
  const { db, drop } = await benchDatabase("earliest");
  try {
    const c = await bigClinic(db, 100);
    const start = new Date("2027-01-04T00:00:00+01:00"); // a Monday
    // Every other working slot taken, staggered per doctor, over 60 days.
    await db.sql.query(
      `INSERT INTO appointment (clinic_id, doctor_id, patient_id, type_id, starts_at, ends_at, status, source_channel)
       SELECT $1, w.doctor_id, $2, $3, s, s + interval '30 minutes', 'confirmed', 'api'
       FROM working_hours w
       CROSS JOIN generate_series(0, 59) day
       CROSS JOIN LATERAL generate_series(w.start_minute, w.end_minute - 30, 30) m
       CROSS JOIN LATERAL (SELECT ((($4::date + day) + make_interval(mins => m)) AT TIME ZONE 'Europe/Paris') AS s) t
       WHERE extract(isodow FROM ($4::date + day)) = w.weekday
         AND ((m / 30) + abs(hashtext(w.doctor_id::text))) % 2 = 0`,
      [c.clinicId, c.patientId, c.typeId, "2027-01-04"],
    );
    const [{ n }] = (await db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM appointment`)) as [{ n: string }];
    await db.sql.query("ANALYZE");
    const now = new Date(+start - DAY);
    const samples: number[] = [];
    for (let i = 0; i < 50; i++)
      await earliestSlot(db, {
        clinicId: c.clinicId,
        appointmentTypeId: c.typeId,
        specialtyId: c.specialtyId,
        from: new Date(+start + ((i * 7919) % 55) * DAY),
        now,
      }); // warm-up
    for (let i = 0; i < 500; i++) {
      const from = new Date(+start + ((i * 7919) % (55 * 24)) * 3_600_000);
      const t0 = performance.now();
      const slot = await earliestSlot(db, {
        clinicId: c.clinicId,
        appointmentTypeId: c.typeId,
        specialtyId: c.specialtyId,
        from,
        now,
      });
      samples.push(performance.now() - t0);
      if (!slot) throw new Error("no slot found");
    }
    const s = summarize(samples);
    return {
      name: "Earliest free slot, 100 doctors × 60 days at 50 % occupancy",
      figures: { appointments: Number(n), queries: s.n, p50: ms(s.p50), p99: ms(s.p99), max: ms(s.max) },
      target: "p50 ≤ 5 ms",
      met: s.p50 <= 5,
    };
  } finally {
    await drop();
  }
}

/** Bookings on distinct slots through the booking service vs a bare pg insert loop, same run. */
export async function bookingThroughputBench(): Promise<BenchResult> {
  const concurrency = 16;
  const { db, drop } = await benchDatabase("booking", concurrency);
  try {
    const c = await bigClinic(db, 100);
    // 100 doctors × 14 slots/day × 5 days: distinct slots, spread over doctors like real traffic.
    const slots: { doctorId: string; startsAt: Date }[] = [];
    for (let day = 0; day < 5; day++) {
      for (const minute of [540, 570, 600, 630, 660, 690, 840, 870, 900, 930, 960, 990, 1020, 1050]) {
        for (const doctorId of c.doctorIds)
          slots.push({
            doctorId,
            startsAt: new Date(Date.parse("2027-01-04T00:00:00+01:00") + day * DAY + minute * 60_000),
          });
      }
    }
    const now = new Date("2027-01-01T00:00:00Z");
    const warm = slots.splice(0, 200);
    await pool(warm.length, concurrency, (i) =>
      bookAppointment(db, {
        clinicId: c.clinicId,
        patientId: c.patientId,
        appointmentTypeId: c.typeId,
        doctorId: warm[i]!.doctorId,
        startsAt: warm[i]!.startsAt,
        sourceChannel: "api",
        actor: { kind: "system" },
        now,
      }),
    );
    const n = Math.min(5000, slots.length);
    let t0 = performance.now();
    const results = await pool(n, concurrency, (i) =>
      bookAppointment(db, {
        clinicId: c.clinicId,
        patientId: c.patientId,
        appointmentTypeId: c.typeId,
        doctorId: slots[i]!.doctorId,
        startsAt: slots[i]!.startsAt,
        sourceChannel: "api",
        actor: { kind: "system" },
        now,
      }),
    );
    const serviceSeconds = (performance.now() - t0) / 1000;
    const failures = results.filter((r) => r.status === "rejected");
    if (failures.length)
      throw new Error(`${failures.length} bookings failed: ${(failures[0] as PromiseRejectedResult).reason}`);
    // The bare baseline: the same rows inserted by plain pg into an unconstrained copy of the table.
    await db.sql.exec(`CREATE TABLE bare_appointment (LIKE appointment INCLUDING DEFAULTS)`);
    t0 = performance.now();
    await pool(n, concurrency, (i) =>
      db.sql.query(
        `INSERT INTO bare_appointment (clinic_id, doctor_id, patient_id, type_id, starts_at, ends_at, status, source_channel) VALUES ($1, $2, $3, $4, $5, $6, 'confirmed', 'api')`,
        [
          c.clinicId,
          slots[i]!.doctorId,
          c.patientId,
          c.typeId,
          slots[i]!.startsAt,
          new Date(+slots[i]!.startsAt + 1_800_000),
        ],
      ),
    );
    const bareSeconds = (performance.now() - t0) / 1000;
    const rate = n / serviceSeconds;
    const bareRate = n / bareSeconds;
    return {
      name: "Bookings on distinct slots (real Postgres, 16 concurrent)",
      figures: {
        bookings: n,
        "bookings/s": Math.round(rate),
        "bare pg inserts/s": Math.round(bareRate),
        "ratio to bare pg": `${(rate / bareRate).toFixed(2)}×`,
      },
      target: "≥ 1,000 bookings/s",
      met: rate >= 1000,
    };
  } finally {
    await drop();
  }
}

/** 1,000 simultaneous attempts on one slot: exactly one may win. */
export async function oneSlotRaceBench(): Promise<BenchResult> {
  const { db, drop } = await benchDatabase("race", 20);
  try {
    const c = await bigClinic(db, 1);
    const startsAt = new Date("2027-01-04T09:00:00+01:00");
    const now = new Date("2027-01-01T00:00:00Z");
    const t0 = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 1000 }, () =>
        bookAppointment(db, {
          clinicId: c.clinicId,
          patientId: c.patientId,
          appointmentTypeId: c.typeId,
          doctorId: c.doctorIds[0]!,
          startsAt,
          sourceChannel: "api",
          actor: { kind: "system" },
          now,
        }),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    const won = results.filter((r) => r.status === "fulfilled").length;
    const taken = results.filter(
      (r) => r.status === "rejected" && (r.reason as { code?: string }).code === "slot_taken",
    ).length;
    const [{ n }] = (await db.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM appointment WHERE status = 'confirmed'`,
    )) as [{ n: string }];
    return {
      name: "1,000 concurrent attempts on one slot",
      figures: {
        succeeded: won,
        "refused slot_taken (with alternatives)": taken,
        "appointments in database": Number(n),
        time: `${seconds.toFixed(2)} s`,
      },
      target: "exactly 1 succeeds",
      met: won === 1 && Number(n) === 1 && taken === 999,
    };
  } finally {
    await drop();
  }
}
