/**
 * Counts failures per key over a sliding window: once `max` failures fall inside it, the key
 * is refused until the oldest leaves. Successes cost nothing, unlike a plain rate limiter, so a
 * doctor signing in all day is never throttled while a code-guesser is. Per process.
 */
export class FailureWindow {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until the key may try again, or null when it may try now. */
  blockedFor(key: string, now: number): number | null {
    const recent = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.failures.set(key, recent);
    if (recent.length < this.max) return null;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000));
  }

  fail(key: string, now: number): void {
    const recent = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    recent.push(now);
    this.failures.set(key, recent);
    if (this.failures.size > 10_000) {
      for (const [k, times] of this.failures) if (times.every((t) => t <= now - this.windowMs)) this.failures.delete(k);
    }
  }
}
