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

/** Hands out sending slots within a provider's limits. */
export interface Pacer {
  /** Reserves the next free sending slot for a chat; returns how long to wait before sending (ms). */
  reserve(senderKey: string, chatKey: string): Promise<number>;
  /**
   * The provider told this sender to wait `ms` (a 429's retry_after): no slot is handed out
   * before then, and sending resumes at the sender's rate, without a burst.
   */
  holdOff(senderKey: string, ms: number): Promise<void>;
}

// GCRA over two keys at once: the send time is the later of both limits' earliest slot, and both
// "theoretical arrival times" move past it. Atomic, so several processes share one budget.
// The send time is `at`; a key's TAT lies (burst − 1) intervals past the last slot it handed out.
export const GCRA_LUA = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function tat(key) return tonumber(redis.call('GET', key) or '0') end
local function reserve(now, sKey, cKey, sI, sB, cI, cB)
  local sTat, cTat = tat(sKey), tat(cKey)
  local at = math.max(now, sTat - (sB - 1) * sI, cTat - (cB - 1) * cI)
  local sNext = math.max(sTat, at) + sI
  local cNext = math.max(cTat, at) + cI
  redis.call('SET', sKey, sNext, 'PX', sNext - now + 1000)
  redis.call('SET', cKey, cNext, 'PX', cNext - now + 1000)
  return at
end
-- The sender's next slot alone (a chat's share already counted).
local function reserveSender(now, sKey, sI, sB)
  local sTat = tat(sKey)
  local at = math.max(now, sTat - (sB - 1) * sI)
  local sNext = math.max(sTat, at) + sI
  redis.call('SET', sKey, sNext, 'PX', sNext - now + 1000)
  return at
end
-- Nothing is handed out before now + ms; afterwards one slot per interval.
local function holdOff(now, sKey, sI, sB, ms)
  local held = now + ms + (sB - 1) * sI
  if held > tat(sKey) then redis.call('SET', sKey, held, 'PX', held - now + 1000) end
end
`;

const RESERVE = `${GCRA_LUA}
local now = nowMs()
return reserve(now, KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])) - now
`;

const HOLD_OFF = `${GCRA_LUA}
holdOff(nowMs(), KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
return 0
`;

/** Pacing shared through Redis (keys `<prefix>:<namespace>:<sender>[:<chat>]`, each expiring once idle). */
export function redisPacer(redis: Redis, prefix: string, limits: PacingLimits, namespace = "pace"): Pacer {
  const senderKey = (sender: string) => `${prefix}:${namespace}:${sender}`;
  return {
    async reserve(sender, chat) {
      const wait = await redis.eval(
        RESERVE,
        2,
        senderKey(sender),
        `${senderKey(sender)}:${chat}`,
        limits.sender.intervalMs,
        limits.sender.burst,
        limits.chat.intervalMs,
        limits.chat.burst,
      );
      return Number(wait);
    },
    async holdOff(sender, ms) {
      await redis.eval(HOLD_OFF, 1, senderKey(sender), limits.sender.intervalMs, limits.sender.burst, Math.ceil(ms));
    },
  };
}

/** The same pacing inside one process (embedded mode). */
export function memoryPacer(limits: PacingLimits, clock: () => number = Date.now): Pacer {
  const tats = new Map<string, number>();
  const { sender: s, chat: c } = limits;
  return {
    async reserve(senderKey, chatKey) {
      const now = clock();
      if (tats.size > 100_000) for (const [k, v] of tats) if (v < now) tats.delete(k);
      const sKey = senderKey;
      const cKey = `${senderKey}:${chatKey}`;
      const sTat = tats.get(sKey) ?? 0;
      const cTat = tats.get(cKey) ?? 0;
      const at = Math.max(now, sTat - (s.burst - 1) * s.intervalMs, cTat - (c.burst - 1) * c.intervalMs);
      tats.set(sKey, Math.max(sTat, at) + s.intervalMs);
      tats.set(cKey, Math.max(cTat, at) + c.intervalMs);
      return at - now;
    },
    async holdOff(senderKey, ms) {
      const held = clock() + ms + (s.burst - 1) * s.intervalMs;
      if (held > (tats.get(senderKey) ?? 0)) tats.set(senderKey, held);
    },
  };
}
