import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../src/context.js";
import { recordAudit } from "../../src/domain/audit.js";
import type { PatientExport } from "../../src/domain/gdpr.js";
import { totpCode, totpStep } from "../../src/console/totp.js";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { csrfOf, hiddenFields, signIn, startConsole, Visitor, type Page } from "./support.js";

const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(300, 0x20), Buffer.from("\n%%EOF\n")]);

let world: ApiWorld;
let ctx: AppContext;
let base: string;
let dir: string;
const ids = { mine: "", theirs: "", visit: "", martinDoctor: "", secretary: "" };

beforeAll(async () => {
  world = await demoWorld();
  dir = await mkdtemp(path.join(tmpdir(), "tabib-console-docs-"));
  ctx = { ...world.ctx, config: { ...world.ctx.config, DOCUMENTS_DIR: dir } };
  base = await startConsole(ctx);
  const prisma = ctx.db.prisma;
  const martin = await prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.doctor.email } });
  ids.martinDoctor = martin.doctorId!;
  ids.secretary = (
    await prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.secretary.email } })
  ).id;
  const other = await prisma.doctor.findFirstOrThrow({
    where: { id: { not: ids.martinDoctor }, clinicId: world.clinicId },
  });
  const type = await prisma.appointmentType.findFirstOrThrow({ where: { clinicId: world.clinicId } });
  const mine = await prisma.patient.create({
    data: { clinicId: world.clinicId, firstName: "Claire", lastName: "Dupont", phone: "+33611111111" },
  });
  const theirs = await prisma.patient.create({
    data: { clinicId: world.clinicId, firstName: "Hugo", lastName: "Bernard", phone: "+33622222222" },
  });
  ids.mine = mine.id;
  ids.theirs = theirs.id;
  const book = (doctorId: string, patientId: string, startsAt: Date) =>
    prisma.appointment.create({
      data: {
        clinicId: world.clinicId,
        doctorId,
        patientId,
        typeId: type.id,
        startsAt,
        endsAt: new Date(+startsAt + 20 * 60_000),
        status: "confirmed",
        sourceChannel: "telegram",
      },
    });
  // 08:00 UTC = 09:00 in Paris, the pinned "now": the visit is under way.
  ids.visit = (await book(ids.martinDoctor, mine.id, new Date("2026-12-07T08:00:00Z"))).id;
  await book(other.id, theirs.id, new Date("2026-12-07T09:00:00Z"));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

async function secretary(): Promise<Visitor> {
  const v = new Visitor(base);
  const answer = await signIn(v, world.credentials.secretary.email, world.credentials.secretary.password);
  expect(answer.location).toBe("/");
  return v;
}

let step = 0;
/** Signs in with MFA (enrolling the first time); each call uses a fresh TOTP step. */
async function withMfa(who: "doctor" | "admin", secrets: Record<string, string>): Promise<Visitor> {
  const v = new Visitor(base);
  const answer = await signIn(v, world.credentials[who].email, world.credentials[who].password);
  world.setNow(new Date(Date.parse("2026-12-07T08:00:00Z") + ++step * 60_000));
  if (answer.location === "/mfa/setup") {
    const setup = await v.get("/mfa/setup");
    secrets[who] = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.html)![1]!.replace(/ /g, "");
    const done = await v.post("/mfa/setup", {
      _csrf: csrfOf(setup.html),
      code: totpCode(secrets[who]!, totpStep(ctx.now())),
    });
    expect(done.status).toBe(200);
  } else {
    expect(answer.location).toBe("/mfa");
    const page = await v.get("/mfa");
    const passed = await v.post("/mfa", {
      _csrf: csrfOf(page.html),
      code: totpCode(secrets[who]!, totpStep(ctx.now())),
    });
    expect(passed.status).toBe(303);
  }
  return v;
}
const secrets: Record<string, string> = {};
const doctor = () => withMfa("doctor", secrets);
const admin = () => withMfa("admin", secrets);

/** Posts a multipart form the way a browser does, with the visitor's cookies. */
async function upload(
  v: Visitor,
  pathname: string,
  fields: Record<string, string>,
  file: { name: string; bytes: Buffer },
) {
  const body = new FormData();
  for (const [k, value] of Object.entries(fields)) body.set(k, value);
  body.set("file", new Blob([file.bytes]), file.name);
  const res = await fetch(new URL(pathname, base), {
    method: "POST",
    body,
    redirect: "manual",
    headers: { cookie: [...v.cookies].map(([k, value]) => `${k}=${value}`).join("; ") },
  });
  return { status: res.status, location: res.headers.get("location"), html: await res.text() };
}

const text = (p: Page) => p.html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

describe("patient records in the console", () => {
  it("a logged-out visitor gets the login page for every record, settings and audit route", async () => {
    const v = new Visitor(base);
    const pages = [
      `/patients/${ids.mine}`,
      `/patients/${ids.mine}/edit`,
      `/patients/${ids.mine}/clinical`,
      `/patients/${ids.mine}/erase`,
      `/patients/${ids.mine}/documents/${ids.visit}`,
      `/patients/${ids.mine}/prescriptions/${ids.visit}`,
      "/admin/clinic",
      "/admin/clinic/specialties",
      "/admin/clinic/types",
      "/admin/audit",
    ];
    for (const p of pages) {
      const answer = await v.get(p);
      expect(answer.status, p).toBe(303);
      expect(answer.location, p).toBe(`/login?next=${encodeURIComponent(p)}`);
      expect((await v.follow(answer)).html, p).toContain('action="/login"');
    }
    const posts = [
      `/patients/${ids.mine}/edit`,
      `/patients/${ids.mine}/notes`,
      `/patients/${ids.mine}/diagnoses`,
      `/patients/${ids.mine}/allergies`,
      `/patients/${ids.mine}/prescriptions`,
      `/patients/${ids.mine}/documents`,
      `/patients/${ids.mine}/export`,
      `/patients/${ids.mine}/erase`,
      "/admin/clinic",
      "/admin/clinic/specialties",
      "/admin/clinic/types",
      "/admin/staff/new",
      `/admin/staff/${ids.secretary}`,
    ];
    for (const p of posts) {
      const answer = await v.post(p, {});
      expect(answer.status, p).toBe(303);
      expect(answer.location, p).toBe("/login");
    }
    expect(await ctx.db.prisma.clinicalNote.count()).toBe(0);
  });

  it("a doctor writes a note on today's visit and finds it on the patient's medical record", async () => {
    const v = await doctor();
    const record = await v.get(`/patients/${ids.mine}`);
    expect(record.status).toBe(200);
    expect(record.html).toContain(`href="/patients/${ids.mine}/clinical"`);
    const clinical = await v.get(`/patients/${ids.mine}/clinical`);
    expect(clinical.status).toBe(200);
    // Today's visit is preselected for the note.
    expect(clinical.html).toMatch(new RegExp(`<option value="${ids.visit}" selected>`));
    const saved = await v.post(`/patients/${ids.mine}/notes`, {
      _csrf: csrfOf(clinical.html),
      appointmentId: ids.visit,
      body: "Angine érythémateuse.\nPas de fièvre.",
    });
    expect(saved.status).toBe(303);
    const after = await v.follow(saved);
    expect(after.html).toContain("Note enregistrée.");
    expect(after.html).toContain("Angine érythémateuse.\nPas de fièvre.");
    const note = await ctx.db.prisma.clinicalNote.findFirstOrThrow({ where: { patientId: ids.mine } });
    expect(note).toMatchObject({ appointmentId: ids.visit, doctorId: ids.martinDoctor });
    const audit = await ctx.db.prisma.auditLog.findMany({
      where: { patientId: ids.mine, action: { in: ["note.create", "clinical.read"] } },
    });
    expect(new Set(audit.map((a) => a.action))).toEqual(new Set(["note.create", "clinical.read"]));
    // Without the page's CSRF token, nothing is written.
    const forged = await v.post(`/patients/${ids.mine}/notes`, { body: "forged" });
    expect(forged.status).toBe(403);
    expect(await ctx.db.prisma.clinicalNote.count()).toBe(1);
  });

  it("a secretary cannot open clinical notes, sees no link to them, and cannot write one", async () => {
    const v = await secretary();
    const record = await v.get(`/patients/${ids.mine}`);
    expect(record.status).toBe(200);
    expect(record.html).not.toContain("/clinical");
    const clinical = await v.get(`/patients/${ids.mine}/clinical`);
    expect(clinical.status).toBe(403);
    expect(clinical.html).not.toContain("Angine");
    const post = await v.post(`/patients/${ids.mine}/notes`, { _csrf: csrfOf(record.html), body: "x" });
    expect(post.status).toBe(403);
    expect(await ctx.db.prisma.clinicalNote.count()).toBe(1);
  });

  it("a doctor cannot open the medical record of another doctor's patient", async () => {
    const v = await doctor();
    const page = await v.get(`/patients/${ids.theirs}/clinical`);
    expect(page.status).toBe(403);
    expect(page.html).not.toContain("Bernard");
  });

  it("a doctor records an allergy the front desk then sees on the record", async () => {
    const v = await doctor();
    const clinical = await v.get(`/patients/${ids.mine}/clinical`);
    const added = await v.post(`/patients/${ids.mine}/allergies`, {
      _csrf: csrfOf(clinical.html),
      substance: "Pénicilline",
      reaction: "urticaire",
      severity: "severe",
    });
    expect(added.status).toBe(303);
    const s = await secretary();
    const record = await s.get(`/patients/${ids.mine}`);
    expect(text(record)).toContain("Pénicilline — urticaire (grave)");
  });

  it("a doctor writes a prescription and gets its printable page", async () => {
    const v = await doctor();
    const clinical = await v.get(`/patients/${ids.mine}/clinical`);
    const refused = await v.post(`/patients/${ids.mine}/prescriptions`, { _csrf: csrfOf(clinical.html), drug0: "" });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain("Vérifiez le champ « Médicament »");
    const made = await v.post(`/patients/${ids.mine}/prescriptions`, {
      _csrf: csrfOf(clinical.html),
      appointmentId: ids.visit,
      drug0: "Amoxicilline 1 g",
      dosage0: "1 comprimé matin et soir",
      instructions0: "pendant 6 jours",
      drug1: "Paracétamol 1 g",
      dosage1: "si douleur, 3 par jour au plus",
    });
    expect(made.status).toBe(303);
    expect(made.location).toMatch(new RegExp(`^/patients/${ids.mine}/prescriptions/[0-9a-f-]{36}$`));
    const sheet = await v.get(made.location!);
    expect(sheet.status).toBe(200);
    expect(sheet.html).toContain("Amoxicilline 1 g");
    expect(sheet.html).toContain("pendant 6 jours");
    expect(sheet.html).toContain("data-print");
    expect(sheet.html).toContain("/assets/records.css");
    const css = await fetch(new URL("/assets/records.css", base)).then((r) => r.text());
    expect(css).toContain("@media print");
    const s = await secretary();
    expect((await s.get(made.location!)).status).toBe(403);
  });

  it("a secretary uploads a PDF, a disguised page is refused, and the download is an audited attachment", async () => {
    const v = await secretary();
    const record = await v.get(`/patients/${ids.mine}`);
    const fields = { ...hiddenFields(record.html), kind: "lab_result" };
    const sneaky = await upload(v, `/patients/${ids.mine}/documents`, fields, {
      name: "résultats.pdf",
      bytes: Buffer.from("<html><script>alert(document.cookie)</script></html>"),
    });
    expect(sneaky.status).toBe(400);
    expect(sneaky.html).toContain("Seuls les fichiers PDF, PNG et JPEG sont acceptés.");
    const noToken = await upload(
      v,
      `/patients/${ids.mine}/documents`,
      { kind: "lab_result" },
      { name: "a.pdf", bytes: PDF },
    );
    expect(noToken.status).toBe(403);
    const ok = await upload(v, `/patients/${ids.mine}/documents`, fields, { name: "bilan sanguin.pdf", bytes: PDF });
    expect(ok.status).toBe(303);
    const doc = await ctx.db.prisma.patientDocument.findFirstOrThrow({ where: { patientId: ids.mine } });
    expect(await readdir(dir)).toEqual([doc.storageKey]);
    const listed = await v.get(`/patients/${ids.mine}`);
    expect(listed.html).toContain("bilan sanguin.pdf");

    const res = await fetch(new URL(`/patients/${ids.mine}/documents/${doc.id}`, base), {
      headers: { cookie: [...v.cookies].map(([k, value]) => `${k}=${value}`).join("; ") },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename=/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
    expect(
      await ctx.db.prisma.auditLog.count({
        where: { action: "document.download", resourceId: doc.id, actorId: ids.secretary },
      }),
    ).toBe(1);
    // The folder is not served: the storage key is no URL.
    expect((await fetch(new URL(`/assets/${doc.storageKey}`, base))).status).toBe(404);
  });

  it("the record speaks English to a browser that asks for it", async () => {
    const v = new Visitor(base, "en-GB,en;q=0.9");
    await signIn(v, world.credentials.secretary.email, world.credentials.secretary.password);
    const record = await v.get(`/patients/${ids.mine}`);
    expect(record.html).toContain('<html lang="en">');
    expect(record.html).toContain("Add the document");
    expect(text(record)).toContain("Pénicilline — urticaire (severe)");
    expect((await v.get(`/patients/${ids.mine}/edit`)).html).toContain("Member number");
  });

  it("a secretary corrects the demographics; a malformed phone number is refused", async () => {
    const v = await secretary();
    const page = await v.get(`/patients/${ids.mine}/edit`);
    const form = { ...hiddenFields(page.html), firstName: "Claire", lastName: "Dupont-Leroy", preferredLocale: "fr" };
    const wrong = await v.post(`/patients/${ids.mine}/edit`, { ...form, phone: "06 12" });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain("Vérifiez le champ « Téléphone »");
    expect(wrong.html).toContain('value="Dupont-Leroy"');
    const right = await v.post(`/patients/${ids.mine}/edit`, {
      ...form,
      phone: "+33 6 11 11 11 12",
      birthDate: "1985-03-02",
    });
    expect(right.status).toBe(303);
    const p = await ctx.db.prisma.patient.findUniqueOrThrow({ where: { id: ids.mine } });
    expect(p).toMatchObject({ lastName: "Dupont-Leroy", phone: "+33611111112", birthDate: new Date("1985-03-02") });
    const d = await doctor();
    expect((await d.get(`/patients/${ids.mine}/edit`)).status).toBe(403);
  });

  it("an admin exports the patient's data as a JSON download and erases the record after confirming", async () => {
    const a = await admin();
    const record = await a.get(`/patients/${ids.mine}`);
    expect(record.html).toContain(`action="/patients/${ids.mine}/export"`);
    const res = await fetch(new URL(`/patients/${ids.mine}/export`, base), {
      method: "POST",
      body: new URLSearchParams({ _csrf: csrfOf(record.html) }),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: [...a.cookies].map(([k, value]) => `${k}=${value}`).join("; "),
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(
      new RegExp(`^attachment; filename="?patient-${ids.mine}\\.json"?$`),
    );
    const data = (await res.json()) as PatientExport;
    expect(data.patient.lastName).toBe("Dupont-Leroy");
    expect(data.clinicalNotes[0]!.body).toContain("Angine");
    expect(data.documents[0]!.fileName).toBe("bilan sanguin.pdf");

    const confirm = await a.get(`/patients/${ids.mine}/erase`);
    expect(confirm.status).toBe(200);
    // Today's visit is still ahead (it ends at 09:20): it must be cancelled first.
    expect(confirm.html).toContain(`/appointments/${ids.visit}`);
    await ctx.db.prisma.appointment.update({ where: { id: ids.visit }, data: { status: "completed" } });
    const ready = await a.get(`/patients/${ids.mine}/erase`);
    const unconfirmed = await a.post(`/patients/${ids.mine}/erase`, { _csrf: csrfOf(ready.html) });
    expect(unconfirmed.status).toBe(400);
    const erased = await a.post(`/patients/${ids.mine}/erase`, { _csrf: csrfOf(ready.html), confirm: "yes" });
    expect(erased.status).toBe(303);
    const after = await a.follow(erased);
    expect(after.html).toContain("Dossier effacé");
    const p = await ctx.db.prisma.patient.findUniqueOrThrow({ where: { id: ids.mine } });
    expect(p.erasedAt).not.toBeNull();
    expect(p.phone).toBeNull();
    expect(await readdir(dir)).toEqual([]);
    const s = await secretary();
    expect((await s.get(`/patients/${ids.mine}/erase`)).status).toBe(403);
  });
});

describe("administration in the console", () => {
  it("an admin changes the clinic's settings; a secretary may not even look", async () => {
    const s = await secretary();
    expect((await s.get("/admin/clinic")).status).toBe(403);
    const a = await admin();
    const page = await a.get("/admin/clinic");
    expect(page.status).toBe(200);
    const current = Object.fromEntries(
      [...page.html.matchAll(/<input id="[^"]+" name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [
        m[1]!,
        m[2]!
          .replace(/&#39;/g, "'")
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, "&"),
      ]),
    );
    const form = {
      ...current,
      ...hiddenFields(page.html),
      timeZone: "Europe/Paris",
      defaultLocale: "fr",
      bookingMode: "approval",
      slotStepMinutes: "15",
      reminderOffsetsMinutes: "1440, 90",
      quietFrom: "22:00",
      quietTo: "07:30",
      emergencyAckMinutes: "3",
      confirmationDeadlineHours: "12",
    };
    const bad = await a.post("/admin/clinic", { ...form, quietTo: "25:00" });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("Vérifiez le champ « Silence jusqu&#39;à »");
    const saved = await a.post("/admin/clinic", form);
    expect(saved.status).toBe(303);
    const clinic = await ctx.db.prisma.clinic.findUniqueOrThrow({ where: { id: world.clinicId } });
    expect(clinic).toMatchObject({
      bookingMode: "approval",
      reminderOffsetsMinutes: [1440, 90],
      quietHoursStartMinute: 22 * 60,
      quietHoursEndMinute: 7 * 60 + 30,
      emergencyAckMinutes: 3,
      confirmationDeadlineHours: 12,
    });
    const audit = await ctx.db.prisma.auditLog.findFirstOrThrow({ where: { action: "clinic.update" } });
    expect((audit.detail as { fields: string[] }).fields).toContain("bookingMode");
  });

  it("an admin adds a symptom keyword to a specialty and prices an appointment type", async () => {
    const a = await admin();
    const specialty = await ctx.db.prisma.specialty.findFirstOrThrow({ where: { clinicId: world.clinicId } });
    const page = await a.get("/admin/clinic/specialties");
    expect(page.html).toContain(`action="/admin/clinic/specialties/${specialty.id}"`);
    const saved = await a.post(`/admin/clinic/specialties/${specialty.id}`, {
      _csrf: csrfOf(page.html),
      code: specialty.code,
      nameFr: specialty.nameFr,
      nameEn: specialty.nameEn,
      keywordsFr: [...specialty.keywordsFr, "Zona"].join(", "),
      keywordsEn: [...specialty.keywordsEn, "shingles"].join(", "),
    });
    expect(saved.status).toBe(303);
    const after = await ctx.db.prisma.specialty.findUniqueOrThrow({ where: { id: specialty.id } });
    expect(after.keywordsFr).toContain("zona");
    expect(after.keywordsEn).toContain("shingles");

    const types = await a.get("/admin/clinic/types");
    const existing = await ctx.db.prisma.appointmentType.count({ where: { clinicId: world.clinicId } });
    // One form per existing type plus the new-type form, each with its own price field.
    expect(types.html.match(/name="price"/g)).toHaveLength(existing + 1);
    const made = await a.post("/admin/clinic/types", {
      _csrf: csrfOf(types.html),
      code: "vaccin",
      nameFr: "Vaccination",
      nameEn: "Vaccination",
      durationMinutes: "15",
      price: "25,50",
      mode: "in_person",
      specialtyId: specialty.id,
      active: "1",
    });
    expect(made.status).toBe(303);
    const type = await ctx.db.prisma.appointmentType.findFirstOrThrow({ where: { code: "vaccin" } });
    expect(type).toMatchObject({ priceMinor: 2550, durationMinutes: 15, specialtyId: specialty.id, active: true });
  });

  it("an admin creates an account with a temporary password and deactivates it, ending its session", async () => {
    const a = await admin();
    const staff = await a.get("/admin/staff");
    const created = await a.post("/admin/staff/new", {
      _csrf: csrfOf(staff.html),
      displayName: "Accueil du soir",
      email: "soir@tabib.local",
      role: "secretary",
    });
    expect(created.status).toBe(200);
    const temporary = /id="temporary-password">([^<]+)</.exec(created.html)![1]!;
    const newcomer = new Visitor(base);
    expect((await signIn(newcomer, "soir@tabib.local", temporary)).location).toBe("/password");
    const user = await ctx.db.prisma.staffUser.findUniqueOrThrow({ where: { email: "soir@tabib.local" } });
    const off = await a.post(`/admin/staff/${user.id}`, { _csrf: csrfOf(staff.html), active: "0" });
    expect(off.location).toBe("/admin/staff?done=deactivated");
    expect((await newcomer.get("/password")).location).toMatch(/^\/login/);
    expect((await signIn(newcomer, "soir@tabib.local", temporary)).status).toBe(401);
    const me = await ctx.db.prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.admin.email } });
    const self = await a.post(`/admin/staff/${me.id}`, { _csrf: csrfOf(staff.html), active: "0" });
    expect(self.location).toBe("/admin/staff?refused=conflict");
    expect((await ctx.db.prisma.staffUser.findUniqueOrThrow({ where: { id: me.id } })).active).toBe(true);
  });

  it("the audit log viewer filters by patient and by action, a page at a time", async () => {
    // More rows than one page holds.
    await recordAudit(
      ctx.db,
      Array.from({ length: 60 }, () => ({
        actor: { kind: "staff" as const, userId: ids.secretary, role: "secretary" as const },
        action: "patient.read",
        resourceType: "patient",
        resourceId: ids.theirs,
        patientId: ids.theirs,
      })),
    );
    const a = await admin();
    const all = await a.get("/admin/audit");
    expect(all.status).toBe(200);
    expect(all.html).toContain("audit.search");
    const actions = (p: Page) =>
      [...p.html.matchAll(/<td class="rec-mono">([a-z_]+\.[a-z_]+)<\/td>/g)].map((m) => m[1]);
    const mine = actions(await a.get(`/admin/audit?patient=${ids.mine}`));
    expect(mine).toContain("note.create");
    expect(mine).toContain("document.download");
    expect(actions(await a.get(`/admin/audit?patient=${ids.theirs}`))).not.toContain("patient.erase");
    expect(actions(await a.get(`/admin/audit?patient=${ids.mine}&action=patient.erase`))).toEqual(["patient.erase"]);
    expect(actions(await a.get(`/admin/audit?patient=${ids.mine}&action=document`))).toEqual(
      expect.arrayContaining(["document.upload", "document.download", "document.list"]),
    );
    const older = /href="(\/admin\/audit\?before=\d+)"/.exec(all.html.replace(/&amp;/g, "&"));
    expect(older).not.toBeNull();
    const next = await a.get(older![1]!);
    expect(next.status).toBe(200);
    expect(next.html).toContain("Plus récentes");
    expect(next.html).toContain("staff.deactivate");
    const s = await secretary();
    expect((await s.get("/admin/audit")).status).toBe(403);
  });
});
