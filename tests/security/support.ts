import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, expect } from "vitest";
import { totpCode, totpStep } from "../../src/console/totp.js";
import { startTsProcess } from "../support/child-process.js";
import { csrfOf, signIn, Visitor } from "../console/support.js";

/*
 * Tabib started as `npm start` starts it, in a child process, on an empty data folder (PGlite)
 * or on a fresh Postgres database when the suite runs with DATABASE_URL. Tests talk to it over
 * HTTP only; a process that logged an error-level line fails the test that stops it.
 */

export const ADMIN = { email: "admin@tabib.local", password: "admin-password-for-door-tests" };
export const SEEDED_CLIENT = { id: "door-tests-reader", secret: "a-seeded-client-secret-of-48-characters-0123456" };

const scratch = await mkdtemp(path.join(tmpdir(), "tabib-security-"));
const databases: string[] = [];
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
  if (databases.length === 0) return;
  const admin = new pg.Client({ connectionString: serverUrl("postgres") });
  await admin.connect();
  for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

const serverUrl = (database: string): string =>
  Object.assign(new URL(process.env.DATABASE_URL!), { pathname: `/${database}` }).toString();

/** Where an app's data lives: an empty Postgres database of its own, or an empty PGlite folder. */
export async function emptyStore(): Promise<{ DATABASE_URL: string } | { PGLITE_DIR: string }> {
  if (!process.env.DATABASE_URL) return { PGLITE_DIR: await mkdtemp(path.join(scratch, "pglite-")) };
  const name = `tabib_doors_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl("postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  databases.push(name);
  return { DATABASE_URL: serverUrl(name) };
}

export interface RunningTabib {
  base: string;
  output(): string;
  /** Stops the process and checks it logged no error. */
  stop(): Promise<void>;
}

/** Starts Tabib on `store` with the seeded admin and API client; `env` adds or removes (undefined) settings. */
export async function startTabib(
  store: { DATABASE_URL: string } | { PGLITE_DIR: string },
  env: Record<string, string | undefined> = {},
): Promise<RunningTabib> {
  const full: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    NODE_ENV: "development",
    SEED_DEMO: "auto",
    JWT_SECRET: "door-tests-jwt-secret-0123456789abcdef0123",
    SEED_ADMIN_EMAIL: ADMIN.email,
    SEED_ADMIN_PASSWORD: ADMIN.password,
    SEED_API_CLIENT_ID: SEEDED_CLIENT.id,
    SEED_API_CLIENT_SECRET: SEEDED_CLIENT.secret,
    INLINE_WORKER: "false",
  };
  for (const name of ["DATABASE_URL", "PGLITE_DIR", "REDIS_URL", "PUBLIC_URL", "TRUST_PROXY", "TOTP_ENCRYPTION_KEY"])
    delete full[name];
  Object.assign(full, store);
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete full[name];
    else full[name] = value;
  }
  // Each PGlite folder gets its own generated TOTP key beside it; Postgres runs share one.
  if ("DATABASE_URL" in store) full.TOTP_ENCRYPTION_KEY = "ab".repeat(32);
  const app = await startTsProcess("src/main.ts", full, "Tabib is listening on", 120_000);
  const port = /"msg":"Tabib is listening on http:\/\/127\.0\.0\.1:(\d+)"/.exec(app.output())![1];
  return {
    base: `http://127.0.0.1:${port}`,
    output: app.output,
    async stop() {
      await app.stop();
      const errors = app
        .output()
        .split("\n")
        .filter((l) => /^\{.*"level":(50|60)/.test(l));
      expect(errors, "error-level log lines").toEqual([]);
    },
  };
}

// Response bodies are whatever JSON the app sent; tests assert on their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** JSON over HTTP with an optional bearer token. */
export async function call(
  base: string,
  method: string,
  pathname: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(base + pathname, {
    method,
    headers: {
      ...(opts.body !== undefined ? { "content-type": "application/json" } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body, headers: res.headers };
}

/** An OAuth 2.0 token request, form-encoded as RFC 6749 wants it. */
export async function tokenRequest(
  base: string,
  fields: Record<string, string>,
  basic?: { id: string; secret: string },
): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${base}/oauth2/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(basic
        ? {
            authorization: `Basic ${Buffer.from(`${encodeURIComponent(basic.id)}:${encodeURIComponent(basic.secret)}`).toString("base64")}`,
          }
        : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/**
 * Enrols the account in two-factor through the console, as a person would: password, the setup
 * page's secret, a code from it. Returns the secret and the recovery codes shown once.
 */
export async function enrolInConsole(
  base: string,
  who: { email: string; password: string },
): Promise<{ secret: string; recoveryCodes: string[]; visitor: Visitor }> {
  const visitor = new Visitor(base);
  const answer = await signIn(visitor, who.email, who.password);
  expect(answer.location).toBe("/mfa/setup");
  const setup = await visitor.get("/mfa/setup");
  const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.html)![1]!.replace(/ /g, "");
  const done = await visitor.post("/mfa/setup", {
    _csrf: csrfOf(setup.html),
    code: totpCode(secret, totpStep(new Date())),
  });
  expect(done.status).toBe(200);
  const recoveryCodes = [...done.html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!);
  expect(recoveryCodes).toHaveLength(10);
  return { secret, recoveryCodes, visitor };
}
