// A patient's words reach the language layer from every channel; here they come through the
// web chat of a real `npm start` process, on an empty data folder (or a fresh Postgres database).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTsProcess } from "../../support/child-process.js";
import { freshDatabase, onRealPostgres } from "../../support/database.js";

// tsx compiles the app as the process starts: on a loaded two-core machine that takes a while.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const scratch = await mkdtemp(path.join(tmpdir(), "tabib-hostile-text-"));
const postgresUrl = onRealPostgres() ? (await freshDatabase()).url : undefined;
let tabib: Awaited<ReturnType<typeof startTsProcess>>;
let base: string;

beforeAll(async () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    NODE_ENV: "development",
    SEED_DEMO: "auto",
    PGLITE_DIR: path.join(scratch, "data"),
  };
  for (const name of ["DATABASE_URL", "REDIS_URL", "SEED_ADMIN_PASSWORD", "JWT_SECRET", "PUBLIC_URL"]) delete env[name];
  if (postgresUrl) env.DATABASE_URL = postgresUrl;
  tabib = await startTsProcess("src/main.ts", env, '"msg":"Tabib is listening on', 150_000);
  const port = /"msg":"Tabib is listening on http:\/\/127\.0\.0\.1:(\d+)"/.exec(tabib.output())![1];
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await tabib?.stop();
  await rm(scratch, { recursive: true, force: true });
});

let sent = 0;
/** A new visitor of /chat sends one message; the status and the replies' text come back. */
async function firstMessage(text: string): Promise<{ status: number; replies: string }> {
  const res = await fetch(`${base}/chat/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text, clientMessageId: `hostile-${String(++sent).padStart(4, "0")}` }),
  });
  const body = (await res.json()) as { replies?: { text?: string }[] };
  return { status: res.status, replies: (body.replies ?? []).map((r) => r.text ?? "").join("\n") };
}

describe("hostile words sent to the patient chat", () => {
  it.each([
    ["constructor", "constructor"],
    ["__proto__", "__proto__"],
    ["toString", "toString"],
    ["hasOwnProperty", "hasOwnProperty"],
    ["valueOf", "valueOf"],
    ["a booking with constructor in it", "je voudrais un rdv constructor demain à 10h"],
    ["constructor and __proto__ in English", "constructor tomorrow __proto__ at 10am"],
    ["constructor where a day number goes", "le constructor à 10h"],
    ["a 9,000-letter word", `rdv ${"a".repeat(9_000)} demain`],
    ["Arabic, RTL marks and emoji", "مرحبا \u200f rdv demain 10h 😀 \u202e constructor"],
  ])("%s is answered like any message", async (_, text) => {
    const { status, replies } = await firstMessage(text);
    expect(status).toBe(200);
    expect(replies.length).toBeGreaterThan(0);
  });

  it("the service logged no error while reading them", () => {
    expect(tabib.output()).not.toMatch(/"level":(50|60)/);
  });
});
