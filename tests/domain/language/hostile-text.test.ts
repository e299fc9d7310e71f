import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEMO_SPECIALTIES } from "../../../src/data/demo-clinic.js";
import { readConsultationMode } from "../../../src/domain/language/consultation-mode.js";
import { detectLanguage } from "../../../src/domain/language/detect-language.js";
import { readDoctor } from "../../../src/domain/language/doctors.js";
import { readIntent } from "../../../src/domain/language/intent.js";
import { readBirthDate, readPersonName } from "../../../src/domain/language/names.js";
import { MAX_ANALYSED_CHARS, foldText, normalize } from "../../../src/domain/language/normalize.js";
import { compilePhrase, findPhrase, lightStem, wordMatches } from "../../../src/domain/language/phrase.js";
import { detectRedFlag } from "../../../src/domain/language/red-flags.js";
import { suggestSpecialties } from "../../../src/domain/language/specialty.js";
import { readWhenFacts } from "../../../src/domain/language/when-facts.js";
import { readWhen } from "../../../src/domain/language/when.js";

/*
 * Anyone can write anything to the clinic's chat. Whatever arrives, every reader of the
 * language layer answers (it never throws: a throw is a 500 on every channel) and reads at
 * most a bounded prefix of the message, so its work does not grow with the message.
 */

const specialties = DEMO_SPECIALTIES.map((s) => ({ ...s, id: s.code }));
const doctors = [
  { id: "d1", firstName: "Hélène", lastName: "Dubois" },
  { id: "d2", firstName: "Claire", lastName: "Martin" },
  { id: "d3", firstName: "Paul", lastName: "Martin" },
];
const now = new Date("2026-11-10T09:00:00Z");
const PHRASE = compilePhrase("mal poitrine");

// Names of Object.prototype and of what a plain object inherits: looked up in a plain object, they are found.
const PROTOTYPE_KEYS = [
  ...Object.getOwnPropertyNames(Object.prototype),
  "__proto__",
  "prototype",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__lookupGetter__",
  "then",
  "length",
  "name",
];

/** Every public reader, run on one text; each result is returned so the prefix property can compare them. */
function readAll(text: string): Record<string, unknown> {
  const normalized = normalize(text);
  return {
    folded: foldText(text),
    words: normalized.words,
    language: detectLanguage(text),
    languageWithHint: detectLanguage(normalized, "en"),
    intent: readIntent(text),
    intentFr: readIntent(normalized, { locale: "fr" }),
    intentEn: readIntent(normalized, { locale: "en" }),
    redFlag: detectRedFlag(text),
    specialties: suggestSpecialties(text, specialties),
    whenFr: readWhen(text, { locale: "fr", timeZone: "Europe/Paris", now }),
    whenEn: readWhen(text, { locale: "en", timeZone: "Africa/Algiers", now }),
    whenFacts: readWhenFacts(foldText(text), "fr"),
    doctor: readDoctor(normalized, doctors),
    doctorBare: readDoctor(normalized, doctors, { bare: true }),
    mode: readConsultationMode(normalized),
    phrase: findPhrase(normalized.tokens, PHRASE),
    stems: normalized.words.slice(0, 50).map(lightStem),
    wordMatches: normalized.words.slice(0, 50).map((w) => wordMatches(w, { word: "constructor", prefix: false })),
  };
}

/** Readers of short replies, which refuse long input outright rather than reading a prefix of it. */
function readShortReplies(text: string): void {
  readPersonName(text);
  readBirthDate(text, { now, locale: "fr", timeZone: "Europe/Paris" });
  readBirthDate(text, { now, locale: "en" });
}

const prototypeWord = fc.constantFrom(...PROTOTYPE_KEYS);
const sentenceWord = fc.oneof(
  prototypeWord,
  fc.constantFrom("demain", "10h", "lun", "rdv", "mal", "poitrine", "tomorrow", "at", "le", "mon", "Dr", "Martin"),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("\u200f", "\u202e", "\u0000", "\u001b[31m", "\ufeff", "\ud800", "👨‍👩‍👧", "مرحبا", "غدا", "שלום", "ـ"),
);
/** Sentences made of prototype names, everyday words, any Unicode, control characters and mixed scripts. */
const hostileText = fc.oneof(
  fc.array(sentenceWord, { maxLength: 30 }).map((ws) => ws.join(" ")),
  fc.array(sentenceWord, { maxLength: 30 }).map((ws) => ws.join("")),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 300 }),
);

describe("hostile text reaching the language layer", () => {
  it.each(PROTOTYPE_KEYS)("a message containing %j is read without throwing", (key) => {
    for (const text of [key, `je voudrais un rdv ${key} demain`, `${key} 10h`, `le ${key}`, `${key}'s appointment`]) {
      expect(() => readAll(text)).not.toThrow();
      expect(() => readShortReplies(text)).not.toThrow();
    }
  });

  it("no reader throws on random Unicode, prototype names, control characters or mixed scripts", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        readAll(text);
        readShortReplies(text);
      }),
      { numRuns: 400, seed: 20261205 },
    );
  });

  it("a 10,000-character word, alone or among words, is read without throwing", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("a", "é", "ا", "😀", "1", "constructor", "\u200f", "h"),
        fc.array(sentenceWord, { maxLength: 5 }),
        (unit, around) => {
          const long = unit.repeat(Math.ceil(10_000 / unit.length));
          readAll([...around, long, ...around].join(" "));
          readShortReplies(long);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it("what a reader makes of a long message depends only on its first characters, so its work is bounded", () => {
    fc.assert(
      fc.property(hostileText, fc.string({ unit: "binary", minLength: 1, maxLength: 2000 }), (start, tail) => {
        const head = (start + " " + "x".repeat(MAX_ANALYSED_CHARS)).slice(0, MAX_ANALYSED_CHARS);
        expect(readAll(head + tail)).toEqual(readAll(head));
      }),
      { numRuns: 60, seed: 11 },
    );
  });
});
