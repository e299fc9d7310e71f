import type { BenchResult } from "./booking.bench.js";
import { machine, postgresReachable } from "./support.js";

/**
 * `npm run bench [-- name…]`: runs the benchmarks, prints figures and the machine, exits 1 if a target is missed.
 * Suites are imported only when selected, so a process's memory figure counts only what that suite loads.
 */
const suites: Record<string, () => Promise<BenchResult>> = {
  earliest: async () => (await import("./booking.bench.js")).earliestSlotBench(),
  booking: async () => (await import("./booking.bench.js")).bookingThroughputBench(),
  race: async () => (await import("./booking.bench.js")).oneSlotRaceBench(),
  dialogue: async () => (await import("./dialogue.bench.js")).dialogueBench(),
  channels: async () => (await import("./channels.bench.js")).channelsBench(),
  reminders: async () => (await import("./reminders.bench.js")).remindersBench(),
  "console-week": async () => (await import("./console-week.bench.js")).consoleWeekBench(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const selected = wanted.length ? wanted : Object.keys(suites);
console.log("# Tabib benchmarks\n");
console.log((await machine()).replace(/^/gm, "  "));
console.log("");
if (!(await postgresReachable())) {
  console.log("PostgreSQL is not reachable (set DATABASE_URL): the benchmarks measure the real server and cannot run.");
  process.exit(1);
}
let missed = 0;
for (const name of selected) {
  const suite = suites[name];
  if (!suite) {
    console.log(`unknown benchmark ${name}; known: ${Object.keys(suites).join(", ")}`);
    process.exit(2);
  }
  const r = await suite();
  console.log(`## ${r.name}`);
  for (const [k, v] of Object.entries(r.figures)) console.log(`  ${k}: ${v}`);
  if (r.target) console.log(`  target: ${r.target} — ${r.met ? "met" : "MISSED"}`);
  console.log("");
  if (r.met === false) missed++;
}
process.exit(missed ? 1 : 0);
