// `npm run chat`: talk to the dialogue engine from a terminal, on the same database as
// `npm start` (embedded PGlite by default), as a patient on the web channel would.
import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import dotenv from "dotenv";
import { loadConfig } from "../config.js";
import { openDatabase } from "../data/db.js";
import { seedDemoClinic } from "../data/demo-clinic.js";
import { migrate } from "../data/migrate.js";
import { handleInbound } from "../flows/engine.js";
import type { OutboundMessage } from "../domain/channels.js";

dotenv.config({ quiet: true });
const config = loadConfig();
const db = await openDatabase({ url: config.DATABASE_URL, pgliteDir: path.resolve(config.PGLITE_DIR) });
await migrate(db.sql);
const { clinicId } = await seedDemoClinic(db.prisma, {
  adminEmail: config.SEED_ADMIN_EMAIL,
  adminPassword: config.SEED_ADMIN_PASSWORD,
});
const deps = {
  db,
  clinicId,
  holdMinutes: config.HOLD_MINUTES,
  idleMinutes: config.CONVERSATION_IDLE_MINUTES,
  now: () => new Date(),
};
// One terminal user is one patient, across runs.
const senderId = `terminal:${os.userInfo().username}`;

let choices: { id: string; label: string }[] = [];
function show(replies: OutboundMessage[]): void {
  choices = [];
  for (const reply of replies) {
    console.log(`\n\x1b[36mclinic ›\x1b[0m ${reply.text.replace(/\n/g, "\n         ")}`);
    for (const choice of reply.choices ?? []) {
      choices.push(choice);
      console.log(`         \x1b[34m${choices.length}.\x1b[0m ${choice.label}`);
    }
  }
}

console.log("Tabib chat — write as a patient would (French or English). A number taps a choice. Ctrl-D to quit.");
const rl = createInterface({ input: process.stdin, output: process.stdout });
try {
  for (;;) {
    const line = await rl.question("\n\x1b[32myou ›\x1b[0m ").catch(() => null);
    if (line === null) break;
    const picked = /^\s*(\d{1,2})\s*$/.exec(line);
    const choice = picked ? choices[Number(picked[1]) - 1] : undefined;
    show(
      await handleInbound(deps, {
        channel: "web",
        senderId,
        ...(choice ? { payload: choice.id } : { text: line }),
        providerMessageId: randomUUID(),
        receivedAt: new Date(),
      }),
    );
  }
} finally {
  rl.close();
  await db.close();
}
