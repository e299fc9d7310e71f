import { beforeAll, describe, expect, it } from "vitest";
import { ids, startFhirApp, type FhirTestApp } from "./support/app.js";
import { NOW, seedFhirFixture, type FhirFixture } from "./support/fixture.js";

let app: FhirTestApp;
let fx: FhirFixture;
let secretary: string;
let martin: string;

beforeAll(async () => {
  app = await startFhirApp(NOW);
  fx = await seedFhirFixture(app.db);
  secretary = app.token(fx.staff.secretary);
  martin = app.token(fx.staff.martin);
});

const auditRows = (action: string) =>
  app.db.sql.query<{ patient_id: string; resource_id: string; actor_id: string; detail: Record<string, unknown> }>(
    "SELECT patient_id, resource_id, actor_id, detail FROM audit_log WHERE action = $1 ORDER BY id",
    [action],
  );

describe("authentication", () => {
  it("a client without a token gets 401 on searches and reads", async () => {
    expect((await app.get("/Patient")).status).toBe(401);
    expect((await app.get(`/Appointment/${fx.appointments.aliceMartin}`)).status).toBe(401);
    expect((await app.get("/Slot")).status).toBe(401);
  });

  it("a forged or expired-looking token gets 401", async () => {
    expect((await app.get("/Patient", "not.a.jwt")).status).toBe(401);
  });
});

describe("Patient", () => {
  it("a secretary reads a patient as valid FHIR with name, birth date, telecom and language", async () => {
    const res = await app.get(`/Patient/${fx.patients.alice}`, secretary);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      resourceType: "Patient",
      id: fx.patients.alice,
      active: true,
      name: [{ use: "official", family: "Durand", given: ["Alice"], text: "Alice Durand" }],
      birthDate: "1980-05-17",
      telecom: [
        { system: "phone", value: "+33611111111" },
        { system: "email", value: "alice.durand@example.org" },
      ],
    });
  });

  it("reading a patient leaves one audit row naming the patient, the reader and no content", async () => {
    await app.get(`/Patient/${fx.patients.bob}`, secretary);
    const rows = (await auditRows("fhir.patient.read")).filter((r) => r.patient_id === fx.patients.bob);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ resource_id: fx.patients.bob, actor_id: fx.staff.secretary.userId });
    expect(JSON.stringify(rows[0]!.detail)).not.toMatch(/Petit|Bob|\+336/);
  });

  it("a search is a searchset bundle with total, fullUrl, match mode and a self link", async () => {
    const res = await app.get("/Patient?family=dur", secretary);
    expect(res.body).toMatchObject({ resourceType: "Bundle", type: "searchset", total: 1 });
    expect(res.body.entry[0]).toMatchObject({
      fullUrl: `${app.base}/Patient/${fx.patients.alice}`,
      search: { mode: "match" },
    });
    expect(res.body.link.find((l: { relation: string }) => l.relation === "self").url).toBe(
      `${app.base}/Patient?family=dur&_count=20&_offset=0`,
    );
  });

  it("name, given, birthdate, phone, email and telecom each find the right patients", async () => {
    const cases: [string, string[]][] = [
      ["name=ALI", [fx.patients.alice]],
      ["name=r", [fx.patients.chloe]], // starts-with on either name: Roux
      ["name:contains=ou", [fx.patients.chloe]],
      ["name:exact=alice", []],
      ["name:exact=Alice", [fx.patients.alice]],
      ["given=bob,chlo", [fx.patients.bob, fx.patients.chloe]],
      ["birthdate=1980-05-17", [fx.patients.alice]],
      ["birthdate=1975", [fx.patients.bob]],
      ["birthdate=ge1980-01-01", [fx.patients.alice, fx.patients.chloe]],
      ["birthdate=lt1980-05-17", [fx.patients.bob]],
      ["birthdate=le1980-05-17", [fx.patients.bob, fx.patients.alice]],
      ["phone=%2B33%206%2022%2022%2022%2022", [fx.patients.bob]],
      ["email=ALICE.DURAND@example.org", [fx.patients.alice]],
      ["telecom=phone|%2B33633333333", [fx.patients.chloe]],
      ["telecom=email|%2B33633333333", []],
      [`_id=${fx.patients.bob},not-a-uuid`, [fx.patients.bob]],
      ["family=d&given=b", []],
    ];
    for (const [query, expected] of cases) {
      const res = await app.get(`/Patient?${query}`, secretary);
      expect(res.status, query).toBe(200);
      expect(ids(res.body).sort(), query).toEqual([...expected].sort());
      expect(res.body.total, query).toBe(expected.length);
    }
  });

  it("a search leaves one audit row per patient returned, with the parameter names but not their values", async () => {
    const before = (await auditRows("fhir.patient.search")).length;
    await app.get("/Patient?birthdate=ge1970-01-01&_count=2", secretary);
    const rows = (await auditRows("fhir.patient.search")).slice(before);
    expect(rows.map((r) => r.patient_id)).toEqual([fx.patients.alice, fx.patients.bob]);
    expect(rows[0]!.detail).toMatchObject({ parameters: ["birthdate"] });
    expect(JSON.stringify(rows[0]!.detail)).not.toContain("1970");
  });

  it("pages with _count and _offset and links next and previous pages", async () => {
    const first = await app.get("/Patient?_count=2", secretary);
    expect(first.body.total).toBe(3);
    expect(ids(first.body)).toEqual([fx.patients.alice, fx.patients.bob]); // sorted by family name
    const next = first.body.link.find((l: { relation: string }) => l.relation === "next").url;
    expect(first.body.link.some((l: { relation: string }) => l.relation === "previous")).toBe(false);
    const second = await app.get(next, secretary);
    expect(ids(second.body)).toEqual([fx.patients.chloe]);
    expect(second.body.link.some((l: { relation: string }) => l.relation === "next")).toBe(false);
    expect(second.body.link.find((l: { relation: string }) => l.relation === "previous").url).toContain("_offset=0");
  });

  it("_count=0 answers the total alone", async () => {
    const res = await app.get("/Patient?_count=0", secretary);
    expect(res.body.total).toBe(3);
    expect(res.body.entry).toBeUndefined();
  });

  it("an unknown id is a 404 OperationOutcome", async () => {
    const res = await app.get("/Patient/6b1c5a8e-0000-4000-8000-000000000000", secretary);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      resourceType: "OperationOutcome",
      issue: [{ severity: "error", code: "not-found" }],
    });
    expect((await app.get("/Patient/whatever", secretary)).status).toBe(404);
  });

  it("an erased patient reads as 410 Gone and no longer shows up in searches", async () => {
    const erased = await app.db.prisma.patient.create({
      data: { clinicId: fx.clinicId, firstName: "Erased", lastName: "Zed", erasedAt: NOW },
    });
    expect((await app.get(`/Patient/${erased.id}`, secretary)).status).toBe(410);
    expect(ids((await app.get("/Patient?family=zed", secretary)).body)).toEqual([]);
  });
});

describe("a doctor's view", () => {
  it("Dr Martin reads his own patient but gets 404 for someone else's, without leaking that it exists", async () => {
    expect((await app.get(`/Patient/${fx.patients.alice}`, martin)).status).toBe(200);
    const other = await app.get(`/Patient/${fx.patients.bob}`, martin);
    expect(other.status).toBe(404);
    expect(other.body.resourceType).toBe("OperationOutcome");
  });

  it("Dr Martin's patient search only ever returns his own patients", async () => {
    const res = await app.get("/Patient", martin);
    expect(ids(res.body)).toEqual([fx.patients.alice]);
    expect(res.body.total).toBe(1);
    expect(ids((await app.get("/Patient?name=bob", martin)).body)).toEqual([]);
  });

  it("Dr Martin sees every appointment of his patients, including one with another doctor, and nothing else", async () => {
    const res = await app.get("/Appointment", martin);
    expect(ids(res.body)).toEqual([fx.appointments.aliceMartin, fx.appointments.aliceDuboisLate]);
    expect((await app.get(`/Appointment/${fx.appointments.bobBenaliMidnight}`, martin)).status).toBe(404);
  });

  it("a secretary reads every patient", async () => {
    expect(ids((await app.get("/Patient", secretary)).body)).toHaveLength(3);
    expect((await app.get(`/Patient/${fx.patients.bob}`, app.token(fx.staff.admin))).status).toBe(200);
  });
});

describe("Appointment", () => {
  it("maps a confirmed appointment: booked, local start and end with offset, duration, participants, service type and reason", async () => {
    const res = await app.get(`/Appointment/${fx.appointments.aliceMartin}`, secretary);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      resourceType: "Appointment",
      status: "booked",
      start: "2026-12-01T09:00:00+01:00",
      end: "2026-12-01T09:20:00+01:00",
      minutesDuration: 20,
      serviceType: [{ coding: [{ system: "urn:tabib:fhir:CodeSystem:appointment-type", code: "gp-consult" }] }],
      specialty: [{ coding: [{ code: "general" }] }],
      reasonCode: [{ text: "Fièvre depuis trois jours" }],
      participant: [
        {
          actor: { reference: `Patient/${fx.patients.alice}`, display: "Alice Durand" },
          required: "required",
          status: "accepted",
        },
        {
          actor: { reference: `Practitioner/${fx.doctors.martin}`, display: "Dr Claire Martin" },
          required: "required",
          status: "accepted",
        },
      ],
    });
  });

  it("maps requested to pending, completed to fulfilled, and declined or cancelled to cancelled with a reason", async () => {
    const get = async (id: string) => (await app.get(`/Appointment/${id}`, secretary)).body;
    expect(await get(fx.appointments.aliceDuboisLate)).toMatchObject({
      status: "pending",
      participant: [{ status: "accepted" }, { status: "needs-action" }],
    });
    expect(await get(fx.appointments.chloeBenaliPast)).toMatchObject({ status: "fulfilled" });
    expect(await get(fx.appointments.chloeDuboisDeclined)).toMatchObject({
      status: "cancelled",
      cancelationReason: { coding: [{ code: "prov" }], text: "Please see your GP first" },
      participant: [{ status: "accepted" }, { status: "declined" }],
    });
    expect(await get(fx.appointments.bobBenaliMidnight)).toMatchObject({
      status: "cancelled",
      cancelationReason: { coding: [{ code: "pat" }] },
      participant: [{ status: "declined" }, { status: "accepted" }],
    });
  });

  it("maps no_show to noshow", async () => {
    const row = await app.db.prisma.appointment.create({
      data: {
        clinicId: fx.clinicId,
        patientId: fx.patients.bob,
        doctorId: fx.doctors.martin,
        typeId: fx.types["gp-tele"]!,
        startsAt: new Date("2026-11-20T09:00:00Z"),
        endsAt: new Date("2026-11-20T09:15:00Z"),
        status: "no_show",
        sourceChannel: "sms",
      },
    });
    expect((await app.get(`/Appointment/${row.id}`, secretary)).body).toMatchObject({
      status: "noshow",
      minutesDuration: 15,
    });
    await app.db.prisma.appointment.delete({ where: { id: row.id } });
  });

  it("a day-precision date is that whole day in the clinic's time zone: 23:30 local in, 00:15 the next local day out", async () => {
    const res = await app.get("/Appointment?date=2026-12-01", secretary);
    expect(ids(res.body)).toEqual([fx.appointments.aliceMartin, fx.appointments.aliceDuboisLate]);
  });

  it("date prefixes eq, ge, gt, le, lt and ne select exactly the expected appointments", async () => {
    const a = fx.appointments;
    const cases: [string, string[]][] = [
      ["date=eq2026-12-02", [a.bobBenaliMidnight]],
      ["date=ge2026-12-02", [a.bobBenaliMidnight, a.chloeDuboisDeclined]],
      ["date=gt2026-12-01", [a.bobBenaliMidnight, a.chloeDuboisDeclined]],
      ["date=lt2026-12-01", [a.chloeBenaliPast]],
      ["date=le2026-12-01", [a.chloeBenaliPast, a.aliceMartin, a.aliceDuboisLate]],
      ["date=ge2026-12-01&date=lt2026-12-02", [a.aliceMartin, a.aliceDuboisLate]],
      ["date=ne2026-12-01", [a.chloeBenaliPast, a.bobBenaliMidnight, a.chloeDuboisDeclined]],
      ["date=ge2026-12-01T23:00:00Z", [a.bobBenaliMidnight, a.chloeDuboisDeclined]],
      ["date=ge2026-12-01T23:00:00%2B01:00", [a.aliceDuboisLate, a.bobBenaliMidnight, a.chloeDuboisDeclined]],
      ["date=ge2026-12-01T23:00:00+01:00", [a.aliceDuboisLate, a.bobBenaliMidnight, a.chloeDuboisDeclined]], // unencoded "+"
      ["date=2026-12-01T09:00", [a.aliceMartin]],
      ["date=2026-12", [a.aliceMartin, a.aliceDuboisLate, a.bobBenaliMidnight, a.chloeDuboisDeclined]],
      ["date=2026-11-30,2026-12-03", [a.chloeBenaliPast, a.chloeDuboisDeclined]],
    ];
    for (const [query, expected] of cases) {
      const res = await app.get(`/Appointment?${query}`, secretary);
      expect(res.status, query).toBe(200);
      expect(ids(res.body), query).toEqual(expected);
    }
  });

  it("patient, practitioner, actor and status (comma = OR) select exactly the expected appointments", async () => {
    const a = fx.appointments;
    const cases: [string, string[]][] = [
      [`patient=Patient/${fx.patients.alice}`, [a.aliceMartin, a.aliceDuboisLate]],
      [`patient=${fx.patients.chloe}`, [a.chloeBenaliPast, a.chloeDuboisDeclined]],
      [`patient=${app.base}/Patient/${fx.patients.bob}`, [a.bobBenaliMidnight]],
      [`practitioner=Practitioner/${fx.doctors.benali}`, [a.chloeBenaliPast, a.bobBenaliMidnight]],
      [`actor=Practitioner/${fx.doctors.dubois}`, [a.aliceDuboisLate, a.chloeDuboisDeclined]],
      [`actor=${fx.patients.bob}`, [a.bobBenaliMidnight]],
      [`actor:Patient=${fx.doctors.dubois}`, []],
      ["status=booked,pending", [a.aliceMartin, a.aliceDuboisLate]],
      ["status=cancelled", [a.bobBenaliMidnight, a.chloeDuboisDeclined]],
      ["status=http://hl7.org/fhir/appointmentstatus|fulfilled", [a.chloeBenaliPast]],
      ["status=arrived", []],
      [`status=cancelled&practitioner=${fx.doctors.dubois}`, [a.chloeDuboisDeclined]],
      [`date=2026-12-01&patient=Patient/${fx.patients.alice}&status=pending`, [a.aliceDuboisLate]],
      ["service-type=cardio-consult", [a.aliceDuboisLate, a.chloeDuboisDeclined]],
      [`_id=${a.aliceMartin}`, [a.aliceMartin]],
    ];
    for (const [query, expected] of cases) {
      const res = await app.get(`/Appointment?${query}`, secretary);
      expect(res.status, query).toBe(200);
      expect(ids(res.body), query).toEqual(expected);
    }
  });

  it("reads and searches of appointments are audited per appointment with its patient", async () => {
    await app.get(`/Appointment/${fx.appointments.chloeBenaliPast}`, martin).then((r) => expect(r.status).toBe(404));
    await app.get(`/Appointment/${fx.appointments.aliceMartin}`, martin);
    const reads = (await auditRows("fhir.appointment.read")).filter((r) => r.actor_id === fx.staff.martin.userId);
    expect(reads.map((r) => [r.resource_id, r.patient_id])).toEqual([[fx.appointments.aliceMartin, fx.patients.alice]]);
    const before = (await auditRows("fhir.appointment.search")).length;
    await app.get(`/Appointment?patient=${fx.patients.chloe}`, secretary);
    const rows = (await auditRows("fhir.appointment.search")).slice(before);
    expect(rows.map((r) => [r.resource_id, r.patient_id])).toEqual([
      [fx.appointments.chloeBenaliPast, fx.patients.chloe],
      [fx.appointments.chloeDuboisDeclined, fx.patients.chloe],
    ]);
  });
});

describe("malformed and unknown input", () => {
  it("date=notadate is a 400 OperationOutcome naming the parameter", async () => {
    const res = await app.get("/Appointment?date=notadate", secretary);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      resourceType: "OperationOutcome",
      issue: [{ severity: "error", code: "invalid", expression: ["date"] }],
    });
  });

  it("impossible dates, time-of-day birth dates, the ap prefix and unknown modifiers are 400s", async () => {
    for (const path of [
      "/Appointment?date=2026-02-30",
      "/Appointment?date=2026-12-01T25:00",
      "/Patient?birthdate=1980-05-17T10:00",
      "/Appointment?date=ap2026-12-01",
      "/Patient?name:fuzzy=al",
      "/Patient?_count=-1",
    ]) {
      const res = await app.get(path, secretary);
      expect(res.status, path).toBe(400);
      expect(res.body.resourceType, path).toBe("OperationOutcome");
    }
  });

  it("unknown search parameters are ignored, reported in an outcome entry and left out of the self link, unless the client asks for strict handling", async () => {
    const res = await app.get(`/Appointment?colour=blue&patient=${fx.patients.bob}`, secretary);
    expect(ids(res.body)).toEqual([fx.appointments.bobBenaliMidnight]);
    expect(res.body.link[0].url).not.toContain("colour");
    const outcome = res.body.entry.find((e: { search: { mode: string } }) => e.search.mode === "outcome");
    expect(outcome.resource.issue).toEqual([
      expect.objectContaining({ severity: "information", expression: ["colour"] }),
    ]);
    const strict = await app.get("/Appointment?colour=blue", secretary, { prefer: "handling=strict" });
    expect(strict.status).toBe(400);
    expect(strict.body.issue[0].code).toBe("not-supported");
  });

  it("unsupported resource types and write methods answer OperationOutcomes", async () => {
    const unknown = await app.get("/Observation", secretary);
    expect(unknown.status).toBe(404);
    expect(unknown.body.resourceType).toBe("OperationOutcome");
    const post = await fetch(`${app.base}/Patient`, {
      method: "POST",
      headers: { authorization: `Bearer ${secretary}`, "content-type": "application/fhir+json" },
      body: "{}",
    });
    expect(post.status).toBe(405);
  });
});
