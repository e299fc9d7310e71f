import { describe, expect, it } from "vitest";
import { readIntent } from "../../../src/domain/language/intent.js";

const intentOf = (text: string, locale?: "fr" | "en") => readIntent(text, { locale }).intent;

describe("reading what a patient asks for", () => {
  describe("booking", () => {
    it.each([
      "rdv cardiologue mardi 10h",
      "je voudrais voir un cardiologue demain vers 10h",
      "can I see a doctor next friday morning",
      "Je souhaiterais prendre un rendez vous",
      "jvoudrais un rendezvous svp",
      "hi I need an appointment",
      "j'ai besoin d'un généraliste",
      "un dermato svp",
      "Are there any slots available on Monday?",
    ])("a patient who writes %j wants to book", (text) => {
      expect(intentOf(text)).toBe("book");
    });

    it("a patient who describes a symptom ('jai mal au coeur depuis ce matin') is taken as wanting to be seen", () => {
      expect(intentOf("jai mal au coeur depuis ce matin")).toBe("book");
    });

    it("a greeting followed by a request reads as the request", () => {
      expect(intentOf("bonjour je voudrais un rdv")).toBe("book");
      expect(intentOf("Hello, I'd like to book an appointment")).toBe("book");
      expect(intentOf("salut, je veux annuler")).toBe("cancel");
    });
  });

  describe("managing an appointment", () => {
    it.each([
      ["annuler mon rdv", "cancel"],
      ["anuler le rdv svp", "cancel"],
      ["je ne pourrai pas venir demain", "cancel"],
      ["please cancel my appointment", "cancel"],
      ["I can't make it tomorrow", "cancel"],
      ["je voudrais déplacer mon rdv", "reschedule"],
      ["est-ce qu'on peut décaler à jeudi ?", "reschedule"],
      ["can i move my appointment to thursday", "reschedule"],
      ["I need to reschedule", "reschedule"],
      ["mes rdv", "list_appointments"],
      ["c'est quand mon rendez-vous ?", "list_appointments"],
      ["when is my appointment", "list_appointments"],
      ["show my appointments", "list_appointments"],
    ])("%j reads as %s", (text, intent) => {
      expect(intentOf(text)).toBe(intent);
    });

    it("a refused cancellation is not a cancellation", () => {
      expect(intentOf("je ne veux pas annuler")).not.toBe("cancel");
      expect(intentOf("non je veux annuler")).toBe("cancel");
    });
  });

  describe("asking for a person, help or another language", () => {
    it.each([
      ["je veux parler à la secrétaire", "human"],
      ["je voudrais parler a quelqu'un", "human"],
      ["talk to a human", "human"],
      ["can I speak to someone please", "human"],
      ["help", "help"],
      ["aide", "help"],
      ["comment ça marche ?", "help"],
      ["?", "help"],
    ])("%j reads as %s", (text, intent) => {
      expect(intentOf(text)).toBe(intent);
    });

    it.each([
      ["english please", "en"],
      ["in english", "en"],
      ["vous parlez anglais ?", "en"],
      ["en français", "fr"],
      ["francais svp", "fr"],
      ["can we speak french", "fr"],
    ] as const)("%j asks to switch to %s", (text, language) => {
      expect(readIntent(text)).toMatchObject({ intent: "change_language", language });
    });
  });

  describe("answering yes, no, thanks and hello", () => {
    it.each([
      "oui",
      "OUI",
      "ouais",
      "yes",
      "Yes please",
      "ok",
      "d'accord",
      "dacc",
      "c'est bon",
      "parfait",
      "👍",
      "✅",
      "I'll be there",
      "je confirme",
      "confirmer",
    ])("%j is a yes", (text) => {
      expect(intentOf(text)).toBe("affirm");
    });

    it.each(["non", "NON", "no", "nope", "non merci", "no thanks", "pas d'accord", "👎"])("%j is a no", (text) => {
      expect(intentOf(text)).toBe("deny");
    });

    it.each(["merci", "merci beaucoup", "thank you", "thx", "🙏"])("%j is thanks", (text) => {
      expect(intentOf(text)).toBe("thanks");
    });

    it.each(["bonjour", "salut", "hello", "hi", "good morning", "Bonsoir"])("%j is a greeting", (text) => {
      expect(intentOf(text)).toBe("greeting");
    });

    it("a one-word reply is read with high confidence, a weak hint in a long message with less", () => {
      expect(readIntent("oui").confidence).toBeGreaterThanOrEqual(0.9);
      const long = readIntent(
        "alors voila hier soir en rentrant du travail j'ai remarqué quelque chose de bizarre mal",
      );
      expect(long.confidence).toBeLessThan(0.6);
    });
  });

  describe("reminder replies", () => {
    it.each([
      ["OUI", { intent: "affirm" }],
      ["NON", { intent: "deny" }],
      ["confirm", { intent: "affirm" }],
      ["Je confirme mon rendez-vous", { intent: "affirm" }],
      ["annuler", { intent: "cancel" }],
      ["ANNULER", { intent: "cancel" }],
      ["1", { intent: "choice", index: 0 }],
      ["2", { intent: "choice", index: 1 }],
      ["3", { intent: "choice", index: 2 }],
    ] as const)("a reply %j to a reminder reads as %o", (text, expected) => {
      expect(readIntent(text)).toMatchObject(expected);
    });
  });

  describe("choosing among numbered options", () => {
    it.each([
      ["1", 0],
      ["2.", 1],
      ["option 2", 1],
      ["le 2 svp", 1],
      ["n°3", 2],
      ["2️⃣", 1],
      ["le deuxième", 1],
      ["the first one", 0],
      ["je prends le 3", 2],
    ] as const)("%j picks option index %i", (text, index) => {
      expect(readIntent(text)).toMatchObject({ intent: "choice", index });
    });

    it("a number inside a sentence is not a choice", () => {
      expect(intentOf("j'ai 2 enfants malades")).not.toBe("choice");
      expect(intentOf("0")).not.toBe("choice");
      expect(intentOf("999")).not.toBe("choice");
    });
  });

  describe("emergencies", () => {
    it("a message describing an emergency is read as one, whatever else it asks", () => {
      expect(readIntent("bonjour je voudrais un rdv, j'ai une douleur thoracique très forte")).toMatchObject({
        intent: "emergency",
        redFlag: { category: "chest_pain" },
      });
      expect(readIntent("I can't breathe")).toMatchObject({ intent: "emergency", redFlag: { category: "breathing" } });
    });

    it("'rdv cardio pour un bilan' is a booking, not an emergency", () => {
      expect(intentOf("rdv cardio pour un bilan")).toBe("book");
    });
  });

  it("text that means nothing is unknown", () => {
    expect(readIntent("asdfgh qwerty")).toEqual({ intent: "unknown", confidence: 0 });
    expect(intentOf("😀")).toBe("unknown");
    expect(intentOf("")).toBe("unknown");
  });

  it("with the patient's locale known, typos are forgiven in that language", () => {
    expect(intentOf("anuler", "fr")).toBe("cancel");
    expect(intentOf("cancell", "en")).toBe("cancel");
  });
});
