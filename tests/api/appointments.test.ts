import { beforeAll, describe, expect, it } from "vitest";
import { bookAppointment } from "../../src/domain/booking.js";
import { demoWorld, startApi, type ApiWorld, type Client } from "./support.js";

// The clock is pinned to Monday 7 December 2026, 09:00 in Paris (UTC+1). Dr Martin works
// 09:00–12:30 and 14:00–18:30 that day; the clinic wants 60 minutes' notice and a 24 h cutoff.
let world: ApiWorld;
let admin: Client;
let secretary: Client;
let doctor: Client;
let martin: string;
let benali: string;
let gpConsult: string;
let general: string;

beforeAll(async () => {
  world = await demoWorld();
  const api = await startApi(world.ctx);
  admin = await api.login(world.credentials.admin);
  secretary = await api.login(world.credentials.secretary);
  doctor = await api.login(world.credentials.doctor);
  const doctors = (await secretary.get("/doctors")).body as { id: string; lastName: string }[];
  martin = doctors.find((d) => d.lastName === "Martin")!.id;
  benali = doctors.find((d) => d.lastName === "Benali")!.id;
  gpConsult = (await secretary.get("/appointment-types")).body.find(
    (t: { code: string }) => t.code === "gp-consult",
  ).id;
  general = (await secretary.get("/specialties")).body.find((s: { code: string }) => s.code === "general").id;
});

let patientCount = 0;
async function newPatient(): Promise<string> {
  patientCount += 1;
  const res = await secretary.post("/patients", {
    firstName: "Patient",
    lastName: `Number${patientCount}`,
    phone: `+3361000${String(patientCount).padStart(4, "0")}`,
  });
  return res.body.id;
}

const book = (client: Client, body: Record<string, unknown>) =>
  client.post("/appointments", { typeId: gpConsult, doctorId: martin, ...body });

describe("availability", () => {
  it("lists Dr Martin's free slots today, from the end of the notice period", async () => {
    const res = await secretary.get(
      `/availability?typeId=${gpConsult}&doctorId=${martin}&from=2026-12-07T00:00:00%2B01:00&to=2026-12-08T00:00:00%2B01:00`,
    );
    expect(res.status).toBe(200);
    expect(res.body[0]).toEqual({
      doctorId: martin,
      startsAt: "2026-12-07T09:00:00.000Z",
      endsAt: "2026-12-07T09:20:00.000Z",
    });
    expect(res.body.every((s: { doctorId: string }) => s.doctorId === martin)).toBe(true);
  });

  it("finds the earliest slot in a specialty", async () => {
    const res = await doctor.get(`/availability/earliest?typeId=${gpConsult}&specialtyId=${general}`);
    expect(res.status).toBe(200);
    expect(res.body.slot.startsAt).toBe("2026-12-07T09:00:00.000Z");
  });

  it("'Tuesday around 10' offers Dr Martin's free times nearest to 10:00 first", async () => {
    const res = await secretary.get(
      `/availability/near?typeId=${gpConsult}&doctorId=${martin}&target=2026-12-08T10:00:00%2B01:00&count=3`,
    );
    expect(res.status).toBe(200);
    expect(res.body.map((s: { startsAt: string }) => s.startsAt)).toEqual([
      "2026-12-08T09:00:00.000Z",
      "2026-12-08T08:50:00.000Z",
      "2026-12-08T09:10:00.000Z",
    ]);
  });

  it("a range without offset or longer than a month gets 400 naming the field", async () => {
    const local = await secretary.get(
      `/availability?typeId=${gpConsult}&from=2026-12-07T00:00:00&to=2026-12-08T00:00:00Z`,
    );
    expect(local.status).toBe(400);
    expect(local.body.field).toBe("from");
    const long = await secretary.get(
      `/availability?typeId=${gpConsult}&from=2026-12-07T00:00:00Z&to=2027-03-01T00:00:00Z`,
    );
    expect(long.body.field).toBe("to");
    expect((await secretary.get(`/availability?from=2026-12-07T00:00:00Z&to=2026-12-08T00:00:00Z`)).body.field).toBe(
      "typeId",
    );
  });
});

describe("booking", () => {
  it("a secretary books a slot; booking it again gets 409 with alternatives", async () => {
    const first = await book(secretary, {
      patientId: await newPatient(),
      startsAt: "2026-12-07T11:00:00+01:00",
      reason: "Renouvellement",
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      doctorId: martin,
      status: "confirmed",
      sourceChannel: "api",
      startsAt: "2026-12-07T10:00:00.000Z",
      endsAt: "2026-12-07T10:20:00.000Z",
      overbooked: false,
    });

    const taken = await book(secretary, { patientId: await newPatient(), startsAt: "2026-12-07T11:00:00+01:00" });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toBe("slot_taken");
    expect(taken.body.alternatives.length).toBeGreaterThan(0);
    for (const alt of taken.body.alternatives) {
      expect(alt).toEqual({
        doctorId: expect.any(String),
        startsAt: expect.stringMatching(/Z$/),
        endsAt: expect.stringMatching(/Z$/),
      });
      expect(alt.startsAt).not.toBe("2026-12-07T10:00:00.000Z");
    }
  });

  it("a retried booking with the same idempotency key returns the first appointment", async () => {
    const body = {
      patientId: await newPatient(),
      startsAt: "2026-12-07T11:30:00+01:00",
      idempotencyKey: "console-retry-0001",
    };
    const a = await book(secretary, body);
    const b = await book(secretary, body);
    expect(a.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
  });

  it("a time inside the notice period gets 422, a time without offset 400 naming 'startsAt'", async () => {
    const soon = await book(secretary, { patientId: await newPatient(), startsAt: "2026-12-07T09:30:00+01:00" });
    expect(soon.status).toBe(422);
    expect(soon.body.error).toBe("notice_too_short");
    const local = await book(secretary, { patientId: await newPatient(), startsAt: "2026-12-07T14:00:00" });
    expect(local.status).toBe(400);
    expect(local.body.field).toBe("startsAt");
  });

  it("urgent bookings skip the notice period and overlap only with a reason", async () => {
    const urgent = await secretary.post("/appointments/urgent", {
      patientId: await newPatient(),
      typeId: gpConsult,
      doctorId: martin,
      startsAt: "2026-12-07T09:20:00+01:00",
    });
    expect(urgent.status).toBe(201);
    expect(urgent.body.overbooked).toBe(false);

    const clash = {
      patientId: await newPatient(),
      typeId: gpConsult,
      doctorId: martin,
      startsAt: "2026-12-07T09:20:00+01:00",
    };
    expect((await secretary.post("/appointments/urgent", clash)).status).toBe(409);
    expect((await secretary.post("/appointments/urgent", { ...clash, overbook: { reason: "" } })).body.field).toBe(
      "overbook.reason",
    );
    const squeezed = await secretary.post("/appointments/urgent", {
      ...clash,
      overbook: { reason: "Douleur thoracique" },
    });
    expect(squeezed.status).toBe(201);
    expect(squeezed.body.overbooked).toBe(true);
  });
});

describe("the appointment book", () => {
  it("lists a day's appointments with patient names, and audits each one", async () => {
    const patientId = await newPatient();
    const booked = (await book(secretary, { patientId, startsAt: "2026-12-07T16:00:00+01:00" })).body;
    const res = await secretary.get(
      `/appointments?from=2026-12-07T00:00:00%2B01:00&to=2026-12-08T00:00:00%2B01:00&doctorId=${martin}&status=confirmed,requested`,
    );
    expect(res.status).toBe(200);
    const row = res.body.find((a: { id: string }) => a.id === booked.id);
    expect(row.patient).toEqual({ id: patientId, firstName: "Patient", lastName: expect.stringMatching(/^Number/) });
    const audited = await world.ctx.db.prisma.auditLog.count({
      where: { action: "appointment.list", resourceId: booked.id },
    });
    expect(audited).toBe(1);
    expect(
      (await secretary.get(`/appointments?from=2026-12-07T00:00:00Z&to=2026-12-08T00:00:00Z&status=maybe`)).body.field,
    ).toBe("status.0");
  });

  it("reading one appointment is audited and its history shows who booked it", async () => {
    const booked = (await book(secretary, { patientId: await newPatient(), startsAt: "2026-12-07T16:30:00+01:00" }))
      .body;
    const one = await doctor.get(`/appointments/${booked.id}`);
    expect(one.status).toBe(200);
    expect(
      await world.ctx.db.prisma.auditLog.count({
        where: { action: "appointment.read", resourceId: booked.id, patientId: booked.patientId },
      }),
    ).toBe(1);
    const events = await secretary.get(`/appointments/${booked.id}/events`);
    expect(events.body).toEqual([
      expect.objectContaining({
        fromStatus: null,
        toStatus: "confirmed",
        actorKind: "staff",
        at: expect.stringMatching(/Z$/),
      }),
    ]);
  });

  it("a doctor cannot see or act on another doctor's appointment (403)", async () => {
    const theirs = (
      await book(secretary, { patientId: await newPatient(), doctorId: benali, startsAt: "2026-12-07T11:00:00+01:00" })
    ).body;
    expect(theirs.status).toBe("confirmed");
    expect((await doctor.get(`/appointments/${theirs.id}`)).status).toBe(403);
    expect((await doctor.post(`/appointments/${theirs.id}/cancel`, { override: { reason: "test" } })).status).toBe(403);
    expect((await doctor.post(`/appointments/${theirs.id}/complete`)).status).toBe(403);
    expect(
      (await doctor.get(`/appointments?from=2026-12-07T00:00:00Z&to=2026-12-08T00:00:00Z&doctorId=${benali}`)).status,
    ).toBe(403);
    const own = (await doctor.get(`/appointments?from=2026-12-07T00:00:00Z&to=2026-12-08T00:00:00Z`)).body as {
      doctorId: string;
    }[];
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((a) => a.doctorId === martin)).toBe(true);
    expect(
      (await book(doctor, { patientId: await newPatient(), doctorId: benali, startsAt: "2026-12-07T11:40:00+01:00" }))
        .status,
    ).toBe(403);
    expect((await world.ctx.db.prisma.appointment.findUniqueOrThrow({ where: { id: theirs.id } })).status).toBe(
      "confirmed",
    );
  });
});

describe("changing appointments", () => {
  it("a patient-booked appointment cancelled inside the cutoff gets 422 unless staff give a reason", async () => {
    const patientId = await newPatient();
    const appointment = await bookAppointment(world.ctx.db, {
      clinicId: world.clinicId,
      patientId,
      appointmentTypeId: gpConsult,
      doctorId: martin,
      startsAt: new Date("2026-12-07T14:00:00Z"),
      sourceChannel: "telegram",
      actor: { kind: "patient", patientId },
      now: world.ctx.now(),
    });
    const refused = await secretary.post(`/appointments/${appointment.id}/cancel`, { reason: "Patient called" });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: "inside_cutoff", cutoffHours: 24 });

    const cancelled = await secretary.post(`/appointments/${appointment.id}/cancel`, {
      reason: "Patient called",
      override: { reason: "Fever, cannot come" },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    expect(
      (await secretary.post(`/appointments/${appointment.id}/cancel`, { override: { reason: "again" } })).status,
    ).toBe(409);
  });

  it("a reschedule inside the cutoff needs an override; then the history shows the move", async () => {
    const booked = (await book(secretary, { patientId: await newPatient(), startsAt: "2026-12-07T17:00:00+01:00" }))
      .body;
    const refused = await secretary.post(`/appointments/${booked.id}/reschedule`, {
      startsAt: "2026-12-08T10:00:00+01:00",
    });
    expect(refused.status).toBe(422);
    const moved = await secretary.post(`/appointments/${booked.id}/reschedule`, {
      startsAt: "2026-12-08T10:00:00+01:00",
      override: { reason: "Doctor late" },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ startsAt: "2026-12-08T09:00:00.000Z", status: "confirmed" });
    const events = (await secretary.get(`/appointments/${booked.id}/events`)).body;
    expect(events).toHaveLength(2);
    expect(events[1].detail).toMatchObject({ to: { startsAt: "2026-12-08T09:00:00.000Z" } });
  });

  it("a doctor accepts and declines requests made by patients in approval mode", async () => {
    expect((await admin.patch("/clinic", { bookingMode: "approval" })).body.bookingMode).toBe("approval");
    try {
      const requestAt = async (startsAt: string) => {
        const patientId = await newPatient();
        return bookAppointment(world.ctx.db, {
          clinicId: world.clinicId,
          patientId,
          appointmentTypeId: gpConsult,
          doctorId: martin,
          startsAt: new Date(startsAt),
          sourceChannel: "whatsapp",
          actor: { kind: "patient", patientId },
          now: world.ctx.now(),
        });
      };
      const first = await requestAt("2026-12-09T08:00:00Z");
      const second = await requestAt("2026-12-09T08:30:00Z");
      expect(first.status).toBe("requested");

      const pending = await doctor.get(
        `/appointments?from=2026-12-09T00:00:00Z&to=2026-12-10T00:00:00Z&status=requested`,
      );
      expect(pending.body.map((a: { id: string }) => a.id)).toEqual([first.id, second.id]);

      expect((await doctor.post(`/appointments/${first.id}/accept`)).body.status).toBe("confirmed");
      expect((await doctor.post(`/appointments/${second.id}/decline`, { reason: "Fully booked" })).body.status).toBe(
        "declined",
      );
      const again = await doctor.post(`/appointments/${first.id}/accept`);
      expect(again.status).toBe(409);
      expect(again.body.error).toBe("invalid_transition");
    } finally {
      await admin.patch("/clinic", { bookingMode: "instant" });
    }
  });

  it("after the visit, staff mark it completed or the patient a no-show", async () => {
    const seen = (await book(secretary, { patientId: await newPatient(), startsAt: "2026-12-07T17:30:00+01:00" })).body;
    const missed = (await book(secretary, { patientId: await newPatient(), startsAt: "2026-12-07T18:00:00+01:00" }))
      .body;
    const completed = await doctor.post(`/appointments/${seen.id}/complete`);
    expect(completed.status).toBe(200);
    expect(completed.body.status).toBe("completed");
    expect((await secretary.post(`/appointments/${missed.id}/no-show`)).body.status).toBe("no_show");
    expect((await secretary.post(`/appointments/${seen.id}/no-show`)).status).toBe(409);
    expect((await secretary.post("/appointments/7d3e4a35-3f5f-4c1e-9f5e-0c9a6a1f1c11/complete")).status).toBe(404);
  });
});
