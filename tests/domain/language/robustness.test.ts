import { describe, expect, it } from "vitest";
import { DEMO_SPECIALTIES } from "../../../src/data/demo-clinic.js";
import { detectLanguage } from "../../../src/domain/language/detect-language.js";
import { readIntent } from "../../../src/domain/language/intent.js";
import { readBirthDate, readPersonName } from "../../../src/domain/language/names.js";
import { detectRedFlag } from "../../../src/domain/language/red-flags.js";
import { suggestSpecialties } from "../../../src/domain/language/specialty.js";
import { readWhen } from "../../../src/domain/language/when.js";

const specialties = DEMO_SPECIALTIES.map((s) => ({ ...s, id: s.code }));
const now = new Date("2026-11-10T09:00:00Z");

// Deterministic pseudo-random characters across the whole UTF-16 range, lone surrogates included.
function randomText(length: number, seed: number): string {
  let x = seed;
  let out = "";
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += String.fromCharCode(x % 65536);
  }
  return out;
}

const junk: [string, string][] = [
  ["random bytes", randomText(10_000, 42)],
  ["more random bytes", randomText(10_000, 7)],
  ["10,000 letters", "a".repeat(10_000)],
  ["10,000 characters of words", "je voudrais ".repeat(1000)],
  ["a flood of times", "10h ".repeat(2500)],
  ["a flood of fillers", "de la ".repeat(2000)],
  ["emoji only", "😀😃😄😁😆😅🤣😂🙂🙃😉😊😇🥰😍🤩😘"],
  ["control characters", "\u0000\u0001\u0002\u001b[31m\u007f"],
  ["whitespace", "   \n\t  "],
  ["empty", ""],
];

describe("messages that are not language", () => {
  it.each(junk)("%s never throws and reads as nothing in particular", (_, text) => {
    expect(() => readIntent(text)).not.toThrow();
    expect(() => detectRedFlag(text)).not.toThrow();
    expect(() => suggestSpecialties(text, specialties)).not.toThrow();
    expect(() => readWhen(text, { locale: "fr", timeZone: "Europe/Paris", now })).not.toThrow();
    expect(() => readWhen(text, { locale: "en", timeZone: "Europe/Paris", now })).not.toThrow();
    expect(() => detectLanguage(text)).not.toThrow();
    expect(() => readPersonName(text)).not.toThrow();
    expect(() => readBirthDate(text, { now })).not.toThrow();
  });

  it("random bytes and emoji are an unknown intent with no emergency and no specialty", () => {
    for (const text of [randomText(10_000, 42), "😀😃😄", "a".repeat(10_000)]) {
      expect(readIntent(text).intent).toBe("unknown");
      expect(detectRedFlag(text)).toBeUndefined();
      expect(suggestSpecialties(text, specialties)).toEqual([]);
      expect(readPersonName(text)).toBeUndefined();
    }
  });

  it("a genuine message buried after 500 characters of noise is not read (bounded work by design)", () => {
    expect(detectRedFlag(`${"x ".repeat(300)} douleur thoracique`)).toBeUndefined();
    expect(detectRedFlag(`douleur thoracique ${"x ".repeat(300)}`)).toEqual({
      category: "chest_pain",
      matched: "chest_pain.fr",
    });
  });
});
