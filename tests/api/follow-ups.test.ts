import { beforeAll, describe, expect, it } from "vitest";
import { claimReminder, finishReminder } from "../../src/domain/reminders.js";
import { demoWorld, startApi, type ApiWorld, type Client } from "./support.js";

let world: ApiWorld;
let api: Client;
let secretary: Client;
let appointmentId: string;
let patientId: string;

/** A patient booked by the secretary on Wednesday 9 December (the clock: Monday 7th, 09:00). */
beforeAll(async () => {
  world = await demoWorld();
  api = await startApi(world.ctx);
  secretary = await api.login(world.credentials.secretary);
  const prisma = world.ctx.db.prisma;
  const type = await prisma.appointmentType.findFirstOrThrow({
    where: { clinicId: world.clinicId, code: "gp-consult" },
  });
  const patient = await secretary.post("/patients", {
    firstName: "Inès",
    lastName: "Moreau",
    phone: "+33633333333",
    email: "ines@example.org",
    preferredChannel: "sms",
  });
  patientId = patient.body.id;
  const { body } = await secretary.get(
    `/availability/earliest?typeId=${type.id}&after=${encodeURIComponent("2026-12-09T11:00:00+01:00")}`,
  );
  const booked = await secretary.post("/appointments", {
    patientId,
    typeId: type.id,
    doctorId: body.slot.doctorId,
    startsAt: body.slot.startsAt,
  });
  expect(booked.status).toBe(201);
  appointmentId = booked.body.id;
});

describe("reminders, unconfirmed appointments and no-shows in the API", () => {
  it("an appointment booked through the API has its reminders scheduled and its notices waiting", async () => {
    const res = await secretary.get(`/appointments/${appointmentId}/reminders`);
    expect(res.status).toBe(200);
    expect(res.body.reminders.map((r: { kind: string; status: string }) => [r.kind, r.status])).toEqual([
      ["confirm", "scheduled"],
      ["plain", "scheduled"],
    ]);
    expect(res.body.notices.map((n: { kind: string; medium: string }) => [n.kind, n.medium])).toEqual([
      ["confirmed", "chat"],
      ["confirmed", "email"],
    ]);
  });

  it("once the confirmation request went unanswered past the deadline, the appointment is on the unconfirmed list", async () => {
    const { body } = await secretary.get(`/appointments/${appointmentId}/reminders`);
    const confirm = body.reminders[0];
    const sentAt = new Date(confirm.sendAt);
    await claimReminder(world.ctx.db, confirm.id, sentAt, 60_000);
    await finishReminder(world.ctx.db, confirm.id, { status: "sent", channel: "sms" }, sentAt);
    world.setNow(new Date(+sentAt + 25 * 3_600_000));
    const res = await secretary.get("/reminders/unconfirmed");
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      expect.objectContaining({
        appointmentId,
        patient: { id: patientId, firstName: "Inès", lastName: "Moreau", phone: "+33633333333" },
        reminder: { status: "sent", sentAt: sentAt.toISOString(), channel: "sms", reason: null },
        noShows: 0,
      }),
    ]);
  });

  it("the day after, the appointment nobody closed is a no-show candidate; confirming it counts against the patient", async () => {
    world.setNow(new Date("2026-12-10T08:00:00Z"));
    const candidates = await secretary.get("/no-shows/candidates");
    expect(candidates.body.map((c: { appointmentId: string }) => c.appointmentId)).toEqual([appointmentId]);
    expect((await secretary.post(`/appointments/${appointmentId}/no-show`, {})).status).toBe(200);
    expect((await secretary.get("/no-shows/candidates")).body).toEqual([]);
    const record = await secretary.get(`/patients/${patientId}/no-shows`);
    expect(record.body).toMatchObject({ patientId, count: 1 });
  });

  it("without a staff token these routes answer 401", async () => {
    for (const path of ["/reminders/unconfirmed", "/no-shows/candidates", `/patients/${patientId}/no-shows`])
      expect((await api.get(path)).status, path).toBe(401);
  });
});
