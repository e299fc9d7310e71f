// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL, or to the PGlite
// directory (PGLITE_DIR) when no URL is set. `npm start` does the same on every start.
import path from "node:path";
import dotenv from "dotenv";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/data/db.js";
import { migrate } from "../src/data/migrate.js";
import { safeUrl } from "../src/lib/redis.js";

dotenv.config({ quiet: true });
const config = loadConfig();
const target = config.DATABASE_URL
  ? `Postgres ${safeUrl(config.DATABASE_URL)}`
  : `PGlite in ${path.resolve(config.PGLITE_DIR)}`;
const db = await openDatabase({ url: config.DATABASE_URL, pgliteDir: path.resolve(config.PGLITE_DIR), poolSize: 1 });
try {
  const applied = await migrate(db.sql);
  console.log(
    applied.length ? `Applied to ${target}:\n${applied.map((m) => `  ${m}`).join("\n")}` : `${target} is up to date.`,
  );
} catch (err) {
  console.error(`Migration failed on ${target}: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
