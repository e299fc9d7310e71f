import { describe, expect, it } from "vitest";
import { detectLanguage } from "../../../src/domain/language/detect-language.js";

describe("detecting the language a patient writes in", () => {
  it.each([
    ["je voudrais un rendez-vous demain", "fr"],
    ["jai mal au ventre depuis hier", "fr"],
    ["bonjour", "fr"],
    ["can I see a doctor next friday morning", "en"],
    ["my son has a fever", "en"],
    ["hello", "en"],
    ["thanks", "en"],
  ] as const)("reads %j as %s", (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });

  it("falls back to the patient's known language when the message gives no sign", () => {
    expect(detectLanguage("ok", "en")).toBe("en");
    expect(detectLanguage("ok", "fr")).toBe("fr");
    expect(detectLanguage("👍")).toBeUndefined();
  });

  it("counts accents and '10h' as French, '10am' as English", () => {
    expect(detectLanguage("rdv 10h")).toBe("fr");
    expect(detectLanguage("10am")).toBe("en");
    expect(detectLanguage("Hélène")).toBe("fr");
  });
});
