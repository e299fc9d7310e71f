// The processes as deployed: `npm run worker` (src/worker.ts) beside the web process, and the web
// process alone with INLINE_WORKER=true. Each is a child process on a real Postgres and a real
// Redis, sending to a local fake Bot API, on the wall clock.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../src/domain/actor.js";
import { bookAppointment } from "../../src/domain/booking.js";
import { startTsProcess, until } from "../support/child-process.js";
import { createTestClinic, type TestClinic } from "../support/clinic.js";
import { freshDatabase, onRealPostgres, type TestDatabase } from "../support/database.js";
import { startFakeTelegram } from "../support/fake-telegram.js";

const REDIS_URL = process.env.REDIS_URL;
const runs = Boolean(REDIS_URL) && onRealPostgres();
if (!runs) console.warn("worker-process.test.ts skipped: needs DATABASE_URL and REDIS_URL");

const TOKEN = "123456:worker-process-token";
const secretary: Actor = { kind: "staff", userId: "sec-1", role: "secretary" };

describe.skipIf(!runs)("a reminder due now reaches the patient's Telegram", () => {
  let scratch: string;
  let db: TestDatabase;
  let clinic: TestClinic;
  let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), "tabib-worker-process-"));
    db = await freshDatabase();
    telegram = await startFakeTelegram(TOKEN);
    // Open around the clock, no quiet hours, one reminder two hours ahead: due whenever the test runs.
    clinic = await createTestClinic(db, {
      doctors: 2,
      patients: 0,
      hours: [1, 2, 3, 4, 5, 6, 7].map((d) => [d, 0, 24 * 60]),
    });
    await db.prisma.clinic.update({
      where: { id: clinic.clinicId },
      data: { quietHoursStartMinute: 0, quietHoursEndMinute: 0, reminderOffsetsMinutes: [120] },
    });
  });
  afterAll(async () => {
    await telegram?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** Starts `entry` (src/worker.ts or src/main.ts) on this file's database, Redis and fake Telegram. */
  const start = (entry: string, ready: string, extraEnv: NodeJS.ProcessEnv) =>
    startTsProcess(
      entry,
      {
        ...process.env,
        NODE_ENV: "development",
        LOG_LEVEL: "info",
        DATABASE_URL: db.url,
        REDIS_URL,
        PGLITE_DIR: path.join(scratch, "pglite"),
        DOCUMENTS_DIR: path.join(scratch, "documents"),
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        TELEGRAM_WEBHOOK_SECRET: "worker-process-secret",
        REMINDER_SWEEP_SECONDS: "1",
        SEED_DEMO: "never",
        ...extraEnv,
      },
      ready,
    );

  let chats = 6100;
  /** A Telegram patient booked (here, by the test, as the console would) two hours and a few seconds from now. */
  async function bookedWithReminderDue() {
    const chat = String(++chats);
    const p = await db.prisma.patient.create({
      data: {
        clinicId: clinic.clinicId,
        firstName: "Pat",
        lastName: chat,
        preferredChannel: "telegram",
        identities: { create: [{ channel: "telegram", externalId: chat }] },
      },
    });
    const now = new Date();
    const a = await bookAppointment(db, {
      clinicId: clinic.clinicId,
      patientId: p.id,
      appointmentTypeId: clinic.typeId,
      doctorId: clinic.doctorIds[chats % clinic.doctorIds.length]!,
      startsAt: new Date(+now + 120 * 60_000 + 3_000),
      sourceChannel: "console",
      actor: secretary,
      now,
    });
    const reminder = await db.prisma.reminder.findFirstOrThrow({ where: { appointmentId: a.id } });
    return { chat, reminderId: reminder.id };
  }
  const reminderTexts = (chat: string) => telegram.sent(chat).filter((c) => String(c.params.text).startsWith("Rappel"));
  const statusOf = async (id: string) => (await db.prisma.reminder.findUniqueOrThrow({ where: { id } })).status;

  it("sent by `npm run worker` (src/worker.ts), a process of its own", async () => {
    const worker = await start("src/worker.ts", '"msg":"worker started"', {});
    try {
      const { chat, reminderId } = await bookedWithReminderDue();
      await until(() => reminderTexts(chat).length > 0, 60_000, "the reminder at the fake Telegram");
      await until(async () => (await statusOf(reminderId)) === "sent", 10_000, "the reminder marked sent");
      expect(reminderTexts(chat)).toHaveLength(1);
      expect(String(reminderTexts(chat)[0]!.params.text)).toMatch(/Dr Doc\d Tor\d/);
    } finally {
      expect(await worker.stop(), worker.output()).toBe("code 0");
    }
  });

  it("sent by the web process itself when INLINE_WORKER=true (single-process mode)", async () => {
    const web = await start("src/main.ts", "Tabib is listening", {
      INLINE_WORKER: "true",
      PORT: "0",
      HOST: "127.0.0.1",
    });
    try {
      const { chat, reminderId } = await bookedWithReminderDue();
      await until(() => reminderTexts(chat).length > 0, 60_000, "the reminder at the fake Telegram");
      await until(async () => (await statusOf(reminderId)) === "sent", 10_000, "the reminder marked sent");
      expect(reminderTexts(chat)).toHaveLength(1);
    } finally {
      expect(await web.stop(), web.output()).toBe("code 0");
    }
  });
});
