// A chat step saves all its work or none of it: a newcomer's booking that fails halfway leaves
// no patient, appointment or claim behind, the patient is asked to send the message again, and
// the same message then books.
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import type { EngineDeps } from "../../src/flows/engine.js";
import { freshDatabase } from "../support/database.js";
import { choicesOf, MONDAY_8AM, patient, textOf } from "./support.js";

const db = await freshDatabase();
let deps: EngineDeps;
const reported: string[] = [];

beforeAll(async () => {
  const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" });
  deps = { db, clinicId, holdMinutes: 5, now: () => MONDAY_8AM, logger: { error: (_, m) => reported.push(m) } };
});

// A real failure inside the database, late in the step: the reminder rows refuse to be written.
const breakReminders = () =>
  db.sql.exec(`CREATE FUNCTION refuse_reminder() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'reminders are down'; END $$;
    CREATE TRIGGER refuse_reminder BEFORE INSERT OR UPDATE ON reminder FOR EACH ROW EXECUTE FUNCTION refuse_reminder();`);
const mendReminders = () => db.sql.exec(`DROP TRIGGER refuse_reminder ON reminder; DROP FUNCTION refuse_reminder();`);

/** What a newcomer's step could have left: their record, its audit entry, the appointment, the claim of the message. */
async function leftBehind(lastName: string, messageId: string) {
  const patients = await db.prisma.patient.findMany({ where: { lastName }, select: { id: true } });
  const ids = patients.map((p) => p.id);
  return {
    patients: patients.length,
    identities: await db.prisma.channelIdentity.count({ where: { patientId: { in: ids } } }),
    audited: await db.prisma.auditLog.count({ where: { action: "patient.create", patientId: { in: ids } } }),
    appointments: await db.prisma.appointment.count({ where: { patientId: { in: ids } } }),
    claimed: await db.prisma.processedMessage.count({ where: { providerMessageId: messageId } }),
  };
}

/** Takes a newcomer on the web chat up to the consent question; returns the "yes" button's id. */
async function upToConsent(p: ReturnType<typeof patient>, name: string): Promise<string> {
  const offer = await p.says("je voudrais voir un cardiologue demain vers 10h");
  await p.taps(choicesOf(offer).find((c) => c.id.includes(".slot."))!.id);
  await p.says(name);
  const consent = await p.says("12/03/1985");
  return choicesOf(consent).find((c) => c.id.endsWith(".yes."))!.id;
}

describe("a chat step", () => {
  it("registers a newcomer with their address and an audit entry naming them as the author", async () => {
    const p = patient(deps, "audited-newcomer");
    const yes = await upToConsent(p, "Ada Lovelace");
    expect(textOf(await p.taps(yes))).toMatch(/confirmé/);
    const record = await db.prisma.patient.findFirstOrThrow({ where: { lastName: "Lovelace" } });
    const entries = await db.prisma.auditLog.findMany({ where: { patientId: record.id, action: "patient.create" } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorKind: "patient", actorId: record.id, resourceId: record.id });
  });

  it("that fails halfway leaves nothing behind, asks the patient to send the message again, and the same message then books", async () => {
    const p = patient(deps, "unlucky-newcomer");
    const yes = await upToConsent(p, "Marie Curie");
    const transcriptBefore = await db.prisma.conversationMessage.count({
      where: { conversation: { senderId: "unlucky-newcomer" } },
    });

    await breakReminders();
    let failed;
    try {
      failed = await p.taps(yes, { id: "consent-answer" });
    } finally {
      await mendReminders();
    }
    expect(textOf(failed)).toMatch(/renvoyer/);
    expect(await leftBehind("Curie", "consent-answer")).toEqual({
      patients: 0,
      identities: 0,
      audited: 0,
      appointments: 0,
      claimed: 0,
    });
    const conversation = await db.prisma.conversation.findFirstOrThrow({ where: { senderId: "unlucky-newcomer" } });
    expect((conversation.snapshot as { value: string }).value).toBe("askConsent");
    expect(
      await db.prisma.conversationMessage.count({ where: { conversation: { senderId: "unlucky-newcomer" } } }),
    ).toBe(transcriptBefore);
    expect(reported).toHaveLength(1);

    const retried = await p.taps(yes, { id: "consent-answer" });
    expect(textOf(retried)).toMatch(/confirmé.*mardi 1 décembre/);
    expect(await leftBehind("Curie", "consent-answer")).toEqual({
      patients: 1,
      identities: 1,
      audited: 1,
      appointments: 1,
      claimed: 1,
    });
    expect(textOf(await p.says("mes rendez-vous"))).toMatch(/mardi 1 décembre/);
  });
});
