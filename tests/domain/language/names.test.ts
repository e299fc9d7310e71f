import { describe, expect, it } from "vitest";
import { readBirthDate, readPersonName } from "../../../src/domain/language/names.js";

const NOW = new Date("2026-11-10T09:00:00Z");

describe("reading a patient's name", () => {
  it.each([
    ["je m'appelle Marie Curie", "Marie", "Curie"],
    ["Marie CURIE", "Marie", "Curie"],
    ["CURIE Marie", "Marie", "Curie"],
    ["marie curie", "Marie", "Curie"],
    ["my name is John Smith", "John", "Smith"],
    ["I'm Sarah McDonald, thanks", "Sarah", "McDonald"],
    ["Bonjour, je m’appelle jean-pierre DUPONT", "Jean-Pierre", "Dupont"],
    ["moi c'est Fatima EL AMRANI", "Fatima", "El Amrani"],
    ["Charles de Gaulle", "Charles", "de Gaulle"],
    ["John O'Brien", "John", "O'Brien"],
    ["Nom : Curie, Prénom : Marie", "Marie", "Curie"],
    ["first name: Ada, last name: Lovelace", "Ada", "Lovelace"],
    ["je m'apelle Sophie Martin", "Sophie", "Martin"],
  ])("%j is %s %s", (text, firstName, lastName) => {
    expect(readPersonName(text)).toEqual({ firstName, lastName });
  });

  it.each(["Marie", "je voudrais un rdv demain", "12/03/1985", "", "a".repeat(500), "Marie 2 Curie"])(
    "%j is not a full name",
    (text) => {
      expect(readPersonName(text)).toBeUndefined();
    },
  );
});

describe("reading a date of birth", () => {
  it.each([
    ["12/03/1985", "1985-03-12"],
    ["12.03.85", "1985-03-12"],
    ["12-03-1985", "1985-03-12"],
    ["12 03 1985", "1985-03-12"],
    ["12 mars 1985", "1985-03-12"],
    ["né le 1er avril 1990", "1990-04-01"],
    ["1985-03-12", "1985-03-12"],
    ["March 12, 1985", "1985-03-12"],
    ["12th of March 1985", "1985-03-12"],
    ["25/12/05", "2005-12-25"],
  ])("%j is %s", (text, date) => {
    expect(readBirthDate(text, { now: NOW })).toEqual({ ok: true, date });
  });

  it("reads month first in English when both orders are possible, day first in French", () => {
    expect(readBirthDate("03/12/1985", { now: NOW, locale: "en" })).toEqual({ ok: true, date: "1985-03-12" });
    expect(readBirthDate("03/12/1985", { now: NOW, locale: "fr" })).toEqual({ ok: true, date: "1985-12-03" });
    expect(readBirthDate("25/12/1985", { now: NOW, locale: "en" })).toEqual({ ok: true, date: "1985-12-25" });
  });

  it.each([
    ["31/02/1990", "invalid_date"],
    ["12/03/2030", "in_future"],
    ["11/11/2026", "in_future"],
    ["01/01/1890", "too_old"],
    ["hello", "not_found"],
    ["", "not_found"],
  ])("%j is refused (%s)", (text, reason) => {
    expect(readBirthDate(text, { now: NOW })).toEqual({ ok: false, reason });
  });

  it("a baby born today is accepted", () => {
    expect(readBirthDate("10/11/2026", { now: NOW, timeZone: "Europe/Paris" })).toEqual({
      ok: true,
      date: "2026-11-10",
    });
  });
});
