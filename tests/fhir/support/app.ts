import { once } from "node:events";
import type { AddressInfo } from "node:net";
import express from "express";
import { pino } from "pino";
import { afterAll, expect } from "vitest";
import { loadConfig } from "../../../src/config.js";
import type { AppContext } from "../../../src/context.js";
import { fhirRouter } from "../../../src/fhir/router.js";
import { signStaffToken, type StaffPrincipal } from "../../../src/http/auth.js";
import { freshDatabase, type TestDatabase } from "../../support/database.js";
import { assertValidFhir, compileFhirSchema } from "./fhir-schema.js";

export interface FhirTestApp {
  ctx: AppContext;
  db: TestDatabase;
  /** http://127.0.0.1:PORT/fhir */
  base: string;
  token(p: StaffPrincipal): string;
  /** GETs a path under /fhir (or an absolute URL); every FHIR body is schema-validated before it is returned. */
  get(pathOrUrl: string, token?: string, headers?: Record<string, string>): Promise<FhirResponse>;
}

export interface FhirResponse {
  status: number;
  contentType: string | null;
  body: FhirJson;
}

/** An Express app with only the FHIR router, on a free port, over a fresh database; now is pinned. */
export async function startFhirApp(now: Date): Promise<FhirTestApp> {
  const db = await freshDatabase();
  const config = loadConfig({
    NODE_ENV: "test",
    JWT_SECRET: "fhir-tests-secret-0123456789abcdef0123456789",
    LOG_LEVEL: "silent",
  });
  const ctx: AppContext = { config, db, logger: pino({ level: "silent" }), now: () => now };
  const app = express();
  app.use("/fhir", fhirRouter(ctx));
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  // Node's default 5 s keep-alive can close a pooled socket just as fetch reuses it (ECONNRESET).
  server.keepAliveTimeout = 120_000;
  compileFhirSchema();
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  return {
    ctx,
    db,
    base,
    token: (p) => signStaffToken(ctx, p, { amr: ["pwd", "otp"], tokenVersion: 0 }).token,
    async get(pathOrUrl, token, headers = {}) {
      const url = pathOrUrl.startsWith("http") ? pathOrUrl : `${base}${pathOrUrl}`;
      const res = await fetch(url, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
      const text = await res.text();
      const body = text ? JSON.parse(text) : undefined;
      if (body?.resourceType) {
        expect(res.headers.get("content-type")).toBe("application/fhir+json; charset=utf-8");
        assertValidFhir(body);
      }
      return { status: res.status, contentType: res.headers.get("content-type"), body };
    },
  };
}

/** Parsed FHIR JSON, read freely by tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FhirJson = any;

/** Resources of a searchset's matches, in order (outcome entries left out). */
export const matches = (bundle: FhirJson): FhirJson[] =>
  (bundle.entry ?? []).filter((e: FhirJson) => e.search.mode === "match").map((e: FhirJson) => e.resource);

/** Resource ids of a searchset's matches, in order. */
export const ids = (bundle: FhirJson): string[] => matches(bundle).map((r) => r.id);
