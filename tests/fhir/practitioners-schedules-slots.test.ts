import { beforeAll, describe, expect, it } from "vitest";
import { decodeSlotId } from "../../src/fhir/resources/slot.js";
import { FHIR_HANDLERS } from "../../src/fhir/router.js";
import { paris } from "../support/clinic.js";
import { ids, matches, startFhirApp, type FhirTestApp } from "./support/app.js";
import { NOW, seedFhirFixture, type FhirFixture } from "./support/fixture.js";

let app: FhirTestApp;
let fx: FhirFixture;
let secretary: string;

beforeAll(async () => {
  app = await startFhirApp(NOW);
  fx = await seedFhirFixture(app.db);
  secretary = app.token(fx.staff.secretary);
});

describe("CapabilityStatement", () => {
  it("GET /metadata needs no token and describes an active R4 JSON server instance", async () => {
    const res = await app.get("/metadata");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      resourceType: "CapabilityStatement",
      status: "active",
      kind: "instance",
      fhirVersion: "4.0.1",
      rest: [{ mode: "server" }],
    });
    expect(res.body.format).toContain("json");
  });

  it("lists read and search-type with exactly the search parameters each handler accepts", async () => {
    const { body } = await app.get("/metadata");
    const resources = body.rest[0].resource;
    expect(resources.map((r: { type: string }) => r.type)).toEqual([
      "Patient",
      "Practitioner",
      "Schedule",
      "Slot",
      "Appointment",
    ]);
    for (const handler of FHIR_HANDLERS) {
      const r = resources.find((x: { type: string }) => x.type === handler.type);
      expect(r.interaction).toEqual([{ code: "read" }, { code: "search-type" }]);
      expect(r.searchParam.map((p: { name: string }) => p.name)).toEqual(handler.searchParams.map((p) => p.name));
    }
  });

  it("every advertised search parameter is accepted even under strict handling", async () => {
    const { body } = await app.get("/metadata");
    const sample: Record<string, string> = {
      token: "free",
      string: "a",
      date: "2026-12-01",
      reference: fx.doctors.martin,
    };
    for (const r of body.rest[0].resource) {
      for (const p of r.searchParam) {
        const value = p.name === "active" ? "true" : sample[p.type]!;
        const res = await app.get(`/${r.type}?${p.name}=${encodeURIComponent(value)}`, secretary, {
          prefer: "handling=strict",
        });
        expect(res.status, `${r.type}?${p.name}`).toBe(200);
      }
    }
  });
});

describe("Practitioner", () => {
  it("a doctor reads as a Practitioner with title, specialty qualification and languages", async () => {
    const res = await app.get(`/Practitioner/${fx.doctors.martin}`, app.token(fx.staff.martin));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      resourceType: "Practitioner",
      active: true,
      name: [{ family: "Martin", given: ["Claire"], prefix: ["Dr"], text: "Dr Claire Martin" }],
      qualification: [
        {
          code: {
            coding: [{ system: "urn:tabib:fhir:CodeSystem:specialty", code: "general", display: "Médecine générale" }],
          },
        },
      ],
      communication: [{ coding: [{ code: "fr" }] }, { coding: [{ code: "en" }] }],
    });
  });

  it("searches by specialty and by name", async () => {
    const cardiologists = await app.get("/Practitioner?specialty=cardiology", secretary);
    expect(matches(cardiologists.body).map((p) => p.name[0].family)).toEqual(["Dubois", "Lefèvre"]);
    const mar = await app.get("/Practitioner?name=mar", secretary);
    expect(matches(mar.body).map((p) => p.name[0].family)).toEqual(["Lefèvre", "Martin"]);
    expect((await app.get("/Practitioner", secretary)).body.total).toBe(7);
  });
});

describe("Schedule", () => {
  it("each active doctor has one Schedule, keyed by the doctor's id, offering their specialty's appointment types", async () => {
    const res = await app.get(`/Schedule/${fx.doctors.martin}`, secretary);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      resourceType: "Schedule",
      id: fx.doctors.martin,
      active: true,
      actor: [{ reference: `Practitioner/${fx.doctors.martin}`, display: "Dr Claire Martin" }],
      specialty: [{ coding: [{ code: "general" }] }],
      planningHorizon: { start: "2026-11-30T08:00:00+01:00", end: "2026-12-07T08:00:00+01:00" },
    });
    expect(res.body.serviceType.map((s: { coding: { code: string }[] }) => s.coding[0]!.code)).toEqual([
      "gp-consult",
      "gp-tele",
    ]);
  });

  it("searches by actor, specialty and service type; date sets the planning horizon", async () => {
    expect(ids((await app.get(`/Schedule?actor=Practitioner/${fx.doctors.dubois}`, secretary)).body)).toEqual([
      fx.doctors.dubois,
    ]);
    expect((await app.get("/Schedule", secretary)).body.total).toBe(7);
    expect((await app.get("/Schedule?service-type=gp-tele", secretary)).body.total).toBe(2);
    expect((await app.get("/Schedule?specialty=cardiology&active=false", secretary)).body.total).toBe(0);
    const res = await app.get(`/Schedule?actor=${fx.doctors.martin}&date=ge2026-12-01&date=lt2026-12-08`, secretary);
    expect(matches(res.body)[0].planningHorizon).toEqual({
      start: "2026-12-01T00:00:00+01:00",
      end: "2026-12-08T00:00:00+01:00",
    });
  });

  it("an inactive doctor has no Schedule", async () => {
    const retired = await app.db.prisma.doctor.create({
      data: { clinicId: fx.clinicId, firstName: "Old", lastName: "Timer", languages: ["fr"], active: false },
    });
    expect((await app.get(`/Schedule/${retired.id}`, secretary)).status).toBe(404);
    expect((await app.get(`/Practitioner/${retired.id}`, secretary)).body.active).toBe(false);
  });
});

describe("Slot", () => {
  const martinDay = `schedule=Schedule/${"%s"}&start=2026-12-01`;

  it("a doctor's free slots for a local day start after the booked 09:00 consultation and cover the working hours", async () => {
    const res = await app.get(`/Slot?${martinDay.replace("%s", fx.doctors.martin)}&_count=100`, secretary);
    expect(res.status).toBe(200);
    const slots = matches(res.body);
    // 09:20–12:10 and 14:00–18:10 every 10 minutes, for a 20-minute general consultation.
    expect(res.body.total).toBe(18 + 26);
    expect(slots[0]).toMatchObject({
      resourceType: "Slot",
      schedule: { reference: `Schedule/${fx.doctors.martin}` },
      status: "free",
      start: "2026-12-01T09:20:00+01:00",
      end: "2026-12-01T09:40:00+01:00",
      serviceType: [{ coding: [{ code: "gp-consult" }] }],
    });
    expect(slots.at(-1).start).toBe("2026-12-01T18:10:00+01:00");
    expect(slots.map((s) => s.start)).toEqual([...slots.map((s) => s.start)].sort());
  });

  it("a slot id decodes to its doctor, type and start, and reads back while the slot is free", async () => {
    const first = matches(
      (await app.get(`/Slot?${martinDay.replace("%s", fx.doctors.martin)}&_count=1`, secretary)).body,
    )[0];
    expect(first.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    expect(decodeSlotId(first.id)).toEqual({
      doctorId: fx.doctors.martin,
      appointmentTypeId: fx.types["gp-consult"],
      startsAt: paris("2026-12-01T09:20"),
    });
    const read = await app.get(`/Slot/${first.id}`, secretary);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(first);
    expect(ids((await app.get(`/Slot?_id=${first.id}`, secretary)).body)).toEqual([first.id]);
  });

  it("once the slot is booked, reading it again is a 404", async () => {
    const first = matches(
      (await app.get(`/Slot?${martinDay.replace("%s", fx.doctors.martin)}&_count=1`, secretary)).body,
    )[0];
    const booked = await app.db.prisma.appointment.create({
      data: {
        clinicId: fx.clinicId,
        patientId: fx.patients.bob,
        doctorId: fx.doctors.martin,
        typeId: fx.types["gp-consult"]!,
        startsAt: paris("2026-12-01T09:20"),
        endsAt: paris("2026-12-01T09:40"),
        status: "confirmed",
        sourceChannel: "console",
      },
    });
    expect((await app.get(`/Slot/${first.id}`, secretary)).status).toBe(404);
    await app.db.prisma.appointment.delete({ where: { id: booked.id } });
    expect((await app.get(`/Slot/${first.id}`, secretary)).status).toBe(200);
    expect((await app.get("/Slot/not-a-slot-id", secretary)).status).toBe(404);
  });

  it("without start the window is the next 7 days from now, after the clinic's booking notice", async () => {
    const res = await app.get(`/Slot?schedule=${fx.doctors.martin}&_count=100&_offset=0`, secretary);
    const slots = matches(res.body);
    expect(slots[0].start).toBe("2026-11-30T09:00:00+01:00"); // now is 08:00, notice 60 minutes
    const last = (
      await app.get(`/Slot?schedule=${fx.doctors.martin}&_count=1&_offset=${res.body.total - 1}`, secretary)
    ).body;
    expect(+new Date(matches(last)[0].start)).toBeLessThan(+NOW + 7 * 24 * 3600_000);
  });

  it("a window longer than 31 days is cut to 31 and says so in an outcome entry", async () => {
    const res = await app.get(
      `/Slot?schedule=${fx.doctors.dubois}&start=ge2026-12-01&start=lt2027-06-01&_count=1`,
      secretary,
    );
    const outcome = res.body.entry.find((e: { search: { mode: string } }) => e.search.mode === "outcome");
    expect(outcome.resource).toMatchObject({
      resourceType: "OperationOutcome",
      issue: [{ severity: "warning", code: "too-costly" }],
    });
    const lastPage = await app.get(
      `/Slot?schedule=${fx.doctors.dubois}&start=ge2026-12-01&start=lt2027-06-01&_count=1&_offset=${res.body.total - 1}`,
      secretary,
    );
    expect(+new Date(matches(lastPage.body)[0].start)).toBeLessThan(+paris("2027-01-01T00:00"));
  });

  it("service-type picks the appointment type, specialty the doctors, and only free slots exist", async () => {
    const tele = matches(
      (await app.get(`/Slot?${martinDay.replace("%s", fx.doctors.martin)}&service-type=gp-tele&_count=3`, secretary))
        .body,
    );
    expect(tele.map((s) => (+new Date(s.end) - +new Date(s.start)) / 60_000)).toEqual([15, 15, 15]);
    const cardio = matches((await app.get("/Slot?specialty=cardiology&start=2026-12-02&_count=100", secretary)).body);
    expect(new Set(cardio.map((s) => s.schedule.reference))).toEqual(
      new Set([`Schedule/${(await app.db.prisma.doctor.findFirstOrThrow({ where: { lastName: "Lefèvre" } })).id}`]),
    );
    expect(cardio.every((s) => s.serviceType[0].coding[0].code === "cardio-consult")).toBe(true);
    expect(
      (await app.get(`/Slot?${martinDay.replace("%s", fx.doctors.martin)}&status=busy`, secretary)).body.total,
    ).toBe(0);
    expect(
      (await app.get(`/Slot?${martinDay.replace("%s", fx.doctors.martin)}&status=free`, secretary)).body.total,
    ).toBe(44);
    expect((await app.get("/Slot?service-type=no-such-type", secretary)).body.total).toBe(0);
  });

  it("slots of several doctors come sorted by start, and a bad start is a 400", async () => {
    const all = matches((await app.get("/Slot?start=2026-12-01&_count=100", secretary)).body);
    expect(new Set(all.map((s) => s.schedule.reference)).size).toBeGreaterThan(2);
    expect(all.map((s) => +new Date(s.start))).toEqual([...all.map((s) => +new Date(s.start))].sort((a, b) => a - b));
    expect((await app.get("/Slot?start=tomorrow", secretary)).status).toBe(400);
  });
});
