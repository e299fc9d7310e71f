import { ENGLISH_WORDS, FRENCH_WORDS } from "./lexicon/stopwords.js";
import { normalize, type NormalizedText } from "./normalize.js";

/** The languages the chat speaks. */
export type ChatLanguage = "fr" | "en";

// Signs beyond whole words: French accents and "10h" times, English "10am".
const FRENCH_LETTERS = /[éèêàâçùûôîïœ]/i;
const FRENCH_TIME = /\b\d{1,2} ?h(?:\d{2})?\b/i;
const ENGLISH_TIME = /\b\d{1,2}(?::\d{2})? ?(?:am|pm)\b/i;

/**
 * Guesses whether a message is French or English from its everyday words. Returns
 * `fallback` (the patient's known language) when the message gives no clear sign, such as
 * "ok", "10h30" or an emoji.
 */
export function detectLanguage(text: string | NormalizedText, fallback?: ChatLanguage): ChatLanguage | undefined {
  const normalized = typeof text === "string" ? normalize(text) : text;
  let fr = 0;
  let en = 0;
  for (const word of normalized.words) {
    if (FRENCH_WORDS.has(word)) fr++;
    if (ENGLISH_WORDS.has(word)) en++;
  }
  const sample = normalized.original.slice(0, 500);
  if (FRENCH_LETTERS.test(sample)) fr += 0.5;
  if (FRENCH_TIME.test(normalized.folded)) fr += 0.5;
  if (ENGLISH_TIME.test(normalized.folded)) en += 0.5;
  if (fr === en) return fallback;
  return fr > en ? "fr" : "en";
}
