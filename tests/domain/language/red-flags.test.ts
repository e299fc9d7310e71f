import { describe, expect, it } from "vitest";
import { RED_FLAGS } from "../../../src/domain/language/lexicon/red-flags.js";
import { detectRedFlag } from "../../../src/domain/language/red-flags.js";

const categoryOf = (text: string) => detectRedFlag(text)?.category;

describe("recognising an emergency in a patient's words", () => {
  describe("chest pain", () => {
    it.each([
      "j'ai une douleur thoracique",
      "J’ai très mal à la poitrine depuis 1h",
      "mal a la poitrine",
      "mal dans la poitrine",
      "douleur forte dans la poitrine",
      "une oppression dans la poitrine",
      "serrement dans la poitrine",
      "douleur qui irradie dans le bras gauche",
      "doulleur thoracik",
      "I have chest pain",
      "my chest hurts really bad",
      "tightness in my chest",
      "pressure in my chest",
      "I think I'm having a heart attack",
    ])("%j is chest pain", (text) => {
      expect(categoryOf(text)).toBe("chest_pain");
    });
  });

  describe("trouble breathing", () => {
    it.each([
      "je n'arrive pas à respirer",
      "jarrive plus a respirer",
      "j'ai du mal à respirer",
      "difficulté à respirer",
      "j'étouffe",
      "I can't breathe",
      "i cant breathe",
      "trouble breathing",
      "short of breath even at rest",
      "she is choking",
    ])("%j is trouble breathing", (text) => {
      expect(categoryOf(text)).toBe("breathing");
    });

    it("shortness of breath on the stairs is for the cardiologist, not an emergency", () => {
      expect(categoryOf("im short of breath when i climb stairs")).toBeUndefined();
      expect(categoryOf("essoufflement à l'effort")).toBeUndefined();
    });
  });

  describe("stroke signs", () => {
    it.each([
      "son visage est paralysé",
      "il a la bouche de travers",
      "mon bras est engourdi d'un côté",
      "bras faible d'un coup",
      "il a du mal à parler, trouble de la parole",
      "her face is drooping",
      "slurred speech",
      "my arm is numb and weak",
      "numb on one side",
    ])("%j is a stroke sign", (text) => {
      expect(categoryOf(text)).toBe("stroke");
    });

    it("not speaking a language is not a stroke sign", () => {
      expect(categoryOf("I can't speak french")).toBeUndefined();
      expect(categoryOf("je n'arrive pas à parler anglais")).toBeUndefined();
    });
  });

  describe("other emergencies", () => {
    it.each([
      ["je saigne beaucoup", "bleeding"],
      ["ça saigne sans arrêt", "bleeding"],
      ["hémorragie", "bleeding"],
      ["it won't stop bleeding", "bleeding"],
      ["bleeding heavily", "bleeding"],
      ["il s'est évanoui", "unconscious"],
      ["elle a perdu connaissance", "unconscious"],
      ["mon père ne réagit plus", "unconscious"],
      ["he passed out", "unconscious"],
      ["she is unresponsive", "unconscious"],
      ["j'ai envie de mourir", "suicidal"],
      ["je veux me suicider", "suicidal"],
      ["je veux en finir", "suicidal"],
      ["mettre fin à mes jours", "suicidal"],
      ["I want to kill myself", "suicidal"],
      ["I want to end my life", "suicidal"],
      ["ma gorge gonfle", "anaphylaxis"],
      ["my throat is swelling", "anaphylaxis"],
      ["mon fils fait des convulsions", "seizure"],
      ["my son is having a seizure", "seizure"],
    ] as const)("%j is %s", (text, category) => {
      expect(categoryOf(text)).toBe(category);
    });
  });

  describe("negation", () => {
    it.each([
      "pas de douleur thoracique",
      "no chest pain",
      "je n'ai plus mal à la poitrine",
      "I don't really have any chest pain",
      "sans douleur thoracique",
      "je ne saigne pas beaucoup",
      "jamais eu de convulsions",
      "not suicidal",
    ])("%j is not an emergency", (text) => {
      expect(detectRedFlag(text)).toBeUndefined();
    });

    it("a negation does not reach past 'mais' or a comma", () => {
      expect(categoryOf("pas de fièvre mais une douleur thoracique")).toBe("chest_pain");
      expect(categoryOf("no fever, chest pain since this morning")).toBe("chest_pain");
    });

    it("'pas mal de' means 'quite a lot of', not a negation", () => {
      expect(categoryOf("j'ai pas mal de douleurs dans la poitrine")).toBe("chest_pain");
    });

    it("a negation inside the sign itself ('je n'arrive pas à respirer') still counts as the sign", () => {
      expect(categoryOf("je n'arrive pas à respirer")).toBe("breathing");
      expect(categoryOf("it won't stop bleeding")).toBe("bleeding");
    });
  });

  describe("false alarms", () => {
    it.each([
      "rdv cardio pour un bilan",
      "je voudrais un rdv chez le cardiologue pour ma tension",
      "jai mal au coeur depuis ce matin",
      "j'ai mal à la gorge",
      "je respire mal par le nez",
      "I need a checkup for my heart",
      "my son has a rash",
      "bonjour",
    ])("%j is not an emergency", (text) => {
      expect(detectRedFlag(text)).toBeUndefined();
    });
  });

  it("reports the lexicon entry that matched, never the patient's words", () => {
    const flag = detectRedFlag("J'ai très mal à la poitrine, Marie Curie, 06 12 34 56 78");
    expect(flag).toEqual({ category: "chest_pain", matched: "chest_pain.fr" });
    expect(RED_FLAGS.map((e) => e.id)).toContain(flag!.matched);
  });

  it("has a unique id for every lexicon entry", () => {
    const ids = RED_FLAGS.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
