import { mkdtemp, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migrate } from "../../src/data/migrate.js";
import { openPglite, openPostgres } from "../../src/data/db.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Postgres database migrated once, copied per test file; or empty for PGlite. */
    pgTemplateUrl: string;
    /** Path of a migrated PGlite data-dir dump, loaded per test file. */
    pgliteDump: string;
  }
}

// Migrations run once per test run; each test file then starts from a copy of the result.
export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL;
  if (url) {
    const target = new URL(url);
    const name = target.pathname.slice(1);
    const admin = new pg.Client({
      connectionString: Object.assign(new URL(url), { pathname: "/postgres" }).toString(),
    });
    await admin.connect();
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const db = openPostgres({ url, poolSize: 1 });
    await migrate(db.sql);
    await db.close();
    project.provide("pgTemplateUrl", url);
    project.provide("pgliteDump", "");
    return;
  }
  const dir = await mkdtemp(path.join(tmpdir(), "tabib-test-"));
  const db = await openPglite();
  await migrate(db.sql);
  const lite = db.lite!;
  const dump = path.join(dir, "migrated.tar");
  await writeFile(dump, Buffer.from(await (await lite.dumpDataDir("none")).arrayBuffer()));
  await db.close();
  project.provide("pgTemplateUrl", "");
  project.provide("pgliteDump", dump);
  return async () => rm(dir, { recursive: true, force: true });
}
