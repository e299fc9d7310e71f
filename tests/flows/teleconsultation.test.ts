import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import type { EngineDeps } from "../../src/flows/engine.js";
import type { OutboundMessage } from "../../src/domain/channels.js";
import { paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { choicesOf, MONDAY_8AM, patient, textOf, knownPatientWith } from "./support.js";

const db = await freshDatabase();
let deps: EngineDeps;
let clinicId: string;
const LINK = "https://visio.example.org/tabib";
const ADDRESS = /rue de la Santé/;

beforeAll(async () => {
  ({ clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" }));
  // The demo clinic offers teleconsultation in general medicine only, at this link.
  const tele = await db.prisma.appointmentType.findFirst({ where: { clinicId, mode: "teleconsultation" } });
  expect(tele).not.toBeNull();
  expect((await db.prisma.clinic.findUniqueOrThrow({ where: { id: clinicId } })).teleconsultationUrl).toBe(LINK);
  deps = { db, clinicId, holdMinutes: 5, now: () => MONDAY_8AM };
});

const slots = (replies: OutboundMessage[]) => choicesOf(replies).filter((c) => c.id.includes(".slot."));

/** Books the first offered time as a new patient and returns the confirmation. */
async function bookFirst(p: ReturnType<typeof patient>, offer: OutboundMessage[], name: string, yes: string) {
  await p.taps(slots(offer)[0]!.id);
  await p.says(name);
  await p.says("02/03/1980");
  return p.says(yes);
}

const modeOfBooking = async (lastName: string) =>
  (
    await db.prisma.appointment.findFirstOrThrow({
      where: { patient: { lastName } },
      include: { type: true },
    })
  ).type.mode;

describe("asking for a teleconsultation", () => {
  it("a patient who asks 'je voudrais une téléconsultation demain matin' is offered teleconsultation times, and the confirmation gives the video link, not the address", async () => {
    const p = patient(deps, "tele-fr-1");
    const offer = await p.says("je voudrais une téléconsultation demain matin");
    expect(textOf(offer)).toMatch(/créneaux de téléconsultation/);
    const done = await bookFirst(p, offer, "Léa Visio", "oui");
    expect(textOf(done)).toMatch(/téléconsultation est confirmée/);
    expect(textOf(done)).toContain(LINK);
    expect(textOf(done)).not.toMatch(ADDRESS);
    expect(await modeOfBooking("Visio")).toBe("teleconsultation");
  });

  it("an English-speaking patient who asks for 'a video consultation with a GP tomorrow afternoon' books one and gets the link", async () => {
    const p = patient(deps, "tele-en-1");
    const offer = await p.says("Could I get a video consultation with a GP tomorrow afternoon?");
    expect(textOf(offer)).toMatch(/teleconsultation times/);
    const done = await bookFirst(p, offer, "Sam Remote", "yes");
    expect(textOf(done)).toMatch(/teleconsultation is confirmed/);
    expect(textOf(done)).toContain(LINK);
    expect(textOf(done)).not.toMatch(ADDRESS);
    expect(await modeOfBooking("Remote")).toBe("teleconsultation");
  });

  it("a patient shown times at the clinic who then says 'plutôt en visio' gets teleconsultation times for the same day", async () => {
    const p = patient(deps, "tele-fr-2");
    const atClinic = await p.says("je voudrais voir un généraliste jeudi matin");
    expect(textOf(atClinic)).not.toMatch(/téléconsultation/);
    const remote = await p.says("plutôt en visio");
    expect(textOf(remote)).toMatch(/créneaux de téléconsultation/);
    expect(slots(remote)[0]!.label).toMatch(/jeudi 3 décembre/);
  });

  it.each([
    {
      locale: "fr",
      ask: "je voudrais une téléconsultation avec le Dr Martin",
      asked: /Quand souhaitez-vous votre téléconsultation avec Dr Claire Martin/,
      when: "demain matin",
      offered: /créneaux de téléconsultation avec Dr Claire Martin/,
    },
    {
      locale: "en",
      ask: "I want a teleconsultation",
      asked: /When would you like your teleconsultation/,
      when: "tomorrow at 11",
      offered: /teleconsultation times/,
    },
  ])(
    "($locale) a teleconsultation asked for without a day is asked when, as a teleconsultation, then offered",
    async (t) => {
      const p = patient(deps, `tele-when-${t.locale}`);
      expect(textOf(await p.says(t.ask))).toMatch(t.asked);
      expect(textOf(await p.says(t.when))).toMatch(t.offered);
    },
  );

  it("'an online appointment' with a specialty that has no teleconsultation is told so and offered times at the clinic", async () => {
    const p = patient(deps, "tele-en-2");
    const offer = await p.says("I'd like an online appointment with a dermatologist on Tuesday");
    expect(textOf(offer)).toMatch(/Teleconsultation isn't offered for this specialty/);
    expect(slots(offer).length).toBeGreaterThan(0);
  });

  it("without asking, the same request is booked in person, with the address", async () => {
    const p = patient(deps, "tele-fr-3");
    const offer = await p.says("je voudrais voir un généraliste demain matin");
    const done = await bookFirst(p, offer, "Paul Cabinet", "oui");
    expect(textOf(done)).toMatch(ADDRESS);
    expect(await modeOfBooking("Cabinet")).toBe("in_person");
  });
});

describe("moving a teleconsultation", () => {
  it.each([
    {
      locale: "fr" as const,
      ask: "je voudrais déplacer mon rendez-vous",
      when: "jeudi matin",
      yes: "oui",
      done: /téléconsultation est maintenant le jeudi 3 décembre/,
    },
    {
      locale: "en" as const,
      ask: "I need to move my appointment",
      when: "Thursday morning",
      yes: "yes",
      done: /teleconsultation is now Thursday 3 December/,
    },
  ])(
    "($locale) the confirmation of a moved teleconsultation gives the video link, not the address",
    async ({ locale, ask, when, yes, done }) => {
      await knownPatientWith(db, clinicId, `tele-move-${locale}`, paris("2026-12-08T10:00"), {
        locale,
        typeCode: "gp-tele",
      });
      const p = patient(deps, `tele-move-${locale}`);
      await p.says(ask);
      const offer = await p.says(when);
      await p.taps(slots(offer)[0]!.id);
      const moved = await p.says(yes);
      expect(textOf(moved)).toMatch(done);
      expect(textOf(moved)).toContain(LINK);
      expect(textOf(moved)).not.toMatch(ADDRESS);
    },
  );
});
