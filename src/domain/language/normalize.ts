import { CONTRACTIONS } from "./lexicon/contractions.js";
import { CLAUSE_BREAK_WORDS } from "./lexicon/function-words.js";
import { table } from "./lexicon/words.js";

/**
 * How much of a message is analysed. Patients' messages are short; a pasted document or a
 * flood of random bytes must not cost more than a normal message does.
 */
export const MAX_ANALYSED_CHARS = 500;

/** One word of a patient's message, folded, with the clause it belongs to. */
export interface Token {
  readonly word: string;
  /** Clauses are split at punctuation and at words such as "mais"/"but"; negations stay inside one. */
  readonly clause: number;
}

/** A patient's message prepared for matching; the original is kept for display and emoji. */
export interface NormalizedText {
  /** The message as received (not truncated). */
  readonly original: string;
  /** Lower case, no accents, unified quotes, no emoji, single spaces; at most MAX_ANALYSED_CHARS of input. */
  readonly folded: string;
  readonly tokens: readonly Token[];
  /** `tokens` as plain words. */
  readonly words: readonly string[];
}

// Letters that Unicode decomposition leaves whole.
const LIGATURES = table({ œ: "oe", æ: "ae", ß: "ss", ø: "o", ł: "l", đ: "d", ı: "i" });

const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|[\u{1F3FB}-\u{1F3FF}]|\u200d|\u20e3|\ufe0e|\ufe0f/gu;

/**
 * Folds case and accents, unifies apostrophes and quotes, drops emoji and control characters,
 * collapses whitespace. Digits and basic punctuation stay, because dates and times need them.
 */
export function foldText(text: string): string {
  return (
    text
      .slice(0, MAX_ANALYSED_CHARS)
      .replace(EMOJI, " ")
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[œæßøłđı]/g, (c) => LIGATURES.get(c) ?? c)
      // Chat elongations: "ouiii", "merciiii", "nooon" → "oui", "merci", "non".
      .replace(/(\p{L})\1{2,}/gu, "$1")
      .replace(/[’‘‛`´ʼʹ′]/g, "'")
      .replace(/[«»“”„‟″]/g, '"')
      // Anything that is not a letter, digit or common punctuation (control characters,
      // replacement characters, symbols) separates words.
      .replace(/[^\p{L}\p{N}'".,;:!?/\-()+@&%°#\s]/gu, " ")
      .replace(/\s+/g, " ")
      .trim()
  );
}

// French elision: "j'ai", "l'estomac", "qu'il" split into two words; other apostrophes
// (English "can't", "I'm", French "aujourd'hui") join the word so the contraction lexicon reads it.
const ELISION = /(^|[^\p{L}])(qu|jusqu|lorsqu|puisqu|[jlmndstc])'(?=\p{L})/gu;
// English contractions whose joined spelling would be ambiguous ("I'll" → "ill").
const ENGLISH_CONTRACTIONS: readonly [RegExp, string][] = [
  [/\bcan't\b/g, "can not"],
  [/\bwon't\b/g, "will not"],
  [/\bain't\b/g, "am not"],
  [/n't\b/g, " not"],
  [/\b(i|you|we|they|he|she|it|that)'ll\b/g, "$1 will"],
  [/\b(i|you|we|they|he|she)'d\b/g, "$1 would"],
  [/\bi'm\b/g, "i am"],
  [/\b(you|we|they)'re\b/g, "$1 are"],
  [/\b(i|you|we|they)'ve\b/g, "$1 have"],
];

const expandEnglishContractions = (text: string) =>
  text.includes("'") ? ENGLISH_CONTRACTIONS.reduce((t, [pattern, long]) => t.replace(pattern, long), text) : text;

const WORD = /[\p{L}\p{N}]+/gu;
const CLAUSE_PUNCTUATION = /[.!?;,()]/;

// One message is read by several readers (intent, dates, specialties…), each normalizing it;
// the result is immutable, so the last few texts share theirs — and with it the phrase
// matcher's per-token-list overview.
const RECENT_TEXTS = 16;
const recent = new Map<string, NormalizedText>();

/** Folds and tokenizes a patient's message. Never throws; work is bounded by MAX_ANALYSED_CHARS. */
export function normalize(text: string): NormalizedText {
  const original = typeof text === "string" ? text : "";
  let normalized = recent.get(original);
  if (!normalized) {
    normalized = normalizeAnew(original);
    if (recent.size >= RECENT_TEXTS) recent.delete(recent.keys().next().value!);
    recent.set(original, normalized);
  }
  return normalized;
}

function normalizeAnew(original: string): NormalizedText {
  const folded = foldText(original);
  const tokens: Token[] = [];
  let clause = 0;
  // Split on spaces first so punctuation between pieces can close a clause, but punctuation
  // inside a piece ("5/12", "14:30", "10.30") does not.
  const pieces = expandEnglishContractions(folded).replace(ELISION, "$1$2 ").replace(/'/g, "").split(" ");
  for (const piece of pieces) {
    const leadingBreak = CLAUSE_PUNCTUATION.test(piece.charAt(0)) && tokens.length > 0;
    if (leadingBreak) clause++;
    const found = piece.match(WORD) ?? [];
    for (const raw of found) {
      if (CLAUSE_BREAK_WORDS.has(raw) && tokens.length > 0) clause++;
      for (const word of CONTRACTIONS.get(raw) ?? [raw]) tokens.push({ word, clause });
    }
    if (found.length > 0 && CLAUSE_PUNCTUATION.test(piece.charAt(piece.length - 1))) clause++;
  }
  return { original, folded, tokens, words: tokens.map((t) => t.word) };
}
