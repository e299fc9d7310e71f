import { beforeAll, describe, expect, it } from "vitest";
import { demoWorld, startApi, type ApiWorld, type Client } from "./support.js";

let world: ApiWorld;
let anonymous: Client;
let secretary: Client;
let doctor: Client;
const ids = { patient: "", other: "", gp: "", martin: "", benali: "", appointment: "" };

beforeAll(async () => {
  world = await demoWorld();
  anonymous = await startApi(world.ctx);
  secretary = await anonymous.login(world.credentials.secretary);
  doctor = await anonymous.login(world.credentials.doctor);
  const prisma = world.ctx.db.prisma;
  const clinicId = world.clinicId;
  ids.martin = (await prisma.doctor.findFirstOrThrow({ where: { clinicId, lastName: "Martin" } })).id;
  ids.benali = (await prisma.doctor.findFirstOrThrow({ where: { clinicId, lastName: "Benali" } })).id;
  const gp = await prisma.appointmentType.findFirstOrThrow({ where: { clinicId, code: "gp-consult" } });
  ids.gp = gp.specialtyId!;
  const patient = await prisma.patient.create({
    data: { clinicId, firstName: "Léa", lastName: "Roux", phone: "+33633333333" },
  });
  const other = await prisma.patient.create({ data: { clinicId, firstName: "Marc", lastName: "Petit" } });
  ids.patient = patient.id;
  ids.other = other.id;
  const startsAt = new Date("2026-12-17T14:00:00Z");
  ids.appointment = (
    await prisma.appointment.create({
      data: {
        clinicId,
        doctorId: ids.martin,
        patientId: other.id,
        typeId: gp.id,
        startsAt,
        endsAt: new Date(+startsAt + 20 * 60_000),
        status: "confirmed",
        sourceChannel: "api",
      },
    })
  ).id;
});

describe("the waiting list API", () => {
  it("a secretary puts a patient on the list for general medicine; the list shows them, and the read is audited", async () => {
    const created = await secretary.post("/waitlist", { patientId: ids.patient, specialtyId: ids.gp });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      patientId: ids.patient,
      patient: { firstName: "Léa", lastName: "Roux" },
      status: "waiting",
      channel: "api",
      specialtyId: ids.gp,
      offers: [],
    });
    const again = await secretary.post("/waitlist", {
      patientId: ids.patient,
      specialtyId: ids.gp,
      wantedBefore: "2026-12-20T12:00:00+01:00",
    });
    expect(again.body).toMatchObject({ id: created.body.id, wantedBefore: "2026-12-20T11:00:00.000Z" });
    const list = await secretary.get("/waitlist");
    expect(list.status).toBe(200);
    expect(list.body.filter((e: { patientId: string }) => e.patientId === ids.patient)).toHaveLength(1);
    const audit = await world.ctx.db.prisma.auditLog.findMany({
      where: { patientId: ids.patient },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["waitlist.create", "waitlist.update", "waitlist.read"]),
    );
  });

  it("a patient waiting to move an appointment earlier is entered with that appointment, and can be withdrawn", async () => {
    const created = await secretary.post("/waitlist", { patientId: ids.other, appointmentId: ids.appointment });
    expect(created.body).toMatchObject({
      appointmentId: ids.appointment,
      appointmentStartsAt: "2026-12-17T14:00:00.000Z",
      doctorId: ids.martin,
    });
    const withdrawn = await secretary.post(`/waitlist/${created.body.id}/withdraw`);
    expect(withdrawn.body.status).toBe("withdrawn");
    expect((await secretary.get("/waitlist?status=withdrawn")).body.map((e: { id: string }) => e.id)).toContain(
      created.body.id,
    );
  });

  it("a doctor sees only the patients waiting for them, and adds only to their own list", async () => {
    await secretary.post("/waitlist", { patientId: ids.patient, doctorId: ids.martin });
    await secretary.post("/waitlist", { patientId: ids.patient, doctorId: ids.benali });
    const mine = await doctor.get("/waitlist");
    expect(mine.body.length).toBeGreaterThan(0);
    expect(mine.body.every((e: { doctorId: string }) => e.doctorId === ids.martin)).toBe(true);
    expect((await doctor.post("/waitlist", { patientId: ids.patient, doctorId: ids.benali })).status).toBe(403);
  });

  it("refuses the logged-out, unknown patients and requests naming nothing to wait for", async () => {
    expect((await anonymous.get("/waitlist")).status).toBe(401);
    expect(
      (await secretary.post("/waitlist", { patientId: "00000000-0000-4000-8000-000000000000", specialtyId: ids.gp }))
        .status,
    ).toBe(404);
    expect((await secretary.post("/waitlist", { patientId: ids.patient })).status).toBe(400);
  });
});

describe("the emergencies API", () => {
  it("staff raise an emergency, acknowledge and resolve it; each step is timestamped", async () => {
    const raised = await secretary.post("/emergencies", {
      category: "breathing",
      patientId: ids.patient,
      note: "Au téléphone",
    });
    expect(raised.status).toBe(201);
    expect(raised.body).toMatchObject({
      category: "breathing",
      patient: { id: ids.patient, firstName: "Léa", phone: "+33633333333" },
      note: "Au téléphone",
      raisedByName: expect.any(String),
      createdAt: world.ctx.now().toISOString(),
      acknowledgedAt: null,
      alerts: [],
    });
    const open = await doctor.get("/emergencies");
    expect(open.body.map((e: { id: string }) => e.id)).toContain(raised.body.id);

    const acknowledged = await doctor.post(`/emergencies/${raised.body.id}/acknowledge`);
    expect(acknowledged.body).toMatchObject({
      acknowledgedByDoctorId: ids.martin,
      acknowledgedByName: "Dr Claire Martin",
    });
    const resolved = await secretary.post(`/emergencies/${raised.body.id}/resolve`);
    expect(resolved.body.resolvedAt).toBe(world.ctx.now().toISOString());
    expect((await secretary.get("/emergencies")).body.map((e: { id: string }) => e.id)).not.toContain(raised.body.id);
    expect((await secretary.get("/emergencies?open=false")).body.map((e: { id: string }) => e.id)).toContain(
      raised.body.id,
    );
  });

  it("the front desk records which doctor took an emergency (a doctor only ever themselves)", async () => {
    const raised = await secretary.post("/emergencies", { category: "other" });
    expect((await doctor.post(`/emergencies/${raised.body.id}/acknowledge`, { doctorId: ids.benali })).status).toBe(
      403,
    );
    const taken = await secretary.post(`/emergencies/${raised.body.id}/acknowledge`, { doctorId: ids.benali });
    expect(taken.body).toMatchObject({ acknowledgedByDoctorId: ids.benali, acknowledgedByName: "Dr Youssef Benali" });
  });

  it("refuses unknown categories, unknown emergencies and the logged-out", async () => {
    expect((await secretary.post("/emergencies", { category: "headache" })).status).toBe(400);
    expect((await secretary.post("/emergencies/00000000-0000-4000-8000-000000000000/acknowledge")).status).toBe(404);
    expect((await anonymous.post("/emergencies", { category: "other" })).status).toBe(401);
  });
});
