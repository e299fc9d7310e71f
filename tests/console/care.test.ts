import { beforeAll, describe, expect, it } from "vitest";
import { escalateEmergencies } from "../../src/domain/emergencies.js";
import { offerFreedSlot } from "../../src/domain/waitlist.js";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { csrfOf, hiddenFields, signIn, startConsole, Visitor } from "./support.js";

let world: ApiWorld;
let base: string;
const ids = { patient: "", martin: "", benali: "", gp: "" };

beforeAll(async () => {
  world = await demoWorld();
  base = await startConsole(world.ctx);
  const prisma = world.ctx.db.prisma;
  const clinicId = world.clinicId;
  ids.martin = (await prisma.doctor.findFirstOrThrow({ where: { clinicId, lastName: "Martin" } })).id;
  ids.benali = (await prisma.doctor.findFirstOrThrow({ where: { clinicId, lastName: "Benali" } })).id;
  await prisma.doctor.update({ where: { id: ids.martin }, data: { telegramChatId: "4242" } });
  ids.gp = (await prisma.specialty.findFirstOrThrow({ where: { clinicId, code: "general" } })).id;
  ids.patient = (
    await prisma.patient.create({
      data: {
        clinicId,
        firstName: "Inès",
        lastName: "Garnier",
        phone: "+33644444444",
        identities: { create: [{ channel: "telegram", externalId: "31337" }] },
      },
    })
  ).id;
});

/** The page's text with the apostrophes the templates escape. */
const shown = (page: { html: string }) => page.html.replace(/&#39;/g, "'");

async function secretary(language = "fr"): Promise<Visitor> {
  const v = new Visitor(base, language);
  const answer = await signIn(v, world.credentials.secretary.email, world.credentials.secretary.password);
  expect(answer.status).toBe(303);
  return v;
}

describe("console access to the care pages", () => {
  it("a logged-out visitor is sent to the login page, and their posts change nothing", async () => {
    const v = new Visitor(base);
    for (const path of ["/waitlist", "/emergencies"]) {
      const answer = await v.get(path);
      expect(answer.status, path).toBe(303);
      expect(answer.location, path).toMatch(/^\/login/);
    }
    expect((await v.post("/emergencies", { category: "other" })).location).toBe("/login");
    expect(await world.ctx.db.prisma.emergencyEvent.count()).toBe(0);
  });

  it("posts without the session's CSRF token are refused", async () => {
    const v = await secretary();
    expect((await v.post("/emergencies", { category: "other" })).status).toBe(403);
    expect((await v.post("/waitlist", { patientId: ids.patient, specialtyId: ids.gp })).status).toBe(403);
  });
});

describe("the waiting list page", () => {
  it("a secretary finds a patient, puts them on the list, sees the offer made to them, and takes them off", async () => {
    const v = await secretary();
    const page = await v.get("/waitlist");
    expect(page.html).toContain('href="/waitlist" aria-current="page"');
    expect(shown(page)).toContain("Personne n'attend pour le moment.");
    const found = await v.get("/waitlist?q=garnier");
    expect(found.html).toContain("GARNIER Inès — +33644444444");
    const added = await v.post("/waitlist", {
      ...hiddenFields(found.html),
      _csrf: csrfOf(found.html),
      patientId: ids.patient,
      specialtyId: ids.gp,
      doctorId: "",
      before: "2026-12-18",
    });
    expect(added.location).toBe("/waitlist?done=added");
    const entry = await world.ctx.db.prisma.waitlistEntry.findFirstOrThrow({ where: { patientId: ids.patient } });
    expect(entry).toMatchObject({ channel: "console", specialtyId: ids.gp, status: "waiting" });
    expect(entry.wantedBefore).toEqual(new Date("2026-12-18T23:00:00Z"));

    // A slot frees up and is offered to her.
    const startsAt = new Date("2026-12-08T09:00:00Z");
    await offerFreedSlot(
      world.ctx.db,
      { clinicId: world.clinicId, doctorId: ids.martin, startsAt, endsAt: new Date(+startsAt + 20 * 60_000) },
      { channels: ["telegram"], now: world.ctx.now() },
    );
    const list = await v.follow(added);
    expect(shown(list)).toContain("Patient inscrit sur la liste d'attente.");
    expect(shown(list)).toMatch(
      /Inès Garnier[\s\S]*Médecine générale[\s\S]*jusqu'au vendredi 18 décembre 2026[\s\S]*console/,
    );
    expect(list.html).toMatch(/8 déc. 2026.*10:00, Dr Claire Martin — proposé, réponse attendue avant 09:15/);
    expect(
      await world.ctx.db.prisma.auditLog.count({ where: { patientId: ids.patient, action: "waitlist.read" } }),
    ).toBeGreaterThan(0);

    const withdrawn = await v.post(`/waitlist/${entry.id}/withdraw`, { _csrf: csrfOf(list.html) });
    expect(withdrawn.location).toBe("/waitlist?done=withdrawn");
    expect((await world.ctx.db.prisma.waitlistEntry.findUniqueOrThrow({ where: { id: entry.id } })).status).toBe(
      "withdrawn",
    );
    expect(shown(await v.follow(withdrawn))).toContain("Patient retiré de la liste d'attente.");
  });

  it("asks again when no patient, or neither specialty nor doctor, is chosen", async () => {
    const v = await secretary();
    const page = await v.get("/waitlist");
    const answer = await v.post("/waitlist", { _csrf: csrfOf(page.html), patientId: ids.patient, specialtyId: "" });
    expect(answer.location).toBe("/waitlist?error=invalid");
    expect((await v.follow(answer)).html).toContain("Choisissez un patient, et une spécialité ou un médecin.");
  });
});

describe("the emergencies board", () => {
  it("a secretary raises an emergency for a patient, sees each step with its time, records who took it, and closes it", async () => {
    const v = await secretary();
    const found = await v.get("/emergencies?q=garnier");
    const raised = await v.post("/emergencies", {
      _csrf: csrfOf(found.html),
      patientId: ids.patient,
      category: "chest_pain",
      note: "Appelle depuis son travail",
    });
    expect(raised.location).toBe("/emergencies?done=raised");
    const event = await world.ctx.db.prisma.emergencyEvent.findFirstOrThrow({ where: { patientId: ids.patient } });
    expect(event).toMatchObject({ category: "chest_pain", note: "Appelle depuis son travail" });
    await escalateEmergencies(world.ctx.db, { now: world.ctx.now(), channels: { telegram: true, whatsapp: false } });

    const board = await v.follow(raised);
    expect(board.html).toContain("Urgence signalée : le médecin de garde est alerté.");
    expect(board.html).toMatch(/Douleur thoracique — <a href="\/patients\/[^"]+">Inès Garnier<\/a>/);
    expect(board.html).toContain("Non prise en charge");
    expect(board.html).toMatch(/<time datetime="2026-12-07T08:00:00.000Z">09:00<\/time> Urgence enregistrée/);
    expect(board.html).toMatch(/09:00<\/time> Alerte envoyée à Dr Claire Martin par Telegram \(médecin de garde\)/);

    world.setNow(new Date(+world.ctx.now() + 3 * 60_000));
    try {
      const acknowledged = await v.post(`/emergencies/${event.id}/acknowledge`, {
        _csrf: csrfOf(board.html),
        doctorId: ids.benali,
      });
      expect(acknowledged.location).toBe("/emergencies?done=acknowledged");
      const after = await v.follow(acknowledged);
      expect(after.html).toMatch(/09:03<\/time> Prise en charge par Dr Youssef Benali/);
      const closed = await v.post(`/emergencies/${event.id}/resolve`, { _csrf: csrfOf(after.html) });
      const open = await v.follow(closed);
      expect(open.html).toContain("Urgence clôturée.");
      expect(open.html).toContain("Aucune urgence en cours.");
      const all = await v.get("/emergencies?show=all");
      expect(all.html).toMatch(/09:03<\/time> Clôturée/);
    } finally {
      world.setNow(new Date(+world.ctx.now() - 3 * 60_000));
    }
  });

  it("speaks English to an English browser", async () => {
    const v = await secretary("en-GB,en;q=0.9");
    const board = await v.get("/emergencies?show=all");
    expect(board.html).toContain("Raise an emergency");
    expect(board.html).toContain("Alert sent to Dr Claire Martin by Telegram (on-call doctor)");
  });
});
