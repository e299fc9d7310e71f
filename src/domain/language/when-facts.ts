import type { ChatLanguage } from "./detect-language.js";
import { editDistance } from "./edit-distance.js";
import {
  AFTER_WORDS,
  AM_WORDS,
  BEFORE_WORDS,
  DURATION_UNITS,
  EARLY_WORDS,
  HOUR_PREPOSITIONS,
  IN_WORDS,
  LATE_WORDS,
  MID_WORDS,
  MIDNIGHT_WORDS,
  MONTH_WORDS,
  MONTHS,
  NEAR_WORDS,
  NEXT_WORDS,
  NOON_WORDS,
  NOT_TIME_UNITS,
  NUMBER_WORDS,
  ORDINAL_SUFFIXES,
  PARTS_OF_DAY,
  PM_WORDS,
  RANGE_JOIN_WORDS,
  RANGE_START_WORDS,
  RELATIVE_DAYS,
  THIS_WORDS,
  WEEK_WORDS,
  WEEKDAY_ABBREVIATIONS,
  WEEKDAYS,
  WEEKEND_WORDS,
  WHEN_REWRITES,
  type DurationUnit,
  type PartOfDayWord,
} from "./lexicon/when.js";

/**
 * What a message says about time, before it is placed on a calendar: "mardi prochain" is a
 * weekday with "next", "vers 10h" a time with "near". Read from folded text by a small
 * grammar over number, word and symbol tokens.
 */
export interface WhenFacts {
  day?: DayFact;
  time?: TimeOfDay;
  timeRange?: { from: TimeOfDay; to: TimeOfDay };
  bound?: { side: "before" | "after"; time: TimeOfDay };
  partOfDay?: PartOfDayWord;
  near?: boolean;
  span?: SpanFact;
  /** "dans 2 heures": minutes from now. */
  inMinutes?: number;
}

export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
  readonly meridiem?: "am" | "pm";
}

export type DayFact =
  | { readonly kind: "relative"; readonly days: number }
  | { readonly kind: "weekday"; readonly weekday: number; readonly modifier: "none" | "this" | "next" | "week_after" }
  | {
      readonly kind: "date";
      readonly day: number;
      readonly month?: number;
      readonly year?: number;
      readonly weekday?: number;
    };

export type SpanPart = "early" | "mid" | "late";

export type SpanFact =
  | { readonly kind: "week"; readonly offset: number; readonly part?: SpanPart }
  | { readonly kind: "weekend"; readonly offset: number }
  | { readonly kind: "month"; readonly offset: number; readonly part?: SpanPart }
  | { readonly kind: "named_month"; readonly month: number; readonly part?: SpanPart }
  | { readonly kind: "week_of"; readonly day: DayFact }
  | { readonly kind: "until"; readonly days: number };

/** Reads the time facts of a folded message (see foldText). */
export function readWhenFacts(folded: string, locale: ChatLanguage): WhenFacts {
  return readFacts(tokenize(folded), locale);
}

/** Whether the message said anything about time at all. */
export const hasWhenFacts = (f: WhenFacts): boolean =>
  f.day !== undefined ||
  f.time !== undefined ||
  f.timeRange !== undefined ||
  f.bound !== undefined ||
  f.partOfDay !== undefined ||
  f.span !== undefined ||
  f.inMinutes !== undefined;

// ---------------------------------------------------------------------------------------------
// Tokens

type Tok =
  | { readonly kind: "num"; readonly value: number; readonly digits: number }
  | { readonly kind: "word"; readonly text: string }
  | { readonly kind: "sym"; readonly text: string };

const TOKEN = /\d+|[a-z]+|[/:.\-,;!?]/g;

// Phone numbers ("06 12 34 56 78", "+33 6 12 34 56 78") would otherwise read as dates and times.
export const PHONE_NUMBER = /(?:\+\d{1,3}[\s.-]?\d(?:[\s.-]?\d\d){4}|\b0\d(?:[\s.-]?\d\d){4})\b/g;

function tokenize(folded: string): Tok[] {
  let text = folded.replace(PHONE_NUMBER, " # ").replace(/\b(l|d|qu|j|n|s|c|m|t|jusqu)'/g, "$1 ");
  for (const [pattern, replacement] of WHEN_REWRITES) text = text.replace(pattern, replacement);
  text = text.replace(/'/g, "");
  const tokens: Tok[] = [];
  for (const raw of text.match(TOKEN) ?? []) {
    if (/^\d/.test(raw)) {
      // Long digit runs are phone or record numbers, not dates.
      tokens.push(
        raw.length <= 4 ? { kind: "num", value: Number(raw), digits: raw.length } : { kind: "sym", text: "#" },
      );
    } else if (/^[a-z]/.test(raw)) tokens.push({ kind: "word", text: canonicalWord(raw) });
    else tokens.push({ kind: "sym", text: raw });
  }
  return tokens;
}

const KNOWN_WORDS = new Set<string>([
  ...WEEKDAYS.keys(),
  ...WEEKDAY_ABBREVIATIONS.keys(),
  ...MONTHS.keys(),
  ...RELATIVE_DAYS.keys(),
  ...PARTS_OF_DAY.keys(),
  ...NUMBER_WORDS.keys(),
  ...DURATION_UNITS.keys(),
]);

// Long words only: short ones are too close to unrelated words ("matin"/"martin").
const TYPO_TARGETS = [
  ...WEEKDAYS.keys(),
  ...MONTHS.keys(),
  ...RELATIVE_DAYS.keys(),
  ...PARTS_OF_DAY.keys(),
  ...NEXT_WORDS,
  "semaine",
  "semaines",
  "environ",
  "around",
  "minutes",
  "heures",
  "quinzaine",
  "weekend",
].filter((w) => w.length >= 6);

function canonicalWord(word: string): string {
  if (KNOWN_WORDS.has(word) || word.length < 5) return word;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const target of TYPO_TARGETS) {
    if (target[0] !== word[0]) continue;
    const allowance = target.length >= 9 ? 2 : 1;
    const d = editDistance(word, target, allowance);
    if (d <= allowance && d < bestDistance) {
      best = target;
      bestDistance = d;
    }
  }
  return best ?? word;
}

// ---------------------------------------------------------------------------------------------
// Grammar

const isWord = (t: Tok | undefined, set: ReadonlySet<string> | readonly string[]): boolean =>
  t?.kind === "word" && ("has" in set ? set.has(t.text) : set.includes(t.text));
const wordOf = (t: Tok | undefined) => (t?.kind === "word" ? t.text : undefined);
const numOf = (t: Tok | undefined) => (t?.kind === "num" ? t.value : undefined);
const symOf = (t: Tok | undefined) => (t?.kind === "sym" ? t.text : undefined);

function readFacts(tokens: readonly Tok[], locale: ChatLanguage): WhenFacts {
  const facts: WhenFacts = {};
  const rules = [
    readDuration,
    readNumericDate,
    readNamedDate,
    readTimeRange,
    readBound,
    readTimeFact,
    readWeekSpan,
    readMonthSpan,
    readWeekday,
    readDayOfMonth,
    readRelativeDay,
    readPartOfDay,
  ];
  for (let i = 0; i < tokens.length;) {
    let consumed = 0;
    for (const rule of rules) {
      consumed = rule(tokens, i, facts, locale);
      if (consumed > 0) break;
    }
    if (consumed === 0) {
      if (isWord(tokens[i], NEAR_WORDS)) facts.near = true;
      consumed = 1;
    }
    i += consumed;
  }
  return facts;
}

type Rule = (tokens: readonly Tok[], i: number, facts: WhenFacts, locale: ChatLanguage) => number;

/** "dans 3 jours", "in two weeks", "dans 2h", "3 days from now", "d'ici 2 jours", "dans la semaine". */
const readDuration: Rule = (tokens, i, facts) => {
  const lead = wordOf(tokens[i]);
  let j = i;
  const within = lead === "dici" || lead === "within";
  if (lead !== undefined && IN_WORDS.has(lead)) j++;
  // "dans la semaine" / "dans la journée": within this week / today.
  if (j > i && wordOf(tokens[j]) === "la") {
    if (isWord(tokens[j + 1], WEEK_WORDS)) {
      facts.span ??= { kind: "week", offset: 0 };
      return 3;
    }
    if (wordOf(tokens[j + 1]) === "journee") {
      facts.day ??= { kind: "relative", days: 0 };
      return 3;
    }
  }
  let amount = numOf(tokens[j]) ?? NUMBER_WORDS.get(wordOf(tokens[j]) ?? "");
  let unitIndex = j + 1;
  if (amount === undefined && (wordOf(tokens[j]) === "quinzaine" || wordOf(tokens[j]) === "fortnight")) {
    amount = 1;
    unitIndex = j;
  } else if (amount === undefined) return 0;
  const unitWord = wordOf(tokens[unitIndex]);
  const unit = unitWord ? DURATION_UNITS.get(unitWord) : undefined;
  if (!unit) return 0;
  // Without "dans"/"in", only "3 jours plus tard" / "3 days from now" / "3 days later" count.
  const after = tokens.slice(unitIndex + 1, unitIndex + 3).map(wordOf);
  const trailing =
    after[0] === "later" ||
    (after[0] === "from" && (after[1] === "now" || after[1] === "today")) ||
    (after[0] === "plus" && after[1] === "tard");
  if (j === i && !trailing) return 0;
  // "dans 2h30": two and a half hours.
  const minutes = unit === "hour" ? numOf(tokens[unitIndex + 1]) : undefined;
  if (minutes !== undefined && minutes < 60 && j > i) {
    facts.inMinutes ??= amount * 60 + minutes;
    facts.near = true;
    return unitIndex + 2 - i;
  }
  const fortnights = unitWord === "quinzaine" || unitWord === "fortnight" ? 2 : 1;
  applyDuration(facts, amount * fortnights, unit, within);
  return unitIndex + 1 - i + (trailing ? (after[0] === "later" ? 1 : 2) : 0);
};

function applyDuration(facts: WhenFacts, amount: number, unit: DurationUnit, within: boolean) {
  if (unit === "minute" || unit === "hour") {
    facts.inMinutes ??= amount * (unit === "hour" ? 60 : 1);
    facts.near = true;
    return;
  }
  const days = unit === "day" ? amount : unit === "week" ? amount * 7 : undefined;
  if (within && days !== undefined) {
    facts.span ??= { kind: "until", days };
    return;
  }
  if (unit === "day") facts.day ??= { kind: "relative", days: amount };
  else if (unit === "week") facts.span ??= { kind: "week_of", day: { kind: "relative", days: amount * 7 } };
  else facts.span ??= { kind: "week_of", day: { kind: "relative", days: Math.round(amount * 30.4) } };
}

/** "5/12", "05/12/2026", "5.12.2026", "2026-12-05", "5-12-2026". */
const readNumericDate: Rule = (tokens, i, facts, locale) => {
  const a = numOf(tokens[i]);
  const sep = symOf(tokens[i + 1]);
  const b = numOf(tokens[i + 2]);
  if (a === undefined || b === undefined || !sep || !"/.-".includes(sep)) return 0;
  const sep2 = symOf(tokens[i + 3]);
  const c = sep2 === sep ? numOf(tokens[i + 4]) : undefined;
  // "06.12.34.56.78" is a phone number.
  if (c !== undefined && symOf(tokens[i + 5]) === sep && tokens[i + 6]?.kind === "num") return 0;
  if (tokens[i]!.kind === "num" && (tokens[i] as { digits: number }).digits === 4) {
    if (c === undefined || sep !== "-") return 0;
    facts.day ??= { kind: "date", year: a, month: b, day: c };
    return 5;
  }
  // "9-11h" and "10.30" are times; a two-part date needs a slash.
  if (c === undefined && sep !== "/") return 0;
  if (c === undefined && /^(h|heures?|am|pm)$/.test(wordOf(tokens[i + 3]) ?? "")) return 0;
  const dayFirst = locale === "fr";
  let [day, month] = dayFirst ? [a, b] : [b, a];
  if (month > 12 && day <= 12) [day, month] = [month, day];
  if (month < 1 || month > 12 || day < 1 || day > 31) return 0;
  const year = c === undefined ? undefined : c < 100 ? 2000 + c : c;
  facts.day ??= { kind: "date", day, month, ...(year !== undefined ? { year } : {}) };
  return c === undefined ? 3 : 5;
};

/** "5 décembre", "le 1er déc. 2026", "December 5th", "5th of December", "Dec 5". */
const readNamedDate: Rule = (tokens, i, facts) => {
  const weekday = weekdayAt(tokens, i, true);
  let j = weekday !== undefined ? i + 1 : i;
  if (wordOf(tokens[j]) === "the" || wordOf(tokens[j]) === "le") j++;
  const day = numOf(tokens[j]);
  if (day !== undefined && day >= 1 && day <= 31) {
    let k = j + 1;
    if (isWord(tokens[k], ORDINAL_SUFFIXES)) k++;
    if (wordOf(tokens[k]) === "of" || wordOf(tokens[k]) === "de") k++;
    const month = MONTHS.get(wordOf(tokens[k]) ?? "");
    if (month !== undefined) {
      k++;
      if (symOf(tokens[k]) === ".") k++;
      const year = numOf(tokens[k]);
      const hasYear = year !== undefined && year >= 1900 && year <= 2100;
      facts.day ??= { kind: "date", day, month, ...(hasYear ? { year } : {}), ...(weekday ? { weekday } : {}) };
      return k - i + (hasYear ? 1 : 0);
    }
  }
  const month = MONTHS.get(wordOf(tokens[j]) ?? "");
  if (month === undefined) return 0;
  let k = j + 1;
  if (symOf(tokens[k]) === ".") k++;
  if (wordOf(tokens[k]) === "the") k++;
  const monthDay = numOf(tokens[k]);
  if (monthDay === undefined || monthDay < 1 || monthDay > 31) return 0;
  if (/^(h|heures?|am|pm)$/.test(wordOf(tokens[k + 1]) ?? "") || symOf(tokens[k + 1]) === ":") return 0;
  k++;
  if (isWord(tokens[k], ORDINAL_SUFFIXES)) k++;
  if (symOf(tokens[k]) === ",") k++;
  const year = numOf(tokens[k]);
  const hasYear = year !== undefined && year >= 1900 && year <= 2100;
  facts.day ??= { kind: "date", day: monthDay, month, ...(hasYear ? { year } : {}), ...(weekday ? { weekday } : {}) };
  return k - i + (hasYear ? 1 : 0);
};

/** "10h", "10h30", "10 heures et demie", "14:30", "9am", "2 pm", "midi", "à 10", "3h de l'après-midi". */
function readTime(tokens: readonly Tok[], i: number, bare: boolean): { time: TimeOfDay; next: number } | undefined {
  const first = tokens[i];
  if (isWord(first, NOON_WORDS)) return { time: { hour: 12, minute: 0, meridiem: "pm" }, next: i + 1 };
  if (isWord(first, MIDNIGHT_WORDS)) return { time: { hour: 0, minute: 0, meridiem: "am" }, next: i + 1 };
  let hour = numOf(first);
  if (hour === undefined && bare) hour = NUMBER_WORDS.get(wordOf(first) ?? "");
  if (hour === undefined || hour > 23) return undefined;
  if (first?.kind === "num" && first.digits > 2) return undefined;
  let j = i + 1;
  let minute = 0;
  let marked = false;
  const unit = wordOf(tokens[j]);
  if (unit === "h" || unit === "heure" || unit === "heures" || unit === "hr" || unit === "hrs") {
    marked = true;
    j++;
    const m = numOf(tokens[j]);
    if (m !== undefined && m <= 59) {
      minute = m;
      j++;
      if (wordOf(tokens[j]) === "min" || wordOf(tokens[j]) === "minutes") j++;
    }
  } else if (
    symOf(tokens[j]) === ":" ||
    (symOf(tokens[j]) === "." && isWord(tokens[j + 2], [...AM_WORDS, ...PM_WORDS]))
  ) {
    const m = numOf(tokens[j + 1]);
    if (m === undefined || m > 59) return undefined;
    marked = true;
    minute = m;
    j += 2;
  }
  // "et demie", "et quart", "moins le quart", "half past" is rare enough to leave out.
  if (wordOf(tokens[j]) === "et" && /^demie?$/.test(wordOf(tokens[j + 1]) ?? "")) {
    minute = 30;
    j += 2;
  } else if (wordOf(tokens[j]) === "et" && wordOf(tokens[j + 1]) === "quart") {
    minute = 15;
    j += 2;
  } else if (
    wordOf(tokens[j]) === "moins" &&
    wordOf(tokens[j + 1 + (wordOf(tokens[j + 1]) === "le" ? 1 : 0)]) === "quart"
  ) {
    hour = hour === 0 ? 23 : hour - 1;
    minute = 45;
    j += wordOf(tokens[j + 1]) === "le" ? 3 : 2;
  }
  let meridiem: "am" | "pm" | undefined;
  if (isWord(tokens[j], AM_WORDS)) meridiem = "am";
  else if (isWord(tokens[j], PM_WORDS)) meridiem = "pm";
  if (meridiem) {
    if (hour > 12) return undefined;
    j++;
  } else if (wordOf(tokens[j]) === "ish") {
    marked = true;
    j++;
  }
  if (!marked && !meridiem) {
    if (!bare) return undefined;
    // A bare number followed by "ans", "jours", "kg"… counts something else.
    if (isWord(tokens[j], NOT_TIME_UNITS) || MONTHS.get(wordOf(tokens[j]) ?? "") !== undefined) return undefined;
    if (symOf(tokens[j]) === "/" || (tokens[j]?.kind === "word" && ORDINAL_SUFFIXES.has(wordOf(tokens[j])!)))
      return undefined;
  }
  // "du matin", "de l'après-midi", "du soir", "in the morning" fix the half of the day.
  const k = ["du", "de", "l", "le", "la"].includes(wordOf(tokens[j]) ?? "")
    ? j + (wordOf(tokens[j + 1]) === "l" ? 2 : 1)
    : j;
  const part = PARTS_OF_DAY.get(wordOf(tokens[k]) ?? "");
  if (!meridiem && part && k > j) {
    meridiem = part === "morning" ? "am" : "pm";
    j = k + 1;
  }
  return { time: { hour, minute, ...(meridiem ? { meridiem } : {}) }, next: j };
}

const readTimeFact: Rule = (tokens, i, facts) => {
  const bare = isWord(tokens[i - 1], HOUR_PREPOSITIONS) && !isWord(tokens[i - 2], IN_WORDS);
  const read = readTime(tokens, i, bare && tokens[i]?.kind === "num");
  if (!read) return 0;
  facts.time ??= read.time;
  if (wordOf(tokens[read.next]) === "ish") facts.near = true;
  return read.next - i;
};

/** "entre 10h et 12h", "de 9h à 11h", "between 2 and 4pm", "10h-12h", "9-11h". */
const readTimeRange: Rule = (tokens, i, facts) => {
  const opened = isWord(tokens[i], RANGE_START_WORDS);
  const start = opened ? i + 1 : i;
  const from = readTime(tokens, start, opened);
  if (!from) {
    // "9-11h": a bare first hour before a dash and a marked time.
    const h = numOf(tokens[start]);
    if (h === undefined || h > 23 || symOf(tokens[start + 1]) !== "-") return 0;
    const to = readTime(tokens, start + 2, false);
    if (!to) return 0;
    facts.timeRange ??= {
      from: { hour: h, minute: 0, ...(to.time.meridiem ? { meridiem: to.time.meridiem } : {}) },
      to: to.time,
    };
    return to.next - i;
  }
  const join = tokens[from.next];
  if (!(symOf(join) === "-" || isWord(join, RANGE_JOIN_WORDS))) return 0;
  const to = readTime(tokens, from.next + 1, opened || symOf(join) === "-");
  if (!to) return 0;
  // "between 2 and 4pm": the first hour takes the second's half of the day.
  // ("between 10 and 2pm" keeps 10 in the morning.)
  const fromTime =
    !from.time.meridiem && to.time.meridiem && from.time.hour <= to.time.hour
      ? { ...from.time, meridiem: to.time.meridiem }
      : from.time;
  facts.timeRange ??= { from: fromTime, to: to.time };
  return to.next - i;
};

/** "avant 10h", "after 4pm", "à partir de 14h", "pas avant 10h", "dès 8h", "jusqu'à midi". */
const readBound: Rule = (tokens, i, facts) => {
  const word = wordOf(tokens[i]);
  if (!word) return 0;
  let side: "before" | "after" | undefined = BEFORE_WORDS.has(word)
    ? "before"
    : AFTER_WORDS.has(word)
      ? "after"
      : undefined;
  if (!side) return 0;
  const read = readTime(tokens, i + 1, true);
  if (!read) return 0;
  if (wordOf(tokens[i - 1]) === "pas" || wordOf(tokens[i - 1]) === "not") side = side === "before" ? "after" : "before";
  facts.bound ??= { side, time: read.time };
  return read.next - i;
};

function weekdayAt(tokens: readonly Tok[], i: number, strictContext: boolean): number | undefined {
  const word = wordOf(tokens[i]);
  if (!word) return undefined;
  const full = WEEKDAYS.get(word);
  if (full !== undefined) return full;
  const short = WEEKDAY_ABBREVIATIONS.get(word);
  if (short === undefined) return undefined;
  // Abbreviations are common words too ("mon", "sun", "mer"): only next to a number, a part of
  // the day or a "next": "sat morning", "ven 14h", "next thu".
  const following = wordOf(tokens[i + 1]);
  const context =
    tokens[i + 1]?.kind === "num" ||
    isWord(tokens[i + 1], NEXT_WORDS) ||
    (following !== undefined && PARTS_OF_DAY.get(following) !== undefined) ||
    (following !== undefined && NOON_WORDS.has(following)) ||
    (!strictContext && (isWord(tokens[i - 1], NEXT_WORDS) || isWord(tokens[i - 1], THIS_WORDS)));
  return context ? short : undefined;
}

/** "mardi", "ce mardi", "mardi prochain", "next tuesday", "mardi en huit", "this coming friday". */
const readWeekday: Rule = (tokens, i, facts) => {
  const weekday = weekdayAt(tokens, i, false);
  if (weekday === undefined) return 0;
  let modifier: "none" | "this" | "next" | "week_after" = "none";
  let consumed = 1;
  const before = tokens[i - 1];
  if (isWord(before, THIS_WORDS) || (wordOf(before) === "coming" && isWord(tokens[i - 2], THIS_WORDS)))
    modifier = "this";
  else if (isWord(before, NEXT_WORDS)) modifier = "next";
  if (isWord(tokens[i + 1], NEXT_WORDS)) {
    modifier = "next";
    consumed = 2;
  } else if (
    wordOf(tokens[i + 1]) === "en" &&
    /^(huit|8)$/.test(String(wordOf(tokens[i + 2]) ?? numOf(tokens[i + 2])))
  ) {
    modifier = "week_after";
    consumed = 3;
  }
  // "jeudi 12": a weekday with its day of the month.
  const day = numOf(tokens[i + consumed]);
  const after = tokens[i + consumed + 1];
  if (
    day !== undefined &&
    day >= 1 &&
    day <= 31 &&
    !(wordOf(after) && /^(h|heures?|am|pm|hr|hrs)$/.test(wordOf(after)!)) &&
    symOf(after) !== ":"
  ) {
    facts.day ??= { kind: "date", day, weekday };
    return consumed + 1 + (isWord(after, ORDINAL_SUFFIXES) ? 1 : 0);
  }
  facts.day ??= { kind: "weekday", weekday, modifier };
  return consumed;
};

/** "le 12", "the 5th", "le 1er". */
const readDayOfMonth: Rule = (tokens, i, facts) => {
  const lead = wordOf(tokens[i]);
  const hasLead = lead === "le" || lead === "the" || lead === "on" || lead === "du";
  const j = hasLead ? i + 1 : i;
  const day = numOf(tokens[j]);
  if (day === undefined || day < 1 || day > 31) return 0;
  const suffix = isWord(tokens[j + 1], ORDINAL_SUFFIXES);
  if (!hasLead && !suffix) return 0;
  const next = tokens[j + (suffix ? 2 : 1)];
  if (symOf(next) === ":" || symOf(next) === "/" || (wordOf(next) && /^(h|heures?|am|pm)$/.test(wordOf(next)!)))
    return 0;
  if (isWord(next, NOT_TIME_UNITS) || isWord(next, WEEK_WORDS)) return 0;
  facts.day ??= { kind: "date", day };
  return j + (suffix ? 2 : 1) - i;
};

const readRelativeDay: Rule = (tokens, i, facts) => {
  const word = wordOf(tokens[i]);
  const days = word === undefined ? undefined : RELATIVE_DAYS.get(word);
  if (days === undefined) return 0;
  facts.day ??= { kind: "relative", days };
  if (word === "tonight") facts.partOfDay ??= "evening";
  return 1;
};

const readPartOfDay: Rule = (tokens, i, facts) => {
  const part = PARTS_OF_DAY.get(wordOf(tokens[i]) ?? "");
  if (!part) return 0;
  facts.partOfDay ??= part;
  return 1;
};

/** "cette semaine", "la semaine prochaine", "next week", "the week after", "ce week-end", "fin de semaine". */
const readWeekSpan: Rule = (tokens, i, facts) => {
  let j = i;
  let part: SpanPart | undefined;
  if (isWord(tokens[j], EARLY_WORDS)) part = "early";
  else if (isWord(tokens[j], LATE_WORDS)) part = "late";
  if (part) {
    j++;
    while (["de", "of", "the", "la", "cette", "this"].includes(wordOf(tokens[j]) ?? "")) j++;
    if (!isWord(tokens[j], WEEK_WORDS)) return 0;
  }
  const before = tokens[i - 1];
  const prefixNext = isWord(before, NEXT_WORDS) && part === undefined;
  if (isWord(tokens[j], WEEKEND_WORDS)) {
    const next = isWord(tokens[j + 1], NEXT_WORDS) || prefixNext;
    facts.span ??= { kind: "weekend", offset: next ? 1 : 0 };
    return j - i + (isWord(tokens[j + 1], NEXT_WORDS) ? 2 : 1);
  }
  if (!isWord(tokens[j], WEEK_WORDS)) return 0;
  let k = j + 1;
  let offset = 0;
  if (isWord(tokens[k], NEXT_WORDS)) {
    offset = 1;
    k++;
  } else if (prefixNext) offset = 1;
  else if ((wordOf(tokens[k]) === "d" && wordOf(tokens[k + 1]) === "apres") || wordOf(tokens[k]) === "after") {
    offset = 2;
    k += wordOf(tokens[k]) === "after" ? 1 : 2;
  } else if (wordOf(tokens[k]) === "du" || wordOf(tokens[k]) === "of") {
    // "la semaine du 12": the week around a day, read by the date rules.
    const inner: WhenFacts = {};
    const read = readNamedDate(tokens, k + 1, inner, "fr") || readDayOfMonth(tokens, k, inner, "fr");
    if (read > 0 && inner.day) {
      facts.span ??= { kind: "week_of", day: inner.day };
      return k + 1 + read - i;
    }
  }
  facts.span ??= { kind: "week", offset, ...(part ? { part } : {}) };
  return k - i;
};

/** "le mois prochain", "next month", "en décembre", "début janvier", "mi-mars", "end of the month". */
const readMonthSpan: Rule = (tokens, i, facts) => {
  let j = i;
  let part: SpanPart | undefined;
  if (isWord(tokens[j], EARLY_WORDS)) part = "early";
  else if (isWord(tokens[j], MID_WORDS)) part = "mid";
  else if (isWord(tokens[j], LATE_WORDS)) part = "late";
  const introduced = part !== undefined || wordOf(tokens[j]) === "en" || wordOf(tokens[j]) === "in";
  if (introduced) j++;
  while (
    symOf(tokens[j]) === "-" ||
    ["de", "du", "of", "the", "la", "le", "this", "ce"].includes(wordOf(tokens[j]) ?? "")
  )
    j++;
  if (isWord(tokens[j], MONTH_WORDS)) {
    const next = isWord(tokens[j + 1], NEXT_WORDS) || isWord(tokens[j - 1], NEXT_WORDS);
    if (!introduced && !next && !isWord(tokens[j - 1], THIS_WORDS)) return 0;
    facts.span ??= { kind: "month", offset: next ? 1 : 0, ...(part ? { part } : {}) };
    return j - i + 1 + (isWord(tokens[j + 1], NEXT_WORDS) ? 1 : 0);
  }
  const monthWord = wordOf(tokens[j]);
  const month = monthWord ? MONTHS.get(monthWord) : undefined;
  if (month === undefined || !introduced) return 0;
  if (tokens[j + 1]?.kind === "num") return 0; // "en décembre 5"? leave it to the date rules
  facts.span ??= { kind: "named_month", month, ...(part ? { part } : {}) };
  return j - i + 1;
};
