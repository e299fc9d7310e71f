import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { openPglite, openPostgres, type Sql } from "../../src/data/db.js";
import { MIGRATIONS_DIR, migrate, readMigrations } from "../../src/data/migrate.js";
import { freshDatabase, onRealPostgres } from "../support/database.js";

const root = path.resolve(import.meta.dirname, "../..");
const realPostgres = onRealPostgres();
const serverUrl = (database: string): string =>
  Object.assign(new URL(inject("pgTemplateUrl")), { pathname: `/${database}` }).toString();

const created: string[] = [];
afterAll(async () => {
  if (created.length === 0) return;
  const admin = new pg.Client({ connectionString: serverUrl("postgres") });
  await admin.connect();
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

/** Creates an empty database on the test server; dropped after this file. */
async function emptyPostgresDatabase(): Promise<string> {
  const name = `tabib_ops_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl("postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  created.push(name);
  return serverUrl(name);
}

/** Migrated and empty, shared by the tests that only read it or are refused. */
const db = await freshDatabase({ poolSize: 1 });

/**
 * What the migrations add on purpose beyond schema.prisma, because Prisma's schema language
 * cannot say it. Anything else that differs is drift. Adding or renaming one of these in a
 * migration means updating this list: that is the point.
 */
const HAND_WRITTEN = [
  "extension btree_gist",
  "constraint appointment.appointment_no_overlap EXCLUDE",
  "constraint slot_hold.slot_hold_no_overlap EXCLUDE",
  "index appointment.appointment_no_overlap (backs the EXCLUDE constraint)",
  "index slot_hold.slot_hold_no_overlap (backs the EXCLUDE constraint)",
  "constraint appointment.appointment_duration CHECK",
  "constraint slot_hold.slot_hold_duration CHECK",
  "constraint schedule_exception.schedule_exception_ends_after_start CHECK",
  "constraint working_hours.working_hours_minutes CHECK",
  "constraint invoice_line.invoice_line_amounts CHECK",
  "constraint payment.payment_amount_positive CHECK",
  "constraint invoice.invoice_parts_add_up CHECK",
  "constraint patient.patient_coverage_bp CHECK",
  "constraint clinic.clinic_quiet_hours_minutes CHECK",
  "function open_conversation",
  "function open_exchange",
  "function record_exchange",
  "function doctor_name",
  "function rate_limit_hit",
];

/** The public schema as comparable lines: tables, columns, indexes, constraints, enums, extensions, functions. */
async function catalog(sql: Sql): Promise<Map<string, string>> {
  const items = new Map<string, string>();
  const tables = await sql.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
  );
  const tableNames = new Set(tables.map((t) => t.name));
  for (const t of tableNames) items.set(`table ${t}`, "");
  const columns = await sql.query<{ tbl: string; col: string; type: string; notnull: boolean; dflt: string | null }>(
    `SELECT c.relname AS tbl, a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
            pg_get_expr(d.adbin, d.adrelid) AS dflt
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  for (const c of columns) {
    if (tableNames.has(c.tbl))
      items.set(
        `column ${c.tbl}.${c.col}`,
        `${c.type}${c.notnull ? " NOT NULL" : ""}${c.dflt ? ` DEFAULT ${c.dflt}` : ""}`,
      );
  }
  const constraints = await sql.query<{ tbl: string; name: string; type: string; def: string }>(
    `SELECT c.relname AS tbl, k.conname AS name, k.contype::text AS type, pg_get_constraintdef(k.oid) AS def
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'`,
  );
  const kinds: Record<string, string> = { p: "PRIMARY KEY", u: "UNIQUE", f: "FOREIGN KEY", c: "CHECK", x: "EXCLUDE" };
  const exclusionIndexes = new Set<string>();
  for (const k of constraints) {
    if (!tableNames.has(k.tbl)) continue;
    items.set(`constraint ${k.tbl}.${k.name} ${kinds[k.type] ?? k.type}`, k.def);
    if (k.type === "x") exclusionIndexes.add(k.name);
  }
  const indexes = await sql.query<{ tbl: string; name: string; def: string }>(
    `SELECT tablename AS tbl, indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'public'`,
  );
  for (const i of indexes) {
    if (!tableNames.has(i.tbl)) continue;
    items.set(
      `index ${i.tbl}.${i.name}${exclusionIndexes.has(i.name) ? " (backs the EXCLUDE constraint)" : ""}`,
      i.def,
    );
  }
  const enums = await sql.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
       JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'public'
      GROUP BY t.typname`,
  );
  for (const e of enums) items.set(`enum ${e.name}`, e.labels.join(", "));
  const extensions = await sql.query<{ name: string }>(
    `SELECT extname AS name FROM pg_extension WHERE extname <> 'plpgsql'`,
  );
  for (const x of extensions) items.set(`extension ${x.name}`, "");
  const functions = await sql.query<{ name: string; def: string }>(
    `SELECT p.proname AS name, pg_get_function_identity_arguments(p.oid) AS def
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'public'
      WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
  );
  for (const f of functions) items.set(`function ${f.name}`, f.def);
  return items;
}

describe("migrations", () => {
  it.skipIf(!realPostgres)(
    "a freshly migrated database matches schema.prisma (no drift) — needs DATABASE_URL: Prisma's CLI only diffs through a live Postgres",
    async () => {
      // What Prisma would create from schema.prisma alone...
      const diff = spawnSync(
        process.execPath,
        [
          "node_modules/prisma/build/index.js",
          "migrate",
          "diff",
          "--from-empty",
          "--to-schema-datamodel",
          "prisma/schema.prisma",
          "--script",
        ],
        {
          cwd: root,
          encoding: "utf8",
          env: { ...process.env, DATABASE_URL: serverUrl("postgres"), PRISMA_HIDE_UPDATE_MESSAGE: "1" },
        },
      );
      expect(diff.status, diff.stderr).toBe(0);
      const fromSchema = openPostgres({ url: await emptyPostgresDatabase(), poolSize: 1 });
      const migrated = openPostgres({ url: await emptyPostgresDatabase(), poolSize: 1 });
      try {
        await fromSchema.sql.exec(diff.stdout);
        // ...against what our migrations create.
        await migrate(migrated.sql);
        const expected = await catalog(fromSchema.sql);
        const actual = await catalog(migrated.sql);

        // Objects schema.prisma describes that the migrations create differently or not at all,
        // and objects the migrations create that schema.prisma does not describe.
        const missing = [...expected]
          .filter(([k, v]) => actual.get(k) !== v)
          .map(([k, v]) => `${k}: ${v} (migrations give: ${actual.get(k) ?? "nothing"})`);
        const extra = [...actual.keys()].filter((k) => !expected.has(k)).sort();
        expect({ missing, extra }).toEqual({ missing: [], extra: [...HAND_WRITTEN].sort() });
        expect(expected.size).toBeGreaterThan(50);
      } finally {
        await fromSchema.close();
        await migrated.close();
      }
    },
  );

  it("migrating an up-to-date database again applies nothing", async () => {
    const ledger = async () =>
      (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`))[0]!.n;
    const before = await ledger();
    expect(await migrate(db.sql)).toEqual([]);
    expect(await migrate(db.sql)).toEqual([]);
    expect(await ledger()).toBe(before);
  });

  it("a migration edited after it was applied is refused, naming the migration", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tabib-migrations-"));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const [first] = await readMigrations(dir);
      const file = path.join(dir, first!.name, "migration.sql");
      await writeFile(file, `${await readFile(file, "utf8")}\n-- edited afterwards\n`);
      await expect(migrate(db.sql, dir)).rejects.toThrow(`Migration ${first!.name} was modified after it was applied`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("two instances starting together on an empty database both succeed, and each migration runs once", async () => {
    if (realPostgres) {
      const url = await emptyPostgresDatabase();
      const a = openPostgres({ url, poolSize: 1 });
      const b = openPostgres({ url, poolSize: 1 });
      try {
        const [ranA, ranB] = await Promise.all([migrate(a.sql), migrate(b.sql)]);
        expect([...ranA, ...ranB].sort()).toEqual((await expectedMigrations()).sort());
        expect(ranA.length === 0 || ranB.length === 0).toBe(true);
      } finally {
        await a.close();
        await b.close();
      }
    } else {
      // One embedded engine per process: the two callers share it and its transaction queue.
      const db = await openPglite();
      try {
        const [ranA, ranB] = await Promise.all([migrate(db.sql), migrate(db.sql)]);
        expect([...ranA, ...ranB].sort()).toEqual((await expectedMigrations()).sort());
      } finally {
        await db.close();
      }
    }
  });
});

async function expectedMigrations(): Promise<string[]> {
  return (await readMigrations()).map((m) => m.name);
}
