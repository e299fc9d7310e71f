import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelSenders } from "../../src/bots/channels.js";
import { OUTBOUND_QUEUE, startDeliveryWorker } from "../../src/bots/delivery/queue.js";
import { clinicOutbox } from "../../src/bots/outbox.js";
import { loadConfig, type Config } from "../../src/config.js";
import type { Actor } from "../../src/domain/actor.js";
import { bookAppointment, cancelAppointment, rescheduleAppointment } from "../../src/domain/booking.js";
import { remindersOf } from "../../src/domain/reminders.js";
import { followUpQueue } from "../../src/jobs/follow-up-queue.js";
import { startJobs, type JobRunner, type JobRunnerOptions } from "../../src/jobs/runner.js";
import { sweepFollowUps } from "../../src/jobs/sweeper.js";
import { createTestClinic, paris, type TestClinic } from "../support/clinic.js";
import { freshDatabase, type TestDatabase } from "../support/database.js";
import { startFakeTelegram } from "../support/fake-telegram.js";

// Reminders through BullMQ on a real Redis (REDIS_URL), with a clock that starts on a Monday
// morning in Paris and runs at real speed: Redis delays are wall-clock.
const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL)
  console.warn("follow-ups-redis.test.ts skipped: set REDIS_URL (e.g. redis://127.0.0.1:6379/15) to run it");

describe.skipIf(!REDIS_URL)("reminders through BullMQ and Redis", () => {
  const TOKEN = "123456:reminder-queue-token";
  const prefix = `tabib-test-${randomBytes(4).toString("hex")}`;
  const logger = pino({ level: "silent" });
  const secretary: Actor = { kind: "staff", userId: "sec-1", role: "secretary" };
  const started = Date.now();
  const base = paris("2026-11-30T10:00");
  const clock = () => new Date(+base + (Date.now() - started));
  const stoppers: (() => Promise<void>)[] = [];
  let db: TestDatabase;
  let clinic: TestClinic;
  let config: Config;
  let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;

  beforeAll(async () => {
    db = await freshDatabase();
    clinic = await createTestClinic(db, {
      doctors: 8,
      patients: 0,
      hours: [1, 2, 3, 4, 5].map((d) => [d, 7 * 60, 20 * 60]),
    });
    telegram = await startFakeTelegram(TOKEN);
    config = loadConfig({
      NODE_ENV: "test",
      REDIS_URL,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_MODE: "polling",
    });
  });

  afterAll(async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    await telegram?.close();
    const redis = new Redis(REDIS_URL!);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  /** One "process": the follow-up runner and the outbound delivery worker. */
  function startWorker(
    opts: { runner?: Partial<JobRunnerOptions>; afterSend?: (job: { id: string }) => Promise<void> } = {},
  ) {
    const ctx = { config, db, logger, now: clock };
    const runner: JobRunner = startJobs(ctx, {
      prefix,
      sweepSeconds: 1,
      leaseMs: 1_500,
      lockDurationMs: 1_000,
      stalledIntervalMs: 300,
      ...opts.runner,
    });
    const delivery = startDeliveryWorker({
      redisUrl: REDIS_URL!,
      prefix,
      senders: channelSenders(ctx),
      logger,
      // Longer than any send takes on a loaded machine: an in-flight mark that lapsed would let
      // a stalled job be sent again, which is not what these stories are about.
      claimMs: 10_000,
      lockDurationMs: 1_000,
      stalledIntervalMs: 300,
      afterSend: opts.afterSend,
    });
    const stop = async (force = false) => {
      await runner.close({ force });
      if (force) await delivery.worker.close(true);
      await delivery.close();
    };
    stoppers.push(() => stop());
    return { runner, kill: () => stop(true), stop: () => stop() };
  }

  let chats = 8000;
  let doctor = 0;
  /** A Telegram patient and an appointment whose 2-hour reminder is due `inMs` from now. */
  async function bookedWithReminderIn(inMs: number) {
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
    const now = clock();
    const a = await bookAppointment(db, {
      clinicId: clinic.clinicId,
      patientId: p.id,
      appointmentTypeId: clinic.typeId,
      doctorId: clinic.doctorIds[doctor++ % clinic.doctorIds.length]!,
      startsAt: new Date(+now + 120 * 60_000 + inMs),
      sourceChannel: "console",
      actor: secretary,
      now,
    });
    return { chat, appointment: a };
  }

  const reminderTexts = (chat: string) => telegram.sent(chat).filter((c) => String(c.params.text).startsWith("Rappel"));
  const until = async (check: () => boolean | Promise<boolean>, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error("condition not met in time");
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** When (on the test clock) the fake received a message. */
  const receivedAt = (call: { at: number }) => new Date(+base + (call.at - started));

  describe("schedule, reschedule, cancel", () => {
    let worker: ReturnType<typeof startWorker>;
    beforeAll(() => {
      worker = startWorker();
    });
    afterAll(() => worker.stop());

    it("a booked appointment's reminder is delivered once, at its time, not before", async () => {
      const { chat, appointment } = await bookedWithReminderIn(1_500);
      const plain = (await remindersOf(db, appointment.id)).find((r) => r.kind === "plain")!;
      await until(() => reminderTexts(chat).length > 0);
      await pause(1_500);
      const sent = reminderTexts(chat);
      expect(sent).toHaveLength(1);
      expect(+receivedAt(sent[0]!)).toBeGreaterThanOrEqual(+plain.sendAt);
      expect((await remindersOf(db, appointment.id)).find((r) => r.kind === "plain")).toMatchObject({ status: "sent" });
    });

    it("moved later, the reminder goes at the new time; the job queued for the old time sends nothing", async () => {
      const { chat, appointment } = await bookedWithReminderIn(1_500);
      const old = (await remindersOf(db, appointment.id)).find((r) => r.kind === "plain")!;
      const queue = followUpQueue({ redisUrl: REDIS_URL!, prefix, logger });
      stoppers.push(() => queue.close());
      await until(async () => Boolean(await queue.queue.getJob(`reminder-${old.id}`)));
      await rescheduleAppointment(db, {
        appointmentId: appointment.id,
        startsAt: new Date(+appointment.startsAt + 3_000),
        actor: secretary,
        override: { reason: "patient asked" },
        now: clock(),
      });
      const moved = (await remindersOf(db, appointment.id)).find((r) => r.kind === "plain")!;
      expect(moved.id).not.toBe(old.id);
      await until(() => reminderTexts(chat).length > 0);
      await pause(1_000);
      expect(reminderTexts(chat)).toHaveLength(1);
      expect(+receivedAt(reminderTexts(chat)[0]!)).toBeGreaterThanOrEqual(+moved.sendAt);
    });

    it("moved earlier, the reminder does not wait for the old time", async () => {
      const { chat, appointment } = await bookedWithReminderIn(40_000);
      const old = (await remindersOf(db, appointment.id)).find((r) => r.kind === "plain")!;
      await rescheduleAppointment(db, {
        appointmentId: appointment.id,
        startsAt: new Date(+appointment.startsAt - 38_500),
        actor: secretary,
        override: { reason: "patient asked" },
        now: clock(),
      });
      await until(() => reminderTexts(chat).length > 0);
      expect(+receivedAt(reminderTexts(chat)[0]!)).toBeLessThan(+old.sendAt);
    });

    it("cancelled, nothing is sent", async () => {
      const { chat, appointment } = await bookedWithReminderIn(1_000);
      await cancelAppointment(db, {
        appointmentId: appointment.id,
        actor: secretary,
        override: { reason: "patient called" },
        now: clock(),
      });
      await pause(2_500);
      expect(reminderTexts(chat)).toHaveLength(0);
      expect((await remindersOf(db, appointment.id)).map((r) => r.status)).toEqual(["skipped", "cancelled"]);
    });
  });

  it("after Redis loses everything (FLUSHALL of every key of ours), the sweeper puts the reminders back: due ones go, sent ones are not repeated", async () => {
    const worker = startWorker();
    try {
      const first = await bookedWithReminderIn(500);
      await until(() => reminderTexts(first.chat).length === 1);
      const second = await bookedWithReminderIn(4_000);
      const queue = followUpQueue({ redisUrl: REDIS_URL!, prefix, logger });
      stoppers.push(() => queue.close());
      const pending = (await remindersOf(db, second.appointment.id)).find((r) => r.kind === "plain")!;
      await until(async () => Boolean(await queue.queue.getJob(`reminder-${pending.id}`)));

      const redis = new Redis(REDIS_URL!);
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys.some((k) => k.includes(pending.id))).toBe(true);
      await redis.del(...keys);
      await redis.quit();

      await until(() => reminderTexts(second.chat).length === 1);
      await pause(1_500);
      expect(reminderTexts(first.chat)).toHaveLength(1);
      expect(reminderTexts(second.chat)).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  });

  describe("two workers, one killed in the middle of a send: the patient gets the reminder once", () => {
    it("killed after the provider accepted the message, before its job was marked done", async () => {
      let reached!: () => void;
      const accepted = new Promise<void>((r) => (reached = r));
      const dying = startWorker({
        afterSend: (job) => {
          if (!job.id.startsWith("reminder-")) return Promise.resolve();
          reached();
          return new Promise<void>(() => undefined); // frozen: the process dies here
        },
      });
      const { chat, appointment } = await bookedWithReminderIn(500);
      await accepted;
      await dying.kill();
      const survivor = startWorker();
      try {
        // The dead worker's lock expires and the survivor takes its job over: its sent-guard says "sent".
        const plain = (await remindersOf(db, appointment.id)).find((r) => r.kind === "plain")!;
        const outbound = new Queue(OUTBOUND_QUEUE, { connection: { url: REDIS_URL! }, prefix });
        stoppers.push(() => outbound.close());
        await until(async () => (await (await outbound.getJob(`reminder-${plain.id}`))?.getState()) === "completed");
        expect(reminderTexts(chat)).toHaveLength(1);
        expect((await remindersOf(db, appointment.id)).find((r) => r.kind === "plain")).toMatchObject({
          status: "sent",
        });
      } finally {
        await survivor.stop();
      }
    });

    it("killed after queueing the message, before marking the reminder sent", async () => {
      let reached!: () => void;
      const queued = new Promise<void>((r) => (reached = r));
      const dying = startWorker({
        runner: {
          afterQueued: (jobId) => {
            if (jobId.startsWith("reminder-")) reached();
            return jobId.startsWith("reminder-") ? new Promise<void>(() => undefined) : Promise.resolve();
          },
        },
      });
      const { chat, appointment } = await bookedWithReminderIn(500);
      await queued;
      await until(() => reminderTexts(chat).length === 1);
      await dying.kill();
      const plain = () => remindersOf(db, appointment.id).then((rs) => rs.find((r) => r.kind === "plain")!);
      expect((await plain()).status).toBe("scheduled");
      const survivor = startWorker();
      try {
        await until(async () => (await plain()).status === "sent");
        await pause(1_000);
        expect(reminderTexts(chat)).toHaveLength(1);
        expect((await plain()).attempts).toBe(2);
      } finally {
        await survivor.stop();
      }
    });
  });

  it("a reminder deferred by quiet hours on the night clocks go forward is queued for 08:00 summer time", async () => {
    const sunday = await createTestClinic(db, { patients: 0, hours: [[7, 8 * 60, 12 * 60]] });
    await db.prisma.clinic.update({ where: { id: sunday.clinicId }, data: { reminderOffsetsMinutes: [540, 120] } });
    const p = await db.prisma.patient.create({
      data: { clinicId: sunday.clinicId, firstName: "Dim", lastName: "Anche", phone: "+33612345678" },
    });
    const saturdayNight = paris("2027-03-27T22:30"); // 21:30Z, CET
    const a = await bookAppointment(db, {
      clinicId: sunday.clinicId,
      patientId: p.id,
      appointmentTypeId: sunday.typeId,
      doctorId: sunday.doctorIds[0]!,
      startsAt: paris("2027-03-28T09:00"), // 07:00Z, CEST
      sourceChannel: "console",
      actor: secretary,
      now: saturdayNight,
    });
    const rows = await remindersOf(db, a.id);
    expect(rows.map((r) => r.sendAt.toISOString())).toEqual(["2027-03-28T06:00:00.000Z", "2027-03-28T06:00:00.000Z"]);
    const ownPrefix = `${prefix}-dst`;
    const queue = followUpQueue({ redisUrl: REDIS_URL!, prefix: ownPrefix, logger });
    stoppers.push(async () => {
      await queue.queue.obliterate({ force: true });
      await queue.close();
    });
    const outbox = clinicOutbox({ config, db, logger }, { prefix: ownPrefix });
    stoppers.push(() => outbox.close());
    await sweepFollowUps(
      {
        db,
        outbox,
        mailer: null,
        logger,
        now: () => saturdayNight,
        holdMinutes: 5,
        idleMinutes: 30,
        leaseMs: 60_000,
        whatsappTemplates: { reminder: "r", notice: "n" },
      },
      { queue, lookaheadMs: 12 * 3_600_000 },
    );
    for (const r of rows) {
      const job = await queue.queue.getJob(`reminder-${r.id}`);
      expect(job?.opts.delay).toBe(8.5 * 3_600_000); // 21:30Z → 06:00Z; a naive "08:00 at +01:00" would be 9.5 h
    }
  });
});
