import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Database } from "../data/db.js";

/*
 * Every security and abuse limit (sign-in attempts, two-factor codes, token requests, web chat
 * messages) is counted here, in one place every instance shares: Redis when REDIS_URL is set,
 * else the database (rate_limit_hit, an UNLOGGED table). A limit counted in each process's
 * memory is multiplied by the number of processes. The window slides: at most `max` counted
 * hits in any `windowMs`.
 */

export interface LimitRule {
  /** Part of the stored key: two rules never share counts. */
  readonly name: string;
  readonly max: number;
  readonly windowMs: number;
}

export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** 'take' counts the hit when under the limit; 'record' counts it anyway; 'check' only looks. */
type Count = "take" | "record" | "check";

/** Where the hits are kept: returns whether the key was under its limit, and if not for how long. */
type Store = (
  key: string,
  rule: LimitRule,
  now: number,
  count: Count,
) => Promise<{ allowed: boolean; retryMs: number }>;

/** The limits Tabib enforces, in one list for the README and the tests. */
export const LIMITS = {
  /** Console sign-ins per client address; clinic staff often share one public address. */
  consoleLoginPerAddress: { name: "console-login-ip", max: 30, windowMs: 60_000 },
  /** API sign-ins per client address and per account. */
  apiLoginPerAddress: { name: "api-login-ip", max: 10, windowMs: 60_000 },
  apiLoginPerAccount: { name: "api-login-account", max: 10, windowMs: 60_000 },
  /** Wrong two-factor codes per account, console and API together (right ones cost nothing). */
  secondFactorFailures: { name: "second-factor", max: 5, windowMs: 5 * 60_000 },
  /** Token requests per client address, and failed ones per client_id. */
  tokenRequestsPerAddress: { name: "token-ip", max: 30, windowMs: 60_000 },
  tokenFailuresPerClient: { name: "token-client", max: 10, windowMs: 5 * 60_000 },
  /** Web chat messages per chat session. */
  webChatPerSession: { name: "web-chat", max: 30, windowMs: 60_000 },
} as const satisfies Record<string, LimitRule>;

export class Limiter {
  constructor(private readonly store: Store) {}

  /** Counts a hit unless the key is at its limit. */
  take(rule: LimitRule, key: string, now: Date): Promise<Verdict> {
    return this.hit(rule, key, now, "take");
  }

  /** Whether the key is at its limit, counting nothing (e.g. before checking a code). */
  check(rule: LimitRule, key: string, now: Date): Promise<Verdict> {
    return this.hit(rule, key, now, "check");
  }

  /** Counts a hit whatever the limit: a failure the next check must see. */
  async record(rule: LimitRule, key: string, now: Date): Promise<void> {
    await this.hit(rule, key, now, "record");
  }

  private async hit(rule: LimitRule, key: string, now: Date, count: Count): Promise<Verdict> {
    const { allowed, retryMs } = await this.store(storedKey(rule, key), rule, now.getTime(), count);
    return allowed ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) };
  }
}

// Keys carry emails, addresses and session ids: stored hashed, at a fixed length, whatever was typed.
const storedKey = (rule: LimitRule, key: string): string =>
  `tabib:limit:${rule.name}:${createHash("sha256").update(key).digest("base64url").slice(0, 32)}`;

/**
 * The limiter every instance shares: Redis when configured, else the database. While Redis is
 * unreachable the database counts instead, so a limit never silently stops applying.
 */
export function sharedLimiter(deps: { db: Database; redis?: Redis; logger: Logger }): Limiter {
  const inDatabase = databaseStore(deps.db);
  if (!deps.redis) return new Limiter(inDatabase);
  const inRedis = redisStore(deps.redis);
  let warned = false;
  return new Limiter(async (key, rule, now, count) => {
    try {
      const verdict = await inRedis(key, rule, now, count);
      warned = false;
      return verdict;
    } catch (err) {
      if (!warned) deps.logger.warn({ reason: (err as Error).message }, "limits counted in the database: redis failed");
      warned = true;
      return inDatabase(key, rule, now, count);
    }
  });
}

function databaseStore(db: Database): Store {
  return async (key, rule, now, count) => {
    const rows = await db.sql.query<{ allowed: boolean; retry_after_ms: string | number }>(
      `SELECT allowed, retry_after_ms FROM rate_limit_hit($1, $2::bigint, $3::bigint, $4::integer, $5)`,
      [key, now, rule.windowMs, rule.max, count],
      { prepare: true },
    );
    const row = rows[0]!;
    return { allowed: row.allowed, retryMs: Number(row.retry_after_ms) };
  };
}

// The same algorithm as rate_limit_hit, on a sorted set of hit times (members made unique).
const SLIDING_WINDOW = `
local key, now, window, max, count = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local n = redis.call('ZCARD', key)
local allowed = n < max
if count == 'record' or (count == 'take' and allowed) then
  redis.call('ZADD', key, now, ARGV[5])
  n = n + 1
end
if n > 0 then redis.call('PEXPIRE', key, window) end
if allowed then return {1, 0} end
local oldest = redis.call('ZRANGE', key, n - max, n - max, 'WITHSCORES')
return {0, math.max(1, tonumber(oldest[2]) + window - now)}
`;

function redisStore(redis: Redis): Store {
  return async (key, rule, now, count) => {
    const [allowed, retryMs] = (await redis.eval(
      SLIDING_WINDOW,
      1,
      key,
      now,
      rule.windowMs,
      rule.max,
      count,
      `${now}-${randomBytes(6).toString("base64url")}`,
    )) as [number, number];
    return { allowed: allowed === 1, retryMs };
  };
}

/**
 * A limiter in this process's memory, for a router served on its own (a test, a tool); a
 * served instance of Tabib always uses sharedLimiter.
 */
export function processLimiter(): Limiter {
  const hits = new Map<string, number[]>();
  return new Limiter(async (key, rule, now, count) => {
    const recent = (hits.get(key) ?? []).filter((t) => t > now - rule.windowMs);
    const allowed = recent.length < rule.max;
    if (count === "record" || (count === "take" && allowed)) recent.push(now);
    hits.set(key, recent);
    if (hits.size > 10_000) for (const [k, v] of hits) if (v.every((t) => t <= now - rule.windowMs)) hits.delete(k);
    return { allowed, retryMs: allowed ? 0 : recent[recent.length - rule.max]! + rule.windowMs - now };
  });
}
