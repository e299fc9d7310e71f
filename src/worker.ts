// `npm run worker`: background work, separate from the web process so each scales on its own.
import path from "node:path";
import dotenv from "dotenv";
import { loadConfig } from "./config.js";
import { openDatabase } from "./data/db.js";
import { migrate } from "./data/migrate.js";
import { startDeliveryWorker } from "./bots/delivery/queue.js";
import { postgresDeliveryLog } from "./bots/delivery/status.js";
import { channelLimits, channelSenders } from "./bots/channels.js";
import type { ChatChannel } from "./domain/channels.js";
import { runHousekeeping } from "./jobs/housekeeping.js";
import { startJobs } from "./jobs/runner.js";
import { startCare } from "./jobs/care.js";
import { createLogger } from "./lib/logger.js";

const HOUSEKEEPING_EVERY_MS = 10 * 60_000;

dotenv.config({ quiet: true });
const config = loadConfig();
const logger = createLogger(config);
const db = await openDatabase({ url: config.DATABASE_URL, pgliteDir: path.resolve(config.PGLITE_DIR) });
// The web process migrates too; the migrator's advisory lock lets both start together.
await migrate(db.sql);

// Replies queued by the web process (REDIS_URL) are sent from here, for every channel.
const senders = channelSenders({ config, db, logger });
const delivery =
  config.REDIS_URL && Object.keys(senders).length > 0
    ? startDeliveryWorker({
        redisUrl: config.REDIS_URL,
        senders,
        limits: channelLimits(config, Object.keys(senders) as ChatChannel[]),
        logger,
        log: postgresDeliveryLog(db, logger),
      })
    : null;

// Reminders and notices: BullMQ delivers them on time, a sweeper re-queues (or, without Redis, sends) what is due.
const followUps = startJobs({ config, db, logger, now: () => new Date() });
// Emergency escalation, lapsed waitlist offers, doctors' requests and morning agendas.
const care = startCare({ config, db, logger, now: () => new Date() }, { timers: true });

let running: Promise<unknown> = Promise.resolve();
async function housekeeping(): Promise<void> {
  try {
    const report = await runHousekeeping(db, new Date());
    logger.debug(report, "housekeeping done");
  } catch (err) {
    logger.error({ err }, "housekeeping failed");
  }
}
running = housekeeping();
const timer = setInterval(() => {
  running = housekeeping();
}, HOUSEKEEPING_EVERY_MS);
logger.info({ everyMinutes: HOUSEKEEPING_EVERY_MS / 60_000, delivery: Boolean(delivery) }, "worker started");

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  // A second signal during shutdown must not kill the process halfway through closing the database.
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "worker stopping");
  clearInterval(timer);
  await followUps.close();
  await care.close();
  await delivery?.close();
  await running;
  await db.close();
  process.exit(0);
}
process.on("SIGINT", (s) => void stop(s));
process.on("SIGTERM", (s) => void stop(s));
