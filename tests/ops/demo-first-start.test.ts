// A newcomer's first start, from outside: `npm start`'s entry point on an empty database
// (a fresh PGlite folder, or a fresh Postgres database with DATABASE_URL), then the printed
// secretary login in the console and the API. The demo clinic must show the product.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { frenchHolidays } from "../../src/data/demo/holidays.js";
import { ClinicClock } from "../../src/domain/clinic-time.js";
import { startTsProcess } from "../support/child-process.js";
import { freshDatabase, onRealPostgres } from "../support/database.js";

// Each story starts the app as a child process; tsx compiles it as it starts, which on a loaded
// two-core machine takes a while.
vi.setConfig({ testTimeout: 240_000 });

const scratch = await mkdtemp(path.join(tmpdir(), "tabib-demo-first-start-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

const clock = new ClinicClock("Europe/Paris");

/** An empty database for one start: a new PGlite folder, or a migrated but empty Postgres database. */
async function emptyDatabase(name: string): Promise<NodeJS.ProcessEnv> {
  if (onRealPostgres()) return { DATABASE_URL: (await freshDatabase({ poolSize: 1 })).url };
  return { PGLITE_DIR: path.join(scratch, name) };
}

async function startTabib(database: NodeJS.ProcessEnv, seedDemo: "auto" | "empty") {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    NODE_ENV: "development",
    SEED_DEMO: seedDemo,
  };
  for (const name of ["DATABASE_URL", "PGLITE_DIR", "REDIS_URL", "SEED_ADMIN_PASSWORD", "JWT_SECRET", "PUBLIC_URL"])
    delete env[name];
  const app = await startTsProcess("src/main.ts", { ...env, ...database }, '"msg":"Tabib is listening on', 180_000);
  const port = Number(/"msg":"Tabib is listening on http:\/\/127\.0\.0\.1:(\d+)"/.exec(app.output())![1]);
  const login = (role: string, email: string) => new RegExp(`${role}\\s+${email.replace(/\./g, "\\.")}\\s+(\\S+)`);
  return {
    ...app,
    base: `http://127.0.0.1:${port}`,
    password: (role: "admin" | "secretary", email: string) => login(role, email).exec(app.output())![1]!,
  };
}

// Response bodies are whatever JSON the API sent; the tests assert on their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function apiAs(base: string, email: string, password: string) {
  const res = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(200);
  const { token } = (await res.json()) as { token: string };
  const call = async (
    method: string,
    pathAndQuery: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json }> => {
    const r = await fetch(`${base}/api${pathAndQuery}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: await r.json() };
  };
  return {
    get: async (pathAndQuery: string): Promise<Json> => {
      const r = await call("GET", pathAndQuery);
      expect(r.status, pathAndQuery).toBe(200);
      return r.body;
    },
    patch: (pathAndQuery: string, body: unknown) => call("PATCH", pathAndQuery, body),
  };
}

/** Signs in to the console through its form (login CSRF cookie and field); returns a page reader. */
async function consoleAs(base: string, email: string, password: string) {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const at = pair!.indexOf("=");
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const form = await fetch(`${base}/login`);
  keep(form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const signedIn = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: new URLSearchParams({ _csrf: csrf, email, password }),
  });
  expect(signedIn.status).toBe(303);
  keep(signedIn);
  return async (page: string): Promise<string> => {
    const res = await fetch(`${base}${page}`, { headers: { cookie: cookie() }, redirect: "manual" });
    expect(res.status, page).toBe(200);
    return (await res.text())
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&");
  };
}

/** Today in Paris if the clinic opens today, else its next open day. */
function firstOpenDay(from: string): string {
  const holidays = frenchHolidays(from, clock.addDays(from, 14));
  let day = from;
  while (clock.weekday(day) === 7 || holidays.has(day)) day = clock.addDays(day, 1);
  return day;
}

const noErrorLines = (output: string) => output.split("\n").filter((l) => /"level":(50|60)/.test(l));

describe("the first start with SEED_DEMO=auto (the default)", () => {
  it("prints the logins once, and the printed secretary finds a clinic in full swing in the console and the API", async () => {
    const tabib = await startTabib(await emptyDatabase("auto"), "auto");
    try {
      const output = tabib.output();
      expect(output).toContain("Demo clinic created");
      expect(output).toMatch(/"msg":"demo clinic created"/);
      const secretaryPassword = tabib.password("secretary", "secretariat@tabib.local");
      const api = await apiAs(tabib.base, "secretariat@tabib.local", secretaryPassword);

      const today = clock.dayOf(new Date());
      const start = new Date(clock.at(today, 0)).toISOString();
      const week = new Date(clock.at(clock.addDays(today, 8), 0)).toISOString();
      const coming: Json[] = await api.get(`/appointments?from=${start}&to=${week}`);
      const days = new Set(
        coming.filter((a) => a.status !== "cancelled").map((a) => clock.dayOf(new Date(a.startsAt))),
      );
      expect(days).toContain(firstOpenDay(today));

      const yearAhead = new Date(clock.at(clock.addDays(today, 366), 0)).toISOString();
      const requests: Json[] = await api.get(`/appointments?from=${start}&to=${yearAhead}&status=requested`);
      expect(requests.length).toBeGreaterThanOrEqual(3);
      expect(requests.every((r) => typeof r.reason === "string" && r.reason.length > 10)).toBe(true);

      const partlyPaid: Json[] = await api.get(`/invoices?status=partly_paid`);
      expect(partlyPaid.length).toBeGreaterThan(0);
      expect(partlyPaid[0].balance.dueMinor).toBeGreaterThan(0);
      const report: Json = await api.get(`/reports?from=${clock.addDays(today, -56)}&to=${clock.addDays(today, -1)}`);
      expect(report.rates.appointments).toBeGreaterThan(300);
      expect(report.money.revenueMinor).toBeGreaterThan(0);
      expect((await api.get(`/waitlist`)).length).toBeGreaterThan(0);
      expect((await api.get(`/emergencies`))[0]).toMatchObject({ category: "breathing" });

      const page = await consoleAs(tabib.base, "secretariat@tabib.local", secretaryPassword);
      const requestsPage = await page("/requests");
      for (const r of requests) expect(requestsPage).toContain(`${r.patient.firstName} ${r.patient.lastName}`);
      expect(await page("/")).toContain("<table");
      expect(await page("/billing")).toMatch(/\d{4}-\d{6}/);
      expect(await page("/reports")).toContain("<canvas");
      const inbox = await page("/inbox");
      expect(inbox).toMatch(/WhatsApp/);

      // The README's way to switch booking modes: the admin's PATCH /api/clinic.
      const admin = await apiAs(tabib.base, "admin@tabib.local", tabib.password("admin", "admin@tabib.local"));
      const switched = await admin.patch("/clinic", { bookingMode: "approval" });
      expect(switched).toMatchObject({ status: 200, body: { bookingMode: "approval" } });
    } finally {
      expect(await tabib.stop()).toBe("code 0");
    }
    expect(noErrorLines(tabib.output())).toEqual([]);
  });
});

describe("the first start with SEED_DEMO=empty", () => {
  it("creates the clinic, its doctors and the printed logins, and no history at all", async () => {
    const tabib = await startTabib(await emptyDatabase("empty"), "empty");
    try {
      expect(tabib.output()).toContain("Demo clinic created");
      const api = await apiAs(
        tabib.base,
        "secretariat@tabib.local",
        tabib.password("secretary", "secretariat@tabib.local"),
      );
      expect((await api.get(`/doctors`)).length).toBe(7);
      const from = new Date(Date.now() - 400 * 86_400_000).toISOString();
      const to = new Date(Date.now() + 400 * 86_400_000).toISOString();
      expect(await api.get(`/appointments?from=${from}&to=${to}`)).toEqual([]);
      expect(await api.get(`/invoices`)).toEqual([]);
      expect(await api.get(`/waitlist?status=all`)).toEqual([]);
      expect(await api.get(`/emergencies?open=false`)).toEqual([]);
    } finally {
      expect(await tabib.stop()).toBe("code 0");
    }
    expect(noErrorLines(tabib.output())).toEqual([]);
  });
});
