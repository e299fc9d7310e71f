import { editDistance, typoAllowance } from "./edit-distance.js";
import { FILLER_WORDS } from "./lexicon/function-words.js";
import { ABBREVIATED_TITLES, DOCTOR_CUES, DOCTOR_TITLES, SELF_INTRODUCTIONS } from "./lexicon/doctors.js";
import { ENGLISH_WORDS, FRENCH_WORDS } from "./lexicon/stopwords.js";
import { foldText, type NormalizedText } from "./normalize.js";

/** A doctor of the clinic, as their name is written in the clinic's data. */
export interface KnownDoctor {
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
}

/**
 * The doctor a message names, the doctors it could mean ("Dr Martin" when two share the name),
 * or a name after a title that is none of the clinic's doctors ("Dr Smith"), as written.
 */
export type DoctorReading =
  | { readonly kind: "one"; readonly id: string }
  | { readonly kind: "several"; readonly ids: string[] }
  | { readonly kind: "unknown"; readonly name: string };

interface Spelled {
  readonly id: string;
  readonly first: readonly string[];
  readonly last: readonly string[];
}

const wordsOf = (text: string): string[] =>
  foldText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

const INTRODUCTIONS: readonly (readonly string[])[] = SELF_INTRODUCTIONS.map((p) => p.split(" "));

/** Whether the words just before `at` are the patient introducing themself ("je suis", "my name is"). */
const introducedAt = (words: readonly string[], at: number): boolean =>
  INTRODUCTIONS.some((intro) => at >= intro.length && intro.every((w, k) => words[at - intro.length + k] === w));

const spell = (d: KnownDoctor): Spelled => ({ id: d.id, first: wordsOf(d.firstName), last: wordsOf(d.lastName) });

/**
 * One word of the message against one word of a name: the same once folded (accents and case
 * never matter), the English possessive ("Dubois's" folds to "duboiss"), or — when a title
 * already says a name follows — a typo or two in a long enough name.
 */
function sameWord(said: string | undefined, name: string, lenient: boolean): boolean {
  if (said === undefined) return false;
  if (said === name || said === `${name}s`) return true;
  return lenient && editDistance(said, name, typoAllowance(name.length)) <= typoAllowance(name.length);
}

/** How many words from `at` spell `name`, or 0. */
function spells(words: readonly string[], at: number, name: readonly string[], lenient: boolean): number {
  if (name.length === 0) return 0;
  return name.every((w, k) => sameWord(words[at + k], w, lenient)) ? name.length : 0;
}

/**
 * Reads which of the clinic's doctors a message names: "le Dr Dubois", "docteur martin",
 * "Dr. Hélène Dubois", "Pr Lefevre", "Claire Martin", "avec Dubois", "with doctor dubois".
 * A full name (first and last, either order) is enough on its own; a family name or a first
 * name alone needs a title before it, or a word such as "avec"/"with" (`bare`: not even that,
 * for a reply to "which Dr Martin?"). A name that several doctors share gives them all.
 */
export function readDoctor(
  text: NormalizedText,
  doctors: readonly KnownDoctor[],
  opts: { bare?: boolean } = {},
): DoctorReading | undefined {
  // The folded text's own words: the chat-abbreviation lexicon would read the title "Pr" as "pour".
  const words = wordsOf(text.folded);
  if (words.length === 0 || doctors.length === 0) return undefined;
  const spelled = doctors.map(spell);
  const full = new Set<string>();
  const partial = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    // "Dr Dubois", and "Dr H. Dubois" with an initial between.
    const titled =
      (i > 0 && DOCTOR_TITLES.has(words[i - 1]!)) ||
      (i > 1 && words[i - 1]!.length === 1 && DOCTOR_TITLES.has(words[i - 2]!));
    const cued = titled || (i > 0 && DOCTOR_CUES.has(words[i - 1]!)) || opts.bare === true;
    // "je suis Claire Martin": the patient's own name, even if a doctor shares it.
    if (!titled && introducedAt(words, i)) continue;
    for (const d of spelled) {
      const first = spells(words, i, d.first, titled);
      const last = spells(words, i, d.last, titled);
      if (first && spells(words, i + first, d.last, titled)) full.add(d.id);
      else if (last && spells(words, i + last, d.first, titled)) full.add(d.id);
      else if (cued && (last || first)) partial.add(d.id);
    }
  }
  const found = full.size > 0 ? [...full] : [...partial];
  if (found.length === 0) return unknownName(text.original, words);
  return found.length === 1 ? { kind: "one", id: found[0]! } : { kind: "several", ids: found };
}

/**
 * A name after a title that matched no doctor: "Dr Smith", "dr house", "Docteur Petit". After a
 * full title ("doctor", "docteur") the word must be written with a capital, since "a doctor
 * appointment" names no one; everyday words ("dr demain", "docteur svp") are never names.
 */
function unknownName(original: string, words: readonly string[]): DoctorReading | undefined {
  const written = original
    .normalize("NFC")
    .split(/[^\p{L}]+/u)
    .filter(Boolean);
  for (let i = 1; i < words.length; i++) {
    const title = words[i - 1]!;
    const word = words[i]!;
    if (!DOCTOR_TITLES.has(title) || DOCTOR_TITLES.has(word) || word.length < 2 || /\d/.test(word)) continue;
    if (FRENCH_WORDS.has(word) || ENGLISH_WORDS.has(word) || FILLER_WORDS.has(word)) continue;
    const asWritten = written.find((w) => wordsOf(w)[0] === word) ?? word;
    if (ABBREVIATED_TITLES.has(title) || /^\p{Lu}/u.test(asWritten)) return { kind: "unknown", name: asWritten };
  }
  return undefined;
}
