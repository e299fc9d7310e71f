import { describe, expect, it } from "vitest";
import { readWhen, type ReadWhenOptions } from "../../../src/domain/language/when.js";

// Tuesday 10 November 2026, 10:00 in Paris (winter time, UTC+1).
const NOW = new Date("2026-11-10T09:00:00Z");
const fr: ReadWhenOptions = { locale: "fr", timeZone: "Europe/Paris", now: NOW };
const en: ReadWhenOptions = { ...fr, locale: "en" };
/** A Paris wall-clock time in November (UTC+1). */
const paris = (local: string) => new Date(`${local}:00+01:00`);
const day = (date: string) => ({ kind: "range", from: paris(`${date}T00:00`), to: paris(`${nextDay(date)}T00:00`) });
const nextDay = (date: string) => new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

describe("reading when a patient would like to come", () => {
  describe("a day and a time", () => {
    it.each([
      ["demain 10h", fr, "2026-11-11T10:00"],
      ["demain à 10h30", fr, "2026-11-11T10:30"],
      ["le 5/12 à 9h", fr, "2026-12-05T09:00"],
      ["le 5 décembre à 9 heures", fr, "2026-12-05T09:00"],
      ["jeudi 14h", fr, "2026-11-12T14:00"],
      ["lundi prochain 8h30", fr, "2026-11-16T08:30"],
      ["tomorrow at 10am", en, "2026-11-11T10:00"],
      ["friday at 2pm", en, "2026-11-13T14:00"],
      ["next tuesday at 9:30", en, "2026-11-17T09:30"],
      ["December 5th at 3pm", en, "2026-12-05T15:00"],
    ] as const)("%j is exactly %s", (text, options, local) => {
      expect(readWhen(text, options)).toEqual({ kind: "exact", at: paris(local) });
    });

    it.each([
      ["10h", "2026-11-10T10:00"],
      ["10h30", "2026-11-10T10:30"],
      ["14h", "2026-11-10T14:00"],
      ["14:30", "2026-11-10T14:30"],
      ["à 16 heures", "2026-11-10T16:00"],
      ["10h et demie", "2026-11-10T10:30"],
      ["3h de l'après-midi", "2026-11-10T15:00"],
    ])("a time alone (%j) is today", (text, local) => {
      expect(readWhen(text, fr)).toEqual({ kind: "exact", at: paris(local) });
    });

    it.each([
      ["9am", en],
      ["2pm", en],
      ["at 11", en],
    ] as const)("English times: %j", (text, options) => {
      expect(readWhen(text, options)).toMatchObject({ kind: "exact" });
    });

    it("a time already gone today is flagged as past, for the flow to offer the nearest", () => {
      expect(readWhen("9h", fr)).toEqual({ kind: "exact", at: paris("2026-11-10T09:00"), past: true });
      expect(readWhen("aujourd'hui à 8h", fr)).toMatchObject({ past: true });
    });

    it("small hours without am/pm are afternoon hours at a clinic: 'à 3h' is 15:00", () => {
      expect(readWhen("à 3h", fr)).toEqual({ kind: "exact", at: paris("2026-11-10T15:00") });
      expect(readWhen("at 3", en)).toEqual({ kind: "exact", at: paris("2026-11-10T15:00") });
      expect(readWhen("3am", en)).toMatchObject({ at: paris("2026-11-10T03:00") });
    });
  });

  describe("a loose time", () => {
    it.each([
      ["vers 10h", fr, "2026-11-10T10:00"],
      ["10h environ", fr, "2026-11-10T10:00"],
      ["around 10", en, "2026-11-10T10:00"],
      ["about 11am", en, "2026-11-10T11:00"],
      ["demain vers 15h", fr, "2026-11-11T15:00"],
      ["tmrw around 2", en, "2026-11-11T14:00"],
    ] as const)("%j is near %s", (text, options, local) => {
      expect(readWhen(text, options)).toEqual({ kind: "near", at: paris(local) });
    });

    it("'dans 2h' and 'dans 2h30' are near that long from now", () => {
      expect(readWhen("dans 2h", fr)).toEqual({ kind: "near", at: paris("2026-11-10T12:00") });
      expect(readWhen("dans 2h30", fr)).toEqual({ kind: "near", at: paris("2026-11-10T12:30") });
    });
  });

  describe("a span of time", () => {
    it("'mardi prochain après-midi' is next Tuesday 13:00–18:00", () => {
      expect(readWhen("mardi prochain après-midi", fr)).toEqual({
        kind: "range",
        from: paris("2026-11-17T13:00"),
        to: paris("2026-11-17T18:00"),
        partOfDay: "afternoon",
      });
    });

    it("'next Friday morning' is 08:00–12:00 on Friday of next week", () => {
      expect(readWhen("can I see a doctor next Friday morning", en)).toEqual({
        kind: "range",
        from: paris("2026-11-20T08:00"),
        to: paris("2026-11-20T12:00"),
        partOfDay: "morning",
      });
    });

    it("a day without a time is the whole day", () => {
      expect(readWhen("demain", fr)).toEqual(day("2026-11-11"));
      expect(readWhen("jeudi", fr)).toEqual(day("2026-11-12"));
      expect(readWhen("le 5 décembre", fr)).toEqual(day("2026-12-05"));
      expect(readWhen("05/12/2026", fr)).toEqual(day("2026-12-05"));
      expect(readWhen("December 5th", en)).toEqual(day("2026-12-05"));
      expect(readWhen("le 12", fr)).toEqual(day("2026-11-12"));
      expect(readWhen("jeudi 12", fr)).toEqual(day("2026-11-12"));
    });

    it.each(["après-demain", "apres demain", "aprés-demain", "apres-demain matin"])(
      "%j (which chrono does not know) is Thursday",
      (text) => {
        expect(readWhen(text, fr)).toMatchObject({
          kind: "range",
          from: paris(text.includes("matin") ? "2026-11-12T08:00" : "2026-11-12T00:00"),
        });
      },
    );

    it("'the day after tomorrow' is Thursday", () => {
      expect(readWhen("the day after tomorrow", en)).toEqual(day("2026-11-12"));
    });

    it("'dans 3 jours' and 'in 3 days' are that day", () => {
      expect(readWhen("dans 3 jours", fr)).toEqual(day("2026-11-13"));
      expect(readWhen("in 3 days", en)).toEqual(day("2026-11-13"));
      expect(readWhen("3 days from now", en)).toEqual(day("2026-11-13"));
    });

    it("'this week' runs from now to Sunday night; 'la semaine prochaine' is Monday to Sunday", () => {
      expect(readWhen("this week", en)).toEqual({ kind: "range", from: NOW, to: paris("2026-11-16T00:00") });
      expect(readWhen("la semaine prochaine", fr)).toEqual({
        kind: "range",
        from: paris("2026-11-16T00:00"),
        to: paris("2026-11-23T00:00"),
      });
    });

    it("'in two weeks' is the week two weeks from now", () => {
      expect(readWhen("in two weeks", en)).toEqual({
        kind: "range",
        from: paris("2026-11-23T00:00"),
        to: paris("2026-11-30T00:00"),
      });
    });

    it("'ce soir' and 'cet aprem' are today's evening and afternoon", () => {
      expect(readWhen("ce soir", fr)).toEqual({
        kind: "range",
        from: paris("2026-11-10T18:00"),
        to: paris("2026-11-10T21:00"),
        partOfDay: "evening",
      });
      expect(readWhen("cet aprem", fr)).toEqual({
        kind: "range",
        from: paris("2026-11-10T13:00"),
        to: paris("2026-11-10T18:00"),
        partOfDay: "afternoon",
      });
    });

    it("a range that has begun starts now; one that is over is flagged as past", () => {
      expect(readWhen("ce matin", fr)).toEqual({
        kind: "range",
        from: NOW,
        to: paris("2026-11-10T12:00"),
        partOfDay: "morning",
      });
      expect(readWhen("avant 10h", fr)).toMatchObject({ kind: "range", past: true });
    });

    it.each([
      ["entre 10h et 12h", fr, "2026-11-11T10:00", "2026-11-11T12:00", "demain "],
      ["de 14h à 16h", fr, "2026-11-11T14:00", "2026-11-11T16:00", "demain "],
      ["9h-11h", fr, "2026-11-11T09:00", "2026-11-11T11:00", "demain "],
      ["between 2 and 4pm", en, "2026-11-11T14:00", "2026-11-11T16:00", "tomorrow "],
      ["entre midi et deux", fr, "2026-11-11T12:00", "2026-11-11T14:00", "demain "],
      ["après 17h", fr, "2026-11-11T17:00", "2026-11-12T00:00", "demain "],
      ["before noon", en, "2026-11-11T00:00", "2026-11-11T12:00", "tomorrow "],
      ["between 10 and 2pm", en, "2026-11-11T10:00", "2026-11-11T14:00", "tomorrow "],
      ["de 10h à 2h", fr, "2026-11-11T10:00", "2026-11-11T14:00", "demain "],
    ] as const)("time spans: %j", (text, options, from, to, prefix) => {
      expect(readWhen(prefix + text, options)).toEqual({ kind: "range", from: paris(from), to: paris(to) });
    });

    it("months and weekends", () => {
      expect(readWhen("le mois prochain", fr)).toEqual({
        kind: "range",
        from: paris("2026-12-01T00:00"),
        to: paris("2027-01-01T00:00"),
      });
      expect(readWhen("ce week-end", fr)).toEqual({
        kind: "range",
        from: paris("2026-11-14T00:00"),
        to: paris("2026-11-16T00:00"),
      });
      expect(readWhen("fin novembre", fr)).toMatchObject({
        from: paris("2026-11-21T00:00"),
        to: paris("2026-12-01T00:00"),
      });
    });
  });

  describe("as soon as possible", () => {
    it.each([
      "au plus vite",
      "dès que possible",
      "des que possible",
      "asap",
      "ASAP please",
      "as soon as possible",
      "earliest",
      "le plus tôt",
      "le plus rapidement possible",
    ])("%j is asap", (text) => {
      expect(readWhen(text, text.match(/[a-z]+ (soon|please)|earliest|asap/i) ? en : fr)).toEqual({ kind: "asap" });
    });

    it("'au plus tôt demain' is tomorrow, not asap", () => {
      expect(readWhen("au plus tôt demain", fr)).toEqual(day("2026-11-11"));
    });
  });

  describe("ambiguity", () => {
    it("'mardi' written on a Tuesday is asked about: today or next week", () => {
      expect(readWhen("mardi", fr)).toEqual({
        kind: "ambiguous",
        options: [
          { label: "today", preference: { kind: "range", from: NOW, to: paris("2026-11-11T00:00") } },
          { label: "next_week", preference: day("2026-11-17") },
        ],
      });
    });

    it("'rdv cardiologue mardi 10h' on a Tuesday morning offers today 10:00 or next Tuesday 10:00", () => {
      expect(readWhen("rdv cardiologue mardi 10h", fr)).toEqual({
        kind: "ambiguous",
        options: [
          { label: "today", preference: { kind: "exact", at: paris("2026-11-10T10:00") } },
          { label: "next_week", preference: { kind: "exact", at: paris("2026-11-17T10:00") } },
        ],
      });
    });

    it("'mardi 9h' on a Tuesday at 10:00 can only mean next week", () => {
      expect(readWhen("mardi 9h", fr)).toEqual({ kind: "exact", at: paris("2026-11-17T09:00") });
    });

    it("'ce mardi' is today, 'mardi prochain' and 'mardi en huit' are later", () => {
      expect(readWhen("ce mardi", fr)).toMatchObject({ from: NOW });
      expect(readWhen("mardi prochain", fr)).toEqual(day("2026-11-17"));
      expect(readWhen("mardi en huit", fr)).toEqual(day("2026-11-24"));
    });
  });

  describe("dates in each language's order", () => {
    it("'5/12' is 5 December in French and May 12 in English", () => {
      expect(readWhen("5/12", fr)).toEqual(day("2026-12-05"));
      expect(readWhen("5/12", en)).toMatchObject({ from: new Date("2027-05-11T22:00:00Z") });
    });

    it("a day-only date already gone this year is next year", () => {
      expect(readWhen("le 3 mars", fr)).toMatchObject({ from: new Date("2027-03-02T23:00:00Z") });
      expect(readWhen("12 août", fr)).toMatchObject({ from: new Date("2027-08-11T22:00:00Z") });
    });

    it("a date with a year in the past is flagged as past", () => {
      expect(readWhen("le 05/12/2025", fr)).toMatchObject({ kind: "range", past: true });
    });

    it("typos in day words are forgiven: 'demin 10h', 'mecredi aprem'", () => {
      expect(readWhen("demin 10h", fr)).toEqual({ kind: "exact", at: paris("2026-11-11T10:00") });
      expect(readWhen("mecredi aprem", fr)).toMatchObject({ from: paris("2026-11-11T13:00") });
    });
  });

  describe("daylight saving time in Paris", () => {
    it("'demain 10h' written on 2026-03-28 (clocks go forward that night) is 08:00Z", () => {
      expect(readWhen("demain 10h", { ...fr, now: new Date("2026-03-28T10:00:00Z") })).toEqual({
        kind: "exact",
        at: new Date("2026-03-29T08:00:00Z"),
      });
    });

    it("'demain 10h' written on 2026-10-24 (clocks go back that night) is 09:00Z", () => {
      expect(readWhen("demain 10h", { ...fr, now: new Date("2026-10-24T10:00:00Z") })).toEqual({
        kind: "exact",
        at: new Date("2026-10-25T09:00:00Z"),
      });
    });

    it("the whole day of the spring change lasts 23 hours", () => {
      expect(readWhen("demain", { ...fr, now: new Date("2026-03-28T10:00:00Z") })).toEqual({
        kind: "range",
        from: new Date("2026-03-28T23:00:00Z"),
        to: new Date("2026-03-29T22:00:00Z"),
      });
    });

    it("works in other clinics' zones too", () => {
      const ny = { locale: "en" as const, timeZone: "America/New_York", now: new Date("2026-03-07T15:00:00Z") };
      expect(readWhen("tomorrow at 10am", ny)).toEqual({ kind: "exact", at: new Date("2026-03-08T14:00:00Z") });
    });
  });

  describe("messages that say nothing about time", () => {
    it.each([
      "mon fils a 5 ans",
      "j'ai 2 enfants et 3 chats",
      "rdv cardio pour un bilan",
      "je voudrais voir la mer",
      "I have a sore throat since sun",
      "may I come",
      "06 12 34 56 78",
      "06.12.34.56.78",
      "1",
      "bonjour",
    ])("%j has no time in it", (text) => {
      expect(readWhen(text, text.match(/^(I|may)/) ? en : fr)).toBeUndefined();
    });

    it("an unknown time zone gives no answer rather than a wrong one", () => {
      expect(readWhen("demain", { ...fr, timeZone: "Mars/Olympus_Mons" })).toBeUndefined();
    });
  });
});
