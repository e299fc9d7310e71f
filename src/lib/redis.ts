import { Redis } from "ioredis";
import type { Logger } from "pino";

/**
 * The optional Redis connection (REDIS_URL). It connects on first use, and while Redis is
 * unreachable commands fail fast instead of queueing forever; the outage is logged once,
 * not on every reconnection attempt, and its end is logged too.
 */
export function openRedis(url: string | undefined, logger: Logger): Redis | undefined {
  if (!url) return undefined;
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    // Reconnect forever, but back off to one attempt every 5 s.
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  let failing = false;
  redis.on("error", (err: Error & { code?: string }) => {
    if (failing) return;
    failing = true;
    logger.warn(
      { reason: err.message, code: err.code, redis: safeUrl(url) },
      "redis unreachable; retrying in the background",
    );
  });
  redis.on("ready", () => {
    if (failing) logger.info({ redis: safeUrl(url) }, "redis reachable again");
    failing = false;
  });
  return redis;
}

/** Closes the connection without waiting on a Redis that is not there. */
export async function closeRedis(redis: Redis | undefined): Promise<void> {
  if (!redis) return;
  if (redis.status === "ready") {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}

/** REDIS_URL without its password, for logs. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable REDIS_URL)";
  }
}
