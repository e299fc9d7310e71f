import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import type { AppContext } from "../../src/context.js";
import { openPostgres } from "../../src/data/db.js";
import { createLogger } from "../../src/lib/logger.js";
import { closeRedis, openRedis } from "../../src/lib/redis.js";
import { freshDatabase } from "../support/database.js";

const db = await freshDatabase();
const config = loadConfig({ LOG_LEVEL: "silent", NODE_ENV: "test" });
const ctx: AppContext = { config, db, logger: createLogger(config), now: () => new Date() };

const servers: Server[] = [];
async function serve(app: express.Express): Promise<string> {
  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

const PATIENT_ID = "3f2b8c1e-9a4d-4e2f-8b7a-1c2d3e4f5a6b";
let base: string;
beforeAll(async () => {
  const things = express.Router();
  things.get("/:id", (req, res) => {
    res.json({ id: req.params.id });
  });
  things.post("/", (req, res) => {
    res.status(201).json(req.body);
  });
  base = await serve(createApp(ctx, { routers: [{ path: "/api/things", router: things }] }));
});

describe("operations endpoints", () => {
  it("a monitoring system scrapes /metrics and gets Prometheus text with process and HTTP metrics", async () => {
    await fetch(`${base}/api/things/${PATIENT_ID}`);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain("# TYPE http_request_duration_seconds histogram");
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/things\/:id",status="200"\} \d+/,
    );
  });

  it("metrics label requests by route pattern, so patient and appointment ids never reach them", async () => {
    await fetch(`${base}/api/unknown/${PATIENT_ID}`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).not.toContain(PATIENT_ID);
    expect(text).toMatch(/route="unmatched",status="404"/);
  });

  it("an unknown API path answers a JSON 404, not an HTML page", async () => {
    const res = await fetch(`${base}/api/no/such/thing`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toMatchObject({ error: "not_found" });
  });

  it("an unknown FHIR path answers a FHIR OperationOutcome 404", async () => {
    const res = await fetch(`${base}/fhir/NoSuchResource/1`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/application\/fhir\+json/);
    expect(await res.json()).toMatchObject({ resourceType: "OperationOutcome", issue: [{ code: "not-found" }] });
  });

  it("a malformed JSON body gets a 400 with a reason, not a stack trace", async () => {
    const res = await fetch(`${base}/api/things`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name": "Dr',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.message).toEqual(expect.any(String));
    expect(JSON.stringify(body)).not.toMatch(/SyntaxError|at .*\.js|node_modules/);
  });

  it("a body over 1 MB is refused with 413", async () => {
    const res = await fetch(`${base}/api/things`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ note: "x".repeat(1_100_000) }),
    });
    expect(res.status).toBe(413);
  });

  it("responses carry security headers and do not advertise Express", async () => {
    const res = await fetch(`${base}/health`);
    expect(res.headers.get("x-powered-by")).toBeNull();
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/https:|cdn/i);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("GET /health", () => {
  it("says ok with the database kind when the database answers and Redis is not configured", async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "ok",
      database: { status: "ok", kind: db.kind, latencyMs: expect.any(Number) },
      redis: { status: "not_configured" },
    });
  });

  it("stays 200 but says degraded when Redis is configured and unreachable", async () => {
    const redis = openRedis("redis://127.0.0.1:1/0", ctx.logger);
    try {
      const url = await serve(createApp({ ...ctx, redis }));
      const res = await fetch(`${url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: "degraded",
        database: { status: "ok" },
        redis: { status: "down" },
      });
    } finally {
      await closeRedis(redis);
    }
  });

  it.skipIf(!process.env.REDIS_URL)("says Redis ok when REDIS_URL points at a running Redis", async () => {
    const redis = openRedis(process.env.REDIS_URL, ctx.logger);
    try {
      const url = await serve(createApp({ ...ctx, redis }));
      expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ status: "ok", redis: { status: "ok" } });
    } finally {
      await closeRedis(redis);
    }
  });

  it("answers 503 when the database is unreachable, so orchestrators stop routing to it", async () => {
    const unreachable = openPostgres({ url: "postgresql://postgres@127.0.0.1:1/tabib", poolSize: 1 });
    try {
      const url = await serve(createApp({ ...ctx, db: unreachable }));
      const res = await fetch(`${url}/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: "degraded", database: { status: "down", kind: "postgres" } });
    } finally {
      await unreachable.close();
    }
  });
});
