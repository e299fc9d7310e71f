import { beforeAll, describe, expect, it } from "vitest";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { csrfOf, signIn, startConsole, Visitor } from "./support.js";

let world: ApiWorld;
let base: string;
const ids = { martin: "", dubois: "", type: "", secretary: "" };

/** A wall-clock time in Paris in December 2026 (UTC+1). */
const paris = (day: number, h: number, m = 0) => new Date(Date.UTC(2026, 11, day, h - 1, m));

beforeAll(async () => {
  world = await demoWorld();
  base = await startConsole(world.ctx);
  const prisma = world.ctx.db.prisma;
  ids.martin = (await prisma.doctor.findFirstOrThrow({ where: { lastName: "Martin" } })).id;
  ids.dubois = (await prisma.doctor.findFirstOrThrow({ where: { lastName: "Dubois" } })).id;
  ids.secretary = (
    await prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.secretary.email } })
  ).id;
  // A first visit any doctor can see, whatever their specialty.
  ids.type = (
    await prisma.appointmentType.create({
      data: {
        clinicId: world.clinicId,
        code: "first-visit",
        nameFr: "Première consultation",
        nameEn: "First visit",
        durationMinutes: 30,
        priceMinor: 3000,
      },
    })
  ).id;
});

async function request(firstName: string, startsAt: Date, reason: string, doctorId = ids.martin) {
  const prisma = world.ctx.db.prisma;
  const patient = await prisma.patient.create({
    data: {
      clinicId: world.clinicId,
      firstName,
      lastName: "Petit",
      phone: `+3361${Math.floor(1e7 + Math.random() * 9e7)}`,
    },
  });
  return prisma.appointment.create({
    data: {
      clinicId: world.clinicId,
      doctorId,
      patientId: patient.id,
      typeId: ids.type,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 30 * 60_000),
      status: "requested",
      reason,
      sourceChannel: "whatsapp",
    },
  });
}

async function secretary(): Promise<Visitor> {
  const v = new Visitor(base);
  await signIn(v, world.credentials.secretary.email, world.credentials.secretary.password);
  return v;
}

const appointment = (id: string) => world.ctx.db.prisma.appointment.findUniqueOrThrow({ where: { id } });

describe("one-click assign from the triage suggestion", () => {
  it("a secretary hands a heart complaint booked with the GP to the cardiologist, at the same time since she is free", async () => {
    const a = await request("Léa", paris(7, 11), "palpitations depuis hier soir");
    const v = await secretary();
    const queue = await v.get("/requests");
    expect(queue.html).toContain("Cardiologie");
    expect(queue.html).toContain(`action="/requests/${a.id}/assign"`);
    expect(queue.html).toContain("Attribuer à Dr Hélène Dubois");

    const refused = await v.post(`/requests/${a.id}/assign`, { doctorId: ids.dubois });
    expect(refused.status, "no CSRF token").toBe(403);
    expect((await appointment(a.id)).doctorId).toBe(ids.martin);

    const answer = await v.post(`/requests/${a.id}/assign`, { _csrf: csrfOf(queue.html), doctorId: ids.dubois });
    expect(/role="alert">([^<]*)/.exec(answer.html)?.[1]).toBeUndefined();
    expect(answer.status).toBe(200);
    expect(answer.html).toContain("Demande attribuée à Dr Hélène Dubois");
    const moved = await appointment(a.id);
    expect(moved).toMatchObject({ doctorId: ids.dubois, status: "requested" });
    expect(moved.startsAt).toEqual(paris(7, 11));
    // Already with a cardiologist: no button any more.
    expect(answer.html).not.toContain(`action="/requests/${a.id}/assign"`);

    const event = await world.ctx.db.prisma.appointmentEvent.findFirstOrThrow({
      where: { appointmentId: a.id, reason: "triage suggestion" },
    });
    expect(event).toMatchObject({ actorKind: "staff", actorId: ids.secretary });
    // Within the clinic's 24 hours, but a request promised nothing yet: the override is on record.
    expect(event.detail).toMatchObject({
      from: { doctorId: ids.martin },
      to: { doctorId: ids.dubois },
      cutoffOverride: true,
    });
  });

  it("when the cardiologist is busy at that time, the request goes to her nearest free slot, in place in the queue", async () => {
    const busy = await request("Paul", paris(8, 10), "contrôle", ids.dubois);
    await world.ctx.db.prisma.appointment.update({ where: { id: busy.id }, data: { status: "confirmed" } });
    const a = await request("Inès", paris(8, 10), "douleur thoracique et essoufflement");
    const v = await secretary();
    const queue = await v.get("/requests");
    const answer = await v.post(
      `/requests/${a.id}/assign`,
      { _csrf: csrfOf(queue.html), doctorId: ids.dubois },
      { "hx-request": "true" },
    );
    expect(answer.status).toBe(200);
    expect(answer.html.trim()).toMatch(new RegExp(`^<li class="request card" id="request-${a.id}">`));
    const moved = await appointment(a.id);
    expect(moved.doctorId).toBe(ids.dubois);
    expect(Math.abs(moved.startsAt.getTime() - paris(8, 10).getTime())).toBe(30 * 60_000);
    expect(answer.html).toContain(moved.startsAt.getTime() < paris(8, 10).getTime() ? "09:30" : "10:30");
  });

  it("a button from a stale page is refused with the reason shown on the request, and nothing moves", async () => {
    const a = await request("Noé", paris(9, 15), "palpitations");
    const v = await secretary();
    const queue = await v.get("/requests");
    const martinWasSuggested = await v.post(`/requests/${a.id}/assign`, {
      _csrf: csrfOf(queue.html),
      doctorId: ids.martin,
    });
    expect(martinWasSuggested.status).toBe(409);
    expect(martinWasSuggested.html).toContain("La suggestion a changé entre-temps");
    expect(martinWasSuggested.html).toContain("Demandes en attente");
    expect(await appointment(a.id)).toMatchObject({ doctorId: ids.martin, startsAt: paris(9, 15) });
  });

  it("the button speaks English to an English-speaking secretary", async () => {
    await request("Tom", paris(10, 11), "palpitations");
    const v = new Visitor(base, "en");
    await signIn(v, world.credentials.secretary.email, world.credentials.secretary.password);
    expect((await v.get("/requests")).html).toContain("Assign to Dr Hélène Dubois");
  });
});
