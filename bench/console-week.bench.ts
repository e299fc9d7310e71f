import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { consoleRouter } from "../src/console/router.js";
import { openSession, SESSION_COOKIE } from "../src/console/session.js";
import type { AppContext } from "../src/context.js";
import { createStaffUser } from "../src/domain/staff.js";
import { bigClinic, type BenchResult } from "./booking.bench.js";
import { benchDatabase, ms, summarize } from "./support.js";

const MONDAY = "2027-01-04";

/**
 * The console's week view of a 20-doctor clinic holding 1,000 appointments that week: the
 * page and the events feed FullCalendar asks for, through HTTP with a signed-in secretary's
 * session (session lookup, audit rows for every appointment shown, JSON for 1,000 events).
 */
export async function consoleWeekBench(): Promise<BenchResult> {
  const { db, drop } = await benchDatabase("console_week");
  const server = { close: async () => {} };
  try {
    const c = await bigClinic(db, 20);
    // 1,000 of the week's 1,400 half-hour slots, each with its own patient.
    await db.sql.query(
      `WITH slots AS (
         SELECT d AS doctor_id, ((($2::date + day) + make_interval(mins => m)) AT TIME ZONE 'Europe/Paris') AS s,
                row_number() OVER (ORDER BY day, m, d) AS n
           FROM unnest($3::uuid[]) d, generate_series(0, 4) day,
                (SELECT generate_series(540, 690, 30) UNION ALL SELECT generate_series(840, 1050, 30)) mins(m)
       ), picked AS (SELECT * FROM slots WHERE n % 7 <> 0 ORDER BY n LIMIT 1000),
       patients AS (
         INSERT INTO patient (clinic_id, first_name, last_name)
         SELECT $1, 'Patient', 'N' || n FROM picked RETURNING id, last_name
       )
       INSERT INTO appointment (clinic_id, doctor_id, patient_id, type_id, starts_at, ends_at, status, source_channel)
       SELECT $1, p.doctor_id, pt.id, $4, p.s, p.s + interval '30 minutes', 'confirmed', 'telegram'
         FROM picked p JOIN patients pt ON pt.last_name = 'N' || p.n`,
      [c.clinicId, MONDAY, c.doctorIds, c.typeId],
    );
    const [{ n }] = (await db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM appointment`)) as [{ n: string }];
    await db.sql.query("ANALYZE");

    const now = new Date(`${MONDAY}T07:00:00Z`);
    const ctx: AppContext = {
      config: loadConfig({ NODE_ENV: "test", JWT_SECRET: "b".repeat(32) }),
      db,
      logger: pino({ level: "silent" }),
      now: () => now,
    };
    const secretary = await createStaffUser(db, c.clinicId, {
      email: "bench-secretary@tabib.local",
      displayName: "Bench",
      role: "secretary",
      password: "a-bench-password-long-enough",
    });
    const token = await openSession(db, secretary.id, now, { mfaPassed: true });
    const app = createApp(ctx, { routers: [{ path: "/", router: consoleRouter(ctx) }] });
    const listening = app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => listening.once("listening", () => resolve()));
    server.close = () => new Promise<void>((resolve) => listening.close(() => resolve()));
    const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    const headers = { cookie: `${SESSION_COOKIE}=${token}`, "accept-language": "fr" };
    const get = async (path: string): Promise<{ ms: number; body: string }> => {
      const t0 = performance.now();
      const res = await fetch(base + path, { headers });
      const body = await res.text();
      const elapsed = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      return { ms: elapsed, body };
    };
    const page = `/schedule?view=week&date=${MONDAY}`;
    const feed = `/schedule/events?start=${MONDAY}T00:00:00Z&end=2027-01-11T00:00:00Z`;

    const shown = (JSON.parse((await get(feed)).body) as unknown[]).length;
    if (shown !== 1000) throw new Error(`the week shows ${shown} events, expected 1000`);
    for (let i = 0; i < 20; i++) await Promise.all([get(page), get(feed)]);
    const pages: number[] = [];
    const feeds: number[] = [];
    const weeks: number[] = [];
    for (let i = 0; i < 200; i++) {
      const p = await get(page);
      const f = await get(feed);
      pages.push(p.ms);
      feeds.push(f.ms);
      weeks.push(p.ms + f.ms);
    }
    const [sp, sf, sw] = [summarize(pages), summarize(feeds), summarize(weeks)];
    return {
      name: "Console week view, 20 doctors, 1,000 appointments in the week",
      figures: {
        appointments: Number(n),
        "events per week": shown,
        "views measured": sw.n,
        "page p50": ms(sp.p50),
        "events feed p50": ms(sf.p50),
        "events feed p99": ms(sf.p99),
        "page + feed p50": ms(sw.p50),
        "page + feed p99": ms(sw.p99),
      },
      target: "p50 ≤ 50 ms (page + events feed)",
      met: sw.p50 <= 50,
    };
  } finally {
    await server.close();
    await drop();
  }
}
