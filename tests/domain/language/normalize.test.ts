import { describe, expect, it } from "vitest";
import { MAX_ANALYSED_CHARS, foldText, normalize } from "../../../src/domain/language/normalize.js";

describe("normalizing a patient's message", () => {
  it("folds accents, capitals and curly apostrophes so 'J’AI très MAL à l’Estomac' reads as plain words", () => {
    expect(normalize("J’AI très MAL à l’Estomac").words).toEqual(["j", "ai", "tres", "mal", "a", "l", "estomac"]);
  });

  it("keeps the original text while dropping emoji for matching", () => {
    const n = normalize("Bonjour 👋🏽 docteur 😷");
    expect(n.original).toBe("Bonjour 👋🏽 docteur 😷");
    expect(n.folded).toBe("bonjour docteur");
    expect(n.words).toEqual(["bonjour", "docteur"]);
  });

  it("turns a keycap emoji into its digit, so '2️⃣' is a 2", () => {
    expect(normalize("2️⃣").words).toEqual(["2"]);
  });

  it("reads English contractions as two words: 'can't', 'cant' and 'I'll'", () => {
    expect(normalize("I can't breathe").words).toEqual(["i", "can", "not", "breathe"]);
    expect(normalize("i cant breathe").words).toEqual(["i", "can", "not", "breathe"]);
    expect(normalize("I'll be there").words).toEqual(["i", "will", "be", "there"]);
  });

  it("expands chat spellings such as 'jai', 'svp' and 'bjr'", () => {
    expect(normalize("bjr jai mal svp").words).toEqual(["bonjour", "j", "ai", "mal", "s", "il", "vous", "plait"]);
  });

  it("joins 'aujourd'hui' into one word and splits French elisions", () => {
    expect(normalize("aujourd'hui j'arrive").words).toEqual(["aujourdhui", "j", "arrive"]);
  });

  it("starts a new clause at punctuation and at 'mais'/'but', not inside '14:30' or '5/12'", () => {
    const n = normalize("pas de fièvre, mais une toux le 5/12 à 14:30");
    const clauseOf = (w: string) => n.tokens.find((t) => t.word === w)!.clause;
    expect(clauseOf("fievre")).toBeLessThan(clauseOf("toux"));
    expect(clauseOf("5")).toBe(clauseOf("12"));
    expect(clauseOf("14")).toBe(clauseOf("30"));
  });

  it("collapses whitespace and unifies quotes", () => {
    expect(foldText("  «Bonjour»\n\n  “docteur”  ")).toBe('"bonjour" "docteur"');
  });

  it("analyses only the first characters of a very long message", () => {
    const n = normalize("mal ".repeat(5000));
    expect(n.original.length).toBe(20000);
    expect(n.folded.length).toBeLessThanOrEqual(MAX_ANALYSED_CHARS);
  });

  it("never throws on random bytes, lone surrogates or control characters", () => {
    const junk =
      "\u0000\u0007\ud800\udfff\uffff" +
      String.fromCharCode(...Array.from({ length: 2000 }, (_, i) => (i * 7919) % 65536));
    expect(() => normalize(junk)).not.toThrow();
    expect(normalize(undefined as unknown as string).words).toEqual([]);
  });
});
