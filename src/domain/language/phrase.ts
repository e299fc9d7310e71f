import { editDistance, typoAllowance } from "./edit-distance.js";
import { AUXILIARY_WORDS, FILLER_WORDS, NEGATION_WORDS } from "./lexicon/function-words.js";
import { SYNONYM_GROUPS } from "./lexicon/synonyms.js";
import { foldText, type Token } from "./normalize.js";

/**
 * A phrase pattern from a lexicon, compiled. Pattern text: words separated by spaces; "a|b"
 * for alternatives at one position; "respir*" for any word starting with "respir". Between two
 * positions any number of filler words ("à la", "in my") and up to `maxGap` other words may
 * stand, so "mal poitrine" matches "mal à la poitrine" and "douleur forte dans la poitrine".
 */
export interface Phrase {
  readonly source: string;
  readonly steps: readonly (readonly Alternative[])[];
}

interface Alternative {
  readonly word: string;
  readonly prefix: boolean;
}

/** Where a phrase was found in a token list. */
export interface PhraseMatch {
  readonly start: number;
  /** Index after the last token used. */
  readonly end: number;
  /** Indexes of the tokens the pattern itself used (the rest of start..end are gap words). */
  readonly used: readonly number[];
}

export interface PhraseOptions {
  /** Non-filler words allowed between two pattern words. Default 2. */
  readonly maxGap?: number;
  /** Shortest word length that tolerates typos. Default 5. */
  readonly typoMinLength?: number;
  /** Match words of the same synonym group. Default true. */
  readonly synonyms?: boolean;
}

/** Compiles a pattern once; lexicons compile all their patterns at module load. */
export function compilePhrase(source: string): Phrase {
  const steps = source
    .replace(/'/g, " ")
    .split(/\s+/)
    .filter(Boolean)
    .map((step) =>
      step
        .split("|")
        .map((alt) => ({
          word: foldText(alt.replace(/\*$/, "")).replace(/[^\p{L}\p{N}]/gu, ""),
          prefix: alt.endsWith("*"),
        }))
        .filter((alt) => alt.word.length > 0),
    )
    .filter((step) => step.length > 0);
  return { source, steps };
}

const ELIDED_PARTICLES = ["j", "l", "d", "m", "n", "s", "t", "c", "qu"];
const STARTS_WITH_VOWEL = /^[aeiouyh]/;

const synonymGroup = new Map<string, number>();
SYNONYM_GROUPS.forEach((group, index) => {
  for (const w of group) synonymGroup.set(foldText(w), index);
});

// Verb endings, with the shortest stem each may leave ("need" keeps its "ed", "bouger" its "er").
const VERB_ENDINGS: readonly [string, number][] = [
  ["ing", 3],
  ["ed", 4],
  ["er", 5],
  ["ez", 5],
];

/**
 * Plural, feminine and common verb endings fold away, the same way on both sides:
 * "palpitations" ~ "palpitation", "gonflées" ~ "gonflé", "annulez" ~ "annuler",
 * "booked" ~ "book", "crushing" ~ "crushed".
 */
export function lightStem(word: string): string {
  let w = word;
  if (w.length > 4 && /[sx]$/.test(w)) w = w.slice(0, -1);
  const ending = VERB_ENDINGS.find(([suffix, stem]) => w.endsWith(suffix) && w.length - suffix.length >= stem);
  if (ending) return w.slice(0, w.length - ending[0].length);
  if (w.length > 5 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

/** Whether a patient's word stands for a pattern word. */
export function wordMatches(text: string, alt: Alternative, options: PhraseOptions = {}): boolean {
  const pattern = alt.word;
  if (text === pattern) return true;
  if (alt.prefix) {
    if (text.startsWith(pattern)) return true;
    const allowance = typoAllowance(pattern.length, 6);
    return allowance > 0 && text.length >= pattern.length && closeEnough(text.slice(0, pattern.length), pattern, 1);
  }
  if (/\d/.test(text) || /\d/.test(pattern)) return false;
  const stemText = lightStem(text);
  const stemPattern = lightStem(pattern);
  if (stemText === stemPattern) return true;
  if (options.synonyms !== false) {
    const group = synonymGroup.get(text) ?? synonymGroup.get(stemText);
    if (group !== undefined && group === (synonymGroup.get(pattern) ?? synonymGroup.get(stemPattern))) return true;
  }
  // "narrive" for "n'arrive", "lestomac" for "l'estomac": the apostrophe was not typed.
  if (STARTS_WITH_VOWEL.test(pattern) && text.endsWith(pattern)) {
    const particle = text.slice(0, text.length - pattern.length);
    if (ELIDED_PARTICLES.includes(particle)) return true;
  }
  const minLength = options.typoMinLength ?? 5;
  if (text.length < minLength || pattern.length < minLength) return false;
  const allowance = typoAllowance(Math.min(text.length, pattern.length), minLength);
  return closeEnough(stemText, stemPattern, allowance) || closeEnough(text, pattern, allowance);
}

// The first letter is rarely mistyped; requiring it keeps "mourir" from matching "nourrir".
const closeEnough = (a: string, b: string, allowance: number) =>
  allowance > 0 && a[0] === b[0] && editDistance(a, b, allowance) <= allowance;

/** Finds the first occurrence of a phrase in a token list, or undefined. */
export function findPhrase(
  tokens: readonly Token[],
  phrase: Phrase,
  options: PhraseOptions = {},
): PhraseMatch | undefined {
  if (phrase.steps.length === 0) return undefined;
  for (let start = 0; start < tokens.length; start++) {
    const used: number[] = [];
    const end = matchFrom(tokens, phrase, 0, start, used, options);
    if (end >= 0) return { start, end, used };
  }
  return undefined;
}

/** Finds whether any of the phrases occurs; returns the first that does, with its match. */
export function findAnyPhrase(
  tokens: readonly Token[],
  candidates: readonly Phrase[],
  options: PhraseOptions = {},
): { phrase: Phrase; match: PhraseMatch } | undefined {
  for (const phrase of candidates) {
    const match = findPhrase(tokens, phrase, options);
    if (match) return { phrase, match };
  }
  return undefined;
}

const stepMatches = (word: string, step: readonly Alternative[], options: PhraseOptions) =>
  step.some((alt) => wordMatches(word, alt, options));

// Tries to match steps[i..] with step i at token j. Returns the end index or -1; fills `used`.
function matchFrom(
  tokens: readonly Token[],
  phrase: Phrase,
  i: number,
  j: number,
  used: number[],
  options: PhraseOptions,
): number {
  const { steps } = phrase;
  const token = tokens[j];
  const step = steps[i];
  if (!token || !step) return -1;
  const attempts: { nextStep: number; nextToken: number; usedTokens: number[] }[] = [];
  if (stepMatches(token.word, step, options)) attempts.push({ nextStep: i + 1, nextToken: j + 1, usedTokens: [j] });
  // "rendezvous" typed for the two pattern words "rendez vous", and the other way round.
  // Joined words must be spelled right (synonyms allowed): with typos allowed too,
  // "an appointment" would read as "appointment".
  const following = steps[i + 1];
  if (following && step.some((a) => following.some((b) => wordMatches(token.word, joined(a, b), EXACT)))) {
    attempts.push({ nextStep: i + 2, nextToken: j + 1, usedTokens: [j] });
  }
  const nextToken = tokens[j + 1];
  if (nextToken && nextToken.clause === token.clause && stepMatches(token.word + nextToken.word, step, EXACT)) {
    attempts.push({ nextStep: i + 1, nextToken: j + 2, usedTokens: [j, j + 1] });
  }
  for (const attempt of attempts) {
    if (attempt.nextStep >= steps.length) {
      used.push(...attempt.usedTokens);
      return attempt.nextToken;
    }
    const end = matchNext(tokens, phrase, attempt.nextStep, attempt.nextToken, token.clause, used, options);
    if (end >= 0) {
      used.unshift(...attempt.usedTokens);
      return end;
    }
  }
  return -1;
}

// Looks for step i at or after token `from`, skipping fillers and at most maxGap other words.
function matchNext(
  tokens: readonly Token[],
  phrase: Phrase,
  i: number,
  from: number,
  clause: number,
  used: number[],
  options: PhraseOptions,
): number {
  // A negation in a pattern governs the very next word: "not breathing" must not match
  // "not short of breath", nor "pas respirer" match "pas trop fort, respirer".
  // Only auxiliaries may come between ("will not be able to make it").
  const afterNegation = phrase.steps[i - 1]?.some((alt) => NEGATION_WORDS.has(alt.word) || alt.word === "plus");
  const maxGap = afterNegation ? 0 : (options.maxGap ?? 2);
  let gap = 0;
  let fillers = 0;
  for (let k = from; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (token.clause !== clause) return -1;
    const attemptUsed: number[] = [];
    const end = matchFrom(tokens, phrase, i, k, attemptUsed, options);
    if (end >= 0) {
      used.push(...attemptUsed);
      return end;
    }
    if (FILLER_WORDS.has(token.word) || (afterNegation && AUXILIARY_WORDS.has(token.word))) fillers++;
    else gap++;
    // Fillers are free but not endless, which also bounds the search on degenerate input.
    if (gap > maxGap || fillers > MAX_FILLERS) return -1;
  }
  return -1;
}

const MAX_FILLERS = 5;
const EXACT: PhraseOptions = { typoMinLength: Infinity };

const joined = (a: Alternative, b: Alternative): Alternative => ({ word: a.word + b.word, prefix: b.prefix });
