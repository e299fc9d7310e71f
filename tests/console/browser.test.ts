import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { startConsole } from "./support.js";

// Debian's Chromium (apt-get install chromium); a browser is never downloaded by the test.
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const SHOTS = "docs/screenshots";

describe.skipIf(!hasChromium)("the console in a real browser (needs /usr/bin/chromium)", () => {
  let world: ApiWorld;
  let base: string;
  let browser: Browser;
  let requestId: string;

  beforeAll(async () => {
    world = await demoWorld();
    base = await startConsole(world.ctx);
    const prisma = world.ctx.db.prisma;
    const doctors = await prisma.doctor.findMany({ where: { clinicId: world.clinicId }, orderBy: { lastName: "asc" } });
    const types = await prisma.appointmentType.findMany({ where: { clinicId: world.clinicId } });
    const people = [
      ["Claire", "Dupont", 9, "confirmed"],
      ["Hugo", "Bernard", 10, "confirmed"],
      ["Amina", "Haddad", 11, "completed"],
      ["Louis", "Moreau", 14, "requested"],
    ] as const;
    for (const [i, [firstName, lastName, hour, status]] of people.entries()) {
      const patient = await prisma.patient.create({
        data: { clinicId: world.clinicId, firstName, lastName, phone: `+3361234567${i}` },
      });
      const startsAt = new Date(Date.UTC(2026, 11, 7, hour - 1));
      const a = await prisma.appointment.create({
        data: {
          clinicId: world.clinicId,
          doctorId: doctors[i % doctors.length]!.id,
          patientId: patient.id,
          typeId: types[0]!.id,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 20 * 60_000),
          status,
          reason: status === "requested" ? "mal de dos depuis une semaine" : null,
          sourceChannel: "whatsapp",
        },
      });
      if (status === "requested") requestId = a.id;
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    await mkdir(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("a secretary logs in, sees the queue, accepts a request and books an urgent patient", async () => {
    const page = await browser.newPage({ viewport: { width: 1180, height: 820 }, locale: "fr-FR" });
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    let htmxRequests = 0;
    page.on("request", (r) => {
      if (r.headers()["hx-request"]) htmxRequests++;
    });

    await page.goto(`${base}/`);
    await expect(page.getByRole("heading", { name: "Connexion" }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: `${SHOTS}/console-login.png` });

    await page.getByLabel("Adresse e-mail").fill(world.credentials.secretary.email);
    await page.getByLabel("Mot de passe").fill(world.credentials.secretary.password);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("heading", { name: /Rendez-vous du jour/ }).waitFor();
    expect(await page.locator("#today tbody tr").count()).toBe(4);
    await page.screenshot({ path: `${SHOTS}/console-today.png` });

    await page.getByRole("link", { name: /demande\(s\) en attente/ }).click();
    await page.getByRole("heading", { name: "Demandes en attente" }).waitFor();
    await expect(page.getByText("mal de dos depuis une semaine").isVisible()).resolves.toBe(true);
    await page.screenshot({ path: `${SHOTS}/console-requests.png` });

    await page.getByRole("button", { name: "Accepter" }).click();
    await page.getByText("Rendez-vous confirmé.").waitFor();
    const status = (await world.ctx.db.prisma.appointment.findUniqueOrThrow({ where: { id: requestId } })).status;
    expect(status).toBe("confirmed");
    // Accepted in place by htmx (its request carried the CSRF header), not by a full page post.
    expect(htmxRequests).toBe(1);

    await page.goto(`${base}/calendar`);
    await page.getByRole("heading", { name: /Agenda du/ }).waitFor();
    await page.screenshot({ path: `${SHOTS}/console-calendar.png`, fullPage: true });

    // Keyboard: the skip link is the first stop and lands on the main content.
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Aller au contenu");

    // A patient calls in pain: the secretary books them urgently from the schedule page.
    await page.goto(`${base}/schedule`);
    await page.getByRole("link", { name: "Rendez-vous urgent" }).click();
    await page.getByRole("heading", { name: "Rendez-vous urgent" }).waitFor();
    await page.getByLabel("Rechercher un patient (nom ou téléphone)").fill("bernard");
    await page.getByRole("button", { name: "Rechercher" }).click();
    await page.getByLabel(/Hugo Bernard/).check();
    await page.getByLabel("Médecin").selectOption({ label: "Dr Claire Martin" });
    await page.getByLabel("Type", { exact: true }).selectOption({ label: "Consultation de médecine générale" });
    await page.getByLabel("Heure").fill("16:00");
    await page.getByLabel("Motif", { exact: true }).fill("douleur abdominale aiguë");
    await page.screenshot({ path: `${SHOTS}/console-urgent.png`, fullPage: true });
    await page.getByRole("button", { name: "Réserver en urgence" }).click();
    await page.getByText("Rendez-vous urgent enregistré.").waitFor();
    const urgent = await world.ctx.db.prisma.appointment.findFirstOrThrow({
      where: { patient: { lastName: "Bernard" }, reason: "douleur abdominale aiguë" },
      include: { doctor: true },
    });
    expect(urgent).toMatchObject({ status: "confirmed", sourceChannel: "console" });
    expect(urgent.doctor.lastName).toBe("Martin");
    expect(urgent.startsAt).toEqual(new Date("2026-12-07T15:00:00Z"));
    expect(problems).toEqual([]);
  });
});
