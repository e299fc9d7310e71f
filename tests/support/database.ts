import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { openPglite, openPostgres, type Database } from "../../src/data/db.js";

export interface TestDatabase extends Database {
  /** Connection string of this file's own database (Postgres only). */
  readonly url?: string;
}

/** True when the suite runs against a real Postgres server (DATABASE_URL set). */
export const onRealPostgres = (): boolean => inject("pgTemplateUrl") !== "";

/**
 * A freshly migrated, empty database for one test file: a copy of the migrated template
 * on real Postgres, or an in-memory PGlite loaded from the migrated dump. Dropped after the file.
 */
export async function freshDatabase(opts: { poolSize?: number } = {}): Promise<TestDatabase> {
  const templateUrl = inject("pgTemplateUrl");
  if (!templateUrl) {
    const dump = await readFile(inject("pgliteDump"));
    const db = await openPglite(undefined, { loadDataDir: new Blob([dump]) });
    afterAll(() => db.close());
    return db;
  }
  const template = new URL(templateUrl).pathname.slice(1);
  const name = `${template}_${randomBytes(5).toString("hex")}`;
  const adminUrl = Object.assign(new URL(templateUrl), { pathname: "/postgres" }).toString();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  // Two files copying the same template at once collide ("being accessed by other users").
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      break;
    } catch (err) {
      if (attempt > 50 || (err as { code?: string }).code !== "55006") throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
  await admin.end();
  const url = Object.assign(new URL(templateUrl), { pathname: `/${name}` }).toString();
  const db = openPostgres({ url, poolSize: opts.poolSize ?? 10 });
  afterAll(async () => {
    await db.close();
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  });
  return Object.assign(db, { url });
}
