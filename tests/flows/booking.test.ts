import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import type { EngineDeps } from "../../src/flows/engine.js";
import { freshDatabase } from "../support/database.js";
import { choicesOf, MONDAY_8AM, patient, textOf } from "./support.js";

const db = await freshDatabase();
let deps: EngineDeps;

beforeAll(async () => {
  const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" });
  deps = { db, clinicId, holdMinutes: 5, now: () => MONDAY_8AM };
});

describe("booking in one go", () => {
  it("a patient who says 'je voudrais voir un cardiologue demain vers 10h' gets a confirmable offer in the first reply and, after tapping it and giving name, birth date and consent, has a confirmed appointment", async () => {
    const marie = patient(deps, "fr-1");
    const offer = await marie.says("je voudrais voir un cardiologue demain vers 10h");
    const slots = choicesOf(offer).filter((c) => c.id.includes(".slot."));
    expect(slots.length).toBeGreaterThan(0);
    const tenOClock = slots.find((s) => /mardi 1 décembre.*10:00.*Dr Hélène Dubois/.test(s.label));
    expect(tenOClock).toBeDefined();

    expect(textOf(await marie.taps(tenOClock!.id))).toMatch(/prénom et nom/);
    expect(textOf(await marie.says("Marie Curie"))).toMatch(/date de naissance/);
    const consent = await marie.says("12/03/1985");
    expect(textOf(consent)).toMatch(/RGPD/);
    const done = await marie.taps(choicesOf(consent).find((c) => c.id.endsWith(".yes."))!.id);
    expect(textOf(done)).toMatch(/confirmé.*mardi 1 décembre.*10:00.*Dubois.*12 rue de la Santé/);

    const appointment = await db.prisma.appointment.findFirstOrThrow({
      include: { patient: { include: { identities: true } } },
    });
    expect(appointment.status).toBe("confirmed");
    expect(appointment.patient.firstName).toBe("Marie");
    expect(appointment.patient.consentVersion).toBeTruthy();
    expect(appointment.patient.identities[0]).toMatchObject({ channel: "web", externalId: "fr-1" });
  });

  it("an English-speaking patient who says 'I'd like to see a cardiologist tomorrow around 10am' books the same way", async () => {
    const john = patient(deps, "en-1", "telegram");
    const offer = await john.says("I'd like to see a cardiologist tomorrow around 10am");
    const slots = choicesOf(offer).filter((c) => c.id.includes(".slot."));
    expect(slots[0]!.label).toMatch(/Tuesday 1 December/);
    expect(textOf(await john.says("1"))).toMatch(/first and last name/);
    expect(textOf(await john.says("John Smith"))).toMatch(/date of birth/);
    expect(textOf(await john.says("03/12/1985"))).toMatch(/agree/);
    expect(textOf(await john.says("yes"))).toMatch(/confirmed: Tuesday 1 December/);
    const p = await db.prisma.patient.findFirstOrThrow({
      where: { lastName: "Smith" },
      include: { appointments: true },
    });
    expect(p.appointments).toHaveLength(1);
    expect(p.preferredLocale).toBe("en");
  });
});
