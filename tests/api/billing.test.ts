import { beforeAll, describe, expect, it } from "vitest";
import { demoWorld, startApi, type ApiWorld, type Client } from "./support.js";

let world: ApiWorld;
let api: Client;
let secretary: Client;
let doctor: Client;
const ids = { appointment: "", patient: "", insurer: "", doctor: "" };

beforeAll(async () => {
  world = await demoWorld();
  api = await startApi(world.ctx);
  secretary = await api.login(world.credentials.secretary);
  doctor = await api.login(world.credentials.doctor);
  const prisma = world.ctx.db.prisma;
  ids.doctor = (
    await prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.doctor.email } })
  ).doctorId!;
  const type = await prisma.appointmentType.findFirstOrThrow({ where: { clinicId: world.clinicId } });
  ids.insurer = (
    await prisma.insurer.create({ data: { clinicId: world.clinicId, name: "Harmonie", code: "harm" } })
  ).id;
  const patient = await prisma.patient.create({
    data: {
      clinicId: world.clinicId,
      firstName: "Nadia",
      lastName: "Haddad",
      insurerId: ids.insurer,
      insuranceCoverageBp: 6500,
    },
  });
  ids.patient = patient.id;
  const startsAt = new Date("2026-12-04T09:00:00Z");
  ids.appointment = (
    await prisma.appointment.create({
      data: {
        clinicId: world.clinicId,
        doctorId: ids.doctor,
        patientId: patient.id,
        typeId: type.id,
        startsAt,
        endsAt: new Date(+startsAt + 20 * 60_000),
        status: "completed",
        sourceChannel: "telegram",
      },
    })
  ).id;
});

describe("billing API", () => {
  it("a secretary bills an appointment, the insurer and the patient pay their parts", async () => {
    const created = await secretary.post("/invoices", { appointmentId: ids.appointment });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: "draft", number: null, insurerShareBp: 6500, currency: "EUR" });
    const id = created.body.id;
    expect((await secretary.post("/invoices", { appointmentId: ids.appointment })).body).toMatchObject({
      error: "conflict",
      invoiceId: id,
    });

    const line = await secretary.post(`/invoices/${id}/lines`, { description: "Frottis", unitPriceMinor: 1999 });
    expect(line.status).toBe(200);
    const total = line.body.totalMinor;
    expect(line.body.lines).toHaveLength(2);
    expect((await secretary.post(`/invoices/${id}/lines`, { description: "x", unitPriceMinor: -1 })).status).toBe(400);

    const stale = await secretary.post(`/invoices/${id}/issue`, { expectedTotalMinor: total - 1 });
    expect(stale.body).toMatchObject({ error: "conflict", reason: "total_changed", totalMinor: total });
    const issued = await secretary.post(`/invoices/${id}/issue`, { expectedTotalMinor: total });
    expect(issued.status).toBe(200);
    expect(issued.body.number).toBe("2026-000001");
    expect(issued.body.insurerPartMinor).toBe(Math.round((total * 6500) / 10_000));
    expect(issued.body.insurerPartMinor + issued.body.patientPartMinor).toBe(total);
    expect((await secretary.post(`/invoices/${id}/lines`, { description: "late", unitPriceMinor: 1 })).status).toBe(
      409,
    );

    const over = await secretary.post(`/invoices/${id}/payments`, {
      payer: "insurer",
      method: "insurer",
      amountMinor: issued.body.insurerPartMinor + 1,
    });
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ reason: "over_balance", dueMinor: issued.body.insurerPartMinor });
    const insurer = await secretary.post(`/invoices/${id}/payments`, {
      payer: "insurer",
      method: "transfer",
      amountMinor: issued.body.insurerPartMinor,
      reference: "VIR 2026-12",
    });
    expect(insurer.status).toBe(201);
    expect(insurer.body.status).toBe("partly_paid");

    const owed = await secretary.get(`/balances/patients?patientId=${ids.patient}`);
    expect(owed.body).toEqual([
      expect.objectContaining({ patientId: ids.patient, dueMinor: issued.body.patientPartMinor, invoices: 1 }),
    ]);
    expect((await secretary.get("/balances/insurers")).body).toEqual([]);

    const paid = await secretary.post(`/invoices/${id}/payments`, {
      payer: "patient",
      method: "cash",
      amountMinor: issued.body.patientPartMinor,
    });
    expect(paid.body).toMatchObject({ status: "paid", balance: { dueMinor: 0 } });
    expect((await secretary.post(`/invoices/${id}/void`, { reason: "too late" })).status).toBe(409);
    const listed = await secretary.get(`/invoices?patientId=${ids.patient}`);
    expect(listed.body.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual([[id, "paid"]]);
    const audit = await world.ctx.db.prisma.auditLog.findMany({
      where: { patientId: ids.patient, resourceType: "invoice" },
      select: { action: true },
    });
    expect(new Set(audit.map((a) => a.action))).toEqual(
      new Set(["invoice.create", "invoice.update", "invoice.issue", "payment.record", "invoice.list"]),
    );
  });

  it("a doctor may not bill but reads a report of their own activity", async () => {
    expect((await doctor.get("/invoices")).status).toBe(403);
    expect((await doctor.post("/invoices", { appointmentId: ids.appointment })).status).toBe(403);
    const report = await doctor.get("/reports?from=2026-12-01&to=2026-12-07");
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ scope: "doctor", money: null, rates: { appointments: 1 } });
    expect(report.body.perDoctor.map((d: { doctorId: string }) => d.doctorId)).toEqual([ids.doctor]);
  });

  it("the clinic report counts the appointment and the money received", async () => {
    const report = await secretary.get("/reports?from=2026-12-01&to=2026-12-07");
    expect(report.status).toBe(200);
    expect(report.body.scope).toBe("clinic");
    expect(report.body.rates.appointments).toBe(1);
    expect(report.body.money.revenueMinor).toBe(report.body.money.invoicedMinor);
    expect(report.body.money.receivables.totalMinor).toBe(0);
    expect((await secretary.get("/reports?from=2026-12-07&to=2026-12-01")).status).toBe(400);
    expect((await secretary.get("/reports?from=yesterday&to=2026-12-01")).body).toMatchObject({ field: "from" });
  });
});
