// The service main.ts starts: database (Postgres, or embedded PGlite) → migrations → demo clinic
// on first start → HTTP server, with a graceful stop on SIGINT/SIGTERM.
import type { Server } from "node:http";
import path from "node:path";
import { oauthTokenRouter } from "./api/oauth-token.js";
import { apiRouter } from "./api/router.js";
import { createApp, type MountedRouter } from "./app.js";
import { consoleRouter } from "./console/router.js";
import { resolveTotpKey, sealPlaintextTotpSecrets, totpBox } from "./console/totp-vault.js";
import { startChannels } from "./bots/channels.js";
import { clinicEngine } from "./bots/chat-engine.js";
import { WhatsappWebSession } from "./bots/whatsapp-web/session.js";
import { webChatRouter } from "./bots/web/router.js";
import { fhirRouter } from "./fhir/router.js";
import { config as startupConfig, logger } from "./boot.js";
import type { Config } from "./config.js";
import type { AppContext } from "./context.js";
import { openDatabase, type Database } from "./data/db.js";
import { seedDemo, type SeedCredentials } from "./data/demo-clinic.js";
import { migrate } from "./data/migrate.js";
import { seedApiClient } from "./domain/api-clients.js";
import { sharedLimiter } from "./domain/limits.js";
import { startJobs, type JobRunner } from "./jobs/runner.js";
import { startCare } from "./jobs/care.js";
import { closeRedis, openRedis, safeUrl } from "./lib/redis.js";

/** How long in-flight requests get to finish after SIGINT/SIGTERM before connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

let config: Config = startupConfig;

const db = await openDatabase({ url: config.DATABASE_URL, pgliteDir: path.resolve(config.PGLITE_DIR) });
logger.info(
  db.kind === "postgres"
    ? { database: "postgres", url: safeUrl(config.DATABASE_URL!) }
    : { database: "pglite", dir: path.resolve(config.PGLITE_DIR) },
  "database opened",
);

const applied = await migrate(db.sql, undefined, {
  onApplying: (pending) =>
    logger.info(
      { count: pending.length },
      pending.length > 3 ? "creating the database's tables (first start)" : "applying database migrations",
    ),
});
if (applied.length > 0) logger.info({ migrations: applied }, "migrations applied");

// Staff TOTP secrets are sealed at rest; rows from before that are sealed now.
const totpKey = await resolveTotpKey(
  config,
  path.join(path.dirname(path.resolve(config.PGLITE_DIR)), "totp-encryption.key"),
);
if (totpKey.generated)
  logger.warn("TOTP_ENCRYPTION_KEY not set: generated one into the data folder (development only)");
config = { ...config, TOTP_ENCRYPTION_KEY: totpKey.key };
const sealedTotp = await sealPlaintextTotpSecrets(db, totpBox(config));
if (sealedTotp > 0) logger.info({ count: sealedTotp }, "plain-text TOTP secrets sealed");

await seedIfWanted(config, db);

const redis = openRedis(config.REDIS_URL, logger);
const ctx: AppContext = {
  config,
  db,
  logger,
  redis,
  now: () => new Date(),
  // Made before the routers: the console's /admin/whatsapp page shows this session's QR.
  whatsappWeb: config.WHATSAPP_WEB_ENABLED === "true" ? new WhatsappWebSession() : undefined,
};

// Every limit is counted where all instances see it (Redis, else the database).
const limiter = sharedLimiter(ctx);
const routers: MountedRouter[] = [
  { path: "/api", router: apiRouter(ctx, { limiter }) },
  { path: "/", router: oauthTokenRouter(ctx, limiter) },
  { path: "/fhir", router: fhirRouter(ctx) },
  { path: "/", router: consoleRouter(ctx, { limiter }) },
];
const clinic = await db.prisma.clinic.findFirst({ orderBy: { createdAt: "asc" } });
let channels: { close(): Promise<void> } | null = null;
if (clinic) {
  const engine = clinicEngine(ctx, clinic.id);
  const secureCookies = config.NODE_ENV === "production" || Boolean(config.PUBLIC_URL?.startsWith("https:"));
  routers.push({
    path: "/",
    router: webChatRouter(engine, { secureCookies, emergencyNumber: clinic.nationalEmergencyNumber, limiter }),
  });
  const started = await startChannels(ctx, clinic.id);
  for (const router of started.routers) routers.push({ path: "/", router });
  channels = started;
} else {
  logger.warn("no clinic in the database (SEED_DEMO=never?): the patient chat is not served until one exists");
}

// Single-process mode: reminders and notices run here too (a separate `npm run worker` can as well).
const jobs: JobRunner | null = config.INLINE_WORKER === "true" ? startJobs(ctx) : null;
// Waitlist offers and doctor alerts: this process acts on the slots it frees and the emergencies
// staff raise here; its timers (escalation, lapsed offers) run unless a separate worker does.
const care = startCare(ctx, { timers: config.INLINE_WORKER === "true" });

const app = createApp(ctx, { routers });
const server = await listen(app, config.HOST, config.PORT).catch(async (err: Error) => {
  logger.fatal({ reason: err.message }, `cannot listen on ${config.HOST}:${config.PORT}`);
  await closeRedis(redis);
  await db.close();
  process.exit(1);
});

const address = server.address();
const port = typeof address === "object" && address ? address.port : config.PORT;
const base =
  config.PUBLIC_URL?.replace(/\/$/, "") ??
  `http://${["0.0.0.0", "::"].includes(config.HOST) ? "localhost" : config.HOST}:${port}`;
logger.info(
  {
    host: config.HOST,
    port,
    console: `${base}/`,
    chat: `${base}/chat`,
    apiDocs: `${base}/api/docs/`,
    fhir: `${base}/fhir/metadata`,
    health: `${base}/health`,
  },
  `Tabib is listening on ${base}`,
);

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, "second signal: exiting without waiting");
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, "shutting down: no new connections, finishing requests in flight");
  const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  clearTimeout(cut);
  await jobs?.close();
  await care.close();
  await channels?.close();
  await closeRedis(redis);
  await db.close();
  logger.info("stopped");
  process.exit(0);
}
process.on("SIGINT", (s) => void shutdown(s));
process.on("SIGTERM", (s) => void shutdown(s));

function listen(application: ReturnType<typeof createApp>, host: string, listenPort: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = application.listen(listenPort, host);
    s.once("listening", () => resolve(s));
    s.once("error", reject);
  });
}

async function seedIfWanted(cfg: Config, database: Database): Promise<void> {
  await seedDemoIfWanted(cfg, database);
  // After the demo clinic (a first start creates it): the client belongs to the first clinic.
  if (!cfg.SEED_API_CLIENT_ID || !cfg.SEED_API_CLIENT_SECRET) return;
  const outcome = await seedApiClient(database, {
    clientId: cfg.SEED_API_CLIENT_ID,
    secret: cfg.SEED_API_CLIENT_SECRET,
  });
  if (outcome === "created")
    logger.info({ clientId: cfg.SEED_API_CLIENT_ID }, "API client created from SEED_API_CLIENT_ID");
  if (outcome === "no_clinic") logger.warn("SEED_API_CLIENT_ID is set but there is no clinic: no API client created");
}

async function seedDemoIfWanted(cfg: Config, database: Database): Promise<void> {
  // seedDemo leaves a database that already has a clinic as it is.
  if (cfg.SEED_DEMO === "never") return;
  if (!(await database.prisma.clinic.findFirst({ select: { id: true } })))
    logger.info(
      cfg.SEED_DEMO === "empty"
        ? "creating the demo clinic (first start)"
        : "creating the demo clinic and eight weeks of its history (first start)",
    );
  const { credentials, history } = await seedDemo(database, {
    adminEmail: cfg.SEED_ADMIN_EMAIL,
    adminPassword: cfg.SEED_ADMIN_PASSWORD,
    history: cfg.SEED_DEMO === "empty" ? false : {},
  });
  if (credentials.length === 0) return;
  logger.info(
    { logins: credentials.map((c) => ({ role: c.role, email: c.email })), history: history ?? null },
    "demo clinic created",
  );
  // Passwords go to the terminal once, here, and never through the logger.
  process.stdout.write(loginBox(credentials, Boolean(cfg.SEED_ADMIN_PASSWORD)));
}

function loginBox(credentials: SeedCredentials[], adminFromEnv: boolean): string {
  const rows = credentials.map((c) => {
    const password = c.role === "admin" && adminFromEnv ? "(the SEED_ADMIN_PASSWORD you set)" : c.password;
    return `  ${c.role.padEnd(10)} ${c.email.padEnd(28)} ${password}`;
  });
  const lines = [
    "Demo clinic created. Staff logins — shown this one time only, write them down:",
    "",
    `  ${"role".padEnd(10)} ${"email".padEnd(28)} password`,
    ...rows,
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const body = lines.map((l) => `│ ${l.padEnd(width - 2)} │`);
  return ["", `┌${"─".repeat(width)}┐`, ...body, `└${"─".repeat(width)}┘`, "", ""].join("\n");
}
