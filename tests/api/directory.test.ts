import { beforeAll, describe, expect, it } from "vitest";
import { demoWorld, startApi, type ApiWorld, type Client } from "./support.js";

let world: ApiWorld;
let admin: Client;
let secretary: Client;
let doctor: Client;

beforeAll(async () => {
  world = await demoWorld();
  const api = await startApi(world.ctx);
  admin = await api.login(world.credentials.admin);
  secretary = await api.login(world.credentials.secretary);
  doctor = await api.login(world.credentials.doctor);
});

describe("specialties and appointment types", () => {
  it("every staff member reads the specialties; an admin adds and renames one", async () => {
    const list = await doctor.get("/specialties");
    expect(list.body.map((s: { code: string }) => s.code)).toEqual([
      "cardiology",
      "dermatology",
      "general",
      "gynecology",
      "pediatrics",
    ]);

    const created = await admin.post("/specialties", {
      code: "ent",
      nameFr: "ORL",
      nameEn: "ENT",
      keywordsFr: ["oreille"],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: "ent", keywordsFr: ["oreille"], keywordsEn: [] });
    const renamed = await admin.patch(`/specialties/${created.body.id}`, { nameEn: "Ear, nose and throat" });
    expect(renamed.body.nameEn).toBe("Ear, nose and throat");
    expect((await admin.post("/specialties", { code: "ent", nameFr: "x", nameEn: "x" })).status).toBe(409);
    expect((await admin.post("/specialties", { code: "Bad Code", nameFr: "x", nameEn: "x" })).body.field).toBe("code");
  });

  it("an admin adds an appointment type and retires it", async () => {
    const ent = (await admin.get("/specialties")).body.find((s: { code: string }) => s.code === "ent");
    const created = await admin.post("/appointment-types", {
      code: "ent-consult",
      nameFr: "Consultation ORL",
      nameEn: "ENT consultation",
      durationMinutes: 25,
      priceMinor: 4000,
      specialtyId: ent.id,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ mode: "in_person", active: true, specialtyId: ent.id });
    expect((await admin.patch(`/appointment-types/${created.body.id}`, { active: false })).body.active).toBe(false);
    const active = await secretary.get("/appointment-types?active=true");
    expect(active.body.map((t: { code: string }) => t.code)).not.toContain("ent-consult");
    expect((await secretary.get("/appointment-types?active=yes")).body.field).toBe("active");
    expect((await secretary.post("/appointment-types", created.body)).status).toBe(403);
  });
});

describe("doctors and their weeks", () => {
  it("an admin adds a doctor with specialties, then changes the list", async () => {
    const specialties = (await admin.get("/specialties")).body as { id: string; code: string }[];
    const byCode = (c: string) => specialties.find((s) => s.code === c)!.id;
    const created = await admin.post("/doctors", {
      firstName: "Inès",
      lastName: "Roux",
      languages: ["fr", "en"],
      specialtyIds: [byCode("general")],
      phone: "+33 6 00 00 00 01",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      title: "Dr",
      phone: "+33600000001",
      presence: "free",
      onCall: false,
      specialties: [{ code: "general" }],
    });

    const changed = await admin.patch(`/doctors/${created.body.id}`, {
      specialtyIds: [byCode("pediatrics"), byCode("dermatology")],
    });
    expect(changed.body.specialties.map((s: { code: string }) => s.code)).toEqual(["dermatology", "pediatrics"]);
    expect((await doctor.get(`/doctors/${created.body.id}`)).body.lastName).toBe("Roux");
    expect((await doctor.get(`/doctors?specialtyId=${byCode("pediatrics")}`)).body).toHaveLength(2);

    const unknownSpecialty = await admin.post("/doctors", {
      firstName: "X",
      lastName: "Y",
      specialtyIds: ["7d3e4a35-3f5f-4c1e-9f5e-0c9a6a1f1c11"],
    });
    expect(unknownSpecialty.status).toBe(400);
    expect(unknownSpecialty.body.field).toBe("specialtyIds");
  });

  it("working hours read as HH:MM blocks and a secretary replaces the whole week", async () => {
    const martin = (await secretary.get("/doctors")).body.find((d: { lastName: string }) => d.lastName === "Martin");
    const week = await doctor.get(`/doctors/${martin.id}/working-hours`);
    expect(week.body.blocks[0]).toEqual({
      weekday: 1,
      start: "09:00",
      end: "12:30",
      validFrom: null,
      validUntil: null,
      appointmentTypeIds: [],
    });
    expect(week.body.blocks).toHaveLength(11);

    const tele = (await secretary.get("/appointment-types")).body.find((t: { code: string }) => t.code === "gp-tele");
    const replaced = await secretary.put(`/doctors/${martin.id}/working-hours`, {
      blocks: [
        { weekday: 1, start: "08:00", end: "12:00" },
        { weekday: 1, start: "13:00", end: "24:00", appointmentTypeIds: [tele.id] },
        { weekday: 3, start: "09:00", end: "17:00", validFrom: "2027-01-01", validUntil: "2027-06-30" },
      ],
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.blocks).toEqual([
      { weekday: 1, start: "08:00", end: "12:00", validFrom: null, validUntil: null, appointmentTypeIds: [] },
      { weekday: 1, start: "13:00", end: "24:00", validFrom: null, validUntil: null, appointmentTypeIds: [tele.id] },
      {
        weekday: 3,
        start: "09:00",
        end: "17:00",
        validFrom: "2027-01-01",
        validUntil: "2027-06-30",
        appointmentTypeIds: [],
      },
    ]);
  });

  it("overlapping or malformed blocks are refused and the week is left as it was", async () => {
    const martin = (await secretary.get("/doctors")).body.find((d: { lastName: string }) => d.lastName === "Martin");
    const before = (await secretary.get(`/doctors/${martin.id}/working-hours`)).body;
    const overlap = await secretary.put(`/doctors/${martin.id}/working-hours`, {
      blocks: [
        { weekday: 2, start: "09:00", end: "12:00" },
        { weekday: 2, start: "11:00", end: "13:00" },
      ],
    });
    expect(overlap.status).toBe(400);
    expect(overlap.body.field).toBe("blocks.1");
    const malformed = await secretary.put(`/doctors/${martin.id}/working-hours`, {
      blocks: [{ weekday: 2, start: "9h", end: "12:00" }],
    });
    expect(malformed.body.field).toBe("blocks.0.start");
    const backwards = await secretary.put(`/doctors/${martin.id}/working-hours`, {
      blocks: [{ weekday: 8, start: "12:00", end: "09:00" }],
    });
    expect(backwards.body.field).toBe("blocks.0.weekday");
    expect((await secretary.get(`/doctors/${martin.id}/working-hours`)).body).toEqual(before);
  });
});

describe("schedule exceptions", () => {
  it("leave over a booked appointment is recorded and names the appointment to move", async () => {
    const prisma = world.ctx.db.prisma;
    const doctorRow = await prisma.doctor.findFirstOrThrow({ where: { lastName: "Benali" } });
    const type = await prisma.appointmentType.findFirstOrThrow({ where: { code: "gp-consult" } });
    const patient = await prisma.patient.create({
      data: { clinicId: world.clinicId, firstName: "Ana", lastName: "Lopez" },
    });
    const booked = await prisma.appointment.create({
      data: {
        clinicId: world.clinicId,
        doctorId: doctorRow.id,
        patientId: patient.id,
        typeId: type.id,
        startsAt: new Date("2027-02-01T09:00:00Z"),
        endsAt: new Date("2027-02-01T09:20:00Z"),
        status: "confirmed",
        sourceChannel: "console",
      },
    });

    const leave = await secretary.post(`/doctors/${doctorRow.id}/exceptions`, {
      kind: "leave",
      startsAt: "2027-02-01T00:00:00+01:00",
      endsAt: "2027-02-06T00:00:00+01:00",
    });
    expect(leave.status).toBe(201);
    expect(leave.body.affectedAppointmentIds).toEqual([booked.id]);
    expect(leave.body.exception).toMatchObject({
      doctorId: doctorRow.id,
      kind: "leave",
      startsAt: "2027-01-31T23:00:00.000Z",
      reason: null,
    });

    const range = "from=2027-01-01T00:00:00Z&to=2027-03-01T00:00:00Z";
    expect((await secretary.get(`/doctors/${doctorRow.id}/exceptions?${range}`)).body).toHaveLength(1);
    expect((await secretary.get(`/exceptions?${range}`)).body.map((e: { id: string }) => e.id)).toContain(
      leave.body.exception.id,
    );
    expect((await secretary.delete(`/exceptions/${leave.body.exception.id}`)).status).toBe(204);
    expect((await secretary.delete(`/exceptions/${leave.body.exception.id}`)).status).toBe(404);
  });

  it("an exception that ends before it starts, or a time without offset, gets 400", async () => {
    const backwards = await secretary.post("/exceptions", {
      kind: "holiday",
      startsAt: "2027-05-01T10:00:00Z",
      endsAt: "2027-05-01T09:00:00Z",
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.field).toBe("endsAt");
    const local = await secretary.post("/exceptions", {
      kind: "holiday",
      startsAt: "2027-05-01T00:00:00",
      endsAt: "2027-05-02T00:00:00Z",
    });
    expect(local.body.field).toBe("startsAt");
    expect((await secretary.get("/exceptions?from=2027-01-01T00:00:00Z")).body.field).toBe("to");
  });
});

describe("the clinic", () => {
  it("any staff member reads the clinic's booking rules", async () => {
    const res = await doctor.get("/clinic");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      timeZone: "Europe/Paris",
      bookingMode: "instant",
      cancellationCutoffHours: 24,
      currency: "EUR",
    });
  });
});
