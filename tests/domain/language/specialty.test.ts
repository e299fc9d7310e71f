import { describe, expect, it } from "vitest";
import { DEMO_SPECIALTIES } from "../../../src/data/demo-clinic.js";
import { suggestSpecialties, type SpecialtyVocabulary } from "../../../src/domain/language/specialty.js";

const demo: SpecialtyVocabulary[] = DEMO_SPECIALTIES.map((s) => ({ ...s, id: `id-${s.code}` }));
const best = (text: string, list = demo) => suggestSpecialties(text, list)[0]?.specialtyId;

describe("suggesting a specialty from a patient's words", () => {
  it("a patient who writes 'jai mal au coeur' is offered cardiology", () => {
    expect(best("jai mal au coeur depuis ce matin")).toBe("id-cardiology");
  });

  it.each([
    ["cardiologue", "cardiology"],
    ["rdv cardio", "cardiology"],
    ["un rdv avec le cardiologist", "cardiology"],
    ["dermato svp", "dermatology"],
    ["derma", "dermatology"],
    ["skin doctor", "dermatology"],
    ["pédiatre", "pediatrics"],
    ["pediatre", "pediatrics"],
    ["gynéco", "gynecology"],
    ["gyneco", "gynecology"],
    ["généraliste", "general"],
    ["GP appointment", "general"],
    ["mon médecin traitant", "general"],
  ])("naming the specialty or its practitioner (%j) finds %s", (text, code) => {
    expect(best(text)).toBe(`id-${code}`);
  });

  it.each([
    ["j'ai des palpitations", "cardiology"],
    ["palpitation", "cardiology"],
    ["ma tension est trop haute", "cardiology"],
    ["heart racing at night", "cardiology"],
    ["j'ai des boutons partout ça gratte", "dermatology"],
    ["I have a rash on my arm", "dermatology"],
    ["eczéma", "dermatology"],
    ["je suis enceinte", "gynecology"],
    ["mes règles sont douloureuses", "gynecology"],
    ["I think I'm pregnant", "gynecology"],
    ["mal à la tête", "general"],
    ["douleur au ventre", "general"],
    ["my tummy hurts", "general"],
    ["je tousse beaucoup", "general"],
    ["I feel exhausted", "general"],
    ["sore throat", "general"],
  ])("a symptom (%j) finds %s", (text, code) => {
    expect(best(text)).toBe(`id-${code}`);
  });

  it.each([
    ["j ai des palpitasions", "cardiology"],
    ["dermatolgue", "dermatology"],
    ["cardiologe", "cardiology"],
    ["demangeaisons", "dermatology"],
  ])("long words survive typos and missing accents: %j", (text, code) => {
    expect(best(text)).toBe(`id-${code}`);
  });

  it("a child's symptom goes to the pediatrician first, then to the symptom's specialty", () => {
    const ranked = suggestSpecialties("mon fils a de la fièvre", demo).map((s) => s.specialtyId);
    expect(ranked.slice(0, 2)).toEqual(["id-pediatrics", "id-general"]);
    expect(best("my son has a fever")).toBe("id-pediatrics");
    expect(best("mon bébé a des boutons")).toBe("id-pediatrics");
  });

  it("'rdv cardio pour un bilan' ranks cardiology above the generalist's 'bilan'", () => {
    const ranked = suggestSpecialties("rdv cardio pour un bilan", demo);
    expect(ranked.map((s) => s.specialtyId)).toEqual(["id-cardiology", "id-general"]);
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
  });

  it("reports which keywords matched, from the clinic's data rather than the patient's text", () => {
    const [top] = suggestSpecialties("j'ai des palpitasions", demo);
    expect(top).toEqual({ specialtyId: "id-cardiology", score: expect.any(Number), matched: ["palpitations"] });
  });

  it("the French word 'son' (his) does not make a pediatric case", () => {
    expect(best("il a mal à son genou")).not.toBe("id-pediatrics");
  });

  it("a word counts once even when it is both a name and a keyword", () => {
    const [top] = suggestSpecialties("cardiologue", demo);
    expect(top!.score).toBe(3);
  });

  it("recognises a clinic's own specialty from its name alone, with no lexicon entry", () => {
    const clinic: SpecialtyVocabulary[] = [
      ...demo,
      {
        id: "eyes",
        code: "eye-care-42",
        nameFr: "Ophtalmologie",
        nameEn: "Ophthalmology",
        keywordsFr: ["vue"],
        keywordsEn: ["eyesight"],
      },
    ];
    expect(best("je voudrais voir un ophtalmologue", clinic)).toBe("eyes");
    expect(best("ophtalmo svp", clinic)).toBe("eyes");
    expect(best("an ophthalmologist", clinic)).toBe("eyes");
  });

  it("unrelated or empty text suggests nothing", () => {
    expect(suggestSpecialties("bonjour", demo)).toEqual([]);
    expect(suggestSpecialties("", demo)).toEqual([]);
    expect(suggestSpecialties("rdv demain 10h", demo)).toEqual([]);
    expect(suggestSpecialties("anything", [])).toEqual([]);
  });
});
