import { beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../src/data/db.js";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import type { EngineDeps } from "../../src/flows/engine.js";
import { COPY } from "../../src/flows/locales/index.js";
import { freshDatabase, onRealPostgres } from "../support/database.js";
import { choicesOf, MONDAY_8AM, patient, textOf } from "./support.js";

const db = await freshDatabase();
let deps: EngineDeps;

beforeAll(async () => {
  const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" });
  deps = { db, clinicId, holdMinutes: 5, now: () => MONDAY_8AM };
});

const slotChoices = (replies: Awaited<ReturnType<ReturnType<typeof patient>["says"]>>) =>
  choicesOf(replies).filter((c) => c.id.includes(".slot."));

it("the French copy has every sentence the English copy has", () => {
  expect(Object.keys(COPY.fr).sort()).toEqual(Object.keys(COPY.en).sort());
});

describe("deliveries", () => {
  it("a double delivery of the consent message books once and answers once", async () => {
    const p = patient(deps, "dup-1");
    const offer = await p.says("je voudrais voir un dermatologue mardi matin");
    await p.taps(slotChoices(offer)[0]!.id);
    await p.says("Paul Durand");
    await p.says("01/02/1990");
    const first = await p.says("oui", { id: "consent-dup" });
    const again = await p.says("oui", { id: "consent-dup" });
    expect(textOf(first)).toMatch(/confirmé/);
    expect(again).toEqual([]);
    const paul = await db.prisma.patient.findMany({ where: { lastName: "Durand" }, include: { appointments: true } });
    expect(paul).toHaveLength(1);
    expect(paul[0]!.appointments).toHaveLength(1);
  });

  it("a restart in the middle of a booking (a new engine, same database) continues where the patient was", async () => {
    const p = patient(deps, "restart-1");
    const offer = await p.says("je voudrais voir un pédiatre jeudi après-midi");
    const fresh: EngineDeps = { ...deps };
    expect(textOf(await p.taps(slotChoices(offer)[1]!.id, { engine: fresh }))).toMatch(/prénom et nom/);
  });

  it.skipIf(!onRealPostgres())(
    "two engine instances on one database, receiving one conversation's messages in turn, keep its state and answer a duplicate once",
    async () => {
      const other = openPostgres({ url: db.url!, poolSize: 3 });
      try {
        const second: EngineDeps = { ...deps, db: other };
        const p = patient(deps, "two-1");
        const offer = await p.says("je voudrais voir un généraliste demain matin");
        expect(textOf(await p.taps(slotChoices(offer)[0]!.id, { engine: second }))).toMatch(/prénom et nom/);
        const [a, b] = await Promise.all([
          p.says("Lina Haddad", { id: "both" }),
          p.says("Lina Haddad", { id: "both", engine: second }),
        ]);
        expect([a.length, b.length].sort()).toEqual([0, 1]);
        expect(textOf(await p.says("05/06/1970", { engine: second }))).toMatch(/RGPD/);
      } finally {
        await other.close();
      }
    },
  );
});

describe("interruptions and bad input", () => {
  it("chest pain in the middle of a booking gets the emergency numbers at once, records an emergency event, and the booking can continue", async () => {
    const p = patient(deps, "emergency-1");
    const offer = await p.says("je voudrais voir un cardiologue jeudi vers 15h");
    await p.taps(slotChoices(offer)[0]!.id);
    const alarm = await p.says("j'ai une douleur dans la poitrine qui serre très fort");
    expect(textOf(alarm)).toMatch(/15.*\+33140000099/s);
    const events = await db.prisma.emergencyEvent.findMany();
    expect(events).toHaveLength(1);
    expect(events[0]!.category).toBeTruthy();
    expect(textOf(await p.says("Jean Valjean"))).toMatch(/date de naissance/);
  });

  it("empty text, emoji only, 10,000 characters and random bytes are answered helpfully and the question stays open", async () => {
    const p = patient(deps, "garbage-1");
    const offer = await p.says("je voudrais voir un dermatologue mardi après-midi");
    await p.taps(slotChoices(offer)[0]!.id);
    for (const junk of ["", "🙂🙂🙂", "a".repeat(10_000), "\u0000\u0001\ud800\u00ff\u0007"]) {
      const replies = await p.says(junk);
      expect(replies.length).toBeGreaterThan(0);
      expect(textOf(replies)).toMatch(/prénom/);
    }
    expect(textOf(await p.says("Anne Moreau"))).toMatch(/date de naissance/);
  });

  it("a button from an earlier question is recognised as old, and the current question is asked again", async () => {
    const p = patient(deps, "stale-1");
    const first = await p.says("je voudrais voir un généraliste mercredi matin");
    await p.taps(slotChoices(first)[0]!.id);
    const replies = await p.taps(slotChoices(first)[1]!.id);
    expect(textOf(replies)).toMatch(/question précédente/);
    expect(textOf(replies)).toMatch(/prénom et nom/);
  });

  it("'mardi' said on a Tuesday is asked about rather than guessed", async () => {
    const tuesday: EngineDeps = { ...deps, now: () => new Date(+MONDAY_8AM + 86_400_000) };
    const p = patient(tuesday, "ambiguous-1");
    await p.says("je voudrais voir un généraliste");
    const question = await p.says("mardi");
    expect(textOf(question)).toMatch(/aujourd'hui ou la semaine prochaine/);
    const offer = await p.taps(choicesOf(question).find((c) => c.id.includes(".day.1"))!.id);
    expect(slotChoices(offer)[0]!.label).toMatch(/mardi 8 décembre/);
  });
});

describe("idle conversations", () => {
  it("a conversation left in the middle of a booking for more than 30 minutes starts again politely", async () => {
    const p = patient(deps, "idle-1");
    const offer = await p.says("je voudrais voir un généraliste vendredi matin");
    expect(slotChoices(offer).length).toBeGreaterThan(0);
    const later: EngineDeps = { ...deps, now: () => new Date(+MONDAY_8AM + 45 * 60_000) };
    const replies = await p.says("bonjour", { engine: later });
    expect(textOf(replies)).toMatch(/reprenons/);
  });

  it.each([
    {
      locale: "fr",
      before: "je voudrais voir un dermatologue mardi matin",
      after: "je voudrais voir un dermatologue jeudi matin",
      old: /question précédente/,
      repeated: /jeudi 3 décembre/,
    },
    {
      locale: "en",
      before: "I'd like to see a dermatologist on Tuesday morning",
      after: "I'd like to see a dermatologist on Thursday morning",
      old: /earlier question/,
      repeated: /Thursday 3 December/,
    },
  ])(
    "($locale) a button from before the idle restart is answered as old, even once the new conversation offers times again",
    async ({ locale, before, after, old, repeated }) => {
      const p = patient(deps, `idle-stale-${locale}`);
      const later: EngineDeps = { ...deps, now: () => new Date(+MONDAY_8AM + 45 * 60_000) };
      const lastWeek = slotChoices(await p.says(before));
      expect(lastWeek.length).toBeGreaterThan(1);
      const now = await p.says(after, { engine: later });
      expect(slotChoices(now).length).toBeGreaterThan(1);
      const tapped = await p.taps(lastWeek[1]!.id, { engine: later });
      expect(textOf(tapped)).toMatch(old);
      // The current offer is asked again, and nothing was chosen from the old one.
      const labels = slotChoices(tapped).map((c) => c.label);
      expect(labels).toEqual(slotChoices(now).map((c) => c.label));
      expect(labels.join("\n")).toMatch(repeated);
    },
  );
});
