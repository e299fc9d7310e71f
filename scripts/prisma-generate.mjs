/* global process */
// Generates the Prisma client with the Wasm engine: Prisma's native engine is a download
// that offline and locked-down machines cannot make. No database is contacted.
import { spawnSync } from "node:child_process";

const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://localhost/unused",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
};
const res = spawnSync(process.execPath, ["node_modules/prisma/build/index.js", "generate"], { stdio: "inherit", env });
process.exit(res.status ?? 1);
