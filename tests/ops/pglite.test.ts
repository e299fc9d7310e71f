// The embedded path: what someone gets from `npm install && npm start` with no DATABASE_URL.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { openDatabase } from "../../src/data/db.js";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import { migrate } from "../../src/data/migrate.js";
import { createLogger } from "../../src/lib/logger.js";

// Each story starts real processes, and tsx compiles the app as they start: on a loaded
// two-core machine (the suite runs two files at once) that alone can take a minute.
vi.setConfig({ testTimeout: 180_000 });

const root = path.resolve(import.meta.dirname, "../..");
const scratch = await mkdtemp(path.join(tmpdir(), "tabib-ops-pglite-"));
const running = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of running) child.kill("SIGKILL");
  await rm(scratch, { recursive: true, force: true });
});

/** Runs `npm start`'s entry point until it listens; returns its output so far and a stop function. */
async function startTabib(pgliteDir: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGLITE_DIR: pgliteDir,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    NODE_ENV: "development",
    SEED_DEMO: "auto",
  };
  for (const name of ["DATABASE_URL", "REDIS_URL", "SEED_ADMIN_PASSWORD", "JWT_SECRET", "PUBLIC_URL"]) delete env[name];
  Object.assign(env, extraEnv);
  // Started as `node --import tsx`, like the Docker image, so signals reach the app directly.
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /"msg":"Tabib is listening on http:\/\/127\.0\.0\.1:(\d+)"/.exec(output);
      if (m) {
        clearInterval(timer);
        resolve(Number(m[1]));
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`Tabib exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    port,
    output: () => output,
    async stop(): Promise<number | null> {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

describe("npm start with no DATABASE_URL (embedded PGlite)", () => {
  const dir = path.join(scratch, "pglite");

  it("the first start creates the demo clinic and prints its logins once; a restart keeps them and prints nothing", async () => {
    const first = await startTabib(dir);
    const health = await fetch(`http://127.0.0.1:${first.port}/health`);
    expect(await health.json()).toMatchObject({ status: "ok", database: { kind: "pglite", status: "ok" } });
    expect(await first.stop()).toBe(0);
    const firstOutput = first.output();
    expect(firstOutput).toContain("Demo clinic created");
    expect(firstOutput).toMatch(/admin\s+admin@tabib\.local\s+\S{12,}/);
    expect(firstOutput).toContain('"msg":"stopped"');
    // The passwords are in the one-time box on stdout, never in a JSON log line.
    const password = /admin\s+admin@tabib\.local\s+(\S+)/.exec(firstOutput)![1]!;
    const logLines = firstOutput.split("\n").filter((l) => l.startsWith("{"));
    expect(logLines.join("\n")).not.toContain(password);

    const second = await startTabib(dir);
    expect(await second.stop()).toBe(0);
    expect(second.output()).not.toContain("Demo clinic created");
    expect(second.output()).not.toContain("migrations applied");
  });

  it("the folder the app left holds the demo clinic: 6+ doctors over 4+ specialties, and nothing to migrate or seed", async () => {
    const config = loadConfig({ LOG_LEVEL: "silent", NODE_ENV: "test" });
    const db = await openDatabase({ pgliteDir: dir });
    try {
      expect(await migrate(db.sql)).toEqual([]);
      expect((await seedDemoClinic(db.prisma)).credentials).toEqual([]);
      expect(await db.prisma.clinic.count()).toBe(1);
      const doctors = await db.prisma.doctor.count();
      const specialties = await db.prisma.doctorSpecialty.findMany({
        distinct: ["specialtyId"],
        select: { specialtyId: true },
      });
      expect(doctors).toBeGreaterThanOrEqual(6);
      expect(specialties.length).toBeGreaterThanOrEqual(4);

      const app = createApp({ config, db, logger: createLogger(config), now: () => new Date() });
      const server = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      try {
        const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/health`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({
          status: "ok",
          database: { status: "ok", kind: "pglite" },
          redis: { status: "not_configured" },
        });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    } finally {
      await db.close();
    }
  });
});

describe("the worker process", () => {
  it("starts on the embedded database beside the app's data and stops cleanly on SIGTERM", async () => {
    const dir = path.join(scratch, "worker");
    const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DIR: dir, LOG_LEVEL: "info", NODE_ENV: "development" };
    for (const name of ["DATABASE_URL", "REDIS_URL"]) delete env[name];
    const child = spawn(process.execPath, ["--import", "tsx", "src/worker.ts"], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<string>((resolve) =>
      child.once("exit", (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`)),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (output.includes('"msg":"worker started"')) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
      void exited.then((code) => {
        clearInterval(timer);
        reject(new Error(`worker exited with ${code}:\n${output}`));
      });
    });
    child.kill("SIGTERM");
    expect(await exited, output).toBe("code 0");
    expect(output).toContain('"msg":"worker stopping"');
  });
});

describe("npm start with a Telegram bot configured", () => {
  it("serves the verified webhook and answers a patient through the Bot API", async () => {
    const { startFakeTelegram } = await import("../support/fake-telegram.js");
    const token = "123456:TEST-token";
    const fake = await startFakeTelegram(token);
    try {
      const tabib = await startTabib(path.join(scratch, "telegram"), {
        TELEGRAM_BOT_TOKEN: token,
        TELEGRAM_WEBHOOK_SECRET: "ops-test-secret",
        TELEGRAM_API_ROOT: fake.apiRoot,
      });
      const update = {
        update_id: 1,
        message: {
          message_id: 1,
          date: 1_796_000_000,
          chat: { id: 4242, type: "private" },
          from: { id: 4242, is_bot: false, first_name: "P", language_code: "en" },
          text: "hello",
        },
      };
      const post = (secret?: string) =>
        fetch(`http://127.0.0.1:${tabib.port}/webhooks/telegram`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}),
          },
          body: JSON.stringify(update),
        });
      expect((await post("wrong")).status).toBe(401);
      expect((await post("ops-test-secret")).status).toBe(200);
      expect(fake.sent(4242).length).toBeGreaterThan(0);
      expect(await tabib.stop()).toBe(0);
    } finally {
      await fake.close();
    }
  });
});

describe("a database migrated by the process that uses it (the newcomer's first start)", () => {
  it("binds arrays of the enums the migrations created, through raw SQL and through Prisma", async () => {
    const db = await openDatabase({});
    try {
      expect((await migrate(db.sql)).length).toBeGreaterThan(0);
      const kinds = await db.sql.query<{ kind: string }>(`SELECT unnest($1::"ReminderKind"[])::text AS kind`, [
        ["confirm", "plain"],
      ]);
      expect(kinds.map((r) => r.kind)).toEqual(["confirm", "plain"]);
      const statuses = await db.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM appointment WHERE status = ANY($1::"AppointmentStatus"[])`,
        [["requested", "confirmed"]],
      );
      expect(statuses).toEqual([{ n: 0 }]);
      expect(await db.prisma.appointment.count({ where: { status: { in: ["requested", "confirmed"] } } })).toBe(0);
    } finally {
      await db.close();
    }
  });
});
