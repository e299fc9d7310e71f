import { DateTime } from "luxon";
import { clinicZone } from "./time-zone.js";

const QUARTER_HOUR = 15 * 60_000;

/** A calendar day in the clinic's time zone, as "YYYY-MM-DD". */
export type LocalDate = string;

/**
 * Converts wall-clock times in one IANA time zone to instants, correct across DST.
 * Memoizes per (day, minute): schedules reuse a handful of block boundaries thousands of times.
 */
export class ClinicClock {
  private readonly cache = new Map<string, number>();
  private readonly days = new Map<number, LocalDate>();

  constructor(readonly timeZone: string) {
    if (!DateTime.now().setZone(clinicZone(timeZone)).isValid) throw new Error(`Unknown time zone ${timeZone}`);
  }

  /** Epoch ms of `minute` minutes after local midnight on `day` (a nonexistent local time moves forward). */
  at(day: LocalDate, minute: number): number {
    const key = `${day}|${minute}`;
    let ms = this.cache.get(key);
    if (ms === undefined) {
      const [y, m, d] = day.split("-").map(Number) as [number, number, number];
      if (this.cache.size > 200_000) this.cache.clear();
      ms = DateTime.fromObject(
        { year: y, month: m, day: d, hour: Math.floor(minute / 60), minute: minute % 60 },
        { zone: clinicZone(this.timeZone) },
      ).toMillis();
      if (minute === 1440) ms = this.at(this.addDays(day, 1), 0);
      this.cache.set(key, ms);
    }
    return ms;
  }

  /** The local calendar day containing an instant. */
  dayOf(instant: Date | number): LocalDate {
    // Every UTC offset in use is a multiple of 15 minutes, so local midnight always falls on a
    // UTC quarter-hour and the local date is the same throughout one.
    const quarter = Math.floor(+instant / QUARTER_HOUR);
    let day = this.days.get(quarter);
    if (day === undefined) {
      if (this.days.size > 200_000) this.days.clear();
      day = DateTime.fromMillis(quarter * QUARTER_HOUR, { zone: clinicZone(this.timeZone) }).toISODate()!;
      this.days.set(quarter, day);
    }
    return day;
  }

  /** ISO weekday (1 = Monday) of a local day. */
  weekday(day: LocalDate): number {
    const [y, m, d] = day.split("-").map(Number) as [number, number, number];
    const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    return dow === 0 ? 7 : dow;
  }

  addDays(day: LocalDate, n: number): LocalDate {
    const [y, m, d] = day.split("-").map(Number) as [number, number, number];
    return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
  }

  /** Local days touching [from, to), in order. */
  daysBetween(from: Date | number, to: Date | number): LocalDate[] {
    const days: LocalDate[] = [];
    const last = this.dayOf(+to - 1);
    for (let day = this.dayOf(from); day <= last; day = this.addDays(day, 1)) days.push(day);
    return days;
  }

  /** Start of the local day containing an instant. */
  startOfDay(instant: Date | number): number {
    return this.at(this.dayOf(instant), 0);
  }
}
