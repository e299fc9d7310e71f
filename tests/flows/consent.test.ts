import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import type { EngineDeps } from "../../src/flows/engine.js";
import { consentVersion, wordingVersion } from "../../src/flows/locales/index.js";
import type { OutboundMessage } from "../../src/domain/channels.js";
import { freshDatabase } from "../support/database.js";
import { choicesOf, MONDAY_8AM, patient } from "./support.js";

const db = await freshDatabase();
let deps: EngineDeps;

beforeAll(async () => {
  const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" });
  deps = { db, clinicId, holdMinutes: 5, now: () => MONDAY_8AM };
});

/** The consent question among the replies: the message that asks for agreement about the data kept. */
const consentText = (replies: OutboundMessage[]): string =>
  replies.map((r) => r.text).find((t) => /RGPD|GDPR/.test(t))!;

const storedVersion = async (lastName: string) =>
  (await db.prisma.patient.findFirstOrThrow({ where: { lastName } })).consentVersion;

/** Takes a new patient up to the consent question; returns the replies that asked it. */
async function upToConsent(p: ReturnType<typeof patient>, ask: string, name: string) {
  const offer = await p.says(ask);
  await p.taps(choicesOf(offer).find((c) => c.id.includes(".slot."))!.id);
  await p.says(name);
  return p.says("02/03/1980");
}

describe("the consent a new patient gives", () => {
  it.each([
    { locale: "fr" as const, ask: "je voudrais voir un généraliste demain matin", name: "Inès Accord", yes: "oui" },
    { locale: "en" as const, ask: "I'd like to see a GP tomorrow morning", name: "Ann Agree", yes: "yes" },
  ])(
    "($locale) is stored with the version of the very wording the patient was shown",
    async ({ locale, ask, name, yes }) => {
      const p = patient(deps, `consent-${locale}`);
      const shown = consentText(await upToConsent(p, ask, name));
      await p.says(yes);
      const stored = await storedVersion(name.split(" ")[1]!);
      expect(stored).toBe(wordingVersion(locale, shown));
      expect(stored).toBe(consentVersion(locale));
    },
  );

  it("a patient who switches to English at the consent question is stored with the English wording they agreed to", async () => {
    const p = patient(deps, "consent-switch");
    const french = consentText(await upToConsent(p, "je voudrais voir un généraliste demain après-midi", "Jan Switch"));
    const english = consentText(await p.says("in English please"));
    await p.says("yes");
    const stored = await storedVersion("Switch");
    expect(stored).toBe(wordingVersion("en", english));
    expect(stored).not.toBe(wordingVersion("fr", french));
  });

  it("a version changes with the wording, and differs between languages", () => {
    const text = "To book, the clinic keeps your name. Do you agree?";
    expect(wordingVersion("en", text)).not.toBe(wordingVersion("en", `${text} You can withdraw at any time.`));
    expect(wordingVersion("en", text)).toBe(wordingVersion("en", text));
    expect(consentVersion("fr")).not.toBe(consentVersion("en"));
  });
});
