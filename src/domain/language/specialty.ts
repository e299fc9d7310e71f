import { detectLanguage, type ChatLanguage } from "./detect-language.js";
import { FILLER_WORDS } from "./lexicon/function-words.js";
import { SPECIALTY_WORDS } from "./lexicon/specialties.js";
import { ENGLISH_WORDS, FRENCH_WORDS } from "./lexicon/stopwords.js";
import { foldText, normalize, type NormalizedText, type Token } from "./normalize.js";
import { compilePhrase, findPhrase, type Phrase } from "./phrase.js";

/** A clinic specialty as the triage needs it (the shape of the Specialty table). */
export interface SpecialtyVocabulary {
  readonly id: string;
  readonly code: string;
  readonly nameFr: string;
  readonly nameEn: string;
  readonly keywordsFr: readonly string[];
  readonly keywordsEn: readonly string[];
}

/** A specialty that fits a message, with what made it fit (lexicon wording, not patient text). */
export interface SpecialtySuggestion {
  readonly specialtyId: string;
  readonly score: number;
  readonly matched: readonly string[];
}

// Naming the specialty weighs more than a symptom, which several specialties may share.
const NAME_WEIGHT = 3;
const NAME_PREFIX_WEIGHT = 2.5;
const KEYWORD_WEIGHT = 2;
const PATIENT_WEIGHT = 2.5;
const EXTRA_WORD_WEIGHT = 0.5;

interface Cue {
  readonly label: string;
  readonly phrase: Phrase;
  readonly weight: number;
  /** Only counts when the message is in this language (keywords made of the other language's small words). */
  readonly onlyIn?: ChatLanguage;
}

interface CompiledSpecialty {
  readonly id: string;
  readonly cues: readonly Cue[];
  /** Folded long words of the specialty's names; a patient's word that begins one names it ("ophtalmo"). */
  readonly nameWords: readonly string[];
}

const compiled = new WeakMap<readonly SpecialtyVocabulary[], CompiledSpecialty[]>();

/**
 * Ranks the clinic's specialties for a patient's message, best first; specialties that do
 * not fit are left out. Reads specialty and practitioner names ("cardiologue", "dermato",
 * "GP") and symptom keywords in French and English, tolerating typos in longer words.
 */
export function suggestSpecialties(
  text: string | NormalizedText,
  specialties: readonly SpecialtyVocabulary[],
): SpecialtySuggestion[] {
  const normalized = typeof text === "string" ? normalize(text) : text;
  if (normalized.tokens.length === 0) return [];
  const language = detectLanguage(normalized);
  let list = compiled.get(specialties);
  if (!list) {
    list = specialties.map(compileSpecialty);
    compiled.set(specialties, list);
  }
  const suggestions: SpecialtySuggestion[] = [];
  for (const specialty of list) {
    const found = scoreSpecialty(normalized.tokens, specialty, language);
    if (found.score > 0) suggestions.push({ specialtyId: specialty.id, ...found });
  }
  return suggestions.sort((a, b) => b.score - a.score);
}

function scoreSpecialty(tokens: readonly Token[], specialty: CompiledSpecialty, language: ChatLanguage | undefined) {
  const hits: { label: string; weight: number; used: readonly number[] }[] = [];
  for (const cue of specialty.cues) {
    if (cue.onlyIn && cue.onlyIn !== language) continue;
    const match = findPhrase(tokens, cue.phrase, { maxGap: 1, typoMinLength: 6 });
    if (match) hits.push({ label: cue.label, weight: cue.weight, used: match.used });
  }
  tokens.forEach((token, i) => {
    const word = token.word;
    if (word.length < 5 || FILLER_WORDS.has(word) || FRENCH_WORDS.has(word) || ENGLISH_WORDS.has(word)) return;
    const name = specialty.nameWords.find((n) => n.startsWith(word));
    if (name) hits.push({ label: name, weight: NAME_PREFIX_WEIGHT, used: [i] });
  });
  // One word of the message counts once per specialty, for its strongest reading:
  // "cardiologue" is a name and also a keyword, not two reasons.
  hits.sort((a, b) => b.weight - a.weight);
  const taken = new Set<number>();
  const matched: string[] = [];
  let score = 0;
  for (const hit of hits) {
    if (hit.used.some((i) => taken.has(i))) continue;
    hit.used.forEach((i) => taken.add(i));
    if (!matched.includes(hit.label)) matched.push(hit.label);
    score += hit.weight;
  }
  return { score: Math.round(score * 100) / 100, matched };
}

function compileSpecialty(specialty: SpecialtyVocabulary): CompiledSpecialty {
  const cues: Cue[] = [];
  const lexicon = SPECIALTY_WORDS.get(specialty.code);
  const names = [specialty.nameFr, specialty.nameEn, ...(lexicon?.names ?? [])];
  for (const name of names) cues.push({ label: name, phrase: keywordPhrase(name), weight: NAME_WEIGHT });
  const nameWords = [specialty.nameFr, specialty.nameEn]
    .flatMap((n) => foldText(n).split(/[^a-z0-9]+/))
    .filter((w) => w.length >= 8);
  for (const word of nameWords) {
    const stem = practitionerStem(word);
    if (stem) cues.push({ label: word, phrase: compilePhrase(`${stem}*`), weight: NAME_WEIGHT });
  }
  for (const patient of lexicon?.patients ?? []) {
    cues.push({
      label: patient,
      phrase: keywordPhrase(patient),
      weight: PATIENT_WEIGHT,
      onlyIn: madeOfSmallWords(patient) ? "en" : undefined,
    });
  }
  const keywordSets: [readonly string[], ChatLanguage | undefined][] = [
    [specialty.keywordsFr, "fr"],
    [specialty.keywordsEn, "en"],
    [lexicon?.keywords ?? [], undefined],
  ];
  for (const [keywords, lang] of keywordSets) {
    for (const keyword of keywords) {
      const phrase = keywordPhrase(keyword);
      if (phrase.steps.length === 0) continue;
      cues.push({
        label: keyword,
        phrase,
        weight: KEYWORD_WEIGHT + EXTRA_WORD_WEIGHT * (phrase.steps.length - 1),
        onlyIn: lang && madeOfSmallWords(keyword) ? lang : undefined,
      });
    }
  }
  return { id: specialty.id, cues, nameWords };
}

// Keywords are written as people say them ("mal de tête"); the small words in them are left
// to the matcher's gaps so "mal à la tête" fits too.
function keywordPhrase(keyword: string): Phrase {
  const folded = foldText(keyword).replace(/[^a-z0-9* ]+/g, " ");
  const content = folded.split(" ").filter((w) => w && !FILLER_WORDS.has(w));
  return compilePhrase(content.length > 0 ? content.join(" ") : folded);
}

// "son" is an English keyword (a son) but a French word for "his": a keyword made only of such
// small words counts only in a message written in the keyword's language.
function madeOfSmallWords(keyword: string): boolean {
  const wordsOfKeyword = foldText(keyword)
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return wordsOfKeyword.every((w) => FILLER_WORDS.has(w));
}

// "cardiologie"/"cardiology" → "cardiolog", which also begins "cardiologue" and "cardiologist";
// "pédiatrie" → "pediatr" ("pédiatre"), "chirurgie" → "chirurg" ("chirurgien").
const NAME_SUFFIXES: readonly [string, string][] = [
  ["ologie", "olog"],
  ["ology", "olog"],
  ["iatrie", "iatr"],
  ["iatrics", "iatr"],
  ["iatry", "iatr"],
  ["ique", ""],
  ["ics", ""],
  ["ie", ""],
  ["y", ""],
];

function practitionerStem(word: string): string | undefined {
  for (const [suffix, kept] of NAME_SUFFIXES) {
    if (word.endsWith(suffix)) {
      const stem = word.slice(0, word.length - suffix.length) + kept;
      return stem.length >= 5 ? stem : undefined;
    }
  }
  return undefined;
}
