import { describe, expect, it } from "vitest";
import type { Patient as PatientRow } from "../../src/data/generated/client.js";
import { toFhirAppointment, tabibStatuses } from "../../src/fhir/resources/appointment.js";
import { searchsetBundle } from "../../src/fhir/resources/bundle.js";
import { toFhirPatient } from "../../src/fhir/resources/patient.js";
import { toFhirPractitioner } from "../../src/fhir/resources/practitioner.js";
import { decodeSlotId, encodeSlotId } from "../../src/fhir/resources/slot.js";
import { matchesDate, parseDateParam } from "../../src/fhir/search/date.js";
import { parseReference, parseToken, SearchRequest, splitOr } from "../../src/fhir/search/params.js";
import { paris } from "../support/clinic.js";
import { assertValidFhir } from "./support/fhir-schema.js";

const PARIS = "Europe/Paris";
const iso = (ms: number) => new Date(ms).toISOString();

describe("date search values", () => {
  it("a day without an offset is the whole local day in the clinic's zone", () => {
    const p = parseDateParam("date", "2026-12-01", PARIS);
    expect([iso(p.lo), iso(p.hi)]).toEqual(["2026-11-30T23:00:00.000Z", "2026-12-01T23:00:00.000Z"]);
    expect(matchesDate(p, paris("2026-12-01T23:30"))).toBe(true);
    expect(matchesDate(p, paris("2026-12-02T00:15"))).toBe(false);
  });

  it("precision sets the range: year, month, minute, second; an explicit offset wins over the zone", () => {
    expect(iso(parseDateParam("d", "2026", PARIS).hi)).toBe("2026-12-31T23:00:00.000Z");
    const month = parseDateParam("d", "2026-03", PARIS);
    expect([iso(month.lo), iso(month.hi)]).toEqual(["2026-02-28T23:00:00.000Z", "2026-03-31T22:00:00.000Z"]); // DST starts 29 March
    const minute = parseDateParam("d", "ge2026-12-01T10:15Z", PARIS);
    expect(minute).toEqual({
      prefix: "ge",
      lo: Date.parse("2026-12-01T10:15:00Z"),
      hi: Date.parse("2026-12-01T10:16:00Z"),
    });
    expect(parseDateParam("d", "2026-12-01T10:15:30-05:00", PARIS).lo).toBe(Date.parse("2026-12-01T15:15:30Z"));
    expect(parseDateParam("d", "2026-12-01T10:15:30 01:00", PARIS).lo).toBe(Date.parse("2026-12-01T09:15:30Z"));
  });

  it("prefixes compare a point in time with the value's range", () => {
    const day = (prefix: string) => parseDateParam("d", `${prefix}2026-12-01`, PARIS);
    const inside = paris("2026-12-01T12:00");
    const before = paris("2026-11-30T12:00");
    const after = paris("2026-12-02T12:00");
    const table = (prefix: string) => [before, inside, after].map((t) => matchesDate(day(prefix), t));
    expect(table("eq")).toEqual([false, true, false]);
    expect(table("ne")).toEqual([true, false, true]);
    expect(table("ge")).toEqual([false, true, true]);
    expect(table("gt")).toEqual([false, false, true]);
    expect(table("le")).toEqual([true, true, false]);
    expect(table("lt")).toEqual([true, false, false]);
  });

  it("refuses malformed, impossible and approximate values", () => {
    for (const bad of [
      "notadate",
      "2026-13",
      "2026-02-30",
      "2026-12-01T24:00",
      "2026-12-1",
      "ap2026-12-01",
      "xx2026",
    ]) {
      expect(() => parseDateParam("date", bad, PARIS), bad).toThrow(/date/);
    }
    expect(() => parseDateParam("birthdate", "1980-01-01T10:00", "UTC", { dateOnly: true })).toThrow(/without a time/);
  });
});

describe("search parameters", () => {
  const defs = [
    { name: "name", type: "string" as const, documentation: "", modifiers: ["exact"] },
    { name: "status", type: "token" as const, documentation: "" },
  ];

  it("repeats are ANDed clauses, commas are ORs, empty values and unknown names are ignored", () => {
    const q = new SearchRequest(
      new URLSearchParams("name=a&name:exact=b,c&status=&colour=red&_count=500&_offset=3"),
      defs,
    );
    expect(q.all("name")).toEqual([{ values: ["a"] }, { modifier: "exact", values: ["b", "c"] }]);
    expect(q.has("status")).toBe(false);
    expect(q.ignored).toEqual(["colour"]);
    expect([q.count, q.offset]).toEqual([100, 3]);
    expect(q.pageQuery(103)).toBe("name=a&name%3Aexact=b%2Cc&_count=100&_offset=103");
  });

  it("refuses unknown modifiers, bad paging and, in strict mode, unknown parameters", () => {
    expect(() => new SearchRequest(new URLSearchParams("status:not=x"), defs)).toThrow(/modifier/);
    expect(() => new SearchRequest(new URLSearchParams("_count=ten"), defs)).toThrow(/_count/);
    expect(() => new SearchRequest(new URLSearchParams("colour=red"), defs, { strict: true })).toThrow(/Unknown/);
    expect(() => new SearchRequest(new URLSearchParams("_format=xml"), defs)).toThrow(/JSON/);
  });

  it("tokens, references and escaped commas parse as FHIR says", () => {
    expect(splitOr("a\\,b,c")).toEqual(["a\\,b", "c"]);
    expect(parseToken("http://x|y")).toEqual({ system: "http://x", code: "y" });
    expect(parseToken("|y")).toEqual({ system: "", code: "y" });
    expect(parseToken("a\\,b")).toEqual({ code: "a,b" });
    expect(parseReference("Patient/123")).toEqual({ type: "Patient", id: "123" });
    expect(parseReference("https://h/fhir/Practitioner/9")).toEqual({ type: "Practitioner", id: "9" });
    expect(parseReference("123")).toEqual({ id: "123" });
    expect(parseReference("123", "Patient")).toEqual({ type: "Patient", id: "123" });
  });
});

describe("slot ids", () => {
  it("round-trip doctor, type and start within FHIR's id alphabet and length", () => {
    const key = {
      doctorId: "0f8fad5b-d9cb-469f-a165-70867728950e",
      appointmentTypeId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
      startsAt: paris("2026-12-01T09:20"),
    };
    for (let i = 0; i < 50; i++) {
      const k = { ...key, startsAt: new Date(+key.startsAt + i * 600_000) };
      const id = encodeSlotId(k);
      expect(id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
      expect(decodeSlotId(id)).toEqual(k);
    }
    expect(decodeSlotId("abc")).toBeNull();
    expect(decodeSlotId("_".repeat(48))).toBeNull();
  });
});

describe("resource mapping", () => {
  const patientRow: PatientRow = {
    id: "0f8fad5b-d9cb-469f-a165-70867728950e",
    clinicId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    firstName: " ",
    lastName: "Nom",
    birthDate: null,
    phone: null,
    email: "",
    preferredLocale: "en",
    preferredChannel: null,
    consentAt: null,
    consentVersion: null,
    erasedAt: null,
    insurerId: null,
    insuranceNumber: null,
    insuranceCoverageBp: 0,
    createdAt: new Date("2026-01-01T00:00:00Z"),
    updatedAt: new Date("2026-01-02T00:00:00Z"),
  };

  it("a sparse patient leaves out blank fields instead of emitting empty strings", () => {
    const p = toFhirPatient(patientRow);
    assertValidFhir(p);
    expect(p.name).toEqual([{ use: "official", text: "Nom", family: "Nom" }]);
    expect(p.telecom).toBeUndefined();
    expect(p.birthDate).toBeUndefined();
  });

  it("a doctor without specialties or phone is still a valid Practitioner", () => {
    const d = toFhirPractitioner(
      {
        id: patientRow.id,
        clinicId: patientRow.clinicId,
        title: "Dr",
        firstName: "A",
        lastName: "B",
        languages: [],
        phone: null,
        telegramChatId: null,
        whatsappPhone: null,
        onCall: false,
        escalationRank: 100,
        presence: "free",
        active: true,
        createdAt: new Date(),
        specialties: [],
      },
      "fr",
    );
    assertValidFhir(d);
    expect(d.qualification).toBeUndefined();
  });

  it("every Tabib status maps to a FHIR code that maps back to it", () => {
    for (const s of ["requested", "confirmed", "declined", "cancelled", "completed", "no_show"] as const) {
      const a = toFhirAppointment(
        {
          appointment: {
            id: patientRow.id,
            clinicId: patientRow.clinicId,
            doctorId: patientRow.id,
            patientId: patientRow.id,
            typeId: patientRow.id,
            startsAt: paris("2026-07-01T10:00"),
            endsAt: paris("2026-07-01T10:30"),
            status: s,
            reason: null,
            sourceChannel: "web",
            overbooked: false,
            idempotencyKey: null,
            createdAt: new Date(),
            updatedAt: new Date(),
          },
          patient: { id: patientRow.id, firstName: "A", lastName: "B" },
          doctor: { id: patientRow.id, title: "Dr", firstName: "C", lastName: "D" },
          type: {
            id: patientRow.id,
            clinicId: patientRow.clinicId,
            specialtyId: null,
            specialty: null,
            code: "x",
            nameFr: "X",
            nameEn: "X",
            durationMinutes: 30,
            priceMinor: 0,
            mode: "in_person",
            active: true,
          },
        },
        "en",
        PARIS,
      );
      assertValidFhir(a);
      expect(tabibStatuses(a.status)).toContain(s);
      expect(a.start).toBe("2026-07-01T10:00:00+02:00"); // summer time
    }
  });

  it("the schema check really rejects invalid FHIR (empty strings, unknown fields, missing participants)", () => {
    expect(() => assertValidFhir({ resourceType: "Patient", name: [{ family: "" }] })).toThrow(/Invalid FHIR Patient/);
    expect(() => assertValidFhir({ resourceType: "Patient", nickname: "x" })).toThrow(/Invalid FHIR Patient/);
    expect(() => assertValidFhir({ resourceType: "Appointment", status: "booked" })).toThrow(/participant/);
    expect(() =>
      assertValidFhir({ resourceType: "Appointment", status: "confirmed", participant: [{ status: "accepted" }] }),
    ).toThrow(/status/);
  });

  it("an empty searchset has a total and no entry array", () => {
    const b = searchsetBundle({
      base: "http://h/fhir",
      total: 0,
      resources: [],
      links: [{ relation: "self", url: "http://h/fhir/Patient" }],
      now: new Date(),
    });
    assertValidFhir(b);
    expect(b.entry).toBeUndefined();
  });
});
