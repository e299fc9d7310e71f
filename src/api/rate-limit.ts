/**
 * In-memory sliding-window limiter: at most `max` hits per key within `windowMs`.
 * Per process, which suits one API instance; several instances would share it through Redis.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Counts a hit unless the key is over its limit; when refused, says how many seconds until a hit frees up. */
  take(key: string, now: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.max) {
      this.hits.set(key, recent);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000)) };
    }
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.sweep(now);
    return { allowed: true };
  }

  // Keeps memory bounded when many distinct keys (IPs, guessed emails) pass through.
  private sweep(now: number): void {
    for (const [key, times] of this.hits) {
      if (times.every((t) => t <= now - this.windowMs)) this.hits.delete(key);
    }
  }
}
