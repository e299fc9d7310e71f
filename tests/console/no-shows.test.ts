import { beforeAll, describe, expect, it } from "vitest";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { parisDecember, staffVisitor } from "./schedule-support.js";
import { hiddenFields, startConsole } from "./support.js";

// The console's clock: Monday 7 December 2026, 09:00 in Paris.
let world: ApiWorld;
let base: string;
const ids = { lea: "", leaFriday: "", leaSaturday: "", hugo: "", hugoFriday: "", today: "", secretary: "" };

beforeAll(async () => {
  world = await demoWorld();
  base = await startConsole(world.ctx);
  const prisma = world.ctx.db.prisma;
  const clinicId = world.clinicId;
  const martin = (await prisma.doctor.findFirstOrThrow({ where: { clinicId, lastName: "Martin" } })).id;
  const gp = (await prisma.appointmentType.findFirstOrThrow({ where: { clinicId, code: "gp-consult" } })).id;
  const patient = (firstName: string, lastName: string, phone: string) =>
    prisma.patient.create({ data: { clinicId, firstName, lastName, phone } });
  const appointment = async (patientId: string, local: string, status: "confirmed" | "no_show" = "confirmed") => {
    const startsAt = parisDecember(local);
    const a = await prisma.appointment.create({
      data: {
        clinicId,
        doctorId: martin,
        patientId,
        typeId: gp,
        startsAt,
        endsAt: new Date(+startsAt + 20 * 60_000),
        status,
        sourceChannel: "sms",
      },
    });
    return a.id;
  };
  ids.lea = (await patient("Léa", "Moreau", "+33655500001")).id;
  ids.hugo = (await patient("Hugo", "Petit", "+33655500002")).id;
  await appointment(ids.lea, "2026-12-01T10:00", "no_show");
  ids.leaFriday = await appointment(ids.lea, "2026-12-04T09:00");
  ids.leaSaturday = await appointment(ids.lea, "2026-12-05T11:00");
  ids.hugoFriday = await appointment(ids.hugo, "2026-12-04T10:00");
  ids.today = await appointment(ids.hugo, "2026-12-07T08:30");
  ids.secretary = (await prisma.staffUser.findFirstOrThrow({ where: { email: world.credentials.secretary.email } })).id;
});

const statusOf = async (id: string) =>
  (await world.ctx.db.prisma.appointment.findUniqueOrThrow({ where: { id } })).status;
/** The table row of one appointment on the page, by the id its form posts to. */
const rowOf = (html: string, id: string) =>
  [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!).find((row) => row.includes(`no-shows/${id}"`));
const noShowCell = (row: string | undefined) => /<td>(\d+)<\/td>\s*<td>\s*<form/.exec(row ?? "")?.[1];

describe("a secretary closing the past days' appointments", () => {
  it("sees the confirmed appointments nobody closed, with each patient's no-shows so far, and today's are not there yet", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const home = await v.get("/");
    expect(home.html).toContain('href="/appointments/no-shows"');
    const page = await v.get("/appointments/no-shows");
    expect(page.status).toBe(200);
    expect(page.html).toContain("Rendez-vous passés à clore");
    expect(noShowCell(rowOf(page.html, ids.leaFriday))).toBe("1");
    expect(noShowCell(rowOf(page.html, ids.hugoFriday))).toBe("0");
    expect(rowOf(page.html, ids.leaFriday)).toContain("Léa Moreau");
    expect(rowOf(page.html, ids.today)).toBeUndefined();
  });

  it("confirms that Léa did not come on Friday: it counts against her, is audited, and leaves the list", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const page = await v.get("/appointments/no-shows");
    const answer = await v.post(`/appointments/no-shows/${ids.leaFriday}`, {
      ...hiddenFields(page.html),
      outcome: "no_show",
    });
    expect(answer.status).toBe(303);
    const after = await v.follow(answer);
    expect(after.html).toContain("Absence enregistrée.");
    expect(await statusOf(ids.leaFriday)).toBe("no_show");
    expect(rowOf(after.html, ids.leaFriday)).toBeUndefined();
    // Her Saturday appointment, still to close, now shows two no-shows.
    expect(noShowCell(rowOf(after.html, ids.leaSaturday))).toBe("2");
    const audit = await world.ctx.db.prisma.auditLog.findFirstOrThrow({
      where: { action: "appointment.no_show", resourceId: ids.leaFriday },
    });
    expect(audit).toMatchObject({ actorId: ids.secretary, patientId: ids.lea });
  });

  it("records that Hugo came on Friday: the visit is closed as completed, not as a no-show", async () => {
    const v = await staffVisitor(world, base, "secretary", "en");
    const page = await v.get("/appointments/no-shows");
    expect(page.html).toContain("Mark completed");
    const after = await v.follow(
      await v.post(`/appointments/no-shows/${ids.hugoFriday}`, { ...hiddenFields(page.html), outcome: "completed" }),
    );
    expect(after.html).toContain("Appointment closed as completed.");
    expect(await statusOf(ids.hugoFriday)).toBe("completed");
    expect(
      await world.ctx.db.prisma.auditLog.count({
        where: { action: "appointment.complete", resourceId: ids.hugoFriday },
      }),
    ).toBe(1);
  });

  it("cannot close today's appointment from this list, nor one closed meanwhile", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const fields = hiddenFields((await v.get("/appointments/no-shows")).html);
    for (const id of [ids.today, ids.leaFriday]) {
      const before = await statusOf(id);
      const after = await v.follow(await v.post(`/appointments/no-shows/${id}`, { ...fields, outcome: "completed" }));
      expect(after.html).toContain("déjà été clos ou modifié");
      expect(await statusOf(id)).toBe(before);
    }
  });

  it("a post without the session's CSRF token changes nothing", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const answer = await v.post(`/appointments/no-shows/${ids.leaSaturday}`, { outcome: "no_show" });
    expect(answer.status).toBe(403);
    expect(await statusOf(ids.leaSaturday)).toBe("confirmed");
  });

  it("a doctor is refused the list and its actions: closing past days is the desk's work", async () => {
    const v = await staffVisitor(world, base, "doctor");
    expect((await v.get("/appointments/no-shows")).status).toBe(403);
    const fields = hiddenFields((await v.get("/")).html);
    expect((await v.post(`/appointments/no-shows/${ids.leaSaturday}`, { ...fields, outcome: "no_show" })).status).toBe(
      403,
    );
    expect(await statusOf(ids.leaSaturday)).toBe("confirmed");
  });
});
