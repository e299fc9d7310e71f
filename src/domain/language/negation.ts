import { FILLER_WORDS, NE_PARTICLES, NEGATION_EXCEPTIONS, NEGATION_WORDS } from "./lexicon/function-words.js";
import type { Token } from "./normalize.js";
import type { PhraseMatch } from "./phrase.js";

/**
 * Whether a phrase found in a message is negated: "pas de douleur thoracique", "no chest
 * pain", "I don't have any fever", "je ne saigne pas beaucoup". Negations do not cross clause
 * boundaries ("pas de fièvre, mais une douleur thoracique"); negation words the phrase itself
 * contains ("je n'arrive pas à respirer") do not count.
 */
export function isNegated(tokens: readonly Token[], match: PhraseMatch): boolean {
  const clause = tokens[match.start]?.clause;
  const used = new Set(match.used);
  for (let i = match.start; i < match.end; i++) {
    if (!used.has(i) && negationReach(tokens, i) !== undefined) return true;
  }
  let between = 0;
  for (let i = match.start - 1; i >= 0; i--) {
    const token = tokens[i]!;
    if (token.clause !== clause) break;
    const reach = negationReach(tokens, i);
    if (reach !== undefined && between <= reach) return true;
    if (!FILLER_WORDS.has(token.word)) between++;
    if (between > 3) break;
  }
  return false;
}

// How many meaningful words the negation at i reaches over, or undefined if it is no negation.
function negationReach(tokens: readonly Token[], i: number): number | undefined {
  const word = tokens[i]!.word;
  if (word === "plus") {
    // "plus" negates only after "ne"/"n'": "je n'ai plus mal" but not "plus mal qu'hier".
    const afterNe = [tokens[i - 1], tokens[i - 2]].some(
      (t) => t && (NE_PARTICLES.has(t.word) || /^n[aeiouy]/.test(t.word)),
    );
    return afterNe ? 3 : undefined;
  }
  const reach = NEGATION_WORDS.get(word);
  if (reach === undefined) return undefined;
  const exception = NEGATION_EXCEPTIONS.some((sequence) => sequence.every((w, k) => tokens[i + k]?.word === w));
  return exception ? undefined : reach;
}
