import type { Redis } from "ioredis";

/**
 * A provider's sending limits, as a generic cell rate: at most one message per `intervalMs` on
 * average, with short bursts of up to `burst` messages. Telegram: ~30/s per bot, 1/s per chat.
 */
export interface Rate {
  intervalMs: number;
  burst: number;
}

export interface PacingLimits {
  /** Per bot / sending number. */
  sender: Rate;
  /** Per chat. */
  chat: Rate;
}

export const TELEGRAM_LIMITS: PacingLimits = {
  sender: { intervalMs: Math.ceil(1000 / 30), burst: 30 },
  chat: { intervalMs: 1000, burst: 3 },
};

/** Reserves the next free sending slot for a chat; returns how long to wait before sending (ms). */
export type Pacer = (senderKey: string, chatKey: string) => Promise<number>;

// GCRA over two keys at once: the send time is the later of both limits' earliest slot, and both
// "theoretical arrival times" move past it. Atomic, so several web processes share one budget.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function tat(key) return tonumber(redis.call('GET', key) or '0') end
local sTat, cTat = tat(KEYS[1]), tat(KEYS[2])
local sI, sB, cI, cB = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local at = math.max(now, sTat - (sB - 1) * sI, cTat - (cB - 1) * cI)
local sNext = math.max(sTat, at) + sI
local cNext = math.max(cTat, at) + cI
redis.call('SET', KEYS[1], sNext, 'PX', sNext - now + 1000)
redis.call('SET', KEYS[2], cNext, 'PX', cNext - now + 1000)
return at - now
`;

/** Pacing shared through Redis (keys under `prefix`, each expiring once idle). */
export function redisPacer(redis: Redis, prefix: string, limits: PacingLimits): Pacer {
  return async (senderKey, chatKey) => {
    const wait = await redis.eval(
      RESERVE,
      2,
      `${prefix}:pace:${senderKey}`,
      `${prefix}:pace:${senderKey}:${chatKey}`,
      limits.sender.intervalMs,
      limits.sender.burst,
      limits.chat.intervalMs,
      limits.chat.burst,
    );
    return Number(wait);
  };
}

/** The same pacing inside one process (embedded mode). */
export function memoryPacer(limits: PacingLimits, clock: () => number = Date.now): Pacer {
  const tats = new Map<string, number>();
  return async (senderKey, chatKey) => {
    const now = clock();
    if (tats.size > 100_000) for (const [k, v] of tats) if (v < now) tats.delete(k);
    const sKey = senderKey;
    const cKey = `${senderKey}:${chatKey}`;
    const sTat = tats.get(sKey) ?? 0;
    const cTat = tats.get(cKey) ?? 0;
    const { sender: s, chat: c } = limits;
    const at = Math.max(now, sTat - (s.burst - 1) * s.intervalMs, cTat - (c.burst - 1) * c.intervalMs);
    tats.set(sKey, Math.max(sTat, at) + s.intervalMs);
    tats.set(cKey, Math.max(cTat, at) + c.intervalMs);
    return at - now;
  };
}
