import { beforeAll, describe, expect, it } from "vitest";
import { createStaffUser, MAX_FAILED_LOGINS } from "../../src/domain/staff.js";
import { totpCode, totpStep } from "../../src/console/totp.js";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { createTestClinic } from "../support/clinic.js";
import { csrfOf, signIn, startConsole, Visitor } from "./support.js";

let world: ApiWorld;
let base: string;
let now: Date;
const ids = {
  ownPatient: "",
  otherPatient: "",
  request: "",
  foreignRequest: "",
  martin: "",
  otherDoctor: "",
};

beforeAll(async () => {
  world = await demoWorld();
  now = world.ctx.now();
  base = await startConsole(world.ctx);
  const prisma = world.ctx.db.prisma;
  const martin = await prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.doctor.email } });
  ids.martin = martin.doctorId!;
  ids.otherDoctor = (
    await prisma.doctor.findFirstOrThrow({ where: { id: { not: ids.martin }, clinicId: world.clinicId } })
  ).id;
  const type = await prisma.appointmentType.findFirstOrThrow({ where: { clinicId: world.clinicId } });
  const own = await prisma.patient.create({
    data: { clinicId: world.clinicId, firstName: "Claire", lastName: "Dupont", phone: "+33611111111" },
  });
  const other = await prisma.patient.create({
    data: { clinicId: world.clinicId, firstName: "Hugo", lastName: "Bernard", phone: "+33622222222" },
  });
  ids.ownPatient = own.id;
  ids.otherPatient = other.id;
  const at = (h: number) => new Date(Date.UTC(2026, 11, 7, h - 1)); // Paris = UTC+1 in December
  const appointment = (
    doctorId: string,
    patientId: string,
    h: number,
    status: "confirmed" | "requested",
    reason?: string,
  ) =>
    prisma.appointment.create({
      data: {
        clinicId: world.clinicId,
        doctorId,
        patientId,
        typeId: type.id,
        startsAt: at(h),
        endsAt: new Date(at(h).getTime() + 30 * 60_000),
        status,
        reason,
        sourceChannel: "telegram",
      },
    });
  await appointment(ids.martin, own.id, 10, "confirmed");
  await appointment(ids.otherDoctor, other.id, 11, "confirmed");
  ids.request = (await appointment(ids.otherDoctor, own.id, 15, "requested", "fièvre et toux")).id;
  const foreign = await createTestClinic(world.ctx.db, { bookingMode: "approval" });
  ids.foreignRequest = (
    await prisma.appointment.create({
      data: {
        clinicId: foreign.clinicId,
        doctorId: foreign.doctorIds[0]!,
        patientId: foreign.patientIds[0]!,
        typeId: foreign.typeId,
        startsAt: at(16),
        endsAt: new Date(at(16).getTime() + 30 * 60_000),
        status: "requested",
        sourceChannel: "sms",
      },
    })
  ).id;
});

async function secretary(): Promise<Visitor> {
  const v = new Visitor(base);
  const answer = await signIn(v, world.credentials.secretary.email, world.credentials.secretary.password);
  expect(answer.status).toBe(303);
  expect(answer.location).toBe("/");
  return v;
}

describe("console access", () => {
  it("a logged-out visitor gets the login page for every console route", async () => {
    const v = new Visitor(base);
    const pages = [
      "/",
      "/requests",
      "/calendar",
      "/patients",
      "/patients?q=dupont",
      `/patients/${ids.ownPatient}`,
      "/mfa",
      "/mfa/setup",
      "/password",
      "/admin/staff",
    ];
    for (const path of pages) {
      const answer = await v.get(path);
      expect(answer.status, path).toBe(303);
      expect(answer.location, path).toMatch(/^\/login/);
      const login = await v.follow(answer);
      expect(login.status, path).toBe(200);
      expect(login.html, path).toContain('action="/login"');
    }
    const posts = [
      `/admin/staff/${ids.martin}/reset-password`,
      `/requests/${ids.request}/accept`,
      `/requests/${ids.request}/refuse`,
      "/logout",
      "/mfa",
      "/mfa/setup",
      "/password",
    ];
    for (const path of posts) {
      const answer = await v.post(path, {});
      expect(answer.status, path).toBe(303);
      expect(answer.location, path).toBe("/login");
    }
  });

  it("a secretary logs in and sees today's appointments", async () => {
    const v = new Visitor(base);
    const answer = await signIn(v, world.credentials.secretary.email, world.credentials.secretary.password);
    const cookie = answer.setCookies.find((c) => c.startsWith("tabib_session="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    const today = await v.follow(answer);
    expect(today.status).toBe(200);
    expect(today.html).toContain("Rendez-vous du jour");
    expect(today.html).toContain("Claire Dupont");
    expect(today.html).toContain("Hugo Bernard");
    expect(today.html).toContain("Confirmé");
    expect(today.html).toContain("1 demande(s) en attente");
  });

  it("an idle session ends after 30 minutes", async () => {
    const v = await secretary();
    world.setNow(new Date(world.ctx.now().getTime() + 29 * 60_000));
    expect((await v.get("/")).status).toBe(200);
    world.setNow(new Date(world.ctx.now().getTime() + 31 * 60_000));
    expect((await v.get("/")).location).toMatch(/^\/login/);
    world.setNow(now);
  });

  it("the console speaks English to a browser that asks for it", async () => {
    const v = new Visitor(base, "en-GB,en;q=0.9,fr;q=0.5");
    const login = await v.get("/login");
    expect(login.html).toContain('<html lang="en">');
    expect(login.html).toContain("Sign in");
  });

  it("a POST without the CSRF token is refused", async () => {
    const v = await secretary();
    const refused = await v.post(`/requests/${ids.request}/accept`, {});
    expect(refused.status).toBe(403);
    const wrong = await v.post(`/requests/${ids.request}/accept`, { _csrf: "x".repeat(43) });
    expect(wrong.status).toBe(403);
    expect((await world.ctx.db.prisma.appointment.findUniqueOrThrow({ where: { id: ids.request } })).status).toBe(
      "requested",
    );
  });

  it("a secretary sees the pending request with its specialty suggestion and accepts it", async () => {
    const v = await secretary();
    const queue = await v.get("/requests");
    expect(queue.html).toContain("fièvre et toux");
    expect(queue.html).toMatch(/Médecine générale/);
    const accepted = await v.post(`/requests/${ids.request}/accept`, { _csrf: csrfOf(queue.html) });
    expect(accepted.status).toBe(303);
    expect((await world.ctx.db.prisma.appointment.findUniqueOrThrow({ where: { id: ids.request } })).status).toBe(
      "confirmed",
    );
    const after = await v.follow(accepted);
    expect(after.html).toContain("Rendez-vous confirmé.");
    expect(after.html).toContain("Aucune demande en attente.");
  });

  it("a secretary cannot accept another clinic's request", async () => {
    const v = await secretary();
    const page = await v.get("/requests");
    const answer = await v.post(`/requests/${ids.foreignRequest}/accept`, { _csrf: csrfOf(page.html) });
    expect(answer.status).toBe(404);
    expect(
      (await world.ctx.db.prisma.appointment.findUniqueOrThrow({ where: { id: ids.foreignRequest } })).status,
    ).toBe("requested");
  });

  it("opening a patient record writes an audit row", async () => {
    const v = await secretary();
    const search = await v.get("/patients?q=dupont");
    expect(search.html).toContain(`/patients/${ids.ownPatient}`);
    const record = await v.get(`/patients/${ids.ownPatient}`);
    expect(record.status).toBe(200);
    expect(record.html).toContain("Dupont");
    expect(record.html).toContain("+33611111111");
    const secretaryId = (
      await world.ctx.db.prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.secretary.email } })
    ).id;
    const rows = await world.ctx.db.prisma.auditLog.findMany({
      where: { action: "patient.read", patientId: ids.ownPatient, actorId: secretaryId },
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.ip).toBeTruthy();
  });

  let recoveryCodes: string[] = [];
  let secret = "";

  it("a doctor must enrol in MFA before seeing anything, then logs in with a TOTP code", async () => {
    const v = new Visitor(base);
    const answer = await signIn(v, world.credentials.doctor.email, world.credentials.doctor.password);
    expect(answer.location).toBe("/mfa/setup");
    for (const path of ["/", "/requests", "/calendar", `/patients/${ids.ownPatient}`]) {
      const blocked = await v.get(path);
      expect(blocked.status, path).toBe(303);
      expect(blocked.location, path).toBe("/mfa/setup");
    }
    const setup = await v.get("/mfa/setup");
    expect(setup.html).toContain("otpauth://totp/");
    expect(setup.html).toContain("<svg");
    secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.html)![1]!.replace(/ /g, "");
    const wrong = await v.post("/mfa/setup", {
      _csrf: csrfOf(setup.html),
      code: "000000" === totpCode(secret, totpStep(now)) ? "111111" : "000000",
    });
    expect(wrong.status).toBe(400);
    const done = await v.post("/mfa/setup", { _csrf: csrfOf(setup.html), code: totpCode(secret, totpStep(now)) });
    expect(done.status).toBe(200);
    recoveryCodes = [...done.html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!);
    expect(recoveryCodes).toHaveLength(10);
    expect((await v.get("/")).status).toBe(200);
    await v.post("/logout", { _csrf: csrfOf(done.html) });
    expect((await v.get("/")).status).toBe(303);

    // Next login: the password, then a code from the app; the code just used is dead.
    const again = await signIn(v, world.credentials.doctor.email, world.credentials.doctor.password);
    expect(again.location).toBe("/mfa");
    expect((await v.get("/")).location).toBe("/mfa");
    const form = await v.get("/mfa");
    const replay = await v.post("/mfa", { _csrf: csrfOf(form.html), code: totpCode(secret, totpStep(now)) });
    expect(replay.status).toBe(401);
    world.setNow(new Date(now.getTime() + 60_000));
    const fresh = await v.post("/mfa", { _csrf: csrfOf(form.html), code: totpCode(secret, totpStep(world.ctx.now())) });
    expect(fresh.status).toBe(303);
    const today = await v.follow(fresh);
    expect(today.status).toBe(200);
    expect(today.html).toContain("Mes rendez-vous du jour");
    expect(today.html).toContain("Claire Dupont");
    expect(today.html).not.toContain("Hugo Bernard");
  });

  it("a recovery code works once", async () => {
    expect(recoveryCodes).toHaveLength(10);
    const v = new Visitor(base);
    await signIn(v, world.credentials.doctor.email, world.credentials.doctor.password);
    let form = await v.get("/mfa");
    const first = await v.post("/mfa", { _csrf: csrfOf(form.html), code: recoveryCodes[0]!.toUpperCase() });
    expect(first.status).toBe(303);
    expect((await v.get("/")).status).toBe(200);

    const w = new Visitor(base);
    await signIn(w, world.credentials.doctor.email, world.credentials.doctor.password);
    form = await w.get("/mfa");
    const reused = await w.post("/mfa", { _csrf: csrfOf(form.html), code: recoveryCodes[0]! });
    expect(reused.status).toBe(401);
    const next = await w.post("/mfa", { _csrf: csrfOf(form.html), code: recoveryCodes[1]! });
    expect(next.status).toBe(303);
  });

  it("a doctor cannot open another doctor's patient", async () => {
    const v = new Visitor(base);
    await signIn(v, world.credentials.doctor.email, world.credentials.doctor.password);
    const form = await v.get("/mfa");
    world.setNow(new Date(now.getTime() + 120_000));
    await v.post("/mfa", { _csrf: csrfOf(form.html), code: totpCode(secret, totpStep(world.ctx.now())) });
    expect((await v.get(`/patients/${ids.ownPatient}`)).status).toBe(200);
    const other = await v.get(`/patients/${ids.otherPatient}`);
    expect(other.status).toBe(403);
    expect(other.html).not.toContain("Bernard");
    const search = await v.get("/patients?q=bernard");
    expect(search.html).not.toContain(ids.otherPatient);
  });

  it("five wrong passwords lock the account", async () => {
    const password = "a-long-enough-password";
    await createStaffUser(world.ctx.db, world.clinicId, {
      email: "accueil2@tabib.local",
      displayName: "Accueil 2",
      role: "secretary",
      password,
    });
    const v = new Visitor(base);
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      const wrong = await signIn(v, "accueil2@tabib.local", `wrong-${i}`);
      expect(wrong.status).toBe(401);
    }
    const right = await signIn(v, "accueil2@tabib.local", password);
    expect(right.status).toBe(401);
    expect(v.cookies.has("tabib_session")).toBe(false);
    const user = await world.ctx.db.prisma.staffUser.findUniqueOrThrow({ where: { email: "accueil2@tabib.local" } });
    expect(user.lockedUntil!.getTime()).toBeGreaterThan(world.ctx.now().getTime());
  });
});

describe("console administration", () => {
  async function admin(): Promise<Visitor> {
    const v = new Visitor(base);
    const answer = await signIn(v, world.credentials.admin.email, world.credentials.admin.password);
    expect(answer.location).toBe("/mfa/setup");
    const setup = await v.get("/mfa/setup");
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.html)![1]!.replace(/ /g, "");
    const done = await v.post("/mfa/setup", {
      _csrf: csrfOf(setup.html),
      code: totpCode(secret, totpStep(world.ctx.now())),
    });
    expect(done.status).toBe(200);
    return v;
  }

  it("a secretary cannot open the staff administration", async () => {
    const v = new Visitor(base);
    await signIn(v, world.credentials.secretary.email, world.credentials.secretary.password);
    expect((await v.get("/admin/staff")).status).toBe(403);
  });

  it("an admin resets a secretary's password and the secretary must choose a new one", async () => {
    const a = await admin();
    const s = new Visitor(base);
    await signIn(s, world.credentials.secretary.email, world.credentials.secretary.password);
    expect((await s.get("/")).status).toBe(200);

    const staff = await a.get("/admin/staff");
    expect(staff.status).toBe(200);
    const secretaryId = (
      await world.ctx.db.prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.secretary.email } })
    ).id;
    const reset = await a.post(`/admin/staff/${secretaryId}/reset-password`, { _csrf: csrfOf(staff.html) });
    expect(reset.status).toBe(200);
    const temporary = /id="temporary-password">([^<]+)</.exec(reset.html)![1]!;

    // The old session is gone, and so is the old password.
    expect((await s.get("/")).location).toMatch(/^\/login/);
    expect((await signIn(s, world.credentials.secretary.email, world.credentials.secretary.password)).status).toBe(401);
    const again = await signIn(s, world.credentials.secretary.email, temporary);
    expect(again.location).toBe("/password");
    expect((await s.get("/requests")).location).toBe("/password");
    const form = await s.get("/password");
    const short = await s.post("/password", { _csrf: csrfOf(form.html), password: "short", repeat: "short" });
    expect(short.status).toBe(400);
    const fresh = "a-brand-new-password-42";
    const changed = await s.post("/password", { _csrf: csrfOf(form.html), password: fresh, repeat: fresh });
    expect(changed.location).toBe("/");
    expect((await s.get("/")).status).toBe(200);
    world.credentials.secretary.password = fresh;
    const audit = await world.ctx.db.prisma.auditLog.count({
      where: { action: "staff.password_reset", resourceId: secretaryId },
    });
    expect(audit).toBe(1);
  });
});
