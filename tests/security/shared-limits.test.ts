// Issue 14 from outside: two Tabib processes behind one address share every abuse limit, counted
// in Redis when REDIS_URL is set and in Postgres when it is not. (Two processes cannot share one
// PGlite folder, so this runs only when the suite runs on Postgres.)
import { randomInt } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { csrfOf, signIn, Visitor } from "../console/support.js";
import { ADMIN, call, emptyStore, enrolInConsole, startTabib, type RunningTabib } from "./support.js";

vi.setConfig({ testTimeout: 300_000 });

const onPostgres = Boolean(process.env.DATABASE_URL);
const backends = [
  { name: "Redis", env: { REDIS_URL: process.env.REDIS_URL }, skip: !onPostgres || !process.env.REDIS_URL },
  { name: "Postgres, without Redis", env: { REDIS_URL: undefined }, skip: !onPostgres },
];

/** Two instances on one database, behind a proxy on this machine that says who the client is. */
async function twoInstances(env: Record<string, string | undefined>): Promise<[RunningTabib, RunningTabib]> {
  const store = await emptyStore();
  const settings = { ...env, TRUST_PROXY: "loopback" };
  // One after the other: the first creates the schema and the demo clinic.
  const a = await startTabib(store, settings);
  const b = await startTabib(store, settings);
  return [a, b];
}

/** A documentation address (TEST-NET-3) of its own for each run, so counts of earlier runs never meet it. */
const someClient = () => `203.0.113.${randomInt(1, 255)}`;

for (const backend of backends) {
  describe.skipIf(backend.skip)(`limits shared by two instances (${backend.name})`, () => {
    it("API logins, console two-factor codes and web chat messages are limited once across both", async () => {
      const [a, b] = await twoInstances(backend.env);
      try {
        // API login: 10 a minute per client address, whichever instance answers.
        const address = someClient();
        const statuses: number[] = [];
        for (let i = 0; i < 11; i++) {
          const res = await call([a, b][i % 2]!.base, "POST", "/api/auth/login", {
            body: { email: `guess${i}@tabib.local`, password: "wrong" },
            headers: { "x-forwarded-for": address },
          });
          statuses.push(res.status);
        }
        expect(statuses).toEqual([...Array(10).fill(401), 429]);

        // Console two-factor: 5 wrong codes per account, whichever instance and session receives them.
        await enrolInConsole(a.base, ADMIN);
        const sessions = [new Visitor(a.base), new Visitor(b.base)];
        for (const v of sessions) expect((await signIn(v, ADMIN.email, ADMIN.password)).location).toBe("/mfa");
        const codes: number[] = [];
        for (let i = 0; i < 6; i++) {
          const v = sessions[i % 2]!;
          const form = await v.get("/mfa");
          codes.push((await v.post("/mfa", { _csrf: csrfOf(form.html), code: "000000" })).status);
        }
        expect(codes).toEqual([401, 401, 401, 401, 401, 429]);

        // Web chat: 30 messages a minute per chat session.
        let cookie = "";
        const chat: number[] = [];
        for (let i = 0; i < 31; i++) {
          const res = await fetch(`${[a, b][i % 2]!.base}/chat/messages`, {
            method: "POST",
            headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
            body: JSON.stringify({ text: "bonjour", clientMessageId: `shared-limit-${i}` }),
          });
          cookie ||= (res.headers.get("set-cookie") ?? "").split(";")[0]!;
          chat.push(res.status);
        }
        expect(chat.slice(0, 30).every((s) => s === 200)).toBe(true);
        expect(chat[30]).toBe(429);
      } finally {
        await a.stop();
        await b.stop();
      }
    });
  });
}
