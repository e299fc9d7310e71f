// Tabib as a newcomer starts it: `npm start` in a child process, on an empty data folder (or an
// empty Postgres database), reached only over HTTP. Its log is read the way an operator reads it.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");

/** Where the service keeps its data: the embedded default, or a PostgreSQL server. */
export type Store = "embedded" | "postgres";

/**
 * The stores a journey runs on: always the embedded database; PostgreSQL too when the suite is
 * given one (DATABASE_URL, as CI does), on a new empty database of that server.
 */
export function storesToTry(): Store[] {
  return process.env.DATABASE_URL ? ["embedded", "postgres"] : ["embedded"];
}

export interface StaffLogin {
  role: string;
  email: string;
  password: string;
}

export interface LogLine {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

export interface RunningService {
  readonly base: string;
  readonly store: Store;
  /** The staff logins printed once at the first start. */
  readonly logins: StaffLogin[];
  login(role: string): StaffLogin;
  /** Everything the process wrote so far. */
  output(): string;
  /** Its JSON log lines so far. */
  logLines(): LogLine[];
  /** Log lines at error level or above (pino: 50 error, 60 fatal). */
  errorLines(): LogLine[];
  /** Waits until a log line matches (polling the output). */
  waitForLog(match: (line: LogLine) => boolean, ms?: number, what?: string): Promise<LogLine>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** The data folder (embedded) or the connection string (postgres). */
  readonly where: string;
}

const LISTENING = /Tabib is listening on (http:\/\/[^\s"]+)/;
const LOGIN_ROW = /│\s+(admin|secretary|doctor)\s+(\S+@\S+)\s+(\S+)\s+│/g;

/**
 * Starts `npm start` as a newcomer would, with nothing configured but what `env` adds, on a
 * fresh data folder or database; stopped and cleaned up after the test file. Resolves once it
 * listens.
 */
export async function startService(store: Store, env: NodeJS.ProcessEnv = {}, ms = 180_000): Promise<RunningService> {
  const scratch = await mkdtemp(path.join(tmpdir(), "tabib-journey-"));
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  // A newcomer's machine: none of the suite's own settings leak into the product.
  for (const name of Object.keys(childEnv))
    if (
      /^(DATABASE_URL|REDIS_URL|SEED_|JWT_|TOTP_|TELEGRAM_|TWILIO_|WHATSAPP_|SMTP_|MAIL_|PUBLIC_URL|PGLITE_DIR|DOCUMENTS_DIR|INLINE_WORKER|LOG_LEVEL|NODE_ENV|PORT|HOST|VITEST)/.test(
        name,
      )
    )
      delete childEnv[name];
  Object.assign(childEnv, {
    PORT: "0",
    HOST: "127.0.0.1",
    PGLITE_DIR: path.join(scratch, "pglite"),
    DOCUMENTS_DIR: path.join(scratch, "documents"),
  });
  let where = childEnv.PGLITE_DIR!;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (store === "postgres") {
    const created = await emptyPostgresDatabase();
    childEnv.DATABASE_URL = created.url;
    where = created.url;
    dropDatabase = created.drop;
  }
  Object.assign(childEnv, env);

  // `npm start` itself, in its own process group so the whole tree stops together.
  const child = spawn("npm", ["start", "--silent"], {
    cwd: root,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
    }
    return exited;
  };
  afterAll(async () => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 15_000);
    await stop();
    clearTimeout(timer);
    await dropDatabase?.();
    await rm(scratch, { recursive: true, force: true });
  });

  const base = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`npm start did not listen within ${ms} ms:\n${output}`)), ms);
    const timer = setInterval(() => {
      const m = LISTENING.exec(output);
      if (m) {
        clearInterval(timer);
        clearTimeout(deadline);
        resolve(m[1]!.replace(/\/$/, ""));
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      clearTimeout(deadline);
      reject(new Error(`npm start exited (${code}) before listening:\n${output}`));
    });
  });

  const logins = [...output.matchAll(LOGIN_ROW)].map((m) => ({ role: m[1]!, email: m[2]!, password: m[3]! }));
  const logLines = (): LogLine[] =>
    output
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as LogLine];
        } catch {
          return [];
        }
      });
  return {
    base,
    store,
    where,
    logins,
    login(role) {
      const found = logins.find((l) => l.role === role);
      if (!found) throw new Error(`no ${role} login was printed at first start:\n${output}`);
      return found;
    },
    output: () => output,
    logLines,
    errorLines: () => logLines().filter((l) => l.level >= 50),
    async waitForLog(match, waitMs = 60_000, what = "a log line") {
      for (const end = Date.now() + waitMs; ;) {
        const found = logLines().find(match);
        if (found) return found;
        if (Date.now() > end) throw new Error(`${what}: not logged within ${waitMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop,
  };
}

/** A new, empty database on the suite's PostgreSQL server; dropped by the returned function. */
async function emptyPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = new URL(process.env.DATABASE_URL!);
  const name = `${server.pathname.slice(1) || "tabib"}_journey_${Math.random().toString(36).slice(2, 10)}`;
  const admin = Object.assign(new URL(server), { pathname: "/postgres" }).toString();
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  return {
    url: Object.assign(new URL(server), { pathname: `/${name}` }).toString(),
    drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
