import { beforeAll, describe, expect, it } from "vitest";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { parisDecember, staffVisitor } from "./schedule-support.js";
import { csrfOf, startConsole, Visitor } from "./support.js";

let world: ApiWorld;
let base: string;
const ids = { martin: "", benali: "", dermatologist: "", dermatology: "", own: "", other: "", inside: "", gone: "" };
const WEEK = "start=2026-12-07T00:00:00Z&end=2026-12-14T00:00:00Z";

beforeAll(async () => {
  world = await demoWorld();
  base = await startConsole(world.ctx);
  const prisma = world.ctx.db.prisma;
  const doctor = (lastName: string) =>
    prisma.doctor.findFirstOrThrow({ where: { clinicId: world.clinicId, lastName } });
  ids.martin = (await doctor("Martin")).id;
  ids.benali = (await doctor("Benali")).id;
  const dermatology = await prisma.specialty.findFirstOrThrow({
    where: { clinicId: world.clinicId, code: "dermatology" },
  });
  ids.dermatology = dermatology.id;
  ids.dermatologist = (
    await prisma.doctor.findFirstOrThrow({
      where: { clinicId: world.clinicId, specialties: { some: { specialtyId: dermatology.id } } },
    })
  ).id;
  const type = await prisma.appointmentType.findFirstOrThrow({
    where: { clinicId: world.clinicId, code: "gp-consult" },
  });
  const book = async (
    doctorId: string,
    firstName: string,
    lastName: string,
    local: string,
    status: "confirmed" | "cancelled" = "confirmed",
  ) => {
    const patient = await prisma.patient.create({ data: { clinicId: world.clinicId, firstName, lastName } });
    const startsAt = parisDecember(local);
    const a = await prisma.appointment.create({
      data: {
        clinicId: world.clinicId,
        doctorId,
        patientId: patient.id,
        typeId: type.id,
        startsAt,
        endsAt: new Date(+startsAt + 20 * 60_000),
        status,
        sourceChannel: "telegram",
      },
    });
    return a.id;
  };
  ids.own = await book(ids.martin, "Claire", "Dupont", "2026-12-08T10:00");
  ids.other = await book(ids.benali, "Hugo", "Bernard", "2026-12-09T09:00");
  ids.inside = await book(ids.martin, "Amina", "Haddad", "2026-12-07T15:00");
  ids.gone = await book(ids.martin, "Louis", "Moreau", "2026-12-10T10:00", "cancelled");
  await book(ids.dermatologist, "Inès", "Roux", "2026-12-11T11:00");
});

type CalendarEvent = {
  id: string;
  title: string;
  start: string;
  end: string;
  url?: string;
  editable?: boolean;
  display?: string;
};
const events = async (v: Visitor, query = ""): Promise<CalendarEvent[]> => {
  const answer = await v.get(`/schedule/events?${WEEK}${query}`);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.html) as CalendarEvent[];
};

describe("the clinic schedule", () => {
  it("a logged-out visitor is sent to the login page from every schedule, appointment and inbox route", async () => {
    const v = new Visitor(base);
    const someId = "3b241101-e2bb-4255-8caf-4136c566a962";
    for (const path of [
      "/schedule",
      `/schedule/events?${WEEK}`,
      "/schedule/doctors",
      `/schedule/doctors/${ids.martin}/hours`,
      "/appointments/urgent",
      `/appointments/${ids.own}`,
      "/inbox",
      `/inbox/${someId}`,
      "/unconfirmed",
    ]) {
      const answer = await v.get(path);
      expect(answer.status, path).toBe(303);
      expect(answer.location, path).toMatch(/^\/login\?next=/);
      expect((await v.follow(answer)).html, path).toContain('action="/login"');
    }
    for (const path of [
      `/appointments/${ids.own}/move`,
      `/appointments/${ids.own}/cancel`,
      "/appointments/urgent",
      `/schedule/doctors/${ids.martin}/presence`,
      `/schedule/doctors/${ids.martin}/hours`,
      `/schedule/doctors/${ids.martin}/exceptions`,
      `/schedule/doctors/${ids.martin}/exceptions/${someId}/delete`,
      `/inbox/${someId}/reply`,
      `/inbox/${someId}/hand-back`,
    ]) {
      const answer = await v.post(path, {});
      expect(answer.status, path).toBe(303);
      expect(answer.location, path).toBe("/login");
    }
  });

  it("a secretary opens the week view, drawn by FullCalendar served from the app itself", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const page = await v.get("/schedule");
    expect(page.status).toBe(200);
    expect(page.html).toContain("Planning de la clinique");
    expect(page.html).toContain('data-view="timeGridWeek"');
    expect(page.html).toContain('data-date="2026-12-07"');
    expect(page.html).toContain('data-editable="true"');
    const scripts = [...page.html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.some((s) => s.startsWith("/assets/fullcalendar.js"))).toBe(true);
    expect(scripts.some((s) => s.startsWith("/assets/fullcalendar-fr.js"))).toBe(true);
    expect(scripts.every((s) => s.startsWith("/assets/"))).toBe(true);
    for (const asset of ["/assets/fullcalendar.js", "/assets/fullcalendar-fr.js", "/assets/schedule.js"]) {
      const answer = await v.get(asset);
      expect(answer.status, asset).toBe(200);
      expect(answer.html.length, asset).toBeGreaterThan(100);
    }
    expect((await v.get("/assets/fullcalendar.js")).html).toContain("FullCalendar");
    const month = await v.get("/schedule?view=month&date=2026-12-15");
    expect(month.html).toContain('data-view="dayGridMonth"');
    expect(month.html).toContain('data-date="2026-12-15"');
  });

  it("the week's appointments come at the clinic's wall-clock time, and reading them is audited", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const before = await world.ctx.db.prisma.auditLog.count({ where: { action: "appointment.list" } });
    const week = await events(v);
    const byId = new Map(week.map((e) => [e.id, e]));
    expect(byId.get(ids.own)).toMatchObject({
      start: "2026-12-08T10:00:00",
      end: "2026-12-08T10:20:00",
      url: `/appointments/${ids.own}`,
      editable: true,
    });
    expect(byId.get(ids.own)!.title).toBe("Claire Dupont · Dr Martin");
    expect(byId.has(ids.other)).toBe(true);
    expect(byId.has(ids.inside)).toBe(true);
    expect(byId.has(ids.gone)).toBe(false);
    expect(week).toHaveLength(4);
    const after = await world.ctx.db.prisma.auditLog.count({ where: { action: "appointment.list" } });
    expect(after - before).toBe(4);
  });

  it("filters the calendar per doctor and per specialty", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const benali = await events(v, `&doctor=${ids.benali}`);
    expect(benali.map((e) => e.id)).toEqual([ids.other]);
    // One doctor's calendar: the doctor's name is not repeated on every event.
    expect(benali[0]!.title).toBe("Hugo Bernard");
    const derm = await events(v, `&specialty=${ids.dermatology}`);
    expect(derm.map((e) => e.title)).toEqual([expect.stringMatching(/^Inès Roux/)]);
    const page = await v.get(`/schedule?doctor=${ids.benali}`);
    expect(page.html).toContain(`<option value="${ids.benali}" selected>`);
    expect(page.html).toContain('data-business-hours="[{&quot;daysOfWeek&quot;:[1]');
  });

  it("a doctor sees only their own calendar, read-only", async () => {
    const v = await staffVisitor(world, base, "doctor");
    const page = await v.get("/schedule");
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-editable="false"');
    expect(page.html).not.toContain('id="schedule-filters"');
    const mine = await events(v, `&doctor=${ids.benali}`);
    expect(mine.map((e) => e.id).sort()).toEqual([ids.own, ids.inside].sort());
    expect(mine.every((e) => e.editable === false)).toBe(true);
    expect((await v.get(`/schedule/doctors/${ids.martin}/hours`)).status).toBe(403);
    expect((await v.get("/appointments/urgent")).status).toBe(403);
  });

  it("a doctor's leave shades that doctor's calendar", async () => {
    await world.ctx.db.prisma.scheduleException.create({
      data: {
        clinicId: world.clinicId,
        doctorId: ids.benali,
        kind: "leave",
        startsAt: parisDecember("2026-12-10T00:00"),
        endsAt: parisDecember("2026-12-11T00:00"),
      },
    });
    const v = await staffVisitor(world, base, "secretary");
    const benali = await events(v, `&doctor=${ids.benali}`);
    expect(benali).toContainEqual(
      expect.objectContaining({ display: "background", title: "Congé", start: "2026-12-10T00:00:00" }),
    );
    expect((await events(v)).some((e) => e.display === "background")).toBe(false);
  });

  it("refuses a range wider than a month view or a malformed one", async () => {
    const v = await staffVisitor(world, base, "secretary");
    expect((await v.get("/schedule/events?start=2026-01-01&end=2026-12-31")).status).toBe(400);
    expect((await v.get("/schedule/events?start=yesterday&end=today")).status).toBe(400);
  });

  it("speaks English to an English-speaking secretary", async () => {
    const v = await staffVisitor(world, base, "secretary", "en-GB");
    const page = await v.get("/schedule");
    expect(page.html).toContain("Clinic schedule");
    expect(page.html).not.toContain("/assets/fullcalendar-fr.js");
    const week = await events(v);
    expect(week.find((e) => e.id === ids.own)!.title).toBe("Claire Dupont · Dr Martin");
  });
});

describe("doctors' hours, leave and presence", () => {
  it("a secretary replaces a doctor's weekly hours, and a wrong row is refused inline", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const page = await v.get(`/schedule/doctors/${ids.benali}/hours`);
    expect(page.status).toBe(200);
    expect(page.html).toContain("Horaires et congés — Dr Youssef Benali");
    const csrf = csrfOf(page.html);
    const refused = await v.post(`/schedule/doctors/${ids.benali}/hours`, {
      _csrf: csrf,
      rows: "2",
      "weekday-0": "1",
      "start-0": "12:00",
      "end-0": "09:00",
    });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain("fin doit suivre");
    const overlap = await v.post(`/schedule/doctors/${ids.benali}/hours`, {
      _csrf: csrf,
      rows: "2",
      "weekday-0": "1",
      "start-0": "08:00",
      "end-0": "12:00",
      "weekday-1": "1",
      "start-1": "11:00",
      "end-1": "13:00",
    });
    expect(overlap.status).toBe(400);
    expect(overlap.html).toContain("chevauche");
    const blocks = await world.ctx.db.prisma.workingHours.count({ where: { doctorId: ids.benali } });
    expect(blocks).toBeGreaterThan(2);

    const saved = await v.post(`/schedule/doctors/${ids.benali}/hours`, {
      _csrf: csrf,
      rows: "3",
      "weekday-0": "1",
      "start-0": "08:00",
      "end-0": "12:00",
      "weekday-1": "2",
      "start-1": "14:00",
      "end-1": "19:00",
      "remove-1": "1",
      "weekday-2": "3",
      "start-2": "09:00",
      "end-2": "17:30",
      "from-2": "2027-01-01",
    });
    expect(saved.status).toBe(303);
    const week = await world.ctx.db.prisma.workingHours.findMany({
      where: { doctorId: ids.benali },
      orderBy: { weekday: "asc" },
    });
    expect(week.map((w) => [w.weekday, w.startMinute, w.endMinute])).toEqual([
      [1, 480, 720],
      [3, 540, 1050],
    ]);
    expect(week[1]!.validFrom!.toISOString().slice(0, 10)).toBe("2027-01-01");
    const after = await v.follow(saved);
    expect(after.html).toContain("Horaires enregistrés.");
    expect(after.html).toContain('value="17:30"');
  });

  it("leave recorded over booked appointments lists them, and can be deleted again", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const page = await v.get(`/schedule/doctors/${ids.martin}/hours`);
    const saved = await v.post(`/schedule/doctors/${ids.martin}/exceptions`, {
      _csrf: csrfOf(page.html),
      kind: "leave",
      fromDay: "2026-12-08",
      toDay: "2026-12-08",
      reason: "formation",
    });
    expect(saved.status).toBe(200);
    expect(saved.html).toContain("Exception enregistrée.");
    expect(saved.html).toContain(`/appointments/${ids.own}`);
    const leave = await world.ctx.db.prisma.scheduleException.findFirstOrThrow({ where: { doctorId: ids.martin } });
    expect(leave.startsAt).toEqual(parisDecember("2026-12-08T00:00"));
    expect(leave.endsAt).toEqual(parisDecember("2026-12-09T00:00"));

    const backwards = await v.post(`/schedule/doctors/${ids.martin}/exceptions`, {
      _csrf: csrfOf(page.html),
      kind: "leave",
      fromDay: "2026-12-20",
      toDay: "2026-12-19",
    });
    expect(backwards.status).toBe(400);
    expect(backwards.html).toContain("Période invalide");

    const deleted = await v.post(`/schedule/doctors/${ids.martin}/exceptions/${leave.id}/delete`, {
      _csrf: csrfOf(page.html),
    });
    expect(deleted.status).toBe(303);
    expect(await world.ctx.db.prisma.scheduleException.count({ where: { doctorId: ids.martin } })).toBe(0);
  });

  it("the free/busy toggle: staff set any doctor, a doctor only themself", async () => {
    const s = await staffVisitor(world, base, "secretary");
    const list = await s.get("/schedule/doctors");
    expect(list.status).toBe(200);
    const toggled = await s.post(`/schedule/doctors/${ids.benali}/presence`, {
      _csrf: csrfOf(list.html),
      presence: "busy",
    });
    expect(toggled.status).toBe(303);
    expect((await world.ctx.db.prisma.doctor.findUniqueOrThrow({ where: { id: ids.benali } })).presence).toBe("busy");
    expect((await s.follow(toggled)).html).toContain("Disponibilité enregistrée.");

    const d = await staffVisitor(world, base, "doctor");
    const mine = await d.get("/schedule/doctors");
    expect(mine.html).toContain("Dr Claire Martin");
    expect(mine.html).not.toContain("Benali");
    expect(
      (await d.post(`/schedule/doctors/${ids.martin}/presence`, { _csrf: csrfOf(mine.html), presence: "busy" })).status,
    ).toBe(303);
    expect((await world.ctx.db.prisma.doctor.findUniqueOrThrow({ where: { id: ids.martin } })).presence).toBe("busy");
    const other = await d.post(`/schedule/doctors/${ids.benali}/presence`, {
      _csrf: csrfOf(mine.html),
      presence: "free",
    });
    expect(other.status).toBe(403);
    expect((await world.ctx.db.prisma.doctor.findUniqueOrThrow({ where: { id: ids.benali } })).presence).toBe("busy");
  });

  it("a schedule change without the CSRF token is refused", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const answer = await v.post(`/schedule/doctors/${ids.benali}/presence`, { presence: "free" });
    expect(answer.status).toBe(403);
    expect((await world.ctx.db.prisma.doctor.findUniqueOrThrow({ where: { id: ids.benali } })).presence).toBe("busy");
  });
});
