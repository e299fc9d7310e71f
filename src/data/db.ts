import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.js";

export type { PrismaClient } from "./generated/client.js";

/** Minimal SQL access shared by Postgres and PGlite, for hot paths and migrations. */
export interface Sql {
  /**
   * On Postgres a parameterized text that recurs is planned once per connection; `prepare: true`
   * asks for that from the first run, `false` never (a text that embeds values).
   */
  query<T = Record<string, unknown>>(text: string, params?: unknown[], opts?: { prepare?: boolean }): Promise<T[]>;
  /** Runs statements separated by semicolons, no parameters. */
  exec(text: string): Promise<void>;
  /**
   * Runs fn on one connection inside BEGIN/COMMIT. BEGIN travels with fn's first statement, in
   * one round trip; `opening` (parameterless statements, e.g. a lock) goes between the two.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>, opts?: { opening?: string }): Promise<T>;
  /**
   * Learns the types a migration just created. PGlite reads the catalog's array types once, when
   * it opens: without this, an array of a new enum is sent as "a,b" and refused (22P02) until
   * the next start — the newcomer's first start.
   */
  refreshTypes?(): Promise<void>;
}

/**
 * A connection already inside a transaction (or one where each statement commits by itself)
 * seen as a Transaction: its last statement is an ordinary one, the commit comes later.
 */
export const withoutBatching = (sql: Sql): Transaction => ({
  ...sql,
  commitWith: (text, params) => sql.query(text, params),
});

let savepoints = 0;

/**
 * Work nested in an open transaction: a SAVEPOINT, so a failure inside undoes only that work and
 * leaves the transaction usable (Postgres refuses every statement of a transaction after an error).
 */
async function savepoint<T>(
  sql: Sql,
  fn: (tx: Transaction) => Promise<T>,
  opts: { opening?: string } | undefined,
): Promise<T> {
  const name = `tabib_sp_${++savepoints}`;
  await sql.exec(opts?.opening ? `SAVEPOINT ${name}; ${opts.opening}` : `SAVEPOINT ${name}`);
  try {
    const result = await fn(withoutBatching(sql));
    await sql.exec(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (err) {
    await sql.exec(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
    throw err;
  }
}

/** An open transaction's connection. */
export interface Transaction extends Sql {
  /**
   * Runs a last statement and commits, in one round trip; returns the statement's rows.
   * Statements after it would run outside the transaction.
   */
  commitWith<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface Database {
  readonly kind: "postgres" | "pglite";
  /** How many connections the pool opens at most (1 for embedded PGlite). */
  readonly connections: number;
  /** The embedded engine, when kind is "pglite" (dumps, diagnostics). */
  readonly lite?: import("@electric-sql/pglite").PGlite;
  readonly prisma: PrismaClient;
  readonly sql: Sql;
  close(): Promise<void>;
}

// Postgres parses and plans an unnamed statement anew each time; a named one once per
// connection. Statement texts here are fixed strings, so a parameterized text seen twice is
// given a name — bounded, in case some text is built with its values inside.
const MAX_NAMED_STATEMENTS = 1_000;
const statementNames = new Map<string, string>();
const seenOnce = new Set<string>();
function statementName(text: string, asked: boolean | undefined, params: unknown[] | undefined): string | undefined {
  if (asked === false) return undefined;
  const known = statementNames.get(text);
  if (known) return known;
  if (!asked) {
    if (!params?.length || statementNames.size >= MAX_NAMED_STATEMENTS) return undefined;
    if (!seenOnce.has(text)) {
      if (seenOnce.size < MAX_NAMED_STATEMENTS) seenOnce.add(text);
      return undefined;
    }
    seenOnce.delete(text);
  }
  const name = `tabib_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`;
  statementNames.set(text, name);
  return name;
}

function poolSql(pool: pg.Pool | pg.PoolClient): Sql {
  return {
    async query<T>(text: string, params?: unknown[], opts?: { prepare?: boolean }) {
      const name = statementName(text, opts?.prepare, params);
      const res = name
        ? await pool.query({ name, text, values: params as unknown[] })
        : await pool.query(text, params as unknown[]);
      return res.rows as T[];
    },
    async exec(text: string) {
      await pool.query(text);
    },
    async transaction<T>(fn: (tx: Transaction) => Promise<T>, opts?: { opening?: string }): Promise<T> {
      if (!(pool instanceof pg.Pool)) return savepoint(poolSql(pool), fn, opts);
      const client = await pool.connect();
      const tx = new PooledTransaction(client, opts?.opening ? `BEGIN; ${opts.opening}` : "BEGIN");
      try {
        const result = await fn(tx);
        await tx.finish();
        return result;
      } catch (err) {
        await tx.abandon();
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

/**
 * A transaction on one pooled connection that saves round trips: BEGIN goes with the first
 * statement and COMMIT with the last (`commitWith`), each pair as one simple-protocol message
 * with its values written in as literals.
 */
class PooledTransaction implements Transaction {
  private state: "pending" | "open" | "done" = "pending";
  private readonly direct: Sql;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly opening: string,
  ) {
    this.direct = poolSql(client);
  }

  async query<T>(text: string, params?: unknown[], opts?: { prepare?: boolean }): Promise<T[]> {
    if (this.state !== "pending") return this.direct.query<T>(text, params, opts);
    this.state = "open";
    return this.batch<T>(`${this.opening}; ${inlined(text, params)}`, 1);
  }

  async exec(text: string): Promise<void> {
    if (this.state === "pending") {
      this.state = "open";
      await this.client.query(`${this.opening}; ${text}`);
    } else await this.direct.exec(text);
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>, opts?: { opening?: string }): Promise<T> {
    // Work nested in this transaction must find it begun.
    if (this.state === "pending") {
      this.state = "open";
      await this.client.query(this.opening);
    }
    return this.direct.transaction(fn, opts);
  }

  async commitWith<T>(text: string, params?: unknown[]): Promise<T[]> {
    const statement = inlined(text, params);
    const opened = this.state === "pending";
    this.state = "open";
    const rows = await this.batch<T>(opened ? `${this.opening}; ${statement}; COMMIT` : `${statement}; COMMIT`, 2);
    this.state = "done";
    return rows;
  }

  async finish(): Promise<void> {
    if (this.state === "open") await this.client.query("COMMIT");
    this.state = "done";
  }

  async abandon(): Promise<void> {
    if (this.state === "open") await this.client.query("ROLLBACK").catch(() => undefined);
    this.state = "done";
  }

  /** Sends several statements at once; the rows of the one `fromEnd` places before the end. */
  private async batch<T>(text: string, fromEnd: number): Promise<T[]> {
    const results = (await this.client.query(text)) as unknown as pg.QueryResult[];
    return (results[results.length - fromEnd]?.rows ?? []) as T[];
  }
}

const { prepareValue } = createRequire(import.meta.url)("pg/lib/utils.js") as { prepareValue: (v: unknown) => unknown };

/** A statement with its $n parameters written in as literals, escaped the way pg escapes them. */
function inlined(text: string, params: unknown[] = []): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = params[Number(n) - 1];
    if (value === null || value === undefined) return "NULL";
    const prepared = prepareValue(value);
    return prepared === null ? "NULL" : literal(String(prepared));
  });
}

/**
 * pg's escapeLiteral, without building the result one character at a time (a conversation's
 * state and replies are kilobytes of JSON on every message).
 */
export function literal(text: string): string {
  const quoted = `'${text.replaceAll("'", "''")}'`;
  return text.includes("\\") ? ` E${quoted.replaceAll("\\", "\\\\")}` : quoted;
}

export interface PostgresOptions {
  url: string;
  poolSize?: number;
}

export function openPostgres({ url, poolSize = 20 }: PostgresOptions): Database {
  // Idle connections are kept: reopening a pool's worth at once (the morning's reminders after a
  // quiet night) took half a second here, and every reminder of the burst waited behind it.
  // Kept connections do not keep a finished script's process alive.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 0, allowExitOnIdle: true });
  pool.on("error", () => undefined); // idle-client errors surface on the next query instead
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind: "postgres",
    connections: poolSize,
    prisma,
    sql: poolSql(pool),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** Opens an embedded PGlite database: a directory path, or undefined for in-memory. */
export async function openPglite(dir?: string, options: { loadDataDir?: Blob } = {}): Promise<Database> {
  const [{ PGlite }, { btree_gist }, { PrismaPGlite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite/contrib/btree_gist"),
    import("pglite-prisma-adapter"),
  ]);
  const lite = await PGlite.create(dir, { extensions: { btree_gist }, loadDataDir: options.loadDataDir });
  // The adapter is typed against an older @prisma/driver-adapter-utils; the runtime contract matches.
  const adapter = new PrismaPGlite(lite) as unknown as PrismaPg;
  const prisma = new PrismaClient({ adapter });
  const liteSql = (q: Pick<typeof lite, "query" | "exec">): Sql => ({
    async query<T>(text: string, params?: unknown[]) {
      const res = await q.query<T>(text, params as unknown[]);
      return res.rows;
    },
    async exec(text: string) {
      await q.exec(text);
    },
    async transaction<T>(fn: (tx: Transaction) => Promise<T>, opts?: { opening?: string }): Promise<T> {
      // One process, one connection: nothing to save by batching, so COMMIT stays at the end.
      if (q !== lite) return savepoint(liteSql(q), fn, opts);
      return lite.transaction(async (tx) => {
        if (opts?.opening) await tx.exec(opts.opening);
        return fn(withoutBatching(liteSql(tx)));
      });
    },
    ...(q === lite ? { refreshTypes: () => lite.refreshArrayTypes() } : {}),
  });
  return {
    kind: "pglite",
    connections: 1,
    prisma,
    sql: liteSql(lite),
    lite,
    async close() {
      await prisma.$disconnect();
      await lite.close();
    },
  };
}

interface Binding {
  /** The database outside the transaction (where listeners of this process are registered). */
  base: Database;
  /** Work to do once the outermost transaction commits, per open savepoint level. */
  committed: (() => void)[][];
}
const bindings = new WeakMap<Database, Binding>();

const prismaOutsideTransaction = new Proxy(
  {},
  {
    get(_, key) {
      if (key === "then") return undefined;
      throw new Error(
        `prisma.${String(key)} inside a transaction: Prisma runs on other connections and would not see its work (use db.sql)`,
      );
    },
  },
) as PrismaClient;

/**
 * A Database whose every statement goes through `tx`. Prisma is not available on it: Prisma runs
 * on connections of its own, outside the transaction (and on PGlite it would wait for the
 * transaction to end, forever).
 */
export function boundTo(db: Database, tx: Transaction): Database {
  const base = baseOf(db);
  const bound: Database = {
    kind: base.kind,
    connections: base.connections,
    lite: base.lite,
    prisma: prismaOutsideTransaction,
    sql: tx,
    close: () => Promise.reject(new Error("a transaction's database is closed with the transaction")),
  };
  bindings.set(bound, { base, committed: [[]] });
  return bound;
}

/** The database itself, outside any transaction it may be bound to. */
export function baseOf(db: Database): Database {
  return bindings.get(db)?.base ?? db;
}

/**
 * Runs `fn` as one unit of work: a transaction, or a SAVEPOINT when `db` is already bound to one,
 * so a failure inside changes nothing and the caller's transaction stays usable.
 */
export async function inTransaction<T>(
  db: Database,
  fn: (db: Database) => Promise<T>,
  opts?: { opening?: string },
): Promise<T> {
  const outer = bindings.get(db);
  if (outer) {
    outer.committed.push([]);
    try {
      const result = await db.sql.transaction((tx) => fn(shareBinding(db, tx, outer)), opts);
      const mine = outer.committed.pop()!;
      outer.committed[outer.committed.length - 1]!.push(...mine);
      return result;
    } catch (err) {
      outer.committed.pop();
      throw err;
    }
  }
  let after: (() => void)[] = [];
  const result = await db.sql.transaction(async (tx) => {
    const bound = boundTo(db, tx);
    const value = await fn(bound);
    after = bindings.get(bound)!.committed.flat();
    return value;
  }, opts);
  for (const f of after) runQuietly(f);
  return result;
}

function shareBinding(db: Database, tx: Transaction, binding: Binding): Database {
  const nested: Database = { ...db, sql: tx };
  bindings.set(nested, binding);
  return nested;
}

/**
 * Runs `fn` once what `db` has written is committed: at once outside a transaction, after the
 * outermost commit inside one, never if it rolls back. For telling other parts of this process
 * about a change (they read the rows, which must be there).
 */
export function afterCommit(db: Database, fn: () => void): void {
  const binding = bindings.get(db);
  if (binding) binding.committed[binding.committed.length - 1]!.push(fn);
  else runQuietly(fn);
}

function runQuietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // Whatever listens to a committed change handles its own failures; the change stands.
  }
}

/** Postgres when a URL is given, otherwise the embedded PGlite database in `pgliteDir`. */
export async function openDatabase(opts: { url?: string; pgliteDir?: string; poolSize?: number }): Promise<Database> {
  if (opts.url) return openPostgres({ url: opts.url, poolSize: opts.poolSize });
  if (opts.pgliteDir) {
    const { mkdir } = await import("node:fs/promises");
    await mkdir(opts.pgliteDir, { recursive: true });
  }
  return openPglite(opts.pgliteDir);
}

/** SQLSTATE of a database error, looking through Prisma's driver-adapter wrapping. */
export function sqlState(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const o = e as { code?: unknown; cause?: unknown; originalCode?: unknown };
    if (typeof o.originalCode === "string" && /^[0-9A-Z]{5}$/.test(o.originalCode)) return o.originalCode;
    if (typeof o.code === "string" && /^[0-9A-Z]{5}$/.test(o.code)) return o.code;
    e = o.cause;
  }
  return undefined;
}
