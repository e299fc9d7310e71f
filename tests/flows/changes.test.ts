import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import type { EngineDeps } from "../../src/flows/engine.js";
import { freshDatabase } from "../support/database.js";
import { paris } from "../support/clinic.js";
import { choicesOf, MONDAY_8AM, patient, textOf, knownPatientWith as knownWith } from "./support.js";

const db = await freshDatabase();
let deps: EngineDeps;
let clinicId: string;

/** A known patient reachable on the web channel as `senderId`, with one appointment at `startsAt`. */
const knownPatientWith = (senderId: string, startsAt: Date, locale: "fr" | "en" = "fr") =>
  knownWith(db, clinicId, senderId, startsAt, { locale });

beforeAll(async () => {
  ({ clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" }));
  deps = { db, clinicId, holdMinutes: 5, now: () => MONDAY_8AM };
});

describe("cancelling", () => {
  it("a patient cancels an appointment next week after confirming", async () => {
    const { appointmentId } = await knownPatientWith("cancel-ok", paris("2026-12-07T10:00"));
    const p = patient(deps, "cancel-ok");
    const question = await p.says("je veux annuler mon rendez-vous");
    expect(textOf(question)).toMatch(/Annuler votre rendez-vous du lundi 7 décembre/);
    expect(textOf(await p.taps(choicesOf(question).find((c) => c.id.endsWith(".yes."))!.id))).toMatch(/annulé/);
    expect((await db.prisma.appointment.findUniqueOrThrow({ where: { id: appointmentId } })).status).toBe("cancelled");
  });

  it("a cancellation inside the 24-hour cutoff is refused with the clinic's phone number", async () => {
    const { appointmentId } = await knownPatientWith("cancel-late", paris("2026-11-30T15:00"), "en");
    const p = patient(deps, "cancel-late");
    expect(textOf(await p.says("cancel my appointment"))).toMatch(/Cancel your appointment on Monday 30 November/);
    expect(textOf(await p.says("yes"))).toMatch(/24 hours.*\+33140000000/);
    expect((await db.prisma.appointment.findUniqueOrThrow({ where: { id: appointmentId } })).status).toBe("confirmed");
  });
});

describe("rescheduling and listing", () => {
  it("a patient moves an appointment to another day and the old time is freed", async () => {
    const { appointmentId } = await knownPatientWith("move-1", paris("2026-12-08T10:00"));
    const p = patient(deps, "move-1");
    expect(textOf(await p.says("je voudrais déplacer mon rendez-vous"))).toMatch(/À quand/);
    const offer = await p.says("jeudi vers 11h");
    const slot = choicesOf(offer).find((c) => c.id.includes(".slot."))!;
    expect(slot.label).toMatch(/jeudi 3 décembre/);
    expect(textOf(await p.taps(slot.id))).toMatch(/Déplacer votre rendez-vous/);
    expect(textOf(await p.says("oui"))).toMatch(/maintenant le jeudi 3 décembre/);
    const moved = await db.prisma.appointment.findUniqueOrThrow({ where: { id: appointmentId } });
    expect(moved.startsAt.toISOString().slice(0, 10)).toBe("2026-12-03");
  });

  it("'my appointments' lists what is coming up; 'talk to a human' hands the conversation over", async () => {
    await knownPatientWith("list-1", paris("2026-12-09T09:00"), "en");
    const p = patient(deps, "list-1");
    expect(textOf(await p.says("my appointments"))).toMatch(/Wednesday 9 December.*Dr Claire Martin/s);
    expect(textOf(await p.says("I want to talk to a human"))).toMatch(/secretary/);
    const conversation = await db.prisma.conversation.findFirstOrThrow({ where: { senderId: "list-1" } });
    expect(conversation.handedToHuman).toBe(true);
  });
});
