import { RED_FLAGS, type RedFlagCategory } from "./lexicon/red-flags.js";
import { isNegated } from "./negation.js";
import { normalize, type NormalizedText, type Token } from "./normalize.js";
import { compilePhrase, findPhrase, type Phrase, type PhraseMatch } from "./phrase.js";

export type { RedFlagCategory } from "./lexicon/red-flags.js";

/** An emergency sign found in a message: its category and the lexicon entry that matched. */
export interface RedFlag {
  readonly category: RedFlagCategory;
  /** Lexicon entry id (e.g. "chest_pain.fr"), safe to log: it is not the patient's text. */
  readonly matched: string;
}

const COMPILED = RED_FLAGS.map((entry) => ({
  entry,
  phrases: entry.phrases.map(compilePhrase),
  unless: (entry.unless ?? []).map(compilePhrase),
}));

/**
 * Looks for signs of an emergency. A negated sign ("pas de douleur thoracique", "no chest
 * pain") does not count; anything else that reads like a genuine description does, because
 * a missed emergency costs more than a needless warning.
 */
export function detectRedFlag(text: string | NormalizedText): RedFlag | undefined {
  const normalized = typeof text === "string" ? normalize(text) : text;
  const { tokens } = normalized;
  if (tokens.length === 0) return undefined;
  for (const { entry, phrases, unless } of COMPILED) {
    for (const phrase of phrases) {
      if (affirmedOccurrence(tokens, phrase, unless)) return { category: entry.category, matched: entry.id };
    }
  }
  return undefined;
}

const RED_FLAG_MATCHING = { maxGap: 2, typoMinLength: 6 } as const;

function affirmedOccurrence(tokens: readonly Token[], phrase: Phrase, unless: readonly Phrase[]): boolean {
  for (let from = 0; from < tokens.length;) {
    const match = findPhrase(from === 0 ? tokens : tokens.slice(from), phrase, RED_FLAG_MATCHING);
    if (!match) return false;
    const shifted: PhraseMatch = {
      start: match.start + from,
      end: match.end + from,
      used: match.used.map((i) => i + from),
    };
    if (!isNegated(tokens, shifted) && !excused(tokens, shifted, unless)) return true;
    from = shifted.start + 1;
  }
  return false;
}

function excused(tokens: readonly Token[], match: PhraseMatch, unless: readonly Phrase[]): boolean {
  if (unless.length === 0) return false;
  const clause = tokens[match.start]!.clause;
  const sameClause = tokens.filter((t) => t.clause === clause);
  return unless.some((phrase) => findPhrase(sameClause, phrase, { maxGap: 0, synonyms: false }) !== undefined);
}
