import { IN_PERSON_PHRASES, TELECONSULTATION_PHRASES } from "./lexicon/modes.js";
import { isNegated } from "./negation.js";
import type { NormalizedText } from "./normalize.js";
import { compilePhrase, findPhrase, type Phrase } from "./phrase.js";

export type ConsultationMode = "teleconsultation" | "in_person";

const TELE: readonly Phrase[] = TELECONSULTATION_PHRASES.map(compilePhrase);
const IN_PERSON: readonly Phrase[] = IN_PERSON_PHRASES.map(compilePhrase);

/** Whether any phrase occurs, and whether every occurrence found is negated. */
function said(text: NormalizedText, list: readonly Phrase[]): "yes" | "negated" | undefined {
  let negated = false;
  for (const phrase of list) {
    const match = findPhrase(text.tokens, phrase, { maxGap: 1, synonyms: false });
    if (!match) continue;
    if (!isNegated(text.tokens, match)) return "yes";
    negated = true;
  }
  return negated ? "negated" : undefined;
}

/**
 * How the patient wants to be seen, if they say: "en téléconsultation", "en visio", "par vidéo",
 * "video consultation", "an online appointment" → teleconsultation; "en personne", "in person",
 * "au cabinet", or a refused remote one ("pas en visio", "not by video") → in person.
 */
export function readConsultationMode(text: NormalizedText): ConsultationMode | undefined {
  const tele = said(text, TELE);
  if (tele === "yes") return "teleconsultation";
  const inPerson = said(text, IN_PERSON);
  if (inPerson === "yes" || tele === "negated") return "in_person";
  if (inPerson === "negated") return "teleconsultation";
  return undefined;
}
