// `npm run db:migration:new -- <name>`: turns the changes made to prisma/schema.prisma since
// the last migration into prisma/migrations/<UTC timestamp>_<name>/migration.sql.
//
// Prisma's own `migrate dev` needs its native engine and a shadow database; this diffs the
// schema against prisma/migrations/schema.snapshot.prisma (the schema as of the last
// migration) with the Wasm engine instead, then moves the snapshot forward.
import { spawnSync } from "node:child_process";
import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const dirFlag = args.indexOf("--dir");
// --dir points at another prisma folder (schema.prisma + migrations/), for trying the script out.
const prismaDir = dirFlag >= 0 ? path.resolve(args.splice(dirFlag, 2)[1] ?? "") : path.join(root, "prisma");
const name = args[0];

if (!name || !/^[a-z0-9][a-z0-9_]*$/.test(name)) {
  console.error(
    "Usage: npm run db:migration:new -- <name>   (lower-case letters, digits and _, e.g. add_patient_notes)",
  );
  process.exit(2);
}

const schema = path.join(prismaDir, "schema.prisma");
const migrationsDir = path.join(prismaDir, "migrations");
const snapshot = path.join(migrationsDir, "schema.snapshot.prisma");

// The Wasm engine connects through prisma.config.ts's adapter even for a schema-to-schema diff.
const DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
if (!process.env.DATABASE_URL)
  console.error(
    `DATABASE_URL is not set: using ${DEFAULT_URL} (Prisma's CLI needs a reachable Postgres; nothing is written to it).`,
  );
const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? DEFAULT_URL, PRISMA_HIDE_UPDATE_MESSAGE: "1" };

const diff = spawnSync(
  process.execPath,
  [
    "node_modules/prisma/build/index.js",
    "migrate",
    "diff",
    "--from-schema-datamodel",
    snapshot,
    "--to-schema-datamodel",
    schema,
    "--script",
  ],
  { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
);
if (diff.status !== 0) {
  console.error(`prisma migrate diff failed (exit ${diff.status ?? diff.signal}).`);
  process.exit(1);
}

const sql = diff.stdout;
const statements = sql
  .split("\n")
  .filter((line) => line.trim() !== "" && !line.trim().startsWith("--"))
  .join("\n");
if (statements === "") {
  console.log("schema.prisma has no changes since the last migration: nothing to do.");
  process.exit(0);
}

const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const folder = `${stamp}_${name}`;
const existing = (await readdir(migrationsDir, { withFileTypes: true }))
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const last = existing.at(-1);
if (last && folder <= last) {
  console.error(
    `${folder} would sort before the latest migration ${last}; migrations run in name order. Check the clock.`,
  );
  process.exit(1);
}

await mkdir(path.join(migrationsDir, folder));
await writeFile(path.join(migrationsDir, folder, "migration.sql"), sql);
await copyFile(schema, snapshot);

console.log(
  `Wrote ${path.relative(process.cwd(), path.join(migrationsDir, folder, "migration.sql"))} and updated schema.snapshot.prisma.`,
);
console.log(
  [
    "Review the SQL before committing it. Prisma's schema cannot express everything Tabib relies on:",
    "exclusion constraints (EXCLUDE USING gist ...), CHECK constraints and extensions are hand-written",
    "SQL — add any you need to this migration.sql by hand. Never edit a migration once it has been applied.",
  ].join("\n"),
);
