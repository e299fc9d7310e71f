import type { Database } from "../data/db.js";
import { suggestSpecialties, type SpecialtyVocabulary } from "./language/specialty.js";
import { RecentFacts } from "./recent-facts.js";

export interface TriageSuggestion {
  specialty: { id: string; code: string; nameFr: string; nameEn: string };
  score: number;
  /** Lexicon entries that matched (clinic wording, never the patient's text). */
  matched: readonly string[];
}

// The matcher compiles each specialty list once; identical lists must be the same array to reuse it.
const vocabularies = new Map<string, SpecialtyVocabulary[]>();
const clinicVocabulary = new RecentFacts<SpecialtyVocabulary[]>();

async function readVocabulary(db: Database, clinicId: string): Promise<SpecialtyVocabulary[]> {
  const rows = await db.sql.query<{
    id: string;
    code: string;
    name_fr: string;
    name_en: string;
    keywords_fr: string[];
    keywords_en: string[];
  }>(
    `SELECT id, code, name_fr, name_en, keywords_fr, keywords_en FROM specialty WHERE clinic_id = $1::uuid ORDER BY code`,
    [clinicId],
    { prepare: true },
  );
  const signature = JSON.stringify(rows);
  let vocabulary = vocabularies.get(signature);
  if (!vocabulary) {
    if (vocabularies.size > 100) vocabularies.clear();
    vocabulary = rows.map((r) => ({
      id: r.id,
      code: r.code,
      nameFr: r.name_fr,
      nameEn: r.name_en,
      keywordsFr: r.keywords_fr,
      keywordsEn: r.keywords_en,
    }));
    vocabularies.set(signature, vocabulary);
  }
  return vocabulary;
}

/**
 * Which of the clinic's specialties fit a patient's words (symptoms, or a specialty or
 * practitioner named in French or English), best first. Used by the chat and by the
 * secretaries' triage of pending requests.
 */
export async function suggestSpecialtiesFor(db: Database, clinicId: string, text: string): Promise<TriageSuggestion[]> {
  const vocabulary = await clinicVocabulary.get(clinicId, () => readVocabulary(db, clinicId));
  const byId = new Map(vocabulary.map((v) => [v.id, v]));
  return suggestSpecialties(text, vocabulary).map((s) => {
    const v = byId.get(s.specialtyId)!;
    return {
      specialty: { id: v.id, code: v.code, nameFr: v.nameFr, nameEn: v.nameEn },
      score: s.score,
      matched: s.matched,
    };
  });
}
