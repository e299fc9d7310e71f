/**
 * Clinic facts that change only through staff edits (rules, specialties, types, doctors),
 * kept by each process for a few seconds: the chat reads them on every message. A write
 * through src/domain forgets them at once in this process; other processes catch up within
 * the time to live.
 */
export class RecentFacts<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 1000,
  ) {
    everyCache.add(this as RecentFacts<unknown>);
  }

  async get(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const known = this.entries.get(key);
    if (known && known.until > now) return known.value;
    const value = await load();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, until: now + this.ttlMs });
    return value;
  }

  forget(): void {
    this.entries.clear();
  }
}

const everyCache = new Set<RecentFacts<unknown>>();

/** Forgets every cached clinic fact, after a staff edit of rules, schedules, doctors, types or specialties. */
export function forgetClinicFacts(): void {
  for (const cache of everyCache) cache.forget();
}
