import type { ClinicClock } from "./clinic-time.js";

/** Local minutes of the day between which no patient is messaged; start > end wraps midnight, start = end means none. */
export interface QuietHours {
  startMinute: number;
  endMinute: number;
}

/**
 * The quiet period containing `at`, as instants, or null when `at` is outside quiet hours.
 * Built from wall-clock times with ClinicClock, so a night that gains or loses an hour to DST
 * still ends at the clinic's local morning.
 */
export function quietPeriodAt(at: Date, quiet: QuietHours, clock: ClinicClock): { from: Date; to: Date } | null {
  if (quiet.startMinute === quiet.endMinute) return null;
  const day = clock.dayOf(at);
  const wraps = quiet.startMinute > quiet.endMinute;
  // A wrapping period starts one evening and ends the next morning: look at yesterday's too.
  const candidates = wraps
    ? [
        [clock.addDays(day, -1), day],
        [day, clock.addDays(day, 1)],
      ]
    : [[day, day]];
  for (const [startDay, endDay] of candidates) {
    const from = clock.at(startDay!, quiet.startMinute);
    const to = clock.at(endDay!, quiet.endMinute);
    if (+at >= from && +at < to) return { from: new Date(from), to: new Date(to) };
  }
  return null;
}

/** `at`, or the end of the quiet period it falls in (the clinic's local morning). */
export function afterQuietHours(at: Date, quiet: QuietHours, clock: ClinicClock): Date {
  return quietPeriodAt(at, quiet, clock)?.to ?? at;
}

/** `at`, or the last minute before the quiet period it falls in began (the evening before). */
export function beforeQuietHours(at: Date, quiet: QuietHours, clock: ClinicClock): Date {
  const period = quietPeriodAt(at, quiet, clock);
  return period ? new Date(+period.from - 60_000) : at;
}
