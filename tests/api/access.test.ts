import { beforeAll, describe, expect, it } from "vitest";
import { demoWorld, MONDAY_9AM_PARIS, startApi, type ApiWorld, type Client } from "./support.js";

let world: ApiWorld;
let anonymous: Client;
let admin: Client;
let secretary: Client;
let doctor: Client;
let myDoctorId: string;
let otherDoctorId: string;

beforeAll(async () => {
  world = await demoWorld();
  anonymous = await startApi(world.ctx);
  admin = await anonymous.login(world.credentials.admin);
  secretary = await anonymous.login(world.credentials.secretary);
  doctor = await anonymous.login(world.credentials.doctor);
  myDoctorId = (await doctor.get("/auth/me")).body.doctorId;
  otherDoctorId = (await admin.get("/doctors")).body.find((d: { id: string }) => d.id !== myDoctorId).id;
});

/** A patient with one past appointment with the given doctor, written straight to the database. */
async function patientOf(doctorId: string, lastName: string) {
  const prisma = world.ctx.db.prisma;
  const type = await prisma.appointmentType.findFirstOrThrow({ where: { code: "gp-consult" } });
  const patient = await prisma.patient.create({ data: { clinicId: world.clinicId, firstName: "Test", lastName } });
  const startsAt = new Date(MONDAY_9AM_PARIS.getTime() - 7 * 86_400_000);
  await prisma.appointment.create({
    data: {
      clinicId: world.clinicId,
      doctorId,
      patientId: patient.id,
      typeId: type.id,
      startsAt,
      endsAt: new Date(+startsAt + 20 * 60_000),
      status: "completed",
      sourceChannel: "console",
    },
  });
  return patient;
}

describe("what a secretary may not do", () => {
  it("a secretary cannot create staff accounts (403)", async () => {
    const res = await secretary.post("/staff", {
      email: "new@tabib.local",
      displayName: "New",
      role: "secretary",
      password: "a-long-enough-password",
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe("forbidden");
    expect(await world.ctx.db.prisma.staffUser.count({ where: { email: "new@tabib.local" } })).toBe(0);
  });

  it("a secretary cannot change clinic settings (403)", async () => {
    expect((await secretary.patch("/clinic", { bookingMode: "approval" })).status).toBe(403);
    expect((await secretary.get("/clinic")).body.bookingMode).toBe("instant");
  });

  it("a secretary cannot list staff nor edit the directory", async () => {
    expect((await secretary.get("/staff")).status).toBe(403);
    expect((await secretary.post("/specialties", { code: "ent", nameFr: "ORL", nameEn: "ENT" })).status).toBe(403);
    expect((await secretary.patch(`/doctors/${otherDoctorId}`, { lastName: "Renamed" })).status).toBe(403);
  });

  it("a secretary can mark a doctor busy or on call", async () => {
    const res = await secretary.patch(`/doctors/${otherDoctorId}`, { presence: "busy", onCall: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ presence: "busy", onCall: true });
  });
});

describe("what an admin may do", () => {
  it("an admin creates a staff account that can then log in", async () => {
    const created = await admin.post("/staff", {
      email: "Accueil@Tabib.local",
      displayName: "Accueil",
      role: "secretary",
      password: "a-long-enough-password",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: "accueil@tabib.local",
      role: "secretary",
      active: true,
      doctorId: null,
    });
    expect(created.body).not.toHaveProperty("passwordHash");
    await anonymous.login({ email: "accueil@tabib.local", password: "a-long-enough-password" });

    const again = await admin.post("/staff", {
      email: "accueil@tabib.local",
      displayName: "Twice",
      role: "secretary",
      password: "a-long-enough-password",
    });
    expect(again.status).toBe(409);
  });

  it("a short password gets 400 naming 'password'; a doctor account must name its doctor", async () => {
    const short = await admin.post("/staff", {
      email: "short@tabib.local",
      displayName: "S",
      role: "secretary",
      password: "short",
    });
    expect(short.status).toBe(400);
    expect(short.body.field).toBe("password");
    const noDoctor = await admin.post("/staff", {
      email: "doc@tabib.local",
      displayName: "D",
      role: "doctor",
      password: "a-long-enough-password",
    });
    expect(noDoctor.status).toBe(400);
    expect(noDoctor.body.field).toBe("doctorId");
  });

  it("a deactivated account can no longer log in", async () => {
    const created = await admin.post("/staff", {
      email: "leaver@tabib.local",
      displayName: "Leaver",
      role: "secretary",
      password: "a-long-enough-password",
    });
    expect((await admin.patch(`/staff/${created.body.id}`, { active: false })).body.active).toBe(false);
    expect(
      (await anonymous.post("/auth/login", { email: "leaver@tabib.local", password: "a-long-enough-password" })).status,
    ).toBe(401);
  });

  it("an admin changes clinic settings; an unknown time zone gets 400 naming 'timeZone'", async () => {
    const bad = await admin.patch("/clinic", { timeZone: "Mars/Olympus" });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("timeZone");
    expect((await admin.patch("/clinic", { timeZone: "+01:00" })).status).toBe(400);
    expect((await admin.patch("/clinic", { currency: "XYZ" })).body.field).toBe("currency");
    expect((await admin.patch("/clinic", { emergencyPhone: "0140000099" })).body.field).toBe("emergencyPhone");

    const ok = await admin.patch("/clinic", {
      timeZone: "Africa/Casablanca",
      cancellationCutoffHours: 12,
      minBookingNoticeMinutes: 30,
      defaultLocale: "en",
      currency: "MAD",
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      timeZone: "Africa/Casablanca",
      cancellationCutoffHours: 12,
      minBookingNoticeMinutes: 30,
      defaultLocale: "en",
      currency: "MAD",
    });
    await admin.patch("/clinic", {
      timeZone: "Europe/Paris",
      cancellationCutoffHours: 24,
      minBookingNoticeMinutes: 60,
      defaultLocale: "fr",
      currency: "EUR",
    });
  });
});

describe("what a doctor may reach", () => {
  it("a doctor cannot read another doctor's patient", async () => {
    const theirs = await patientOf(otherDoctorId, "Autre");
    const res = await doctor.get(`/patients/${theirs.id}`);
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain("Autre");
    expect((await doctor.get("/patients?q=Autre")).body).toEqual([]);
    expect((await secretary.get(`/patients/${theirs.id}`)).status).toBe(200);
  });

  it("a doctor reads a patient they have seen", async () => {
    const mine = await patientOf(myDoctorId, "Mienne");
    const res = await doctor.get(`/patients/${mine.id}`);
    expect(res.status).toBe(200);
    expect(res.body.lastName).toBe("Mienne");
    expect((await doctor.get("/patients?q=mienne")).body.map((p: { id: string }) => p.id)).toEqual([mine.id]);
  });

  it("a doctor cannot create or edit patient records, staff or settings", async () => {
    expect((await doctor.post("/patients", { firstName: "A", lastName: "B" })).status).toBe(403);
    expect((await doctor.patch("/clinic", { bookingMode: "approval" })).status).toBe(403);
    expect((await doctor.get("/staff")).status).toBe(403);
  });

  it("a doctor sets their own presence, but not another doctor's nor anything else", async () => {
    expect((await doctor.patch(`/doctors/${myDoctorId}`, { presence: "busy" })).body.presence).toBe("busy");
    expect((await doctor.patch(`/doctors/${myDoctorId}`, { presence: "free" })).body.presence).toBe("free");
    expect((await doctor.patch(`/doctors/${otherDoctorId}`, { presence: "busy" })).status).toBe(403);
    const onCall = await doctor.patch(`/doctors/${myDoctorId}`, { onCall: false });
    expect(onCall.status).toBe(403);
    expect(onCall.body.fields).toEqual(["onCall"]);
  });

  it("a doctor manages their own leave but not another doctor's, nor clinic holidays", async () => {
    const leave = {
      kind: "leave",
      startsAt: "2027-01-04T00:00:00+01:00",
      endsAt: "2027-01-09T00:00:00+01:00",
      reason: "Congés",
    };
    const mine = await doctor.post(`/doctors/${myDoctorId}/exceptions`, leave);
    expect(mine.status).toBe(201);
    expect((await doctor.post(`/doctors/${otherDoctorId}/exceptions`, leave)).status).toBe(403);
    expect((await doctor.post("/exceptions", { ...leave, kind: "holiday" })).status).toBe(403);
    expect(
      (await doctor.get(`/doctors/${otherDoctorId}/exceptions?from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z`))
        .status,
    ).toBe(403);

    const holiday = await secretary.post("/exceptions", {
      kind: "holiday",
      startsAt: "2027-01-01T00:00:00+01:00",
      endsAt: "2027-01-02T00:00:00+01:00",
      reason: "Jour de l'an",
    });
    expect(holiday.status).toBe(201);
    expect((await doctor.delete(`/exceptions/${holiday.body.exception.id}`)).status).toBe(403);
    expect((await doctor.delete(`/exceptions/${mine.body.exception.id}`)).status).toBe(204);
  });

  it("a doctor cannot change working hours", async () => {
    expect((await doctor.put(`/doctors/${myDoctorId}/working-hours`, { blocks: [] })).status).toBe(403);
  });
});
