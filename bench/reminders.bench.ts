import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { pino } from "pino";
import type { Outbox } from "../src/bots/outbox.js";
import { queueDelivery, startDeliveryWorker } from "../src/bots/delivery/queue.js";
import type { PacingLimits } from "../src/bots/delivery/pacing.js";
import { telegramApi, telegramSender } from "../src/bots/telegram/send.js";
import type { Database } from "../src/data/db.js";
import { syncReminders } from "../src/domain/reminders.js";
import type { FollowUpDeps } from "../src/jobs/deps.js";
import { followUpQueue, startFollowUpWorker } from "../src/jobs/follow-up-queue.js";
import { deliverReminder } from "../src/jobs/send-reminder.js";
import { sweepFollowUps } from "../src/jobs/sweeper.js";
import { bigClinic, type BenchResult } from "./booking.bench.js";
import { benchDatabase, pool, summarize } from "./support.js";

const TOKEN = "123456:bench-token";
const DAY = 86_400_000;
/**
 * The fake provider's limit, and the pacing the outbox is told: 100 messages/s, above any one
 * real sender's (WhatsApp Cloud API 80/s per number, a Telegram bot 30/s, a Twilio long code 1/s).
 * Intervals are whole milliseconds (the pacer's keys expire in integer ms).
 */
const PROVIDER: PacingLimits = {
  sender: { intervalMs: 10, burst: 20 },
  chat: { intervalMs: 1000, burst: 3 },
};
/**
 * BENCH_SIZE (default 1) scales the rows scheduled and the burst, to iterate quickly; the figures
 * recorded in docs/benchmarks.md are from the full size.
 */
const SIZE = Number(process.env.BENCH_SIZE ?? 1);
const BURST = Math.round(10_000 * SIZE);
const SLOTS_PER_DOCTOR = Math.round(500 * SIZE);

/**
 * `npm run bench -- reminders`: 100,000 reminders scheduled (rows through syncReminders, then
 * queued as BullMQ delayed jobs by the sweeper), then 10,000 falling due at the same instant
 * (as when quiet hours end) delivered through the real pipeline — follow-up worker, outbox with
 * pacing, delivery worker, grammY — to a fake Telegram that enforces the provider's rate.
 */
export async function remindersBench(): Promise<BenchResult> {
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const prefix = `tabib-bench-${process.pid}`;
  const logger = pino({ level: "silent" });
  const { db, drop } = await benchDatabase("reminders", 40);
  const provider = await startFakeProvider(PROVIDER);
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const figures: BenchResult["figures"] = {};
    const now = new Date();

    // ---- 100,000 reminders: 50,000 appointments × the default offsets (48 h, 2 h)
    const scheduled = await bigClinic(db, 100);
    const firstStart = Math.ceil((+now + 3 * DAY) / 1_800_000) * 1_800_000;
    const appointments = await db.sql.query<{ id: string; clinic_id: string; status: string; starts_at: Date }>(
      `INSERT INTO appointment (clinic_id, doctor_id, patient_id, type_id, starts_at, ends_at, status, source_channel)
       SELECT $1, d, $2, $3, $4::timestamptz + s * interval '30 minutes', $4::timestamptz + (s + 1) * interval '30 minutes', 'confirmed', 'api'
         FROM unnest($5::uuid[]) d, generate_series(0, $6 - 1) s RETURNING id, clinic_id, status, starts_at`,
      [
        scheduled.clinicId,
        scheduled.patientId,
        scheduled.typeId,
        new Date(firstStart),
        scheduled.doctorIds,
        SLOTS_PER_DOCTOR,
      ],
    );
    let t0 = performance.now();
    // As booking does: the appointment in hand, the clinic's settings cached.
    await pool(appointments.length, 32, (i) => {
      const a = appointments[i]!;
      return syncReminders(db, { id: a.id, clinicId: a.clinic_id, status: a.status, startsAt: a.starts_at }, now);
    });
    const rowsSeconds = (performance.now() - t0) / 1000;
    const [{ n: rows }] = (await db.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM reminder WHERE status = 'scheduled'`,
    )) as [{ n: string }];
    figures["reminder rows scheduled"] = Number(rows);
    figures["rows: syncReminders (as after a booking), 32 at a time"] =
      `${rowsSeconds.toFixed(1)} s (${Math.round(Number(rows) / rowsSeconds)}/s)`;

    const enqueueQueue = followUpQueue({ redisUrl, prefix: `${prefix}-enqueue`, logger });
    closers.push(async () => {
      await enqueueQueue.queue.obliterate({ force: true });
      await enqueueQueue.close();
    });
    const { outbox, delivery: outbound, handed } = benchOutbox(redisUrl, prefix, logger);
    closers.push(() => outbox.close());
    const deps = benchDeps(db, outbox, logger);
    t0 = performance.now();
    const swept = await sweepFollowUps(deps, { queue: enqueueQueue, lookaheadMs: 30 * DAY });
    const enqueueSeconds = (performance.now() - t0) / 1000;
    figures["delayed jobs added by the sweeper"] = swept.reminders;
    figures[`enqueue ${swept.reminders.toLocaleString("en")}`] =
      `${enqueueSeconds.toFixed(1)} s (${Math.round(swept.reminders / enqueueSeconds)}/s)`;
    t0 = performance.now();
    const again = await sweepFollowUps(deps, { queue: enqueueQueue, lookaheadMs: 30 * DAY });
    figures["a sweep re-adding them (all already queued)"] = `${((performance.now() - t0) / 1000).toFixed(1)} s`;
    if (again.reminders !== swept.reminders) throw new Error("second sweep saw a different set");
    t0 = performance.now();
    await sweepFollowUps(deps, { queue: enqueueQueue, lookaheadMs: 150_000 });
    figures["a routine sweep (nothing due soon)"] = `${(performance.now() - t0).toFixed(0)} ms`;

    // ---- a burst: 10,000 reminders due at the same instant, half asking for confirmation
    const burst = await bigClinic(db, 100);
    await db.sql.query(`UPDATE clinic SET reminder_offsets_minutes = '{}' WHERE id = $1`, [burst.clinicId]);
    const patients = await db.sql.query<{ id: string }>(
      `INSERT INTO patient (clinic_id, first_name, last_name, preferred_channel)
       SELECT $1, 'P', 'Burst' || g, 'telegram' FROM generate_series(1, $2) g RETURNING id`,
      [burst.clinicId, BURST],
    );
    await db.sql.query(
      `INSERT INTO channel_identity (patient_id, channel, external_id)
       SELECT id, 'telegram', (900000000 + row_number() OVER (ORDER BY id))::text FROM unnest($1::uuid[]) id`,
      [patients.map((p) => p.id)],
    );
    const burstStart = Math.ceil((+now + 20 * DAY) / 1_800_000) * 1_800_000;
    await db.sql.query(
      `INSERT INTO appointment (clinic_id, doctor_id, patient_id, type_id, starts_at, ends_at, status, source_channel)
       SELECT $1, ($2::uuid[])[1 + (n % 100)::int], p, $3, $4::timestamptz + (n / 100) * interval '30 minutes',
              $4::timestamptz + (n / 100 + 1) * interval '30 minutes', 'confirmed', 'api'
         FROM unnest($5::uuid[]) WITH ORDINALITY AS t(p, n)`,
      [burst.clinicId, burst.doctorIds, burst.typeId, new Date(burstStart), patients.map((p) => p.id)],
    );
    const dueAt = new Date(Date.now() + 20_000);
    await db.sql.query(
      `INSERT INTO reminder (appointment_id, offset_minutes, kind, due_at, send_at)
       SELECT id, 120, CASE WHEN row_number() OVER (ORDER BY id) % 2 = 0 THEN 'confirm' ELSE 'plain' END::"ReminderKind", $2, $2
         FROM appointment WHERE clinic_id = $1`,
      [burst.clinicId, dueAt],
    );
    await db.sql.query("ANALYZE");
    const queue = followUpQueue({ redisUrl, prefix, logger });
    closers.push(async () => {
      await queue.queue.obliterate({ force: true });
      await queue.close();
    });
    await sweepFollowUps({ ...deps, now: () => new Date() }, { queue, lookaheadMs: 60_000 });
    // Both workers as `npm run worker` runs them: their default concurrency (8 follow-ups, 10 sends).
    const worker = startFollowUpWorker({
      redisUrl,
      prefix,
      logger,
      process: async (job) => {
        const outcome = await deliverReminder({ ...deps, now: () => new Date() }, job.id);
        if (outcome.state === "busy") return { done: false, retryInMs: +outcome.retryAt - Date.now() };
        if (outcome.state === "not_due") return { done: false, retryInMs: +outcome.sendAt - Date.now() };
        return { done: true };
      },
    });
    closers.push(() => worker.close());
    const delivery = startDeliveryWorker({
      redisUrl,
      prefix,
      senders: { telegram: telegramSender(telegramApi({ token: TOKEN, apiRoot: provider.apiRoot })) },
      limits: { telegram: PROVIDER },
      logger,
    });
    closers.push(() => delivery.close());

    const deadline = +dueAt + 10 * 60_000;
    while (provider.distinct() < BURST && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 2_000)); // anything sent twice would arrive now
    const arrivals = provider.arrivals().sort((a, b) => a - b);
    const interval = PROVIDER.sender.intervalMs;
    // The k-th message cannot arrive before dueAt + (k − burst) × interval: lateness is what remains.
    const lateness = arrivals.map((at, k) => at - (+dueAt + Math.max(0, k - PROVIDER.sender.burst + 1) * interval));
    const s = summarize(lateness);
    const [{ sent }] = (await db.sql.query<{ sent: string }>(
      `SELECT count(*) AS sent FROM reminder r JOIN appointment a ON a.id = r.appointment_id WHERE a.clinic_id = $1 AND r.status = 'sent'`,
      [burst.clinicId],
    )) as [{ sent: string }];
    const duplicates = provider.total() - provider.distinct();
    figures["burst"] =
      `${BURST.toLocaleString("en")} due at once (half confirm, half plain), fake provider at ${1000 / interval}/s`;
    figures["delivered (distinct chats)"] = provider.distinct();
    figures["reminder rows marked sent"] = Number(sent);
    figures["first message after the due time"] = `${((arrivals[0] ?? NaN) - +dueAt).toFixed(0)} ms`;
    figures["last message after the due time"] =
      `${(((arrivals.at(-1) ?? NaN) - +dueAt) / 1000).toFixed(1)} s (the rate limit alone: ${((BURST * interval) / 1000).toFixed(1)} s)`;
    figures["lateness beyond the rate limit p50"] = `${s.p50.toFixed(0)} ms`;
    figures["lateness beyond the rate limit p99"] = `${s.p99.toFixed(0)} ms`;
    figures["lateness max"] = `${s.max.toFixed(0)} ms`;
    const handedAt = [...handed.values()].sort((a, b) => a - b);
    figures["first / last message handed to the outbox after the due time"] =
      `${(handedAt[0]! - +dueAt).toFixed(0)} ms / ${((handedAt.at(-1)! - +dueAt) / 1000).toFixed(1)} s`;
    figures["duplicates"] = duplicates;
    figures["429s from the provider"] = provider.throttled();
    figures["dead letters"] = (await outbound.listDeadLetters()).length;
    const met = s.p99 <= 1000 && duplicates === 0 && provider.distinct() === BURST;
    return {
      name: "Reminders: 100,000 scheduled and queued, then 10,000 due at once (Redis + PostgreSQL)",
      figures,
      target: "burst lateness p99 ≤ 1 s beyond the provider's rate limit, 0 duplicates, every reminder delivered",
      met,
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await provider.close();
    const redis = new Redis(redisUrl);
    for (const p of [prefix, `${prefix}-enqueue`]) {
      const keys = await redis.keys(`${p}:*`);
      for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    }
    await redis.quit();
    await drop();
  }
}

function benchDeps(db: Database, outbox: Outbox, logger: FollowUpDeps["logger"]): FollowUpDeps {
  return {
    db,
    outbox,
    mailer: null,
    logger,
    now: () => new Date(),
    holdMinutes: 5,
    idleMinutes: 30,
    leaseMs: 120_000,
    whatsappTemplates: { reminder: "appointment_reminder", notice: "appointment_update" },
  };
}

/** The production outbox shape over one channel, paced at the fake provider's limits. */
function benchOutbox(redisUrl: string, prefix: string, logger: FollowUpDeps["logger"]) {
  const delivery = queueDelivery({ redisUrl, prefix, limits: PROVIDER, logger });
  /** When each message was handed over, by chat: where the time goes. */
  const handed = new Map<string, number>();
  const outbox: Outbox = {
    channels: new Set(["telegram"]),
    send: async (jobs) => {
      for (const job of jobs) handed.set(job.chatId, Date.now());
      await delivery.deliver(jobs);
    },
    close: () => delivery.close(),
  };
  return { outbox, delivery, handed };
}

/**
 * A Telegram Bot API stand-in that only answers sendMessage, records when each message
 * arrived and for which chat, and answers 429 (retry_after 1) to anything beyond its rate
 * averaged over one second (a bucket of one second's worth of messages).
 */
async function startFakeProvider(limits: PacingLimits) {
  const arrivals: number[] = [];
  const perChat = new Map<string, number>();
  let tat = 0;
  let throttled = 0;
  let messageId = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { chat_id?: string | number };
      const now = Date.now();
      const { intervalMs } = limits.sender;
      // Generic cell rate: allow when the theoretical arrival time is less than a second ahead.
      if (tat - now > 1000 - intervalMs) {
        throttled++;
        res.writeHead(429, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            ok: false,
            error_code: 429,
            description: "Too Many Requests",
            parameters: { retry_after: 1 },
          }),
        );
        return;
      }
      tat = Math.max(tat, now) + intervalMs;
      const chat = String(body.chat_id);
      arrivals.push(now);
      perChat.set(chat, (perChat.get(chat) ?? 0) + 1);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          ok: true,
          result: {
            message_id: ++messageId,
            date: Math.floor(now / 1000),
            chat: { id: Number(chat), type: "private" },
          },
        }),
      );
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  return {
    apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals: () => [...arrivals],
    total: () => arrivals.length,
    distinct: () => perChat.size,
    throttled: () => throttled,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
