import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import type { AppContext } from "../../src/context.js";
import { totpCode, totpStep } from "../../src/console/totp.js";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { startConsole } from "./support.js";

// Debian's Chromium (apt-get install chromium); a browser is never downloaded by the test.
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const SHOTS = "docs/screenshots";

describe.skipIf(!hasChromium)("patient records and administration in a real browser (needs /usr/bin/chromium)", () => {
  let world: ApiWorld;
  let ctx: AppContext;
  let base: string;
  let browser: Browser;
  let dir: string;
  const ids = { claire: "", hugo: "" };
  const problems: string[] = [];
  let minute = 0;

  /** Moves the pinned clock a minute on: each TOTP code below falls in a fresh step. */
  const tick = () => world.setNow(new Date(Date.parse("2026-12-07T08:05:00Z") + ++minute * 60_000));

  async function open(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1180, height: 860 }, locale: "fr-FR" });
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" && !/status of 403/.test(m.text())) problems.push(m.text());
    });
    return page;
  }

  async function logIn(page: Page, who: "doctor" | "secretary" | "admin"): Promise<void> {
    await page.goto(`${base}/login`);
    await page.getByLabel("Adresse e-mail").fill(world.credentials[who].email);
    await page.getByLabel("Mot de passe").fill(world.credentials[who].password);
    await page.getByRole("button", { name: "Se connecter" }).click();
  }

  /** First sign-in of a doctor or admin: enrol the authenticator, keep the recovery codes, go on. */
  async function enrol(page: Page): Promise<string> {
    await page.getByRole("heading", { name: "Activer la vérification en deux étapes" }).waitFor();
    const secret = (await page.locator("#totp-secret").textContent())!.replace(/\s/g, "");
    tick();
    await page.getByLabel("Saisissez le code affiché").fill(totpCode(secret, totpStep(ctx.now())));
    await page.getByRole("button", { name: "Confirmer" }).click();
    await page.getByRole("heading", { name: "Codes de secours" }).waitFor();
    await page.getByRole("link", { name: "Continuer" }).click();
    return secret;
  }

  beforeAll(async () => {
    world = await demoWorld();
    dir = await mkdtemp(path.join(tmpdir(), "tabib-browser-docs-"));
    ctx = { ...world.ctx, config: { ...world.ctx.config, DOCUMENTS_DIR: dir } };
    base = await startConsole(ctx);
    const prisma = ctx.db.prisma;
    const martin = await prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.doctor.email } });
    const types = await prisma.appointmentType.findMany({
      where: { clinicId: world.clinicId },
      orderBy: { code: "asc" },
    });
    const other = await prisma.doctor.findFirstOrThrow({
      where: { clinicId: world.clinicId, id: { not: martin.doctorId! } },
    });
    const claire = await prisma.patient.create({
      data: {
        clinicId: world.clinicId,
        firstName: "Claire",
        lastName: "Dupont",
        phone: "+33611111111",
        email: "claire.dupont@example.org",
        birthDate: new Date("1984-06-12"),
        preferredChannel: "whatsapp",
        consentAt: new Date("2026-11-02T10:00:00Z"),
        consentVersion: "2026-10",
        identities: { create: [{ channel: "whatsapp", externalId: "+33611111111", verified: true }] },
        allergies: { create: [{ substance: "Pénicilline", reaction: "urticaire", severity: "severe" }] },
      },
    });
    const hugo = await prisma.patient.create({
      data: { clinicId: world.clinicId, firstName: "Hugo", lastName: "Bernard", phone: "+33622222222" },
    });
    ids.claire = claire.id;
    ids.hugo = hugo.id;
    const book = (doctorId: string, patientId: string, startsAt: string, status: "confirmed" | "completed") =>
      prisma.appointment.create({
        data: {
          clinicId: world.clinicId,
          doctorId,
          patientId,
          typeId: types[0]!.id,
          startsAt: new Date(startsAt),
          endsAt: new Date(Date.parse(startsAt) + 20 * 60_000),
          status,
          sourceChannel: "whatsapp",
        },
      });
    await book(martin.doctorId!, claire.id, "2026-10-14T13:00:00Z", "completed");
    await book(martin.doctorId!, claire.id, "2026-12-07T08:00:00Z", "confirmed");
    await book(other.id, hugo.id, "2026-12-07T09:00:00Z", "confirmed");
    await prisma.clinicalNote.create({
      data: {
        patientId: claire.id,
        doctorId: martin.doctorId!,
        body: "Suivi tension : 13/8, stable. Poursuite du traitement.",
        createdAt: new Date("2026-10-14T13:15:00Z"),
        updatedAt: new Date("2026-10-14T13:15:00Z"),
      },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
    await mkdir(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("a logged-out visitor gets the login page for every console route", async () => {
    const page = await open();
    const routes = [
      "/",
      "/requests",
      "/calendar",
      "/patients",
      `/patients/${ids.claire}`,
      `/patients/${ids.claire}/clinical`,
      `/patients/${ids.claire}/edit`,
      `/patients/${ids.claire}/erase`,
      "/admin/staff",
      "/admin/clinic",
      "/admin/clinic/specialties",
      "/admin/clinic/types",
      "/admin/audit",
    ];
    for (const route of routes) {
      await page.goto(`${base}${route}`);
      expect(new URL(page.url()).pathname, route).toBe("/login");
      await expect(page.getByRole("heading", { name: "Connexion" }).isVisible(), route).resolves.toBe(true);
    }
    await page.close();
  });

  it("a doctor signs in with MFA, opens a patient's medical record and writes a note", async () => {
    const page = await open();
    await logIn(page, "doctor");
    const secret = await enrol(page);
    await page.getByRole("heading", { name: "Mes rendez-vous du jour" }).waitFor();
    // Signed out and back in: the password, then a code from the authenticator.
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await logIn(page, "doctor");
    await page.getByRole("heading", { name: "Vérification en deux étapes" }).waitFor();
    tick();
    await page.getByLabel("Code").fill(totpCode(secret, totpStep(ctx.now())));
    await page.getByRole("button", { name: "Vérifier" }).click();
    await page.getByRole("heading", { name: "Mes rendez-vous du jour" }).waitFor();

    await page.getByRole("link", { name: "Claire Dupont" }).first().click();
    await page.getByRole("heading", { name: "Claire Dupont" }).waitFor();
    await expect(page.getByText("Pénicilline").isVisible()).resolves.toBe(true);
    await page.screenshot({ path: `${SHOTS}/console-patient-record.png`, fullPage: true });

    await page.getByRole("link", { name: "Dossier médical" }).click();
    await page.getByRole("heading", { name: "Dossier médical de Claire Dupont" }).waitFor();
    await page.getByLabel("Note", { exact: true }).fill("Angine érythémateuse, pas de fièvre.\nTest rapide négatif.");
    await page.getByRole("button", { name: "Enregistrer la note" }).click();
    await page.getByText("Note enregistrée.").waitFor();
    await expect(page.locator(".rec-note-body", { hasText: "Test rapide négatif." }).isVisible()).resolves.toBe(true);
    const note = await ctx.db.prisma.clinicalNote.findFirstOrThrow({
      where: { patientId: ids.claire, body: { startsWith: "Angine" } },
    });
    expect(note.appointmentId).not.toBeNull();

    await page.getByLabel("Diagnostic", { exact: true }).fill("Angine virale");
    await page.getByLabel("Code CIM-10").fill("J02.9");
    await page.getByRole("button", { name: "Ajouter le diagnostic" }).click();
    await page.getByText("Diagnostic enregistré.").waitFor();
    await page.getByLabel("Médicament 1", { exact: true }).fill("Paracétamol 1 g");
    await page.getByLabel("Posologie du médicament 1").fill("1 comprimé toutes les 6 heures si douleur");
    await page.getByLabel("Consignes du médicament 1").fill("pendant 5 jours au plus");
    await page.getByRole("button", { name: "Établir l'ordonnance" }).click();
    await page.getByRole("heading", { name: "Ordonnance de Claire Dupont" }).waitFor();
    await page.screenshot({ path: `${SHOTS}/console-prescription.png`, fullPage: true });
    // Printed, the console around the prescription disappears.
    await page.emulateMedia({ media: "print" });
    expect(await page.locator(".topbar").isVisible()).toBe(false);
    expect(await page.locator("#rx-items").isVisible()).toBe(true);
    await page.emulateMedia({ media: "screen" });

    await page.goto(`${base}/patients/${ids.claire}/clinical`);
    await page.screenshot({ path: `${SHOTS}/console-clinical.png`, fullPage: true });
    // Another doctor's patient stays closed.
    const denied = await page.goto(`${base}/patients/${ids.hugo}/clinical`);
    expect(denied?.status()).toBe(403);
    await page.close();
  });

  it("a secretary cannot open clinical notes", async () => {
    const page = await open();
    await logIn(page, "secretary");
    await page.getByRole("heading", { name: /Rendez-vous du jour/ }).waitFor();
    await page.goto(`${base}/patients/${ids.claire}`);
    await page.getByRole("heading", { name: "Claire Dupont" }).waitFor();
    expect(await page.getByRole("link", { name: "Dossier médical" }).count()).toBe(0);
    const answer = await page.goto(`${base}/patients/${ids.claire}/clinical`);
    expect(answer?.status()).toBe(403);
    await expect(page.getByText("Vous n'avez pas accès à cette page ou à ce dossier.").isVisible()).resolves.toBe(true);
    expect(await page.content()).not.toContain("Angine");
    await page.close();
  });

  it("an admin reviews the clinic settings and the audit log", async () => {
    const page = await open();
    await logIn(page, "admin");
    await enrol(page);
    await page.getByRole("link", { name: "Réglages" }).click();
    await page.getByRole("heading", { name: "Réglages de la clinique" }).waitFor();
    await page.screenshot({ path: `${SHOTS}/console-settings.png`, fullPage: true });
    await page.getByLabel("Délai d'accusé d'une alerte d'urgence (minutes)").fill("4");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByText("Modifications enregistrées.").waitFor();
    expect((await ctx.db.prisma.clinic.findUniqueOrThrow({ where: { id: world.clinicId } })).emergencyAckMinutes).toBe(
      4,
    );

    await page.getByRole("link", { name: "Journal d'accès" }).click();
    await page.getByRole("heading", { name: "Journal d'accès" }).waitFor();
    await page.getByLabel("Action").fill("note");
    await page.getByRole("button", { name: "Filtrer" }).click();
    await page.locator("#audit").waitFor();
    expect(await page.locator("#audit tbody tr").count()).toBeGreaterThan(0);
    await page.getByLabel("Action").fill("");
    await page.getByRole("button", { name: "Filtrer" }).click();
    await page.screenshot({ path: `${SHOTS}/console-audit.png` });
    await page.close();
    expect(problems).toEqual([]);
  });
});
