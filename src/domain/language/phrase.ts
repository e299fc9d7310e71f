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
  /** Step i and i+1 typed as one word ("rendezvous" for "rendez vous"): every pairing, compiled once. */
  readonly joinedSteps: readonly (readonly Alternative[])[];
  /**
   * Per step, the first letters (as `initialBit`s) and synonym groups of every word that could
   * stand for it, alone or glued to a neighbour: a message with none of them cannot contain the phrase.
   */
  readonly stepInitials: readonly number[];
  readonly stepGroups: readonly (readonly number[])[];
  /** Per step, whether the step before it is a negation ("not", "pas", "plus"…), which governs it. */
  readonly negated: readonly boolean[];
}

interface Alternative {
  readonly word: string;
  readonly prefix: boolean;
  readonly facts: WordFacts;
  /** The word's first two letters. */
  readonly opening: string;
}

/** What matching needs to know about a word, worked out once per word rather than once per comparison. */
interface WordFacts {
  readonly stem: string;
  readonly hasDigit: boolean;
  /** Synonym group of the word, else of its stem. */
  readonly group: number | undefined;
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
        .map((alt) => alternative(foldText(alt.replace(/\*$/, "")).replace(/[^\p{L}\p{N}]/gu, ""), alt.endsWith("*")))
        .filter((alt) => alt.word.length > 0),
    )
    .filter((step) => step.length > 0);
  const joinedSteps = steps.map((step, i) => {
    const following = steps[i + 1] ?? [];
    return step.flatMap((a) => following.map((b) => alternative(a.word + b.word, b.prefix)));
  });
  const standIns = steps.map((step, i) => [...step, ...joinedSteps[i]!, ...(i > 0 ? joinedSteps[i - 1]! : [])]);
  return {
    source,
    steps,
    joinedSteps,
    stepInitials: standIns.map((alts) => alts.reduce((bits, alt) => bits | initialBit(alt.word), 0)),
    stepGroups: standIns.map((alts) => [
      ...new Set(alts.map((alt) => alt.facts.group).filter((g): g is number => g !== undefined)),
    ]),
    negated: steps.map(
      (_, i) => steps[i - 1]?.some((alt) => NEGATION_WORDS.has(alt.word) || alt.word === "plus") ?? false,
    ),
  };
}

/** A word's first letter as one bit (a–z each their own, anything else shares five). */
const initialBit = (word: string): number => {
  const code = word.charCodeAt(0);
  return code >= 97 && code <= 122 ? 1 << (code - 97) : 1 << (26 + (code % 5));
};

const alternative = (word: string, prefix: boolean): Alternative => ({
  word,
  prefix,
  facts: factsOf(word),
  opening: word.slice(0, 2),
});

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

// Patients' words repeat (a few thousand cover nearly every message); the bound keeps a flood of
// random words from growing it without end.
const MAX_REMEMBERED_WORDS = 20_000;
const rememberedFacts = new Map<string, WordFacts>();

function factsOf(word: string): WordFacts {
  let facts = rememberedFacts.get(word);
  if (!facts) {
    const stem = lightStem(word);
    facts = { stem, hasDigit: /\d/.test(word), group: synonymGroup.get(word) ?? synonymGroup.get(stem) };
    if (rememberedFacts.size >= MAX_REMEMBERED_WORDS) rememberedFacts.clear();
    rememberedFacts.set(word, facts);
  }
  return facts;
}

/** Whether a patient's word stands for a pattern word. */
export function wordMatches(
  text: string,
  alt: Pick<Alternative, "word" | "prefix">,
  options: PhraseOptions = {},
): boolean {
  return matches(text, factsOf(text), alternative(alt.word, alt.prefix), options);
}

function matches(text: string, t: WordFacts, alt: Alternative, options: PhraseOptions): boolean {
  const pattern = alt.word;
  if (text === pattern) return true;
  if (alt.prefix) {
    if (text.startsWith(pattern)) return true;
    const allowance = typoAllowance(pattern.length, 6);
    return (
      allowance > 0 &&
      text.length >= pattern.length &&
      text[0] === pattern[0] &&
      editDistance(text, pattern, 1, pattern.length) <= 1
    );
  }
  const p = alt.facts;
  if (t.hasDigit || p.hasDigit) return false;
  if (t.stem === p.stem) return true;
  if (options.synonyms !== false && t.group !== undefined && t.group === p.group) return true;
  // "narrive" for "n'arrive", "lestomac" for "l'estomac": the apostrophe was not typed.
  if (text.length > pattern.length && STARTS_WITH_VOWEL.test(pattern) && text.endsWith(pattern)) {
    const particle = text.slice(0, text.length - pattern.length);
    if (ELIDED_PARTICLES.includes(particle)) return true;
  }
  const minLength = options.typoMinLength ?? 5;
  if (text.length < minLength || pattern.length < minLength || text[0] !== pattern[0]) return false;
  const allowance = typoAllowance(Math.min(text.length, pattern.length), minLength);
  return closeEnough(t.stem, p.stem, allowance) || closeEnough(text, pattern, allowance);
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
  const overview = overviewOf(tokens);
  if (!mayOccur(phrase, overview, options)) return undefined;
  // One list for every attempt (each try takes back what it added when it fails), copied on a match.
  trail.length = 0;
  for (let start = 0; start < tokens.length; start++) {
    const end = matchFrom(tokens, overview, phrase, 0, start, trail, options);
    if (end >= 0) return { start, end, used: trail.slice() };
  }
  return undefined;
}

const trail: number[] = [];

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

/**
 * What every match needs from a message, gathered once per token list: a token matches a
 * pattern word only if they begin with the same letter (equal, same stem, a typo, a prefix),
 * share a synonym group, or the token is an elided particle glued to it ("lestomac"). A phrase
 * with a step no token can meet is skipped without trying every position.
 */
interface Overview {
  readonly initials: ReadonlySet<string>;
  /** `initialBit`s of every word, glued pair and elided remainder: each way of matching keeps the first letter. */
  readonly initialBits: number;
  /** First two letters of each word and glued pair. */
  readonly openings: ReadonlySet<string>;
  /** Each word and glued pair, and their stems. */
  readonly stems: ReadonlySet<string>;
  readonly groups: ReadonlySet<number>;
  /** Facts of each token's word. */
  readonly facts: readonly WordFacts[];
  /** Each token's word glued to the next one of its clause ("rendez"+"vous"), if any. */
  readonly glued: readonly ({ word: string; facts: WordFacts } | undefined)[];
  /** Words typed with an elided particle glued on ("lestomac"): what follows the particle. */
  readonly elided: ReadonlySet<string>;
  /** Initial and length of each word of 5 letters or more (see `shape`): typos keep both close. */
  readonly shapes: ReadonlySet<number>;
}

const overviews = new WeakMap<readonly Token[], Overview>();

function overviewOf(tokens: readonly Token[]): Overview {
  let overview = overviews.get(tokens);
  if (!overview) {
    const initials = new Set<string>();
    const openings = new Set<string>();
    const stems = new Set<string>();
    const groups = new Set<number>();
    const elided = new Set<string>();
    const shapes = new Set<number>();
    const facts: WordFacts[] = [];
    const glued: ({ word: string; facts: WordFacts } | undefined)[] = [];
    let initialBits = 0;
    tokens.forEach((token, i) => {
      const next = tokens[i + 1];
      const own = factsOf(token.word);
      const pair = next && next.clause === token.clause ? token.word + next.word : undefined;
      const pairFacts = pair === undefined ? undefined : factsOf(pair);
      facts.push(own);
      glued.push(pair === undefined ? undefined : { word: pair, facts: pairFacts! });
      for (const [word, f] of [
        [token.word, own],
        [pair, pairFacts],
      ] as const) {
        if (word === undefined || !f) continue;
        initials.add(word[0]!);
        initialBits |= initialBit(word);
        openings.add(word.slice(0, 2));
        stems.add(word).add(f.stem);
        if (f.group !== undefined) groups.add(f.group);
        if (word.length >= 5) shapes.add(shape(word, word.length));
        for (const particle of ELIDED_PARTICLES) {
          if (word.length > particle.length && word.startsWith(particle)) {
            elided.add(word.slice(particle.length));
            initialBits |= initialBit(word.slice(particle.length));
          }
        }
      }
    });
    overview = { initials, initialBits, openings, stems, groups, elided, shapes, facts, glued };
    overviews.set(tokens, overview);
  }
  return overview;
}

const shape = (word: string, length: number): number => word.charCodeAt(0) * 1024 + Math.min(length, 1023);

// Mirrors `matches`: what a token must have for each way a pattern word can match it.
function mayMeet(alt: Alternative, overview: Overview, options: PhraseOptions): boolean {
  const { word } = alt;
  if (alt.prefix) {
    // Typos are tolerated from 6 letters on and keep the first letter; else the token begins with the pattern.
    return word.length >= 6 ? overview.initials.has(word[0]!) : overview.openings.has(alt.opening);
  }
  if (alt.facts.hasDigit) return overview.stems.has(word);
  if (options.synonyms !== false && alt.facts.group !== undefined && overview.groups.has(alt.facts.group)) return true;
  if (overview.elided.has(word)) return true;
  if (overview.stems.has(alt.facts.stem)) return true;
  const minLength = options.typoMinLength ?? 5;
  if (word.length < minLength) return false;
  // A typo is tolerated between words of similar length (at most 2 apart) with the same first letter.
  for (let length = Math.max(minLength, word.length - 2); length <= word.length + 2; length++) {
    if (overview.shapes.has(shape(word, length))) return true;
  }
  return false;
}

function mayOccur(phrase: Phrase, overview: Overview, options: PhraseOptions): boolean {
  const { steps, joinedSteps, stepInitials, stepGroups } = phrase;
  // A first pass of one bit test per step turns most phrases away before any word is compared.
  for (let i = 0; i < steps.length; i++) {
    if ((stepInitials[i]! & overview.initialBits) === 0 && !sharesGroup(stepGroups[i]!, overview.groups)) return false;
  }
  for (let i = 0; i < steps.length; i++) {
    if (
      !someMayMeet(steps[i]!, overview, options) &&
      !someMayMeet(joinedSteps[i]!, overview, options) &&
      !(i > 0 && someMayMeet(joinedSteps[i - 1]!, overview, options))
    ) {
      return false;
    }
  }
  return true;
}

function sharesGroup(groups: readonly number[], present: ReadonlySet<number>): boolean {
  for (let k = 0; k < groups.length; k++) if (present.has(groups[k]!)) return true;
  return false;
}

function someMayMeet(alternatives: readonly Alternative[], overview: Overview, options: PhraseOptions): boolean {
  for (let k = 0; k < alternatives.length; k++) if (mayMeet(alternatives[k]!, overview, options)) return true;
  return false;
}

// Loops, not closures: matching runs hundreds of times per message and must not allocate.
function stepMatches(word: string, facts: WordFacts, step: readonly Alternative[], options: PhraseOptions): boolean {
  for (let k = 0; k < step.length; k++) if (matches(word, facts, step[k]!, options)) return true;
  return false;
}

// Tries to match steps[i..] with step i at token j. Returns the end index or -1; on a match
// `used` has gained the tokens the pattern used, in order; on none it is as it was.
function matchFrom(
  tokens: readonly Token[],
  overview: Overview,
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
  const facts = overview.facts[j]!;
  // Tried in this order; the first that leads to a whole match wins.
  if (stepMatches(token.word, facts, step, options)) {
    used.push(j);
    const end = attempt(tokens, overview, phrase, i + 1, j + 1, token.clause, used, options);
    if (end >= 0) return end;
    used.length -= 1;
  }
  // "rendezvous" typed for the two pattern words "rendez vous", and the other way round.
  // Joined words must be spelled right (synonyms allowed): with typos allowed too,
  // "an appointment" would read as "appointment".
  if (stepMatches(token.word, facts, phrase.joinedSteps[i]!, EXACT)) {
    used.push(j);
    const end = attempt(tokens, overview, phrase, i + 2, j + 1, token.clause, used, options);
    if (end >= 0) return end;
    used.length -= 1;
  }
  const glued = overview.glued[j];
  if (glued && stepMatches(glued.word, glued.facts, step, EXACT)) {
    used.push(j, j + 1);
    const end = attempt(tokens, overview, phrase, i + 1, j + 2, token.clause, used, options);
    if (end >= 0) return end;
    used.length -= 2;
  }
  return -1;
}

// Continues a match in `clause` from step `nextStep` at token `nextToken`; returns the end index or -1.
function attempt(
  tokens: readonly Token[],
  overview: Overview,
  phrase: Phrase,
  nextStep: number,
  nextToken: number,
  clause: number,
  used: number[],
  options: PhraseOptions,
): number {
  if (nextStep >= phrase.steps.length) return nextToken;
  return matchNext(tokens, overview, phrase, nextStep, nextToken, clause, used, options);
}

// Looks for step i at or after token `from`, skipping fillers and at most maxGap other words.
function matchNext(
  tokens: readonly Token[],
  overview: Overview,
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
  const afterNegation = phrase.negated[i]!;
  const maxGap = afterNegation ? 0 : (options.maxGap ?? 2);
  let gap = 0;
  let fillers = 0;
  for (let k = from; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (token.clause !== clause) return -1;
    const end = matchFrom(tokens, overview, phrase, i, k, used, options);
    if (end >= 0) return end;
    if (FILLER_WORDS.has(token.word) || (afterNegation && AUXILIARY_WORDS.has(token.word))) fillers++;
    else gap++;
    // Fillers are free but not endless, which also bounds the search on degenerate input.
    if (gap > maxGap || fillers > MAX_FILLERS) return -1;
  }
  return -1;
}

const MAX_FILLERS = 5;
const EXACT: PhraseOptions = { typoMinLength: Infinity };
