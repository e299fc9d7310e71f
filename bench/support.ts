import os from "node:os";
import pg from "pg";
import { openPostgres, type Database } from "../src/data/db.js";
import { migrate } from "../src/data/migrate.js";

/** What the figures were measured on, printed with every benchmark run. */
export async function machine(): Promise<string> {
  const cpus = os.cpus();
  let postgres = "unavailable";
  try {
    const c = new pg.Client({ connectionString: adminUrl() });
    await c.connect();
    postgres = String((await c.query("SHOW server_version")).rows[0].server_version);
    await c.end();
  } catch {
    /* reported as unavailable */
  }
  return [
    `CPU: ${cpus[0]?.model ?? "unknown"} × ${cpus.length} (os.availableParallelism ${os.availableParallelism()})`,
    `Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `OS: ${os.type()} ${os.release()} ${os.arch()}`,
    `Node: ${process.version}`,
    `PostgreSQL: ${postgres}`,
  ].join("\n");
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(samplesMs: number[]): { p50: number; p99: number; max: number; n: number } {
  const s = [...samplesMs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) ?? NaN, n: s.length };
}

export const ms = (n: number) => `${n.toFixed(2)} ms`;

function adminUrl(): string {
  const base = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  return Object.assign(new URL(base), { pathname: "/postgres" }).toString();
}

/** A new, migrated Postgres database for one benchmark; dropped by the returned cleanup. */
export async function benchDatabase(
  name: string,
  poolSize = 20,
): Promise<{ db: Database; url: string; drop: () => Promise<void> }> {
  const dbName = `tabib_bench_${name}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const url = Object.assign(new URL(adminUrl()), { pathname: `/${dbName}` }).toString();
  const db = openPostgres({ url, poolSize });
  await migrate(db.sql);
  return {
    db,
    url,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function pool<T>(
  n: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        try {
          results[i] = { status: "fulfilled", value: await task(i) };
        } catch (reason) {
          results[i] = { status: "rejected", reason };
        }
      }
    }),
  );
  return results;
}
