import { beforeAll, describe, expect, it } from "vitest";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { createTestClinic } from "../support/clinic.js";
import { parisDecember, postJson, staffVisitor } from "./schedule-support.js";
import { csrfOf, startConsole, Visitor } from "./support.js";

let world: ApiWorld;
let base: string;
const ids = { martin: "", benali: "", gp: "", far: "", near: "", blocker: "", foreign: "", dupont: "" };

beforeAll(async () => {
  world = await demoWorld();
  base = await startConsole(world.ctx);
  const prisma = world.ctx.db.prisma;
  const doctor = (lastName: string) =>
    prisma.doctor.findFirstOrThrow({ where: { clinicId: world.clinicId, lastName } });
  ids.martin = (await doctor("Martin")).id;
  ids.benali = (await doctor("Benali")).id;
  ids.gp = (
    await prisma.appointmentType.findFirstOrThrow({ where: { clinicId: world.clinicId, code: "gp-consult" } })
  ).id;
  const book = async (doctorId: string, firstName: string, lastName: string, local: string) => {
    const patient = await prisma.patient.create({
      data: { clinicId: world.clinicId, firstName, lastName, phone: `+3361000${String(Math.random()).slice(2, 6)}` },
    });
    const startsAt = parisDecember(local);
    const a = await prisma.appointment.create({
      data: {
        clinicId: world.clinicId,
        doctorId,
        patientId: patient.id,
        typeId: ids.gp,
        startsAt,
        endsAt: new Date(+startsAt + 20 * 60_000),
        status: "confirmed",
        sourceChannel: "whatsapp",
      },
    });
    return { appointment: a.id, patient: patient.id };
  };
  // Monday 7 December 2026, 09:00 in Paris; the cutoff is 24 hours.
  const far = await book(ids.martin, "Claire", "Dupont", "2026-12-08T10:00");
  ids.far = far.appointment;
  ids.dupont = far.patient;
  ids.near = (await book(ids.martin, "Amina", "Haddad", "2026-12-07T15:00")).appointment;
  ids.blocker = (await book(ids.martin, "Hugo", "Bernard", "2026-12-08T11:00")).appointment;
  const foreign = await createTestClinic(world.ctx.db, {});
  ids.foreign = (
    await prisma.appointment.create({
      data: {
        clinicId: foreign.clinicId,
        doctorId: foreign.doctorIds[0]!,
        patientId: foreign.patientIds[0]!,
        typeId: foreign.typeId,
        startsAt: parisDecember("2026-12-09T10:00"),
        endsAt: parisDecember("2026-12-09T10:30"),
        status: "confirmed",
        sourceChannel: "sms",
      },
    })
  ).id;
});

const appointment = (id: string) => world.ctx.db.prisma.appointment.findUniqueOrThrow({ where: { id } });
const lastEvent = (id: string) =>
  world.ctx.db.prisma.appointmentEvent.findFirstOrThrow({ where: { appointmentId: id }, orderBy: { at: "desc" } });

async function secretary(): Promise<{ v: Visitor; csrf: string }> {
  const v = await staffVisitor(world, base, "secretary");
  return { v, csrf: csrfOf((await v.get("/schedule")).html) };
}

describe("moving an appointment", () => {
  it("opening an appointment shows its forms and is audited as a read of the patient", async () => {
    const { v } = await secretary();
    const page = await v.get(`/appointments/${ids.far}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain("Claire Dupont");
    expect(page.html).toContain(`action="/appointments/${ids.far}/move"`);
    expect(page.html).toContain(`action="/appointments/${ids.far}/cancel"`);
    expect(page.html).toContain('value="2026-12-08"');
    expect(page.html).toContain('value="10:00"');
    const audit = await world.ctx.db.prisma.auditLog.count({
      where: { action: "appointment.read", resourceId: ids.far, patientId: ids.dupont },
    });
    expect(audit).toBe(1);
  });

  it("a drop on the calendar moves the appointment under the booking rules", async () => {
    const { csrf } = await secretary();
    const v = await staffVisitor(world, base, "secretary");
    const moved = await postJson(v, base, `/appointments/${ids.far}/move`, csrf, { start: "2026-12-08T10:40" });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ ok: true, start: "2026-12-08T10:40:00" });
    expect(moved.body.message).toMatch(/^Rendez-vous déplacé au/);
    expect((await appointment(ids.far)).startsAt).toEqual(parisDecember("2026-12-08T10:40"));
    const event = await lastEvent(ids.far);
    expect(event.actorKind).toBe("staff");
    expect(event.detail).toMatchObject({ to: { startsAt: parisDecember("2026-12-08T10:40").toISOString() } });
  });

  it("a drop the rules refuse answers with the reason, and nothing moves", async () => {
    const { v, csrf } = await secretary();
    const taken = await postJson(v, base, `/appointments/${ids.far}/move`, csrf, { start: "2026-12-08T11:10" });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toBe("Ce créneau est déjà pris.");
    expect(Array.isArray(taken.body.alternatives) && taken.body.alternatives.length).toBeGreaterThan(0);
    const evening = await postJson(v, base, `/appointments/${ids.far}/move`, csrf, { start: "2026-12-08T20:00" });
    expect(evening.status).toBe(409);
    expect(evening.body.error).toMatch(/ne consulte pas/);
    const inside = await postJson(v, base, `/appointments/${ids.near}/move`, csrf, { start: "2026-12-07T16:00" });
    expect(inside.status).toBe(409);
    expect(inside.body.error).toMatch(/moins de 24 h.*Ouvrez le rendez-vous/);
    expect((await appointment(ids.far)).startsAt).toEqual(parisDecember("2026-12-08T10:40"));
    expect((await appointment(ids.near)).startsAt).toEqual(parisDecember("2026-12-07T15:00"));
    const noToken = await postJson(v, base, `/appointments/${ids.far}/move`, "", { start: "2026-12-08T09:00" });
    expect(noToken.status).toBe(403);
  });

  it("inside the cutoff, the move form overrides it with a reason, and the override is recorded", async () => {
    const { v } = await secretary();
    const page = await v.get(`/appointments/${ids.near}`);
    expect(page.html).toContain('id="cutoff-note"');
    const fields = { _csrf: csrfOf(page.html), day: "2026-12-07", time: "16:00", doctorId: ids.martin };
    const refused = await v.post(`/appointments/${ids.near}/move`, fields);
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('id="move-error"');
    expect(refused.html).toMatch(/moins de 24 h/);
    const noReason = await v.post(`/appointments/${ids.near}/move`, { ...fields, override: "1" });
    expect(noReason.status).toBe(400);
    const done = await v.post(`/appointments/${ids.near}/move`, {
      ...fields,
      override: "1",
      reason: "la patiente a appelé, retard de train",
    });
    expect(done.status).toBe(303);
    expect((await v.follow(done)).html).toContain("Rendez-vous déplacé.");
    expect((await appointment(ids.near)).startsAt).toEqual(parisDecember("2026-12-07T16:00"));
    const event = await lastEvent(ids.near);
    expect(event.reason).toBe("la patiente a appelé, retard de train");
    expect(event.detail).toMatchObject({ cutoffOverride: true });
  });

  it("moves to another doctor through the form", async () => {
    const { v } = await secretary();
    const page = await v.get(`/appointments/${ids.far}`);
    const answer = await v.post(`/appointments/${ids.far}/move`, {
      _csrf: csrfOf(page.html),
      day: "2026-12-08",
      time: "14:00",
      doctorId: ids.benali,
      reason: "",
    });
    expect(answer.status).toBe(303);
    expect(await appointment(ids.far)).toMatchObject({
      doctorId: ids.benali,
      startsAt: parisDecember("2026-12-08T14:00"),
    });
  });

  it("a doctor may look at their own appointment but neither move nor open another doctor's", async () => {
    const d = await staffVisitor(world, base, "doctor");
    const own = await d.get(`/appointments/${ids.blocker}`);
    expect(own.status).toBe(200);
    expect(own.html).not.toContain("/move");
    expect((await d.get(`/appointments/${ids.far}`)).status).toBe(403);
    const csrf = csrfOf(own.html);
    expect(
      (await postJson(d, base, `/appointments/${ids.blocker}/move`, csrf, { start: "2026-12-08T12:00" })).status,
    ).toBe(403);
    expect((await d.post(`/appointments/${ids.blocker}/cancel`, { _csrf: csrf, reason: "x" })).status).toBe(403);
  });

  it("another clinic's appointment does not exist here", async () => {
    const { v, csrf } = await secretary();
    expect((await v.get(`/appointments/${ids.foreign}`)).status).toBe(404);
    const moved = await postJson(v, base, `/appointments/${ids.foreign}/move`, csrf, { start: "2026-12-09T11:00" });
    expect(moved.status).toBe(404);
    expect((await appointment(ids.foreign)).startsAt).toEqual(parisDecember("2026-12-09T10:00"));
  });
});

describe("cancelling an appointment", () => {
  it("needs a reason, and inside the cutoff an explicit override that is recorded", async () => {
    const { v } = await secretary();
    const page = await v.get(`/appointments/${ids.near}`);
    const csrf = csrfOf(page.html);
    const noReason = await v.post(`/appointments/${ids.near}/cancel`, { _csrf: csrf, reason: " " });
    expect(noReason.status).toBe(400);
    expect(noReason.html).toContain('id="cancel-error"');
    const inside = await v.post(`/appointments/${ids.near}/cancel`, { _csrf: csrf, reason: "malade" });
    expect(inside.status).toBe(409);
    expect((await appointment(ids.near)).status).toBe("confirmed");
    const done = await v.post(`/appointments/${ids.near}/cancel`, { _csrf: csrf, reason: "malade", override: "1" });
    expect(done.status).toBe(303);
    expect((await v.follow(done)).html).toContain("Rendez-vous annulé.");
    expect((await appointment(ids.near)).status).toBe("cancelled");
    const event = await lastEvent(ids.near);
    expect(event.toStatus).toBe("cancelled");
    expect(event.reason).toContain("malade");
    expect(event.detail).toMatchObject({ cutoffOverride: true });
  });
});

describe("urgent booking", () => {
  it("books a new patient without notice, and overbooks only with a reason", async () => {
    const { v } = await secretary();
    const page = await v.get("/appointments/urgent");
    expect(page.status).toBe(200);
    const csrf = csrfOf(page.html);
    const slot = { _csrf: csrf, doctorId: ids.martin, typeId: ids.gp, day: "2026-12-07", time: "09:30" };
    const booked = await v.post("/appointments/urgent", {
      ...slot,
      firstName: "Nadia",
      lastName: "Benyahia",
      phone: "+33 6 55 44 33 22",
      reason: "douleur thoracique modérée",
    });
    expect(booked.status).toBe(303);
    const id = /^\/appointments\/([0-9a-f-]{36})\?done=urgent$/.exec(booked.location!)![1]!;
    expect((await v.follow(booked)).html).toContain("Rendez-vous urgent enregistré.");
    const first = await appointment(id);
    expect(first).toMatchObject({ status: "confirmed", sourceChannel: "console", overbooked: false });
    const nadia = await world.ctx.db.prisma.patient.findUniqueOrThrow({ where: { id: first.patientId } });
    expect(nadia).toMatchObject({ firstName: "Nadia", phone: "+33655443322" });

    const found = await v.get("/appointments/urgent?q=dupont");
    expect(found.html).toContain(`value="${ids.dupont}"`);
    const taken = await v.post("/appointments/urgent", { ...slot, patientId: ids.dupont });
    expect(taken.status).toBe(409);
    expect(taken.html).toContain("Ce créneau est déjà pris.");
    expect(taken.html).toContain("Créneaux libres les plus proches");
    const noReason = await v.post("/appointments/urgent", { ...slot, patientId: ids.dupont, overbook: "1" });
    expect(noReason.status).toBe(400);
    const overbooked = await v.post("/appointments/urgent", {
      ...slot,
      patientId: ids.dupont,
      overbook: "1",
      overbookReason: "fièvre élevée chez un nourrisson",
    });
    expect(overbooked.status).toBe(303);
    const second = await appointment(/\/appointments\/([0-9a-f-]{36})/.exec(overbooked.location!)![1]!);
    expect(second).toMatchObject({ overbooked: true, startsAt: parisDecember("2026-12-07T09:30") });
    expect((await lastEvent(second.id)).reason).toBe("fièvre élevée chez un nourrisson");
  });

  it("a new patient refused a taken slot is not registered: the retry on a free slot books them", async () => {
    const { v } = await secretary();
    const csrf = csrfOf((await v.get("/appointments/urgent")).html);
    const prisma = world.ctx.db.prisma;
    const newcomer = { firstName: "Yacine", lastName: "Meziane", phone: "+33 6 71 82 93 04" };
    const before = await prisma.patient.count({ where: { clinicId: world.clinicId } });
    const taken = await v.post("/appointments/urgent", {
      _csrf: csrf,
      doctorId: ids.martin,
      typeId: ids.gp,
      day: "2026-12-08",
      time: "11:00",
      ...newcomer,
    });
    expect(taken.status).toBe(409);
    expect(taken.html).toContain("Ce créneau est déjà pris.");
    // The form keeps what was typed, so the next try needs no retyping.
    expect(taken.html).toContain('value="Yacine"');
    expect(await prisma.patient.count({ where: { clinicId: world.clinicId } })).toBe(before);

    const free = await v.post("/appointments/urgent", {
      _csrf: csrf,
      doctorId: ids.martin,
      typeId: ids.gp,
      day: "2026-12-10",
      time: "09:00",
      ...newcomer,
    });
    expect(free.status).toBe(303);
    const booked = await appointment(/\/appointments\/([0-9a-f-]{36})/.exec(free.location!)![1]!);
    const yacine = await prisma.patient.findUniqueOrThrow({ where: { id: booked.patientId } });
    expect(yacine).toMatchObject({ firstName: "Yacine", phone: "+33671829304" });
    expect(await prisma.patient.count({ where: { clinicId: world.clinicId } })).toBe(before + 1);
  });

  it("is for the front desk only", async () => {
    const d = await staffVisitor(world, base, "doctor");
    expect((await d.get("/appointments/urgent")).status).toBe(403);
    const csrf = csrfOf((await d.get("/schedule")).html);
    expect((await d.post("/appointments/urgent", { _csrf: csrf })).status).toBe(403);
  });
});

describe("the unconfirmed list", () => {
  it("shows confirmed appointments whose confirmation reminder got no answer, a doctor only their own", async () => {
    const prisma = world.ctx.db.prisma;
    const remind = async (doctorId: string, firstName: string, local: string) => {
      const patient = await prisma.patient.create({
        data: { clinicId: world.clinicId, firstName, lastName: "Silence", phone: null },
      });
      const startsAt = parisDecember(local);
      const a = await prisma.appointment.create({
        data: {
          clinicId: world.clinicId,
          doctorId,
          patientId: patient.id,
          typeId: ids.gp,
          startsAt,
          endsAt: new Date(+startsAt + 20 * 60_000),
          status: "confirmed",
          sourceChannel: "telegram",
        },
      });
      await prisma.reminder.create({
        data: {
          appointmentId: a.id,
          offsetMinutes: 2880,
          kind: "confirm",
          dueAt: new Date(+startsAt - 2880 * 60_000),
          sendAt: new Date(+startsAt - 2880 * 60_000),
          status: "sent",
          channel: "telegram",
          sentAt: new Date(+startsAt - 2880 * 60_000),
        },
      });
      return a.id;
    };
    const mine = await remind(ids.martin, "Paul", "2026-12-07T17:00");
    const other = await remind(ids.benali, "Rita", "2026-12-07T18:00");

    const { v } = await secretary();
    const list = await v.get("/unconfirmed");
    expect(list.status).toBe(200);
    expect(list.html).toContain("Paul Silence");
    expect(list.html).toContain("Rita Silence");
    expect(list.html).toContain("Envoyé, sans réponse");
    expect(list.html).toContain(`/appointments/${mine}`);
    expect(await prisma.auditLog.count({ where: { action: "appointment.list", resourceId: other } })).toBe(1);

    const d = await staffVisitor(world, base, "doctor");
    const own = await d.get("/unconfirmed");
    expect(own.status).toBe(200);
    expect(own.html).toContain("Paul Silence");
    expect(own.html).not.toContain("Rita Silence");
  });
});

describe("how the bot books", () => {
  it("the front desk switches the clinic to approval and back from the request queue, audited; doctors cannot", async () => {
    const { v } = await secretary();
    const queue = await v.get("/requests");
    expect(queue.html).toContain('name="bookingMode" value="instant" checked');
    const csrf = csrfOf(queue.html);
    const switched = await v.post("/requests/booking-mode", { _csrf: csrf, bookingMode: "approval" });
    expect(switched.location).toBe("/requests?done=mode");
    const after = await v.follow(switched);
    expect(after.html).toContain("attendent désormais votre validation");
    expect(after.html).toContain('name="bookingMode" value="approval" checked');
    const clinic = () => world.ctx.db.prisma.clinic.findUniqueOrThrow({ where: { id: world.clinicId } });
    expect((await clinic()).bookingMode).toBe("approval");
    const audit = await world.ctx.db.prisma.auditLog.findFirst({
      where: { action: "clinic.update", resourceId: world.clinicId },
      orderBy: { at: "desc" },
    });
    expect(audit?.detail).toEqual({ fields: ["bookingMode"] });

    const d = await staffVisitor(world, base, "doctor");
    const doctorCsrf = csrfOf((await d.get("/schedule")).html);
    expect((await d.get("/requests")).html).not.toContain('name="bookingMode"');
    expect((await d.post("/requests/booking-mode", { _csrf: doctorCsrf, bookingMode: "instant" })).status).toBe(403);
    expect((await clinic()).bookingMode).toBe("approval");

    await v.post("/requests/booking-mode", { _csrf: csrf, bookingMode: "instant" });
    expect((await clinic()).bookingMode).toBe("instant");
  });
});
