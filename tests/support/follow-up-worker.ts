// One worker process for tests: the follow-up runner and the outbound delivery worker, started as
// src/worker.ts starts them, but with a test clock, a key prefix of the test's own and short
// locks/leases so that a killed process's work is taken over within seconds, not minutes.
// Run: node --import tsx tests/support/follow-up-worker.ts, with DATABASE_URL, REDIS_URL,
// TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT, PREFIX, CLOCK_BASE and CLOCK_STARTED (epoch ms: the test
// clock reads CLOCK_BASE when the wall clock reads CLOCK_STARTED). Prints "ready" once started.
import { pino } from "pino";
import { channelSenders } from "../../src/bots/channels.js";
import { startDeliveryWorker } from "../../src/bots/delivery/queue.js";
import { postgresDeliveryLog } from "../../src/bots/delivery/status.js";
import { loadConfig } from "../../src/config.js";
import { openDatabase } from "../../src/data/db.js";
import { startJobs } from "../../src/jobs/runner.js";

const env = process.env;
const config = loadConfig({ ...env, NODE_ENV: "test", TELEGRAM_MODE: "polling", REMINDER_SWEEP_SECONDS: "1" });
const logger = pino({ level: env.WORKER_LOG_LEVEL ?? "silent" });
const base = Number(env.CLOCK_BASE);
const started = Number(env.CLOCK_STARTED);
const now = () => new Date(base + (Date.now() - started));
const prefix = env.PREFIX!;
const db = await openDatabase({ url: config.DATABASE_URL });
const ctx = { config, db, logger, now };

const delivery = startDeliveryWorker({
  redisUrl: config.REDIS_URL!,
  prefix,
  senders: channelSenders(ctx),
  logger,
  log: postgresDeliveryLog(db, logger),
  claimMs: 5_000,
  lockDurationMs: 2_000,
  stalledIntervalMs: 500,
});
const followUps = startJobs(ctx, { prefix, leaseMs: 5_000, lockDurationMs: 2_000, stalledIntervalMs: 500 });
await delivery.worker.waitUntilReady();
process.stdout.write("ready\n");

process.on("SIGTERM", () => {
  void (async () => {
    await followUps.close();
    await delivery.close();
    await db.close();
    process.exit(0);
  })();
});
