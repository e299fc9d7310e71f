import { beforeAll, describe, expect, it } from "vitest";
import { demoWorld, startApi, type ApiWorld, type Client } from "./support.js";

let world: ApiWorld;
let doctor: Client;
let secretary: Client;
let admin: Client;
let patientId: string;
let visitId: string;

beforeAll(async () => {
  world = await demoWorld();
  const api = await startApi(world.ctx);
  [doctor, secretary, admin] = await Promise.all([
    api.login(world.credentials.doctor),
    api.login(world.credentials.secretary),
    api.login(world.credentials.admin),
  ]);
  const prisma = world.ctx.db.prisma;
  const martin = await prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.doctor.email } });
  const type = await prisma.appointmentType.findFirstOrThrow({ where: { clinicId: world.clinicId } });
  patientId = (await prisma.patient.create({ data: { clinicId: world.clinicId, firstName: "Lina", lastName: "Roux" } }))
    .id;
  visitId = (
    await prisma.appointment.create({
      data: {
        clinicId: world.clinicId,
        doctorId: martin.doctorId!,
        patientId,
        typeId: type.id,
        startsAt: new Date("2026-12-01T09:00:00Z"),
        endsAt: new Date("2026-12-01T09:20:00Z"),
        status: "completed",
        sourceChannel: "api",
      },
    })
  ).id;
});

describe("clinical records over the API", () => {
  it("a doctor writes a note, a diagnosis and a prescription and reads them back", async () => {
    const note = await doctor.post(`/patients/${patientId}/notes`, {
      body: "Otite moyenne aiguë.",
      appointmentId: visitId,
    });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ appointmentId: visitId, body: "Otite moyenne aiguë." });
    expect((await doctor.post(`/patients/${patientId}/diagnoses`, { label: "Otite", code: "H66.9" })).status).toBe(201);
    const rx = await doctor.post(`/patients/${patientId}/prescriptions`, {
      items: [{ drug: "Amoxicilline 500 mg", dosage: "2 gélules 3 fois par jour" }],
    });
    expect(rx.status).toBe(201);
    expect(rx.body.items).toEqual([
      { drug: "Amoxicilline 500 mg", dosage: "2 gélules 3 fois par jour", instructions: null },
    ]);
    expect(
      (await doctor.post(`/patients/${patientId}/allergies`, { substance: "Latex", severity: "mild" })).status,
    ).toBe(201);
    const record = await doctor.get(`/patients/${patientId}/clinical`);
    expect(record.status).toBe(200);
    expect(record.body.notes).toHaveLength(1);
    expect(record.body.diagnoses[0]).toMatchObject({ code: "H66.9", resolvedAt: null });
    expect(record.body.prescriptions[0].doctor.lastName).toBe("Martin");
    expect(record.body.allergies[0]).toMatchObject({ substance: "Latex", severity: "mild" });
  });

  it("a secretary gets 403 on clinical data but reads the allergies", async () => {
    expect((await secretary.get(`/patients/${patientId}/clinical`)).status).toBe(403);
    expect((await secretary.post(`/patients/${patientId}/notes`, { body: "x" })).status).toBe(403);
    const allergies = await secretary.get(`/patients/${patientId}/allergies`);
    expect(allergies.status).toBe(200);
    expect(allergies.body.map((a: { substance: string }) => a.substance)).toEqual(["Latex"]);
  });

  it("a bad ICD-10 code is refused naming the field", async () => {
    const res = await doctor.post(`/patients/${patientId}/diagnoses`, { label: "x", code: "otite" });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid", field: "code" });
  });

  it("only an admin exports and erases; the erasure keeps no clinical data", async () => {
    expect((await doctor.get(`/patients/${patientId}/export`)).status).toBe(403);
    const exported = await admin.get(`/patients/${patientId}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.format).toBe("tabib.patient-export/1");
    expect(exported.body.clinicalNotes[0].body).toBe("Otite moyenne aiguë.");
    expect((await secretary.post(`/patients/${patientId}/erase`, { confirm: true })).status).toBe(403);
    expect((await admin.post(`/patients/${patientId}/erase`, {})).status).toBe(400);
    const erased = await admin.post(`/patients/${patientId}/erase`, { confirm: true });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ erased: true, nameKept: false });
    expect(erased.body.deleted).toMatchObject({ clinical_note: 1, diagnosis: 1, prescription: 1, allergy: 1 });
    expect((await doctor.get(`/patients/${patientId}/clinical`)).body.notes).toEqual([]);
    expect((await doctor.post(`/patients/${patientId}/notes`, { body: "x" })).status).toBe(409);
  });
});
