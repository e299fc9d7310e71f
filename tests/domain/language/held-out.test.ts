import { describe, expect, it } from "vitest";
import { DEMO_SPECIALTIES } from "../../../src/data/demo-clinic.js";
import { readIntent } from "../../../src/domain/language/intent.js";
import { readBirthDate, readPersonName } from "../../../src/domain/language/names.js";
import { detectRedFlag } from "../../../src/domain/language/red-flags.js";
import { suggestSpecialties } from "../../../src/domain/language/specialty.js";
import { readWhen } from "../../../src/domain/language/when.js";

/*
 * Held-out phrasings, written after the lexicons were finished and never added to them as
 * such: they measure how well the general mechanisms (folding, stems, synonyms, typo distance,
 * gaps, negation) carry over to wordings nobody designed for. Each round was scored on its
 * first run before anything was changed:
 *   round 1: 58/67 (87%) at first run; 63/67 after generic changes it prompted (verb-ending
 *            stems, synonym-aware word joins, weekday abbreviations before a part of the day,
 *            typo-tolerant name introductions);
 *   round 2: 29/32 (91%) at first run; 32/32 after chat elongations ("merciii"), "-ing" stems
 *            of three letters ("ending") and a gap of two words in intent cues;
 *   round 3: 27/31 (87%) at first run; 28/31 after one fix (a negation in a pattern may not be
 *            followed by a gap: "not breathing" matched "not short of breath").
 * Remaining misses are in `knownMisses`, with why.
 */

const NOW = new Date("2026-11-10T09:00:00Z"); // Tuesday 10 November 2026, 10:00 in Paris
const PARIS = "Europe/Paris";
const specialties = DEMO_SPECIALTIES.map((s) => ({ ...s, id: s.code }));
const paris = (iso: string) => new Date(new Date(`${iso}+01:00`).toISOString());

type Case = { text: string; check: () => unknown; expected: unknown };

const intent = (text: string, expected: Record<string, unknown>): Case => ({
  text,
  expected,
  check: () => {
    const { confidence: _, ...rest } = readIntent(text) as Record<string, unknown>;
    return rest;
  },
});
const redFlag = (text: string, category: string | undefined): Case => ({
  text,
  expected: category,
  check: () => detectRedFlag(text)?.category,
});
const specialty = (text: string, code: string): Case => ({
  text,
  expected: code,
  check: () => suggestSpecialties(text, specialties)[0]?.specialtyId,
});
const when = (text: string, locale: "fr" | "en", expected: unknown): Case => ({
  text,
  expected,
  check: () => readWhen(text, { locale, timeZone: PARIS, now: NOW }),
});

const cases: Case[] = [
  // intents
  intent("slt jvoudrais prendre un rdv stp", { intent: "book" }),
  intent("Bonsoir, est-il possible d'avoir une consultation jeudi ?", { intent: "book" }),
  intent("hello, i'd like to book an apointment with a dermatologist", { intent: "book" }),
  intent("Je peux plus venir demain, faut annuler", { intent: "cancel" }),
  intent("pls cancel my appt", { intent: "cancel" }),
  intent("est ce quon peut décaler mon rendez vous a vendredi", { intent: "reschedule" }),
  intent("Could we push my appointment to next week?", { intent: "reschedule" }),
  intent("c'est quand déjà mon prochain rendez-vous ?", { intent: "list_appointments" }),
  intent("do I have anything booked?", { intent: "list_appointments" }),
  intent("je veux parler a une vraie personne svp", { intent: "human" }),
  intent("can I speak to the receptionist", { intent: "human" }),
  intent("Ouii", { intent: "affirm" }),
  intent("yess 👍", { intent: "affirm" }),
  intent("nn", { intent: "deny" }),
  intent("no thx", { intent: "deny" }),
  intent("Merci bcp !", { intent: "thanks" }),
  intent("Salam", { intent: "greeting" }),
  intent("Do you speak English?", { intent: "change_language", language: "en" }),
  intent("vous parlez francais?", { intent: "change_language", language: "fr" }),
  intent("2️⃣", { intent: "choice", index: 1 }),
  intent("la 3", { intent: "choice", index: 2 }),
  intent("je prends le premier", { intent: "choice", index: 0 }),
  intent("j'ai besoin de voir un docteur rapidement", { intent: "book" }),
  intent("je confirme ma présence", { intent: "affirm" }),
  intent("ok c bon", { intent: "affirm" }),
  intent("comment ça marche ici ?", { intent: "help" }),
  // red flags
  redFlag("mon mari a perdu connaissance", "unconscious"),
  redFlag("ma fille fait des convulsions", "seizure"),
  redFlag("I feel like my chest is being crushed", "chest_pain"),
  redFlag("jai une forte douleur a la poitrine qui va dans le bras", "chest_pain"),
  redFlag("j'arrive plus a respiré", "breathing"),
  redFlag("my dad's face is drooping on one side and he can't talk properly", "stroke"),
  redFlag("je pense au suicide", "suicidal"),
  redFlag("i don't want to live anymore", "suicidal"),
  redFlag("il saigne enormement de la tete", "bleeding"),
  redFlag("My lips and tongue are swelling after eating peanuts", "anaphylaxis"),
  redFlag("pas de douleur à la poitrine, juste un rhume", undefined),
  redFlag("je voudrais un rdv chez le cardiologue pour un controle de tension", undefined),
  redFlag("no trouble breathing, just a cough", undefined),
  // specialties
  specialty("mon bb a de la fievre depuis hier", "pediatrics"),
  specialty("j'ai des plaques rouges qui grattent sur les bras", "dermatology"),
  specialty("I think I might be pregnant", "gynecology"),
  specialty("mon coeur bat trop vite", "cardiology"),
  specialty("I have a terrible migraine", "general"),
  specialty("besoin d'un certificat medical pour le sport", "general"),
  specialty("rdv avec un dermatologe", "dermatology"),
  specialty("acne problem on my face", "dermatology"),
  specialty("ma tension est trop haute", "cardiology"),
  // when
  when("jeudi vers 15h", "fr", { kind: "near", at: paris("2026-11-12T15:00") }),
  when("demain aprem", "fr", {
    kind: "range",
    from: paris("2026-11-11T13:00"),
    to: paris("2026-11-11T18:00"),
    partOfDay: "afternoon",
  }),
  when("next tuesday at 9:30", "en", { kind: "exact", at: paris("2026-11-17T09:30") }),
  when("sometime next week", "en", { kind: "range", from: paris("2026-11-16T00:00"), to: paris("2026-11-23T00:00") }),
  when("le 20 novembre a 11h", "fr", { kind: "exact", at: paris("2026-11-20T11:00") }),
  when("in the morning if possible", "en", {
    kind: "range",
    from: paris("2026-11-10T10:00"),
    to: paris("2026-11-10T12:00"),
    partOfDay: "morning",
  }),
  when("vendredi matin de préférence", "fr", {
    kind: "range",
    from: paris("2026-11-13T08:00"),
    to: paris("2026-11-13T12:00"),
    partOfDay: "morning",
  }),
  when("lundi prochain 8h30", "fr", { kind: "exact", at: paris("2026-11-16T08:30") }),
  when("tmrw around 2", "en", { kind: "near", at: paris("2026-11-11T14:00") }),
  when("demain en fin de matinée", "fr", {
    kind: "range",
    from: paris("2026-11-11T08:00"),
    to: paris("2026-11-11T12:00"),
    partOfDay: "morning",
  }),
  when("le plus rapidement possible", "fr", { kind: "asap" }),
  when("sat morning", "en", {
    kind: "range",
    from: paris("2026-11-14T08:00"),
    to: paris("2026-11-14T12:00"),
    partOfDay: "morning",
  }),
  when("après 17h", "fr", { kind: "range", from: paris("2026-11-10T17:00"), to: paris("2026-11-11T00:00") }),
  when("Dec 1st", "en", { kind: "range", from: paris("2026-12-01T00:00"), to: paris("2026-12-02T00:00") }),
  // names and birth dates
  {
    text: "Je m'apelle Sophie Martin",
    expected: { firstName: "Sophie", lastName: "Martin" },
    check: () => readPersonName("Je m'apelle Sophie Martin"),
  },
  {
    text: "name's Ahmed Benali",
    expected: { firstName: "Ahmed", lastName: "Benali" },
    check: () => readPersonName("name's Ahmed Benali"),
  },
  {
    text: "né le 3 fevrier 1978",
    expected: { ok: true, date: "1978-02-03" },
    check: () => readBirthDate("né le 3 fevrier 1978", { now: NOW }),
  },
  {
    text: "15 01 1990",
    expected: { ok: true, date: "1990-01-15" },
    check: () => readBirthDate("15 01 1990", { now: NOW }),
  },
  {
    text: "5th of june 1992",
    expected: { ok: true, date: "1992-06-05" },
    check: () => readBirthDate("5th of june 1992", { now: NOW, locale: "en" }),
  },
];

/*
 * Round 2: written after round 1 had been used to improve the mechanisms, then run once and
 * left untouched, so it measures the code as shipped.
 */
const roundTwo: Case[] = [
  intent("bjr, serait il possible de reserver pour la semaine pro", { intent: "book" }),
  intent("Hey can u book me in with dr martin", { intent: "book" }),
  intent("je souhaite annulé mon rendez vous de jeudi", { intent: "cancel" }),
  intent("I won't be able to make it on friday, sorry", { intent: "cancel" }),
  intent("jpeux changer l'heure de mon rdv ?", { intent: "reschedule" }),
  intent("is it possible to change the date of my appointment", { intent: "reschedule" }),
  intent("je voudrais savoir a quelle heure est mon rdv", { intent: "list_appointments" }),
  intent("pouvez vous me rappeler svp", { intent: "human" }),
  intent("ouai ok", { intent: "affirm" }),
  intent("Nope, not that one", { intent: "deny" }),
  intent("Merciii", { intent: "thanks" }),
  intent("English?", { intent: "change_language", language: "en" }),
  redFlag("j'ai une grosse douleur dans la poitrine et je transpire", "chest_pain"),
  redFlag("my wife collapsed and isn't responding", "unconscious"),
  redFlag("il respire tres mal et ses levres sont bleues", "breathing"),
  redFlag("I'm thinking about ending my life", "suicidal"),
  redFlag("je n'ai aucune douleur thoracique, c'est pour un vaccin", undefined),
  redFlag("ma mere parle bizarrement depuis 1h et sa bouche est tordue", "stroke"),
  specialty("j'ai un grain de beauté qui a changé", "dermatology"),
  specialty("my daughter has an ear infection", "pediatrics"),
  specialty("renouvellement d'ordonnance", "general"),
  specialty("douleurs aux seins", "gynecology"),
  specialty("hypertention", "cardiology"),
  when("jeudi en fin d'aprem", "fr", {
    kind: "range",
    from: paris("2026-11-12T13:00"),
    to: paris("2026-11-12T18:00"),
    partOfDay: "afternoon",
  }),
  when("mercredi 11 à 16h30", "fr", { kind: "exact", at: paris("2026-11-11T16:30") }),
  when("next mon at 10", "en", { kind: "exact", at: paris("2026-11-16T10:00") }),
  when("samedi matin si possible", "fr", {
    kind: "range",
    from: paris("2026-11-14T08:00"),
    to: paris("2026-11-14T12:00"),
    partOfDay: "morning",
  }),
  when("the 3rd of december in the afternoon", "en", {
    kind: "range",
    from: paris("2026-12-03T13:00"),
    to: paris("2026-12-03T18:00"),
    partOfDay: "afternoon",
  }),
  when("vers midi demain", "fr", { kind: "near", at: paris("2026-11-11T12:00") }),
  when("n'importe quel jour la semaine prochaine", "fr", {
    kind: "range",
    from: paris("2026-11-16T00:00"),
    to: paris("2026-11-23T00:00"),
  }),
  {
    text: "c'est Paul DURAND",
    expected: { firstName: "Paul", lastName: "Durand" },
    check: () => readPersonName("c'est Paul DURAND"),
  },
  {
    text: "07/08/1964",
    expected: { ok: true, date: "1964-08-07" },
    check: () => readBirthDate("07/08/1964", { now: NOW }),
  },
];

/*
 * Round 3: written once rounds 1 and 2 had been used for improvements, run once on the code
 * as shipped, and not used for any change since: the fairest estimate of the three.
 */
const roundThree: Case[] = [
  intent("Bonjour docteur, j'aimerais consulter pour mon dos", { intent: "book" }),
  intent("can i get an appt for thursday afternoon", { intent: "book" }),
  intent("veuillez annuler ma consultation svp", { intent: "cancel" }),
  intent("I'd like to rearrange my appointment", { intent: "reschedule" }),
  intent("peut on reporter a la semaine prochaine", { intent: "reschedule" }),
  intent("what appointments do I have", { intent: "list_appointments" }),
  intent("je préfère parler à quelqu'un du cabinet", { intent: "human" }),
  intent("yep thats fine", { intent: "affirm" }),
  intent("non ça ne m'arrange pas", { intent: "deny" }),
  intent("thank you so much!!", { intent: "thanks" }),
  intent("Bonjour à vous", { intent: "greeting" }),
  intent("je parle pas bien francais, english?", { intent: "change_language", language: "en" }),
  intent("3.", { intent: "choice", index: 2 }),
  redFlag("mon fils s'est evanoui a l'ecole", "unconscious"),
  redFlag("je crache du sang depuis ce matin", "bleeding"),
  redFlag("I've got a crushing pain in my chest", "chest_pain"),
  redFlag("ma femme fait une crise d'épilepsie", "seizure"),
  redFlag("no chest pain, just want my blood pressure checked", undefined),
  redFlag("I'm not short of breath at all", undefined),
  specialty("ma fille de 6 ans tousse", "pediatrics"),
  specialty("I need a pap smear", "gynecology"),
  specialty("mon cholesterol est élevé", "cardiology"),
  specialty("j'ai perdu beaucoup de cheveux", "dermatology"),
  when("demain dans l'apres midi", "fr", {
    kind: "range",
    from: paris("2026-11-11T13:00"),
    to: paris("2026-11-11T18:00"),
    partOfDay: "afternoon",
  }),
  when("Friday 4:15pm", "en", { kind: "exact", at: paris("2026-11-13T16:15") }),
  when("le 2 décembre au matin", "fr", {
    kind: "range",
    from: paris("2026-12-02T08:00"),
    to: paris("2026-12-02T12:00"),
    partOfDay: "morning",
  }),
  when("tomorrow evening", "en", {
    kind: "range",
    from: paris("2026-11-11T18:00"),
    to: paris("2026-11-11T21:00"),
    partOfDay: "evening",
  }),
  when("dès 8h demain", "fr", { kind: "range", from: paris("2026-11-11T08:00"), to: paris("2026-11-12T00:00") }),
  when("la semaine pro", "fr", { kind: "range", from: paris("2026-11-16T00:00"), to: paris("2026-11-23T00:00") }),
  {
    text: "Mon nom est Karim Haddad",
    expected: { firstName: "Karim", lastName: "Haddad" },
    check: () => readPersonName("Mon nom est Karim Haddad"),
  },
  {
    text: "1er janvier 2000",
    expected: { ok: true, date: "2000-01-01" },
    check: () => readBirthDate("1er janvier 2000", { now: NOW }),
  },
];

/** Phrasings the mechanisms still get wrong; kept visible rather than patched with their exact words. */
const knownMisses = new Set<string>([
  // "push" is no reschedule verb in the lexicon; "my appointment" wins as a booking word.
  "Could we push my appointment to next week?",
  // "booked" reads as booking; nothing ties "do I have … booked" to existing appointments.
  "do I have anything booked?",
  // Two-letter chat abbreviations ("nn" = non, "bb" = bébé) are beyond typo distance.
  "nn",
  "mon bb a de la fievre depuis hier",
  // "rearrange" is no reschedule verb in the lexicon; "my appointment" reads as listing.
  "I'd like to rearrange my appointment",
  // "appointments … do I have" is read as booking: the list cues want "my appointments".
  "what appointments do I have",
  // "pro" for "prochaine" is too short for typo tolerance.
  "la semaine pro",
]);

const rounds: [string, Case[]][] = [
  ["round 1", cases],
  ["round 2", roundTwo],
  ["round 3", roundThree],
];

const passes = (c: Case) => {
  try {
    return JSON.stringify(c.check()) === JSON.stringify(c.expected);
  } catch {
    return false;
  }
};

for (const [name, list] of rounds) {
  describe(`held-out phrasings, ${name} (not in any lexicon)`, () => {
    for (const c of list) {
      const test = knownMisses.has(c.text) ? it.fails : it;
      test(`reads "${c.text}"`, () => {
        expect(c.check()).toEqual(c.expected);
      });
    }

    it("reports its accuracy", () => {
      const right = list.filter(passes).length;
      console.log(`held-out ${name} accuracy: ${right}/${list.length} (${Math.round((100 * right) / list.length)}%)`);
      expect(right).toBe(list.filter((c) => !knownMisses.has(c.text)).length);
    });
  });
}
