import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import type { EngineDeps } from "../../src/flows/engine.js";
import type { OutboundMessage } from "../../src/domain/channels.js";
import { freshDatabase } from "../support/database.js";
import { choicesOf, MONDAY_8AM, patient, textOf } from "./support.js";

const db = await freshDatabase();
let deps: EngineDeps;

beforeAll(async () => {
  const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" });
  // A second Moreau, so that "Dr Moreau" alone could mean two doctors.
  const general = await db.prisma.specialty.findFirstOrThrow({ where: { clinicId, code: "general" } });
  await db.prisma.doctor.create({
    data: {
      clinicId,
      firstName: "Julien",
      lastName: "Moreau",
      languages: ["fr"],
      specialties: { create: [{ specialtyId: general.id }] },
      workingHours: { create: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMinute: 540, endMinute: 720 })) },
    },
  });
  deps = { db, clinicId, holdMinutes: 5, now: () => MONDAY_8AM };
});

const slotLabels = (replies: OutboundMessage[]) =>
  choicesOf(replies)
    .filter((c) => c.id.includes(".slot."))
    .map((c) => c.label);

/** Every offered time is with `doctor`, and there is at least one. */
function expectOnlyWith(replies: OutboundMessage[], doctor: RegExp) {
  const labels = slotLabels(replies);
  expect(labels.length).toBeGreaterThan(0);
  for (const label of labels) expect(label).toMatch(doctor);
}

describe("naming the doctor", () => {
  it("a patient who asks 'je voudrais voir le Dr Dubois demain à 10h' is offered Dr Dubois's times, 10:00 tomorrow among them, and books one", async () => {
    const p = patient(deps, "doc-fr-1");
    const offer = await p.says("je voudrais voir le Dr Dubois demain à 10h");
    expectOnlyWith(offer, /Dr Hélène Dubois/);
    expect(textOf(offer)).toMatch(/avec Dr Hélène Dubois/);
    const ten = choicesOf(offer).find((c) => /mardi 1 décembre.*10:00/.test(c.label));
    expect(ten).toBeDefined();
    await p.taps(ten!.id);
    await p.says("Rose Valois");
    await p.says("04/05/1977");
    expect(textOf(await p.says("oui"))).toMatch(/confirmé.*mardi 1 décembre.*10:00.*Dubois/);
  });

  it("'rdv avec le docteur Martin' asks when, naming Dr Martin, then offers only her times", async () => {
    const p = patient(deps, "doc-fr-2");
    expect(textOf(await p.says("rdv avec le docteur Martin"))).toMatch(/Quand.*Dr Claire Martin/);
    expectOnlyWith(await p.says("demain matin"), /Dr Claire Martin/);
  });

  it("a name written without accents or capitals, first name and family name, is recognised: 'un rendez-vous avec helene DUBOIS jeudi'", async () => {
    const p = patient(deps, "doc-fr-3");
    const offer = await p.says("un rendez-vous avec helene DUBOIS jeudi");
    expectOnlyWith(offer, /Dr Hélène Dubois/);
    expect(slotLabels(offer)[0]).toMatch(/jeudi 3 décembre/);
  });

  it("an English-speaking patient who says 'I'd like to see Dr Lefèvre on Wednesday' gets Dr Lefèvre's Wednesday times", async () => {
    const p = patient(deps, "doc-en-1");
    const offer = await p.says("I'd like to see Dr Lefèvre on Wednesday");
    expectOnlyWith(offer, /Dr Marc Lefèvre/);
    expect(slotLabels(offer)[0]).toMatch(/Wednesday 2 December/);
    expect(textOf(offer)).toMatch(/with Dr Marc Lefèvre/);
  });

  it("'can I book with doctor dubois' in lower case asks when, then offers Dr Dubois only", async () => {
    const p = patient(deps, "doc-en-2");
    expect(textOf(await p.says("can I book with doctor dubois"))).toMatch(
      /When would you like to come.*Dr Hélène Dubois/,
    );
    expectOnlyWith(await p.says("tomorrow afternoon"), /Dr Hélène Dubois/);
  });

  it("a patient looking at Tuesday's cardiology times who says 'rather with Dr Lefevre' keeps Tuesday in mind and gets Dr Lefèvre's nearest times", async () => {
    const p = patient(deps, "doc-en-3");
    expectOnlyWith(await p.says("I need a cardiologist on Tuesday"), /Dr Hélène Dubois/);
    const offer = await p.says("rather with Dr Lefevre please");
    expectOnlyWith(offer, /Dr Marc Lefèvre/);
    expect(textOf(offer)).toMatch(/No free time with Dr Marc Lefèvre on Tuesday 1 December/);
  });
});

describe("a patient's own name", () => {
  it.each([
    {
      locale: "fr",
      says: "Bonjour, je suis Claire Martin, je voudrais un rendez-vous chez un dermatologue mardi",
      spec: /Dermatologie/,
    },
    { locale: "en", says: "Hi, my name is Claire Martin and I need a dermatologist on Tuesday", spec: /Dermatology/ },
  ])("($locale) is not taken for the doctor who shares it", async ({ locale, says, spec }) => {
    const offer = await patient(deps, `doc-self-${locale}`).says(says);
    expect(textOf(offer)).toMatch(spec);
    expectOnlyWith(offer, /Dr Thomas Moreau/);
  });
});

describe("a name two doctors share", () => {
  it("'je voudrais voir le Dr Moreau' asks which Dr Moreau; answering 'Thomas' offers Dr Thomas Moreau's times", async () => {
    const p = patient(deps, "doc-fr-amb");
    const question = await p.says("je voudrais voir le Dr Moreau mardi");
    expect(textOf(question)).toMatch(/Lequel/);
    expect(
      choicesOf(question)
        .map((c) => c.label)
        .sort(),
    ).toEqual(["Dr Julien Moreau", "Dr Thomas Moreau"]);
    const offer = await p.says("Thomas");
    expectOnlyWith(offer, /Dr Thomas Moreau/);
    expect(slotLabels(offer)[0]).toMatch(/mardi 1 décembre/);
  });

  it("'I'd like an appointment with Dr Moreau' asks which one; tapping Dr Julien Moreau asks when, then offers only his times", async () => {
    const p = patient(deps, "doc-en-amb");
    const question = await p.says("I'd like an appointment with Dr Moreau");
    expect(textOf(question)).toMatch(/Which one/);
    const julien = choicesOf(question).find((c) => c.label === "Dr Julien Moreau")!;
    expect(textOf(await p.taps(julien.id))).toMatch(/When would you like to come.*Dr Julien Moreau/);
    expectOnlyWith(await p.says("tomorrow morning"), /Dr Julien Moreau/);
  });

  it("'Dr Thomas Moreau', with the first name, is not asked about", async () => {
    const p = patient(deps, "doc-en-full");
    expectOnlyWith(await p.says("Dr Thomas Moreau on Tuesday please"), /Dr Thomas Moreau/);
  });
});

describe("a doctor the clinic does not have", () => {
  it.each([
    {
      locale: "fr",
      ask: "je voudrais voir le docteur House",
      told: /Je ne trouve pas de Dr House dans ce cabinet\. Nos médecins : .*Dr Hélène Dubois/,
      next: /Quel médecin souhaitez-vous consulter/,
    },
    {
      locale: "en",
      ask: "can I see dr smith tomorrow?",
      told: /I don't know a Dr smith at this clinic\. Our doctors are: .*Dr Marc Lefèvre/,
      next: /Which kind of doctor would you like to see/,
    },
  ])(
    "($locale) is told so, with the clinic's doctors, and asked what kind of doctor instead",
    async ({ locale, ask, told, next }) => {
      const replies = await patient(deps, `doc-unknown-${locale}`).says(ask);
      expect(textOf(replies)).toMatch(told);
      expect(textOf(replies)).toMatch(next);
    },
  );

  it("'I need a doctor appointment tomorrow' names no doctor and is not answered as one", async () => {
    const replies = await patient(deps, "doc-none-en").says("I need a doctor appointment tomorrow");
    expect(textOf(replies)).not.toMatch(/I don't know a Dr/);
  });
});
