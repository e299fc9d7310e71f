import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import type { EngineDeps } from "../../src/flows/engine.js";
import type { OutboundMessage } from "../../src/domain/channels.js";
import { createTestClinic, paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { choicesOf, MONDAY_8AM, patient, textOf } from "./support.js";

const db = await freshDatabase();
let deps: EngineDeps;
/** Sunday 22 November 2026, 10:00 in Paris: the day a real patient found the first two bugs. */
const SUNDAY = paris("2026-11-22T10:00");

beforeAll(async () => {
  const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" });
  deps = { db, clinicId, holdMinutes: 5, now: () => MONDAY_8AM };
});

const slotsOf = (replies: OutboundMessage[]) => choicesOf(replies).filter((c) => c.id.includes(".slot."));
const timesOf = (replies: OutboundMessage[]) => slotsOf(replies).map((c) => /(\d\d):(\d\d)/.exec(c.label)![0]);

async function holdsOf(senderId: string) {
  const conversation = await db.prisma.conversation.findFirstOrThrow({ where: { senderId } });
  return db.prisma.slotHold.findMany({ where: { holder: conversation.id }, orderBy: { startsAt: "asc" } });
}

describe("a time with nothing free", () => {
  it("'des boutons sur le visage … jeudi après-midi' when the dermatologist works only Thursday mornings says so, then offers the nearest in time order", async () => {
    const p = patient({ ...deps, now: () => SUNDAY }, "derm-fr");
    const replies = await p.says("Bonjour, j'ai des boutons sur le visage, je voudrais un rdv jeudi après-midi");
    expect(textOf(replies)).toMatch(/Pas de créneau libre jeudi 26 novembre après-midi ; voici les plus proches/);
    const times = timesOf(replies);
    expect(times.length).toBe(3);
    expect([...times].sort()).toEqual(times);
    for (const c of slotsOf(replies)) expect(c.label).toMatch(/jeudi 26 novembre.*Moreau/);
  });

  it("in English, 'a rash on my face … Thursday afternoon' is answered the same way", async () => {
    const p = patient({ ...deps, now: () => SUNDAY }, "derm-en");
    const replies = await p.says("Hello, I have a rash on my face, I'd like an appointment on Thursday afternoon");
    expect(textOf(replies)).toMatch(/No free time on Thursday 26 November in the afternoon; here are the nearest/);
    const times = timesOf(replies);
    expect(times.length).toBe(3);
    expect([...times].sort()).toEqual(times);
  });

  it("a time outside opening hours ('jeudi à 20h') is named as not free before the nearest alternatives", async () => {
    const p = patient(deps, "closed-fr");
    const replies = await p.says("je voudrais voir un dermatologue jeudi à 20h");
    expect(textOf(replies)).toMatch(/Pas de créneau libre le jeudi 3 décembre à 20:00 ; voici les plus proches/);
    expect(slotsOf(replies).length).toBeGreaterThan(0);
  });

  it("a free time asked for is simply offered, without the 'nothing free' sentence", async () => {
    const p = patient(deps, "free-en");
    const replies = await p.says("I'd like to see a cardiologist tomorrow at 10am");
    expect(textOf(replies)).not.toMatch(/No free time/);
    expect(slotsOf(replies).some((c) => /10:00/.test(c.label))).toBe(true);
  });
});

describe("other times", () => {
  it("'Autres horaires' offers the free slots after those already offered and invites another preference", async () => {
    const p = patient(deps, "other-fr");
    const first = await p.says("je voudrais voir un cardiologue mardi matin");
    const before = await holdsOf("other-fr");
    const lastOffered = before.at(-1)!.startsAt;
    const more = await p.taps(choicesOf(first).find((c) => c.id.endsWith(".other."))!.id);
    expect(textOf(more)).toMatch(/créneaux libres suivants/);
    expect(textOf(more)).toMatch(/autre jour ou une autre heure/);
    const times = timesOf(more);
    expect(times.length).toBe(3);
    expect([...times].sort()).toEqual(times);
    const after = await holdsOf("other-fr");
    expect(after).toHaveLength(3);
    for (const h of after) expect(+h.startsAt).toBeGreaterThan(+lastOffered);
    expect(textOf(await p.taps(slotsOf(more)[0]!.id))).toMatch(/prénom et nom/);
  });

  it("in English, 'Other times' goes on from the last time offered, and a new preference can be given instead", async () => {
    const p = patient(deps, "other-en");
    const first = await p.says("I'd like to see a cardiologist on Wednesday morning");
    const lastOffered = (await holdsOf("other-en")).at(-1)!.startsAt;
    const more = await p.taps(choicesOf(first).find((c) => c.id.endsWith(".other."))!.id);
    expect(textOf(more)).toMatch(/next free times/);
    for (const h of await holdsOf("other-en")) expect(+h.startsAt).toBeGreaterThan(+lastOffered);
    const friday = await p.says("Friday afternoon");
    expect(slotsOf(friday)[0]!.label).toMatch(/Friday 4 December/);
  });
});

describe("any doctor", () => {
  it("a patient with no specialty in mind is asked once; 'peu importe' books general medicine with automatic assignment, keeping the time said first", async () => {
    const p = patient(deps, "any-fr");
    expect(textOf(await p.says("je voudrais un rendez-vous demain matin"))).toMatch(/Quel médecin/);
    const offer = await p.says("peu importe");
    expect(textOf(offer)).toMatch(/Médecine générale/);
    const slots = slotsOf(offer);
    expect(slots.length).toBe(3);
    for (const c of slots) expect(c.label).toMatch(/mardi 1 décembre à (08|09|10|11):/);
    // One choice per time, whoever the doctor.
    expect(new Set(timesOf(offer)).size).toBe(3);
  });

  it("in English, 'any doctor' gets general-medicine times at once", async () => {
    const p = patient(deps, "any-en");
    expect(textOf(await p.says("I'd like an appointment"))).toMatch(/Which kind of doctor/);
    const offer = await p.says("any doctor, tomorrow afternoon");
    expect(textOf(offer)).toMatch(/General medicine/);
    for (const c of slotsOf(offer)) expect(c.label).toMatch(/Tuesday 1 December at (1[2-9]):/);
  });

  it("a clinic with a single specialty does not ask which one", async () => {
    const small = await createTestClinic(db, { doctors: 2 });
    const p = patient({ ...deps, clinicId: small.clinicId }, "single-fr");
    const offer = await p.says("je voudrais un rendez-vous demain matin");
    expect(slotsOf(offer).length).toBe(3);
  });
});

describe("approval-mode clinic", () => {
  it("the patient is told the request is pending, and the appointment waits as 'requested'", async () => {
    const clinic = await createTestClinic(db, { bookingMode: "approval" });
    const p = patient({ ...deps, clinicId: clinic.clinicId }, "approval-fr");
    const offer = await p.says("je voudrais un rendez-vous demain à 10h");
    await p.taps(slotsOf(offer)[0]!.id);
    await p.says("Nina Simone");
    await p.says("21/02/1973");
    const done = await p.says("oui");
    expect(textOf(done)).toMatch(/en attente de validation/);
    const appointment = await db.prisma.appointment.findFirstOrThrow({ where: { clinicId: clinic.clinicId } });
    expect(appointment.status).toBe("requested");
  });

  it("in English too", async () => {
    const clinic = await createTestClinic(db, { bookingMode: "approval" });
    const p = patient({ ...deps, clinicId: clinic.clinicId }, "approval-en");
    expect(slotsOf(await p.says("I'd like an appointment tomorrow at 10am"))[0]!.label).toMatch(/Tuesday 1 December/);
    await p.says("1");
    await p.says("Nina Simone");
    await p.says("02/21/1973");
    expect(textOf(await p.says("yes"))).toMatch(/pending/);
  });
});
