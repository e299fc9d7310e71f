import * as chrono from "chrono-node";
import { DateTime } from "luxon";
import { clinicZone } from "../time-zone.js";
import type { ChatLanguage } from "./detect-language.js";
import { ASAP_PHRASES, LUNCH_PHRASES, PART_OF_DAY_HOURS } from "./lexicon/when.js";
import { foldText, normalize } from "./normalize.js";
import { compilePhrase, findPhrase } from "./phrase.js";
import {
  PHONE_NUMBER,
  hasWhenFacts,
  readWhenFacts,
  type DayFact,
  type SpanFact,
  type SpanPart,
  type TimeOfDay,
  type WhenFacts,
} from "./when-facts.js";

export type PartOfDay = "morning" | "afternoon" | "evening";

/**
 * When a patient would like to come. Instants are real UTC instants, computed from the
 * clinic's wall clock. `past` marks a time already gone (the flow offers the nearest free slots).
 */
export type WhenPreference =
  /** A time was given: "demain 10h", "le 5/12 à 9h", "tomorrow at 10am". */
  | { readonly kind: "exact"; readonly at: Date; readonly past?: true }
  /** A time given loosely: "vers 10h", "around 10", "10h environ". */
  | { readonly kind: "near"; readonly at: Date; readonly past?: true }
  /** A span: a day, a part of a day, a week, a month. `from` is never before the message was written. */
  | {
      readonly kind: "range";
      readonly from: Date;
      readonly to: Date;
      readonly partOfDay?: PartOfDay;
      readonly past?: true;
    }
  /** The first free slot: "au plus vite", "asap". */
  | { readonly kind: "asap" };

/** "mardi" written on a Tuesday: today or next week? The flow asks. */
export interface WhenAmbiguity {
  readonly kind: "ambiguous";
  readonly options: readonly { readonly label: "today" | "next_week"; readonly preference: WhenPreference }[];
}

export interface ReadWhenOptions {
  /** Language of the message: decides day/month order in "5/12". */
  readonly locale: ChatLanguage;
  /** The clinic's IANA time zone; dates and times are read on its wall clock. */
  readonly timeZone: string;
  readonly now: Date;
}

/**
 * Reads a wish about when to come from a patient's message, in French or English, or
 * undefined when the message says nothing about time. Works on the clinic's wall clock,
 * correct across daylight-saving changes. Never throws.
 */
export function readWhen(text: string, options: ReadWhenOptions): WhenPreference | WhenAmbiguity | undefined {
  const now = DateTime.fromJSDate(options.now, { zone: clinicZone(options.timeZone) });
  if (!now.isValid || typeof text !== "string") return undefined;
  const folded = foldText(text);
  const facts = readWhenFacts(folded, options.locale);
  const phraseTokens = normalize(text).tokens;
  if (LUNCH.some((p) => findPhrase(phraseTokens, p, { maxGap: 1, synonyms: false }))) {
    facts.timeRange ??= { from: { hour: 12, minute: 0 }, to: { hour: 14, minute: 0 } };
  }
  const asap = ASAP.some((p) => findPhrase(phraseTokens, p, { maxGap: 1, synonyms: false }));
  if (!hasWhenFacts(facts)) {
    if (asap) return { kind: "asap" };
    return readWithChrono(folded, options.locale, now);
  }
  return resolve(facts, now);
}

const ASAP = ASAP_PHRASES.map(compilePhrase);
const LUNCH = LUNCH_PHRASES.map(compilePhrase);

// ---------------------------------------------------------------------------------------------
// Placing facts on the calendar

function resolve(facts: WhenFacts, now: DateTime): WhenPreference | WhenAmbiguity | undefined {
  const today = now.startOf("day");
  if (facts.inMinutes !== undefined && !facts.day && !facts.time) {
    return { kind: "near", at: now.plus({ minutes: facts.inMinutes }).toJSDate() };
  }
  if (facts.day?.kind === "date" && facts.day.weekday !== undefined && facts.day.month === undefined && !facts.time) {
    // "mercredi 14" where no coming 14th is a Wednesday: the 14 is an hour, as in "mercredi 14h".
    const [placed] = placeDate(facts.day, today);
    if (placed && placed.weekday !== facts.day.weekday && facts.day.day <= 23) {
      facts.time = { hour: facts.day.day, minute: 0 };
      facts.day = { kind: "weekday", weekday: facts.day.weekday, modifier: "none" };
    }
  }
  if (facts.day) {
    const days = placeDay(facts.day, today, facts.span);
    if (days.length === 0) return undefined;
    const preferences = days.map((date) => onDay(date, facts, now));
    if (preferences.length === 2) {
      // A weekday named on that same weekday: today, unless today's part is already over.
      const [todayOption, nextWeek] = preferences as [WhenPreference, WhenPreference];
      if ("past" in todayOption && todayOption.past) return nextWeek;
      return {
        kind: "ambiguous",
        options: [
          { label: "today", preference: todayOption },
          { label: "next_week", preference: nextWeek },
        ],
      };
    }
    return preferences[0];
  }
  if (facts.span) return onSpan(facts.span, facts, now);
  // A time or a part of the day without a day: today.
  return onDay(today, facts, now);
}

function placeDay(fact: DayFact, today: DateTime, span: SpanFact | undefined): DateTime[] {
  const todayWeekday = today.weekday;
  switch (fact.kind) {
    case "relative":
      return [today.plus({ days: fact.days })];
    case "weekday": {
      const ahead = (fact.weekday - todayWeekday + 7) % 7;
      if (span?.kind === "week" && fact.modifier === "none") {
        const monday = today.minus({ days: todayWeekday - 1 }).plus({ weeks: span.offset });
        return [monday.plus({ days: fact.weekday - 1 })];
      }
      switch (fact.modifier) {
        case "this":
          return [today.plus({ days: ahead })];
        case "next": {
          // "mardi prochain" / "next tuesday": the Tuesday of next calendar week, as chrono reads it.
          const nextMonday = today.plus({ days: 8 - todayWeekday });
          return [nextMonday.plus({ days: fact.weekday - 1 })];
        }
        case "week_after":
          return [today.plus({ days: (ahead || 7) + 7 })];
        case "none":
          return ahead === 0 ? [today, today.plus({ days: 7 })] : [today.plus({ days: ahead })];
      }
      return [];
    }
    case "date":
      return placeDate(fact, today);
  }
}

function placeDate(fact: Extract<DayFact, { kind: "date" }>, today: DateTime): DateTime[] {
  const zone = today.zone;
  if (fact.month === undefined) {
    // "le 12": this month if still to come, else the next month that has that day;
    // with a weekday ("jeudi 12"), the first such month where the 12th is a Thursday.
    let fallback: DateTime | undefined;
    for (let m = 0; m < 12; m++) {
      const month = today.startOf("month").plus({ months: m });
      const date = DateTime.fromObject({ year: month.year, month: month.month, day: fact.day }, { zone });
      if (!date.isValid || date < today) continue;
      fallback ??= date;
      if (fact.weekday === undefined || date.weekday === fact.weekday) return [date];
      if (m >= 3) break;
    }
    return fallback ? [fallback] : [];
  }
  if (fact.year !== undefined) {
    const date = DateTime.fromObject({ year: fact.year, month: fact.month, day: fact.day }, { zone });
    return date.isValid ? [date] : [];
  }
  // A day and month already gone this year means next year.
  for (const year of [today.year, today.year + 1, today.year + 2, today.year + 3, today.year + 4]) {
    const date = DateTime.fromObject({ year, month: fact.month, day: fact.day }, { zone });
    if (date.isValid && date >= today) return [date];
  }
  return [];
}

function onDay(day: DateTime, facts: WhenFacts, now: DateTime): WhenPreference {
  const at = (t: TimeOfDay) => day.set({ hour: hour24(t, facts.partOfDay), minute: t.minute });
  if (facts.timeRange) {
    const from = at(facts.timeRange.from);
    let to = at(facts.timeRange.to);
    // "de 10h à 2h" means until 14:00; anything else inverted is read as one hour from the start.
    if (to <= from)
      to = to.hour < 12 && to.plus({ hours: 12 }) > from ? to.plus({ hours: 12 }) : from.plus({ hours: 1 });
    return range(from, to, now, facts.partOfDay);
  }
  if (facts.time) {
    const when = at(facts.time);
    const past = when < now;
    return { kind: facts.near ? "near" : "exact", at: when.toJSDate(), ...(past ? { past: true as const } : {}) };
  }
  const window = facts.partOfDay ? partWindow(day, facts.partOfDay) : { from: day, to: day.plus({ days: 1 }) };
  if (facts.bound) {
    const edge = at(facts.bound.time);
    const from = facts.bound.side === "after" ? DateTime.max(edge, window.from) : window.from;
    const to = facts.bound.side === "before" ? DateTime.min(edge, window.to) : window.to;
    const [f, t] = to > from ? [from, to] : facts.bound.side === "after" ? [edge, day.plus({ days: 1 })] : [day, edge];
    return range(f, t, now, facts.partOfDay);
  }
  return range(window.from, window.to, now, facts.partOfDay);
}

function onSpan(span: SpanFact, facts: WhenFacts, now: DateTime): WhenPreference | undefined {
  const today = now.startOf("day");
  const monday = today.minus({ days: today.weekday - 1 });
  let from: DateTime;
  let to: DateTime;
  switch (span.kind) {
    case "week": {
      from = monday.plus({ weeks: span.offset });
      to = from.plus({ weeks: 1 });
      if (span.part === "early") to = from.plus({ days: 3 });
      if (span.part === "late") from = from.plus({ days: 3 });
      break;
    }
    case "weekend":
      from = monday.plus({ weeks: span.offset, days: 5 });
      to = from.plus({ days: 2 });
      break;
    case "month":
    case "named_month": {
      let start = today.startOf("month");
      if (span.kind === "month") start = start.plus({ months: span.offset });
      else {
        start = start.set({ month: span.month });
        if (start < today.startOf("month")) start = start.plus({ years: 1 });
      }
      ({ from, to } = monthPart(start, span.part));
      break;
    }
    case "week_of": {
      const [placed] = placeDay(span.day, today, undefined);
      if (!placed) return undefined;
      from = placed.minus({ days: placed.weekday - 1 });
      to = from.plus({ weeks: 1 });
      break;
    }
    case "until":
      from = now;
      to = today.plus({ days: span.days + 1 });
      break;
  }
  return range(from, to, now, facts.partOfDay);
}

function monthPart(start: DateTime, part: SpanPart | undefined): { from: DateTime; to: DateTime } {
  const end = start.plus({ months: 1 });
  if (part === "early") return { from: start, to: start.plus({ days: 10 }) };
  if (part === "mid") return { from: start.plus({ days: 10 }), to: start.plus({ days: 20 }) };
  if (part === "late") return { from: start.plus({ days: 20 }), to: end };
  return { from: start, to: end };
}

function partWindow(day: DateTime, part: PartOfDay): { from: DateTime; to: DateTime } {
  const [start, end] = PART_OF_DAY_HOURS[part];
  return { from: day.set({ hour: start }), to: day.set({ hour: end }) };
}

function range(from: DateTime, to: DateTime, now: DateTime, partOfDay: PartOfDay | undefined): WhenPreference {
  const past = to <= now;
  const start = !past && from < now ? now : from;
  return {
    kind: "range",
    from: start.toJSDate(),
    to: to.toJSDate(),
    ...(partOfDay ? { partOfDay } : {}),
    ...(past ? { past: true as const } : {}),
  };
}

/**
 * 24-hour clock for a time as written. Without "pm", "du soir" or "après-midi", hours 1 to 6
 * are read as afternoon: nobody books a doctor at 3 at night, and "à 3h" means 15:00 here.
 */
function hour24(t: TimeOfDay, part: PartOfDay | undefined): number {
  if (t.meridiem === "pm") return t.hour < 12 ? t.hour + 12 : t.hour;
  if (t.meridiem === "am") return t.hour === 12 ? 0 : t.hour;
  if ((part === "afternoon" || part === "evening") && t.hour < 12) return t.hour + 12;
  if (part !== "morning" && t.hour >= 1 && t.hour <= 6) return t.hour + 12;
  return t.hour;
}

// ---------------------------------------------------------------------------------------------
// chrono-node, for the date wordings the grammar above does not know

/**
 * chrono ignores IANA zone names, so it is given the clinic's wall clock dressed as UTC
 * (`timezone: 0`) and its calendar fields are read back and placed in the real zone.
 */
function readWithChrono(folded: string, locale: ChatLanguage, now: DateTime): WhenPreference | undefined {
  const wall = new Date(Date.UTC(now.year, now.month - 1, now.day, now.hour, now.minute, now.second));
  const parser = locale === "fr" ? chrono.fr : chrono.en;
  let results: chrono.ParsedResult[];
  try {
    results = parser.parse(folded.replace(PHONE_NUMBER, " "), { instant: wall, timezone: 0 }, { forwardDate: true });
  } catch {
    return undefined;
  }
  for (const result of results) {
    const start = result.start;
    const dated = start.isCertain("day") || start.isCertain("weekday") || start.isCertain("month");
    // Short matches are mostly ordinary words ("sun", "mer", "may").
    if (!dated || result.text.replace(/\s/g, "").length < 4) continue;
    const day = DateTime.fromObject(
      { year: start.get("year") ?? now.year, month: start.get("month") ?? now.month, day: start.get("day") ?? now.day },
      { zone: now.zone },
    );
    if (!day.isValid) continue;
    if (start.isCertain("hour")) {
      const at = day.set({ hour: start.get("hour") ?? 0, minute: start.get("minute") ?? 0 });
      return { kind: "exact", at: at.toJSDate(), ...(at < now ? { past: true as const } : {}) };
    }
    if (!start.isCertain("day") && start.isCertain("month")) {
      return range(day.startOf("month"), day.startOf("month").plus({ months: 1 }), now, undefined);
    }
    return range(day, day.plus({ days: 1 }), now, undefined);
  }
  return undefined;
}
