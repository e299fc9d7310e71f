import type { ChatLanguage } from "./detect-language.js";
import { FILLER_WORDS } from "./lexicon/function-words.js";
import { words } from "./lexicon/words.js";
import {
  CHOICE_PREFIXES,
  EMOJI_INTENTS,
  INTENT_CUES,
  INTENT_PRIORITY,
  ORDINAL_WORDS,
  type CuedIntent,
  type IntentCue,
} from "./lexicon/intents.js";
import { SPECIALTY_WORDS } from "./lexicon/specialties.js";
import { isNegated } from "./negation.js";
import { normalize, type NormalizedText, type Token } from "./normalize.js";
import { compilePhrase, findPhrase, type Phrase, type PhraseMatch, type PhraseOptions } from "./phrase.js";
import { detectRedFlag, type RedFlag } from "./red-flags.js";

export type { Intent } from "./lexicon/intents.js";

/** What a free-text message asks for, with how sure the reading is (0..1). */
export type IntentReading =
  | { readonly intent: Exclude<CuedIntent, "change_language"> | "unknown"; readonly confidence: number }
  /** The patient picked a numbered option: "1" → index 0, "option 2" → index 1. */
  | { readonly intent: "choice"; readonly index: number; readonly confidence: number }
  /** `language` is the language asked for, when the message says which. */
  | { readonly intent: "change_language"; readonly language: ChatLanguage; readonly confidence: number }
  | { readonly intent: "emergency"; readonly redFlag: RedFlag; readonly confidence: number };

export interface ReadIntentOptions {
  /** The conversation's language; typo tolerance applies to cues in that language only. */
  readonly locale?: ChatLanguage;
}

interface CompiledCue {
  readonly cue: IntentCue;
  readonly phrases: readonly Phrase[];
}

// Naming a specialty ("un cardio", "dermato") is asking to be seen.
const SPECIALTY_CUE: IntentCue = {
  intent: "book",
  weight: 2,
  phrases: [...SPECIALTY_WORDS.values()].flatMap((s) => s.names),
};

const CUES: readonly CompiledCue[] = [...INTENT_CUES, SPECIALTY_CUE].map((cue) => ({
  cue,
  phrases: cue.phrases.map(compilePhrase),
}));

const CHOICE_PREFIX_PHRASES = CHOICE_PREFIXES.map((p) => p.split(" "));

// Choices are short replies; a number inside a sentence ("j'ai 2 enfants") is not one.
const MAX_CHOICE_WORDS = 5;
const MAX_CHOICE = 20;

/**
 * Reads what a patient's free-text message asks for. Emergencies come first; a bare number
 * or "option 2" is a choice; a request ("bonjour je voudrais un rdv") wins over small talk;
 * reminder replies ("OUI", "NON", "confirm", "annuler", "1") read as affirm, deny, cancel and
 * choice. Never throws; unreadable input is "unknown".
 */
export function readIntent(text: string | NormalizedText, options: ReadIntentOptions = {}): IntentReading {
  const normalized = typeof text === "string" ? normalize(text) : text;
  const redFlag = detectRedFlag(normalized);
  if (redFlag) return { intent: "emergency", redFlag, confidence: 0.95 };

  const { tokens } = normalized;
  if (tokens.length === 0) return readSymbols(normalized.original);

  const choice = readChoice(tokens);
  if (choice !== undefined) return { intent: "choice", index: choice, confidence: 0.95 };

  const hits = findCues(tokens, options.locale);
  if (hits.length === 0) return readSymbols(normalized.original);

  const scores = new Map<CuedIntent, number>();
  for (const hit of hits) {
    const previous = scores.get(hit.cue.intent);
    // Extra cues for the same intent add a little: "annuler mon rdv, je ne pourrai pas venir".
    scores.set(hit.cue.intent, previous === undefined ? hit.cue.weight : Math.max(previous, hit.cue.weight) + 0.25);
  }
  const ranked = [...scores.entries()].sort(
    ([a, sa], [b, sb]) => sb - sa || INTENT_PRIORITY.indexOf(a) - INTENT_PRIORITY.indexOf(b),
  );
  const [intent, score] = ranked[0]!;
  const runnerUp = ranked[1]?.[1] ?? 0;
  const confidence = confidenceOf(score, runnerUp, tokens);
  if (intent === "change_language") {
    const hit = hits.find((h) => h.cue.intent === "change_language")!;
    return { intent, language: hit.cue.language ?? "fr", confidence };
  }
  return { intent, confidence };
}

interface CueHit {
  readonly cue: IntentCue;
  readonly match: PhraseMatch;
}

// A cue of the other language must be spelled right: typos there would read French as English.
const CUE: PhraseOptions = { maxGap: 2, typoMinLength: 5 };
const OTHER_LANGUAGE_CUE: PhraseOptions = { maxGap: 2, typoMinLength: Infinity };

function findCues(tokens: readonly Token[], locale: ChatLanguage | undefined): CueHit[] {
  const hits: CueHit[] = [];
  for (const { cue, phrases } of CUES) {
    const options = locale && cue.lang && cue.lang !== locale ? OTHER_LANGUAGE_CUE : CUE;
    for (const phrase of phrases) {
      const match = findPhrase(tokens, phrase, options);
      // A denial names what it refuses; every other cue is void when negated ("je ne veux pas annuler").
      if (match && (cue.intent === "deny" || !isNegated(tokens, match))) {
        hits.push({ cue, match });
        break;
      }
    }
  }
  // A cue inside a longer one is not a reason of its own: "good" in "good morning",
  // "merci" in "non merci", "rdv" in "confirmer mon rdv".
  return hits.filter(
    (hit) =>
      !hits.some(
        (other) =>
          other !== hit &&
          other.match.used.length > hit.match.used.length &&
          hit.match.used.every((i) => other.match.used.includes(i)),
      ),
  );
}

function confidenceOf(score: number, runnerUp: number, tokens: readonly Token[]): number {
  let confidence = score >= 4 ? 0.9 : score >= 3 ? 0.85 : score >= 2 ? 0.75 : 0.6;
  if (runnerUp > 0 && runnerUp >= score) confidence -= 0.2;
  else if (runnerUp > 0 && runnerUp >= score - 1) confidence -= 0.1;
  const meaningful = tokens.filter((t) => !FILLER_WORDS.has(t.word)).length;
  // One weak cue in a long message says little about the message; a one-word reply says it all.
  if (score < 3 && meaningful > 8) confidence -= 0.15;
  if (meaningful <= 2 && runnerUp === 0) confidence = Math.max(confidence, 0.9);
  return Math.round(Math.max(0.1, confidence) * 100) / 100;
}

/** "2", "2.", "option 2", "le 2", "n° 3", "le deuxième", "the first one" → zero-based index. */
function readChoice(tokens: readonly Token[]): number | undefined {
  let rest = tokens.map((t) => t.word);
  // Trailing politeness or "one": "2 svp", "the second one", "le 3 merci".
  while (rest.length > 1 && CHOICE_TAIL.has(rest[rest.length - 1]!)) rest = rest.slice(0, -1);
  if (rest.length > MAX_CHOICE_WORDS) return undefined;
  const prefix = CHOICE_PREFIX_PHRASES.filter((p) => p.every((w, i) => rest[i] === w)).sort(
    (a, b) => b.length - a.length,
  )[0];
  if (prefix) rest = rest.slice(prefix.length);
  if (rest.length !== 1) return undefined;
  const word = rest[0]!;
  if (/^\d{1,2}$/.test(word)) {
    const n = Number(word);
    return n >= 1 && n <= MAX_CHOICE ? n - 1 : undefined;
  }
  return ORDINAL_WORDS.get(word);
}

const CHOICE_TAIL = new Set(words("svp stp s il vous te plait please pls one merci thanks option choix"));

/** Messages with no words: emoji answers and a lone question mark. */
function readSymbols(original: string): IntentReading {
  const sample = original.slice(0, 200);
  const found = EMOJI_INTENTS.filter((e) => e.emoji.some((symbol) => sample.includes(symbol)));
  if (found.length > 0) return { intent: found[0]!.intent as Exclude<CuedIntent, "change_language">, confidence: 0.8 };
  if (/^\s*\?+\s*$/.test(sample)) return { intent: "help", confidence: 0.6 };
  return { intent: "unknown", confidence: 0 };
}
