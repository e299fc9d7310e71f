import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import express from "express";
import type { Database } from "../src/data/db.js";
import { seedDemoClinic } from "../src/data/demo-clinic.js";
import { handleInbound, type EngineDeps } from "../src/flows/engine.js";
import type { OutboundMessage } from "../src/domain/channels.js";
import type { BenchResult } from "./booking.bench.js";
import { benchDatabase, ms, pool, summarize } from "./support.js";

const CONCURRENCY = 32;
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 400);
const OPEN_CONVERSATIONS = Number(process.env.BENCH_OPEN_CONVERSATIONS ?? 10_000);

const WHEN = [
  "demain matin",
  "mardi après-midi",
  "mercredi vers 10h",
  "jeudi matin",
  "vendredi après-midi",
  "lundi prochain matin",
  "au plus vite",
];
const NAMES = [
  "Camille Martin",
  "Louis Bernard",
  "Emma Petit",
  "Hugo Durand",
  "Léa Leroy",
  "Nathan Moreau",
  "Chloé Simon",
  "Jules Michel",
];
const WHO = ["un généraliste", "un cardiologue", "un pédiatre", "un dermatologue", "un gynécologue"];

/**
 * Simulated patients booking by chat, concurrently, through the engine on real Postgres:
 * inbound messages/s and latency per message; RSS with 10,000 open conversations; and a
 * bare Express JSON handler hit with the same concurrency in the same run, for scale.
 */
export async function dialogueBench(): Promise<BenchResult> {
  const { db, drop } = await benchDatabase("dialogue", CONCURRENCY + 4);
  try {
    const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "bench-password-1" });
    const now = new Date("2026-11-30T07:00:00Z"); // a Monday, 08:00 in Paris
    const deps: EngineDeps = { db, clinicId, holdMinutes: 5, now: () => now };
    let ids = 0;
    const send = async (senderId: string, text: string, samples?: number[]): Promise<OutboundMessage[]> => {
      const t = performance.now();
      const replies = await handleInbound(deps, {
        channel: "web",
        senderId,
        text,
        providerMessageId: `b${++ids}`,
        receivedAt: new Date(),
      });
      samples?.push(performance.now() - t);
      return replies;
    };

    /** One patient's whole booking: ask, pick the first time, name, birth date, consent. */
    const converse = async (i: number, samples?: number[]): Promise<boolean> => {
      const who = `p${i}`;
      const offer = await send(
        who,
        `bonjour, je voudrais voir ${WHO[i % WHO.length]} ${WHEN[i % WHEN.length]}`,
        samples,
      );
      if (!offer.some((r) => r.choices?.some((c) => c.id.includes(".slot.")))) return false;
      await send(who, "1", samples);
      await send(who, NAMES[i % NAMES.length]!, samples);
      await send(who, "12/03/1985", samples);
      const done = await send(who, "oui", samples);
      return done.some((r) => /confirmé/.test(r.text));
    };

    await pool(40, CONCURRENCY, (i) => converse(1_000_000 + i)); // warm-up: JIT, caches, pool connections
    const samples: number[] = [];
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const machine0 = machineBusyMs();
    const outcomes = await pool(CONVERSATIONS, CONCURRENCY, (i) => converse(i, samples));
    const cpu = process.cpuUsage(cpu0);
    const machineCpuMs = machineBusyMs() - machine0;
    const seconds = (performance.now() - t0) / 1000;
    const booked = outcomes.filter((o) => o.status === "fulfilled" && o.value).length;
    const failed = outcomes.filter((o) => o.status === "rejected").length;
    const rate = samples.length / seconds;
    const s = summarize(samples);

    // 10,000 conversations left open mid-flow (asked which doctor), then the process's memory.
    await pool(OPEN_CONVERSATIONS, CONCURRENCY, (i) => send(`open${i}`, "je voudrais un rendez-vous"));
    global.gc?.();
    const rssMb = process.memoryUsage().rss / 2 ** 20;
    const heapMb = process.memoryUsage().heapUsed / 2 ** 20;

    const bare = await bareExpressRate(samples.length);
    const floor = await bareExchangeRate(db, clinicId, samples.length);
    return {
      name: "dialogue: booking conversations through the engine",
      figures: {
        conversations: `${CONVERSATIONS} (${booked} booked, ${failed} errors), concurrency ${CONCURRENCY}`,
        "inbound messages": samples.length,
        "messages/s": rate.toFixed(0),
        "p50 per message": ms(s.p50),
        "p99 per message": ms(s.p99),
        "max per message": ms(s.max),
        // Where the time goes: this process's CPU (the engine and pg's client) per message; the rest is Postgres and waiting.
        "Node CPU per message (user + system)": ms((cpu.user + cpu.system) / 1000 / samples.length),
        "Node CPU busy during the run": `${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)} %`,
        // The other side of each round trip: everything else the machine ran (Postgres above all).
        "machine CPU per message (all cores)": Number.isNaN(machineCpuMs)
          ? "unknown"
          : ms(machineCpuMs / samples.length),
        "rest of the machine's CPU per message (Postgres, …)": Number.isNaN(machineCpuMs)
          ? "unknown (no /proc/stat)"
          : ms((machineCpuMs - (cpu.user + cpu.system) / 1000) / samples.length),
        [`RSS with ${OPEN_CONVERSATIONS} open conversations`]: `${rssMb.toFixed(0)} MB (JS heap in use ${heapMb.toFixed(0)} MB${global.gc ? "" : ", no forced GC: run with --expose-gc"})`,
        "bare Express JSON requests/s (same concurrency)": bare.toFixed(0),
        "engine / bare Express": `${((rate / bare) * 100).toFixed(1)} %`,
        // The durable part of every message alone: no language, no dialogue, no slots.
        "bare exchange transactions/s (lock, claim, state, transcript, commit; same concurrency)": `${floor.rate.toFixed(0)} (machine CPU ${ms(floor.machineCpuMs)} each)`,
        "engine / bare exchange": `${((rate / floor.rate) * 100).toFixed(1)} %`,
      },
      target: "≥ 1,000 inbound messages/s, p99 ≤ 50 ms, RSS ≤ 300 MB with 10,000 open conversations",
      met: rate >= 1000 && s.p99 <= 50 && rssMb <= 300,
    };
  } finally {
    await drop();
  }
}

/** CPU time all cores have spent busy since boot (Linux), in ms; NaN elsewhere. */
function machineBusyMs(): number {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return ((total - idle) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

/**
 * Transactions/s of what the engine writes for every message and nothing else, through the
 * same functions and batching: conversation lock and message claim, then state, reply,
 * transcript line and COMMIT — a floor under the engine's rate on this machine.
 */
async function bareExchangeRate(
  db: Database,
  clinicId: string,
  n: number,
): Promise<{ rate: number; machineCpuMs: number }> {
  const snapshot = JSON.stringify({ value: "askName", context: { step: 3, locale: "fr", offered: [] } });
  let id = 0;
  const exchange = (i: number) => {
    const message = `floor-${++id}`;
    return db.sql.transaction(
      async (tx) => {
        const [conv] = await tx.query<{ id: string }>(
          `SELECT * FROM open_exchange('web'::"Channel", $1, $2, now(), $3::uuid, 'fr'::"Locale")`,
          [`floor${i % 500}`, message, clinicId],
        );
        await tx.commitWith(
          `SELECT record_exchange($1::uuid, now(), $2::text[], $3::text[], $4::text[], $5::jsonb, 'fr'::"Locale", NULL, 'active', false, false, 'web'::"Channel", $6, $7::jsonb)`,
          [
            conv!.id,
            ["in", "out"],
            ["patient", "bot"],
            ["Camille Martin", "Votre date de naissance ?"],
            snapshot,
            message,
            "[]",
          ],
        );
      },
      { opening: `SELECT pg_advisory_xact_lock(7411003, ${i % 500})` },
    );
  };
  await pool(500, CONCURRENCY, exchange);
  const t0 = performance.now();
  const busy0 = machineBusyMs();
  const outcomes = await pool(n, CONCURRENCY, exchange);
  const seconds = (performance.now() - t0) / 1000;
  const machineCpuMs = (machineBusyMs() - busy0) / n;
  const failed = outcomes.find((o) => o.status === "rejected");
  if (failed) throw new Error("a bare exchange failed", { cause: failed.reason });
  return { rate: n / seconds, machineCpuMs };
}

/** Requests/s of a trivial Express JSON endpoint on 127.0.0.1 with keep-alive, `n` requests. */
async function bareExpressRate(n: number): Promise<number> {
  const app = express();
  app.use(express.json());
  app.post("/m", (req, res) => {
    res.json({ text: "ok", echo: (req.body as { text?: string }).text?.length ?? 0 });
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const body = JSON.stringify({
    channel: "web",
    senderId: "x",
    text: "je voudrais voir un cardiologue demain vers 10h",
  });
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: "/m",
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on("end", resolve);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  try {
    await pool(500, CONCURRENCY, post);
    const t0 = performance.now();
    await pool(n, CONCURRENCY, post);
    return n / ((performance.now() - t0) / 1000);
  } finally {
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}
