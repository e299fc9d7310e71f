import { beforeAll, describe, expect, it } from "vitest";
import {
  acknowledgeAlert,
  acknowledgeEmergency,
  escalateEmergencies,
  listEmergencies,
  raiseEmergency,
  resolveEmergency,
  type AlertToSend,
} from "../../src/domain/emergencies.js";
import { createTestClinic, paris, type TestClinic } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";

const db = await freshDatabase();
const T0 = paris("2026-11-30T10:00");
const at = (minutes: number, seconds = 0) => new Date(+T0 + minutes * 60_000 + seconds * 1000);
const TELEGRAM = { telegram: true, whatsapp: false };

let clinic: TestClinic;
const staff = { kind: "staff" as const, userId: "00000000-0000-0000-0000-0000000000aa", role: "secretary" as const };

/** Doctors: Doc0 on call; Doc1 (rank 10) and Doc2 (rank 20) after; Doc3 has no chat address. */
beforeAll(async () => {
  clinic = await createTestClinic(db, { doctors: 4, patients: 1 });
  await db.prisma.clinic.update({ where: { id: clinic.clinicId }, data: { emergencyAckMinutes: 2 } });
  const [d0, d1, d2] = clinic.doctorIds as [string, string, string];
  await db.prisma.doctor.update({
    where: { id: d0 },
    data: { onCall: true, telegramChatId: "900", escalationRank: 50 },
  });
  await db.prisma.doctor.update({ where: { id: d1 }, data: { telegramChatId: "901", escalationRank: 10 } });
  await db.prisma.doctor.update({ where: { id: d2 }, data: { telegramChatId: "902", escalationRank: 20 } });
});

/** A red flag in a conversation, as the engine records it. */
async function redFlag(when: Date, category = "chest_pain"): Promise<string> {
  const event = await db.prisma.emergencyEvent.create({
    data: { clinicId: clinic.clinicId, patientId: clinic.patientIds[0]!, category, createdAt: when },
  });
  return event.id;
}

const pass = (when: Date) => escalateEmergencies(db, { now: when, channels: TELEGRAM });
const forEvent = (alerts: AlertToSend[], id: string) => alerts.filter((a) => a.eventId === id);
const chatsOf = (alerts: AlertToSend[]) => alerts.map((a) => a.doctor.address).sort();

async function closeAll(): Promise<void> {
  await db.sql.query(`UPDATE emergency_event SET resolved_at = now() WHERE resolved_at IS NULL`);
}

describe("emergency escalation", () => {
  it("a red flag reaches the on-call doctor at once, with the patient to call", async () => {
    await closeAll();
    const id = await redFlag(T0);
    const [alert, ...none] = forEvent(await pass(T0), id);
    expect(none).toEqual([]);
    expect(alert).toMatchObject({ level: 0, category: "chest_pain", doctor: { address: "900", channel: "telegram" } });
    expect(alert!.patient).toMatchObject({ firstName: "Pat0", phone: "+33610000000" });
  });

  it("unacknowledged after the clinic's minutes it goes to the next doctor by rank, then to every doctor, each step timestamped", async () => {
    await closeAll();
    const id = await redFlag(T0);
    expect(chatsOf(forEvent(await pass(T0), id))).toEqual(["900"]);
    expect(forEvent(await pass(at(1, 59)), id)).toEqual([]);
    const second = forEvent(await pass(at(2)), id);
    expect(second.map((a) => [a.doctor.address, a.level])).toEqual([["901", 1]]);
    expect(second[0]!.escalatedFrom).toEqual(["Dr Doc0 Tor0"]);
    expect(forEvent(await pass(at(3, 59)), id)).toEqual([]);
    const third = forEvent(await pass(at(4)), id);
    expect(third.map((a) => [a.doctor.address, a.level])).toEqual([["902", -1]]);
    expect(forEvent(await pass(at(30)), id)).toEqual([]);

    const alerts = await db.prisma.emergencyAlert.findMany({ where: { eventId: id }, orderBy: { sentAt: "asc" } });
    expect(alerts.map((a) => [a.level, a.sentAt.toISOString()])).toEqual([
      [0, T0.toISOString()],
      [1, at(2).toISOString()],
      [-1, at(4).toISOString()],
    ]);
    expect((await db.prisma.emergencyEvent.findUniqueOrThrow({ where: { id } })).escalationLevel).toBe(-1);
  });

  it("the on-call doctor acknowledging stops the escalation", async () => {
    await closeAll();
    const id = await redFlag(T0);
    const [alert] = forEvent(await pass(T0), id);
    const ack = await acknowledgeAlert(db, { alertId: alert!.alertId, doctorId: clinic.doctorIds[0]!, now: at(1) });
    expect(ack).toMatchObject({ eventId: id, first: true, acknowledgedByDoctorId: clinic.doctorIds[0] });
    expect(forEvent(await pass(at(10)), id)).toEqual([]);
    const event = await db.prisma.emergencyEvent.findUniqueOrThrow({ where: { id }, include: { alerts: true } });
    expect(event.acknowledgedAt).toEqual(at(1));
    expect(event.alerts[0]!.acknowledgedAt).toEqual(at(1));
  });

  it("a late second acknowledgement changes nothing, and another doctor's alert cannot be acknowledged", async () => {
    await closeAll();
    const id = await redFlag(T0);
    const [first] = forEvent(await pass(T0), id);
    const [second] = forEvent(await pass(at(2)), id);
    await expect(
      acknowledgeAlert(db, { alertId: first!.alertId, doctorId: clinic.doctorIds[1]!, now: at(3) }),
    ).rejects.toMatchObject({ code: "forbidden" });
    expect(
      (await acknowledgeAlert(db, { alertId: second!.alertId, doctorId: clinic.doctorIds[1]!, now: at(3) })).first,
    ).toBe(true);
    const late = await acknowledgeAlert(db, { alertId: first!.alertId, doctorId: clinic.doctorIds[0]!, now: at(4) });
    expect(late).toMatchObject({ first: false, acknowledgedAt: at(3), acknowledgedByDoctorId: clinic.doctorIds[1] });
  });

  it("with nobody on call, the first doctor by rank is alerted", async () => {
    await closeAll();
    await db.prisma.doctor.update({ where: { id: clinic.doctorIds[0]! }, data: { onCall: false } });
    try {
      const id = await redFlag(T0);
      expect(chatsOf(forEvent(await pass(T0), id))).toEqual(["901"]);
    } finally {
      await db.prisma.doctor.update({ where: { id: clinic.doctorIds[0]! }, data: { onCall: true } });
    }
  });

  it("two passes at the same moment alert each doctor once", async () => {
    await closeAll();
    const id = await redFlag(T0);
    const [a, b] = await Promise.all([pass(T0), pass(T0)]);
    expect(chatsOf([...forEvent(a, id), ...forEvent(b, id)])).toEqual(["900"]);
    expect(await db.prisma.emergencyAlert.count({ where: { eventId: id } })).toBe(1);
  });
});

describe("emergencies raised by staff", () => {
  it("a secretary raises one for a patient; the board shows its steps, then its acknowledgement and resolution", async () => {
    await closeAll();
    const event = await raiseEmergency(db, {
      clinicId: clinic.clinicId,
      actor: staff,
      category: "breathing",
      patientId: clinic.patientIds[0]!,
      note: "Appel du conjoint",
      now: at(0),
    });
    await pass(at(0));
    await pass(at(2));
    await acknowledgeEmergency(db, { clinicId: clinic.clinicId, eventId: event.id, actor: staff, now: at(3) });
    expect(forEvent(await pass(at(6)), event.id)).toEqual([]);
    await resolveEmergency(db, { clinicId: clinic.clinicId, eventId: event.id, actor: staff, now: at(7) });
    const [shown] = (await listEmergencies(db, { clinicId: clinic.clinicId, actor: staff })).filter(
      (e) => e.id === event.id,
    );
    expect(shown).toMatchObject({
      category: "breathing",
      note: "Appel du conjoint",
      raisedBy: staff.userId,
      acknowledgedAt: at(3),
      acknowledgedByDoctorId: null,
      resolvedAt: at(7),
      patient: { firstName: "Pat0" },
    });
    expect(shown!.alerts.map((a) => [a.doctorName, a.level, a.sentAt])).toEqual([
      ["Dr Doc0 Tor0", 0, at(0)],
      ["Dr Doc1 Tor1", 1, at(2)],
    ]);
    const audit = await db.prisma.auditLog.findMany({ where: { resourceId: event.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual([
      "emergency.raise",
      "emergency.acknowledge",
      "emergency.resolve",
      "emergency.read",
    ]);
  });

  it("an unknown category or another clinic's patient is refused", async () => {
    await expect(
      raiseEmergency(db, { clinicId: clinic.clinicId, actor: staff, category: "headache" as never }),
    ).rejects.toMatchObject({ code: "invalid" });
    const other = await createTestClinic(db, { doctors: 1, patients: 1 });
    await expect(
      raiseEmergency(db, {
        clinicId: clinic.clinicId,
        actor: staff,
        category: "other",
        patientId: other.patientIds[0]!,
      }),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});
