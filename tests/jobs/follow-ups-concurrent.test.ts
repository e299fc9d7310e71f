import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../src/domain/actor.js";
import { bookAppointment } from "../../src/domain/booking.js";
import { startTsProcess, until } from "../support/child-process.js";
import { createTestClinic, paris, type TestClinic } from "../support/clinic.js";
import { freshDatabase, onRealPostgres, type TestDatabase } from "../support/database.js";
import { startFakeTelegram } from "../support/fake-telegram.js";

// Two worker processes at once (tests/support/follow-up-worker.ts: the follow-up runner and the
// delivery worker, as src/worker.ts starts them) on a real Postgres and a real Redis, sharing one
// burst of due reminders. Each process reaches the fake Telegram through a forwarder of its own,
// so the test can catch one process with requests in flight and SIGKILL it there.
const REDIS_URL = process.env.REDIS_URL;
const runs = Boolean(REDIS_URL) && onRealPostgres();
if (!runs) console.warn("follow-ups-concurrent.test.ts skipped: needs REDIS_URL and DATABASE_URL (two processes)");

/**
 * A forwarder to the fake Bot API. After `forwardOnly` reminders it is cut: the next reminders
 * are held, never forwarded (everything else always goes through).
 */
async function startForwarder(target: string, forwardOnly = Infinity) {
  const forwarded: string[] = [];
  const held: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const params = /sendMessage$/.test(req.url ?? "")
        ? (JSON.parse(body.toString()) as { chat_id: unknown; text: unknown })
        : null;
      const chat = params && String(params.text).startsWith("Rappel") ? String(params.chat_id) : null;
      if (chat && forwarded.length >= forwardOnly) {
        held.push(chat); // the worker's send is in flight; the provider never sees it
        return;
      }
      if (chat) forwarded.push(chat);
      void fetch(target + req.url, {
        method: req.method,
        headers: { "content-type": req.headers["content-type"] ?? "application/json" },
        body: req.method === "GET" ? undefined : body,
      }).then(
        async (r) => res.writeHead(r.status, { "content-type": "application/json" }).end(await r.text()),
        () => res.destroy(),
      );
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  return {
    apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    held,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe.skipIf(!runs)("two worker processes sending a burst of reminders at the same time", () => {
  const TOKEN = "123456:two-workers-token";
  const prefix = `tabib-test-${randomBytes(4).toString("hex")}`;
  const secretary: Actor = { kind: "staff", userId: "sec-1", role: "secretary" };
  const started = Date.now();
  const base = paris("2026-11-30T10:00");
  const clock = () => new Date(+base + (Date.now() - started));
  const closers: (() => Promise<void>)[] = [];
  let db: TestDatabase;
  let clinic: TestClinic;
  let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;

  beforeAll(async () => {
    db = await freshDatabase();
    clinic = await createTestClinic(db, {
      doctors: 40,
      patients: 0,
      hours: [1, 2, 3, 4, 5].map((d) => [d, 7 * 60, 20 * 60]),
    });
    telegram = await startFakeTelegram(TOKEN);
  });

  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
    await telegram?.close();
    const redis = new Redis(REDIS_URL!);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  /** One worker process, reaching the fake Telegram through its own forwarder. */
  async function startWorkerProcess(forwardOnly?: number) {
    const forwarder = await startForwarder(telegram.apiRoot, forwardOnly);
    closers.push(forwarder.close);
    const worker = await startTsProcess(
      "tests/support/follow-up-worker.ts",
      {
        ...process.env,
        DATABASE_URL: db.url,
        REDIS_URL,
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: forwarder.apiRoot,
        PREFIX: prefix,
        CLOCK_BASE: String(+base),
        CLOCK_STARTED: String(started),
      },
      "ready",
    );
    return { ...worker, forwarder };
  }

  let chats = 5000;
  /**
   * `count` Telegram patients, each booked with a doctor of their own at the same hour: one burst of
   * reminders due at `at`. Booked in parallel, all as of one moment, so a slow machine cannot turn
   * them into reminders "booked too late to send".
   */
  async function burstOfReminders(count: number, at: Date) {
    const now = clock();
    return Promise.all(
      Array.from({ length: count }, async (_, i) => {
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
        const a = await bookAppointment(db, {
          clinicId: clinic.clinicId,
          patientId: p.id,
          appointmentTypeId: clinic.typeId,
          doctorId: clinic.doctorIds[i]!,
          startsAt: new Date(+at + 120 * 60_000),
          sourceChannel: "console",
          actor: secretary,
          now,
        });
        return { chat, appointmentId: a.id };
      }),
    );
  }

  const reminderTexts = (chat?: string) =>
    telegram.sent(chat).filter((c) => String(c.params.text).startsWith("Rappel"));
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const plainStatuses = async (ids: string[]) =>
    (
      await db.prisma.reminder.findMany({
        where: { appointmentId: { in: ids }, kind: "plain" },
        select: { status: true },
      })
    ).map((r) => r.status);

  /** The delivery worker's guard on a reminder's outbound job (see startDeliveryWorker). */
  const sentMark = (reminderId: string) => `${prefix}:outbound:sent:reminder-${reminderId}`;
  const reminderIdsByChat = async (booked: { chat: string; appointmentId: string }[]) => {
    const rows = await db.prisma.reminder.findMany({
      where: { appointmentId: { in: booked.map((b) => b.appointmentId) }, kind: "plain" },
      select: { id: true, appointmentId: true },
    });
    return new Map(rows.map((r) => [booked.find((b) => b.appointmentId === r.appointmentId)!.chat, r.id]));
  };

  it("one is SIGKILLed with sends in flight while the other keeps sending: every patient gets their reminder exactly once", async () => {
    // The doomed process gets one reminder through to the provider; its next ones hang on the way.
    const [doomed, survivor] = await Promise.all([startWorkerProcess(1), startWorkerProcess()]);
    const booked = await burstOfReminders(40, new Date(+clock() + 8_000));
    const ids = booked.map((b) => b.appointmentId);
    expect(await plainStatuses(ids), "booked before their reminders were due").not.toContain("skipped");

    // Both are sending, and the doomed one has sends in flight: kill it there.
    await until(
      () => doomed.forwarder.held.length >= 1 && survivor.forwarder.forwarded.length >= 1,
      60_000,
      "both workers sending, the doomed one stuck",
    );
    // Not tested, because no provider here can tell a retry from a new message: a process dying in
    // the one round trip between the provider's answer and its "sent" mark. So the kill waits for
    // the marks of what the doomed process got through to the provider.
    const redis = new Redis(REDIS_URL!);
    const reminderOf = await reminderIdsByChat(booked);
    await until(
      async () =>
        (await Promise.all(doomed.forwarder.forwarded.map((chat) => redis.get(sentMark(reminderOf.get(chat)!))))).every(
          (mark) => mark === "sent",
        ),
      30_000,
      "the doomed worker's finished sends marked",
    );
    await redis.quit();
    doomed.kill();
    expect(await doomed.exited).toBe("SIGKILL");

    await until(async () => (await plainStatuses(ids)).every((s) => s === "sent"), 60_000, "every reminder sent");
    await until(() => reminderTexts().length >= booked.length, 60_000, "every reminder at the provider");
    // Longer than every lease and lock the dead process held: a late duplicate would be here by now.
    await pause(6_000);
    for (const { chat } of booked) expect(reminderTexts(chat), `chat ${chat}`).toHaveLength(1);
    // What the dead process was sending when it died went out once, from the survivor.
    for (const chat of doomed.forwarder.held) expect(survivor.forwarder.forwarded).toContain(chat);
    expect(await survivor.stop(), survivor.output()).toBe("code 0");
  }, 180_000);
});
