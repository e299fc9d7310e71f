import { DateTime, type DurationLikeObject } from "luxon";
import { badParam } from "../errors.js";

export type DatePrefix = "eq" | "ne" | "gt" | "lt" | "ge" | "le" | "sa" | "eb";

/** A date search value: its prefix and the half-open range [lo, hi) its precision covers, in epoch ms. */
export interface DateParam {
  prefix: DatePrefix;
  lo: number;
  hi: number;
}

const SHAPE =
  /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * Parses a FHIR date search value. Without an offset it is read in `timeZone` (the clinic's),
 * so "2026-12-01" is that whole local day. `dateOnly` refuses a time part (for birth dates).
 */
export function parseDateParam(
  param: string,
  raw: string,
  timeZone: string,
  opts: { dateOnly?: boolean } = {},
): DateParam {
  // An unencoded "+" in a query string arrives as a space: "…T10:00:00 01:00".
  const value = raw.trim().replace(/ (\d{2}:\d{2})$/, "+$1");
  const m = SHAPE.exec(value);
  if (!m)
    throw badParam(
      param,
      `"${raw}" is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][Z|±hh:mm], optionally prefixed)`,
    );
  const [, prefix = "eq", y, mo, d, h, mi, s, frac, offset] = m;
  if (prefix === "ap") throw badParam(param, `the "ap" prefix is not supported`);
  if (opts.dateOnly && h !== undefined) throw badParam(param, "takes a date without a time");
  const zone = offset === undefined ? timeZone : offset === "Z" ? "UTC" : `UTC${offset}`;
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  const fields = {
    year: +y!,
    month: mo ? +mo : 1,
    day: d ? +d : 1,
    hour: h ? +h : 0,
    minute: mi ? +mi : 0,
    second: s ? +s : 0,
    millisecond: ms,
  };
  const start = DateTime.fromObject(fields, { zone });
  // Luxon normalises overflow silently in some paths; insist the fields survive the round trip.
  if (
    !start.isValid ||
    start.month !== fields.month ||
    start.day !== fields.day ||
    fields.hour > 23 ||
    fields.minute > 59 ||
    fields.second > 59
  ) {
    throw badParam(param, `"${raw}" is not a valid date`);
  }
  const step: DurationLikeObject =
    frac !== undefined
      ? { milliseconds: 1 }
      : s
        ? { seconds: 1 }
        : mi
          ? { minutes: 1 }
          : d
            ? { days: 1 }
            : mo
              ? { months: 1 }
              : { years: 1 };
  return { prefix: prefix as DatePrefix, lo: start.toMillis(), hi: start.plus(step).toMillis() };
}

/** Ranges [gte, lt) of instants that match; more than one means "any of them". */
export interface InstantRange {
  gte?: Date;
  lt?: Date;
}

/**
 * The instants a prefix selects when the target is a point in time (Appointment.start, Slot.start)
 * or a day aligned with the search precision (birthDate).
 */
export function matchingRanges(p: DateParam): InstantRange[] {
  const lo = new Date(p.lo);
  const hi = new Date(p.hi);
  switch (p.prefix) {
    case "eq":
      return [{ gte: lo, lt: hi }];
    case "ne":
      return [{ lt: lo }, { gte: hi }];
    case "gt":
    case "sa":
      return [{ gte: hi }];
    case "ge":
      return [{ gte: lo }];
    case "lt":
    case "eb":
      return [{ lt: lo }];
    case "le":
      return [{ lt: hi }];
  }
}

export function matchesDate(p: DateParam, at: Date | number): boolean {
  return matchingRanges(p).some((r) => (r.gte === undefined || +at >= +r.gte) && (r.lt === undefined || +at < +r.lt));
}

/** The window every given parameter confines instants to: [from, to), either side open when unbounded. */
export function boundingWindow(params: DateParam[]): { from?: number; to?: number } {
  let from: number | undefined;
  let to: number | undefined;
  for (const p of params) {
    const ranges = matchingRanges(p);
    if (ranges.length !== 1) continue; // "ne" leaves both sides open
    const r = ranges[0]!;
    if (r.gte) from = Math.max(from ?? -Infinity, +r.gte);
    if (r.lt) to = Math.min(to ?? Infinity, +r.lt);
  }
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}
