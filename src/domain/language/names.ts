import { DateTime } from "luxon";
import { clinicZone } from "../time-zone.js";
import type { ChatLanguage } from "./detect-language.js";
import { editDistance } from "./edit-distance.js";
import { FILLER_WORDS } from "./lexicon/function-words.js";
import { ENGLISH_WORDS, FRENCH_WORDS } from "./lexicon/stopwords.js";
import { MONTHS } from "./lexicon/when.js";
import { NAME_INTRODUCTIONS, NAME_LABELS, NAME_PARTICLES, NAME_TRAILERS } from "./lexicon/names.js";
import { foldText } from "./normalize.js";

/** A patient's name as they gave it, tidied: "marie CURIE" → Marie / Curie. */
export interface PersonName {
  readonly firstName: string;
  readonly lastName: string;
}

// Names are short; anything longer is not a name reply.
const MAX_NAME_INPUT = 120;
const MAX_NAME_WORDS = 6;
const NAME_WORD = /^[\p{L}][\p{L}'’-]*$/u;

/**
 * Reads a first and last name from a reply such as "je m'appelle Marie Curie", "Marie CURIE",
 * "CURIE Marie", "my name is John Smith" or "Nom : Curie, prénom : Marie". A word in capitals
 * among others is the family name (the French way of writing it). Undefined unless both parts
 * are there.
 */
export function readPersonName(text: string): PersonName | undefined {
  if (typeof text !== "string" || text.length > MAX_NAME_INPUT) return undefined;
  const cleaned = text.normalize("NFC").replace(/[’]/g, "'").trim();
  return readLabelledName(cleaned) ?? readFreeName(cleaned);
}

// "Nom : Curie, Prénom : Marie" / "first name: Marie, last name: Curie".
function readLabelledName(text: string): PersonName | undefined {
  const found: Partial<Record<"first" | "last", string>> = {};
  const anyLabel = NAME_LABELS.map((l) => l.label).join("|");
  for (const { label, part } of NAME_LABELS) {
    // "prénom" also ends in "nom": a label must start a word.
    const match = text.match(new RegExp(`(?:^|[^\\p{L}])(?:${label})\\s*[:=]\\s*(.+)`, "iu"));
    if (!match) continue;
    const value = match[1]!.split(new RegExp(`[,;\\n]|\\s+(?=(?:${anyLabel})\\s*[:=])`, "iu"))[0]?.trim();
    if (value) found[part] ??= value;
  }
  if (!found.first || !found.last) return undefined;
  const first = nameWords(found.first);
  const last = nameWords(found.last);
  if (!first || !last) return undefined;
  return { firstName: first.map(tidy).join(" "), lastName: last.map(tidy).join(" ") };
}

function readFreeName(text: string): PersonName | undefined {
  const all = text
    .replace(/[,.;:!?]/g, " ")
    .split(/\s+/)
    .filter(Boolean);
  // Leading words of an introduction ("je m'appelle", "my name's", "bonjour c'est"), typos
  // included ("je m'apelle"), and trailing politeness are not part of the name.
  let start = 0;
  while (start < all.length && isIntroWord(all[start]!, INTRO_WORDS)) start++;
  let end = all.length;
  while (end > start && isIntroWord(all[end - 1]!, TRAILER_WORDS)) end--;
  const words = nameWords(all.slice(start, end).join(" "));
  if (!words || words.length < 2) return undefined;
  // "je voudrais un rdv demain" is a sentence, not a name; "Will Smith" is a name.
  const common = words.filter((w) => {
    const f = foldText(w);
    return !NAME_PARTICLES.has(f) && (FRENCH_WORDS.has(f) || ENGLISH_WORDS.has(f) || FILLER_WORDS.has(f));
  });
  if (common.length * 2 > words.length) return undefined;
  const isCaps = (w: string) => w.length >= 2 && w === w.toUpperCase() && w !== w.toLowerCase();
  const caps = words.filter(isCaps);
  if (caps.length > 0 && caps.length < words.length) {
    return {
      firstName: words
        .filter((w) => !isCaps(w))
        .map(tidy)
        .join(" "),
      lastName: caps.map(tidy).join(" "),
    };
  }
  // "Charles de Gaulle": a particle starts the family name.
  const particle = words.findIndex((w, i) => i > 0 && NAME_PARTICLES.has(w.toLowerCase()));
  const split = particle > 0 ? particle : 1;
  return {
    firstName: words.slice(0, split).map(tidy).join(" "),
    lastName: words.slice(split).map(tidy).join(" "),
  };
}

const wordsOf = (list: readonly string[]) => new Set(list.flatMap((p) => foldText(p).split(/[\s']+/)).filter(Boolean));
const INTRO_WORDS = wordsOf(NAME_INTRODUCTIONS);
const TRAILER_WORDS = wordsOf(NAME_TRAILERS);

function isIntroWord(word: string, vocabulary: ReadonlySet<string>): boolean {
  const parts = foldText(word).split("'").filter(Boolean);
  return (
    parts.length > 0 &&
    parts.every(
      (part) =>
        vocabulary.has(part) ||
        (part.length >= 5 &&
          [...vocabulary].some((v) => v.length >= 5 && v[0] === part[0] && editDistance(part, v, 1) <= 1)),
    )
  );
}

function nameWords(text: string): string[] | undefined {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0 || words.length > MAX_NAME_WORDS) return undefined;
  return words.every((w) => NAME_WORD.test(w) && w.length <= 40) ? words : undefined;
}

// "CURIE" → "Curie", "jean-pierre" → "Jean-Pierre", "o'brien" → "O'Brien"; "McDonald" stays.
function tidy(word: string): string {
  if (NAME_PARTICLES.has(word.toLowerCase())) return word.toLowerCase();
  const mixed = word !== word.toLowerCase() && word !== word.toUpperCase();
  if (mixed && word[0] === word[0]!.toUpperCase()) return word;
  return word
    .toLowerCase()
    .replace(/(^|[-'])(\p{L})/gu, (_, sep: string, letter: string) => sep + letter.toUpperCase());
}

/** A date of birth read from a reply, or why it could not be. */
export type BirthDateReading =
  | { readonly ok: true; /** YYYY-MM-DD */ readonly date: string }
  | { readonly ok: false; readonly reason: "not_found" | "invalid_date" | "in_future" | "too_old" };

export interface ReadBirthDateOptions {
  readonly now: Date;
  /** "en" reads 03/12/1985 as March 12 (unless that cannot be a date); otherwise day first. */
  readonly locale?: ChatLanguage;
  /** Zone whose calendar decides "today" for the future check. Default UTC. */
  readonly timeZone?: string;
}

const MAX_AGE_YEARS = 120;

/**
 * Reads a date of birth: "12/03/1985", "12.03.85", "12 mars 1985", "March 12, 1985",
 * "1985-03-12", "né le 1er avril 1990". Rejects impossible dates, dates in the future and ages
 * over 120 years.
 */
export function readBirthDate(text: string, options: ReadBirthDateOptions): BirthDateReading {
  if (typeof text !== "string") return { ok: false, reason: "not_found" };
  const folded = foldText(text).slice(0, 200);
  const today = DateTime.fromJSDate(options.now, { zone: clinicZone(options.timeZone ?? "UTC") }).startOf("day");
  const parts = findDateParts(folded, options.locale ?? "fr", today.year);
  if (!parts) return { ok: false, reason: "not_found" };
  const date = DateTime.fromObject(parts, { zone: today.zone });
  if (!date.isValid) return { ok: false, reason: "invalid_date" };
  if (date > today) return { ok: false, reason: "in_future" };
  if (date < today.minus({ years: MAX_AGE_YEARS })) return { ok: false, reason: "too_old" };
  return { ok: true, date: date.toISODate()! };
}

interface DateParts {
  year: number;
  month: number;
  day: number;
}

function findDateParts(folded: string, locale: ChatLanguage, currentYear: number): DateParts | undefined {
  const fullYear = (y: string) => {
    const n = Number(y);
    if (y.length === 4) return n;
    // "85" is 1985, "05" is 2005: whichever is not in the future.
    return 2000 + n > currentYear ? 1900 + n : 2000 + n;
  };
  const iso = folded.match(/\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b/);
  if (iso) return { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) };
  const numeric = folded.match(/\b(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4}|\d{2})\b/);
  if (numeric) {
    const a = Number(numeric[1]);
    const b = Number(numeric[2]);
    const monthFirst = locale === "en" ? a <= 12 : a <= 12 && b > 12;
    const [day, month] = monthFirst ? [b, a] : [a, b];
    return { year: fullYear(numeric[3]!), month, day };
  }
  const words = folded.replace(/[,.]/g, " ").split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const month = MONTHS.get(words[i]!);
    if (month === undefined) continue;
    // "12 mars 1985", "12th of March 1985", "1er avril 90"
    const before = (words[i - 1] === "of" || words[i - 1] === "de" ? words[i - 2] : words[i - 1])?.match(
      /^(\d{1,2})(?:er|st|nd|rd|th|e)?$/,
    );
    const yearAfter = words[i + 1]?.match(/^(\d{4}|\d{2})$/);
    if (before && yearAfter) return { year: fullYear(yearAfter[1]!), month, day: Number(before[1]) };
    // "March 12, 1985", "march 12th 1985"
    const dayAfter = words[i + 1]?.match(/^(\d{1,2})(?:st|nd|rd|th)?$/);
    const yearLater = words[i + 2]?.match(/^(\d{4})$/);
    if (dayAfter && yearLater) return { year: Number(yearLater[1]), month, day: Number(dayAfter[1]) };
  }
  return undefined;
}
