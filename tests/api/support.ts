import type { AddressInfo } from "node:net";
import express from "express";
import { pino } from "pino";
import { afterAll } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { AppContext } from "../../src/context.js";
import { seedDemoClinic, type SeedCredentials } from "../../src/data/demo-clinic.js";
import { processLimiter } from "../../src/domain/limits.js";
import { twoFactorRequired } from "../../src/domain/staff.js";
import { replaceRecoveryCodes } from "../../src/console/recovery-codes.js";
import { newTotpSecret } from "../../src/console/totp.js";
import { totpBox, totpContext } from "../../src/console/totp-vault.js";
import { apiRouter } from "../../src/api/router.js";
import { errorHandler } from "../../src/http/errors.js";
import { freshDatabase } from "../support/database.js";

/** Monday 7 December 2026, 09:00 in Paris: the demo doctors are at work. */
export const MONDAY_9AM_PARIS = new Date("2026-12-07T08:00:00Z");

/**
 * A seeded login. Accounts that must use two-factor are enrolled at their first API login (so
 * console tests still meet them unenrolled), then spend one recovery code per login.
 */
export type Credentials = SeedCredentials & { code?: () => Promise<string> };

export interface ApiWorld {
  ctx: AppContext;
  clinicId: string;
  credentials: Record<SeedCredentials["role"], Credentials>;
  /** Moves the pinned clock. */
  setNow(d: Date): void;
}

/** A seeded demo clinic on this test file's own database, with a pinned clock. */
export async function demoWorld(): Promise<ApiWorld> {
  let now = MONDAY_9AM_PARIS;
  const ctx: AppContext = {
    config: loadConfig({ NODE_ENV: "test", JWT_SECRET: "x".repeat(32) }),
    db: await freshDatabase(),
    logger: pino({ level: "silent" }),
    now: () => now,
  };
  const seed = await seedDemoClinic(ctx.db.prisma, { adminPassword: "admin-password-for-tests" });
  const credentials = Object.fromEntries(
    seed.credentials.map((c) => [c.role, twoFactorRequired(c.role) ? { ...c, code: enrolOnFirstUse(ctx, c) } : c]),
  ) as ApiWorld["credentials"];
  return { ctx, clinicId: seed.clinicId, credentials, setNow: (d) => (now = d) };
}

/** Doctors and admins log in with a second factor: enrolled when first asked, with recovery codes to spend one per login. */
function enrolOnFirstUse(ctx: AppContext, c: SeedCredentials): () => Promise<string> {
  let codes: Promise<string[]> | undefined;
  const enrol = async () => {
    const user = await ctx.db.prisma.staffUser.findUniqueOrThrow({ where: { email: c.email } });
    await ctx.db.prisma.staffUser.update({
      where: { id: user.id },
      data: { totpSecret: totpBox(ctx.config).seal(newTotpSecret(), totpContext(user.id)), totpEnabledAt: ctx.now() },
    });
    const list = Array.from({ length: 200 }, (_, i) => `test-${c.role}-${i}`);
    await replaceRecoveryCodes(ctx.db, user.id, list);
    return list;
  };
  return async () => (await (codes ??= enrol())).shift()!;
}

/** Serves the API the way the app mounts it; each call has its own login rate limiter. */
export async function startApi(ctx: AppContext): Promise<Client> {
  const app = express();
  app.use(express.json());
  app.use("/api", apiRouter(ctx, { limiter: processLimiter() }));
  app.use(errorHandler(ctx.logger));
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api`);
}

// Response bodies are whatever JSON the API sent; tests assert on their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface Answer<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

/** A thin fetch wrapper that speaks JSON and remembers a bearer token. */
export class Client {
  constructor(
    readonly base: string,
    readonly token?: string,
  ) {}

  as(token: string): Client {
    return new Client(this.base, token);
  }

  async login(who: { email: string; password: string; code?: () => Promise<string> }): Promise<Client> {
    const res = await this.post("/auth/login", { email: who.email, password: who.password, code: await who.code?.() });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return this.as(res.body.token);
  }

  async request<T = Json>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const type = res.headers.get("content-type") ?? "";
    return { status: res.status, body: type.includes("json") && text ? JSON.parse(text) : text, headers: res.headers };
  }

  get<T = Json>(path: string) {
    return this.request<T>("GET", path);
  }
  post<T = Json>(path: string, body?: unknown) {
    return this.request<T>("POST", path, body);
  }
  patch<T = Json>(path: string, body?: unknown) {
    return this.request<T>("PATCH", path, body);
  }
  put<T = Json>(path: string, body?: unknown) {
    return this.request<T>("PUT", path, body);
  }
  delete<T = Json>(path: string) {
    return this.request<T>("DELETE", path);
  }
}
