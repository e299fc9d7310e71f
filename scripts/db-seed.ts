// `npm run db:seed`: creates the demo clinic (applying migrations first) unless the
// database already has a clinic, with its history unless SEED_DEMO=empty. Prints the new
// staff logins once.
import path from "node:path";
import dotenv from "dotenv";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/data/db.js";
import { seedDemo } from "../src/data/demo-clinic.js";
import { migrate } from "../src/data/migrate.js";

dotenv.config({ quiet: true });
const config = loadConfig();
const db = await openDatabase({ url: config.DATABASE_URL, pgliteDir: path.resolve(config.PGLITE_DIR), poolSize: 1 });
try {
  await migrate(db.sql);
  const { credentials, history } = await seedDemo(db, {
    adminEmail: config.SEED_ADMIN_EMAIL,
    adminPassword: config.SEED_ADMIN_PASSWORD,
    history: config.SEED_DEMO === "empty" ? false : {},
  });
  if (credentials.length === 0) {
    console.log("The database already has a clinic: nothing seeded.");
  } else {
    console.log(
      history
        ? `Demo clinic created with its history (${history.from} to ${history.to}: ${history.patients} patients, ${history.appointments} appointments, ${history.invoices} invoices).`
        : "Demo clinic created, without history (SEED_DEMO=empty).",
    );
    console.log("Staff logins (shown this one time only):");
    for (const c of credentials) {
      const password =
        c.role === "admin" && config.SEED_ADMIN_PASSWORD ? "(the SEED_ADMIN_PASSWORD you set)" : c.password;
      console.log(`  ${c.role.padEnd(10)} ${c.email.padEnd(28)} ${password}`);
    }
  }
} catch (err) {
  console.error(`Seeding failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
