import type { RequestHandler } from "express";

export interface HealthReport {
  /** "degraded" when a dependency is down; the HTTP status tells whether the service can work. */
  status: "ok" | "degraded";
  database: { status: "ok" | "down"; kind: "postgres" | "pglite"; latencyMs: number };
  redis: { status: "ok" | "down" | "not_configured" };
}

/** What the probe needs of the process: its database and, when configured, Redis (an AppContext fits). */
export interface HealthProbes {
  readonly db: { readonly kind: "postgres" | "pglite"; readonly sql: { query(text: string): Promise<unknown> } };
  readonly redis?: { ping(): Promise<unknown> };
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Probes the database and Redis; never throws. */
export async function checkHealth(ctx: HealthProbes): Promise<HealthReport> {
  const started = performance.now();
  const database = await withTimeout(ctx.db.sql.query("SELECT 1"), CHECK_TIMEOUT_MS).then(
    () => "ok" as const,
    () => "down" as const,
  );
  const latencyMs = Math.round((performance.now() - started) * 10) / 10;
  const redis = !ctx.redis
    ? ("not_configured" as const)
    : await withTimeout(ctx.redis.ping(), CHECK_TIMEOUT_MS).then(
        () => "ok" as const,
        () => "down" as const,
      );
  return {
    status: database === "ok" && redis !== "down" ? "ok" : "degraded",
    database: { status: database, kind: ctx.db.kind, latencyMs },
    redis: { status: redis },
  };
}

/** GET /health: 200 while the database answers (Redis is optional), 503 otherwise. */
export function healthHandler(ctx: HealthProbes): RequestHandler {
  return async (_req, res) => {
    const report = await checkHealth(ctx);
    res
      .status(report.database.status === "ok" ? 200 : 503)
      .set("Cache-Control", "no-store")
      .json(report);
  };
}
