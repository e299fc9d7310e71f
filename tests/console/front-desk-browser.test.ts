import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { inlineDelivery } from "../../src/bots/delivery/inline.js";
import { DeliveryError, outboundJobs } from "../../src/bots/delivery/outbound.js";
import { memoryPacer } from "../../src/bots/delivery/pacing.js";
import { postgresDeliveryLog } from "../../src/bots/delivery/status.js";
import { totpCode, totpStep } from "../../src/console/totp.js";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { startConsole } from "./support.js";

// Debian's Chromium (apt-get install chromium); a browser is never downloaded by the test.
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const SHOTS = "docs/screenshots";

describe.skipIf(!hasChromium)("the front desk's lists in a real browser (needs /usr/bin/chromium)", () => {
  let world: ApiWorld;
  let base: string;
  let browser: Browser;
  const problems: string[] = [];

  async function open(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1180, height: 820 }, locale: "fr-FR" });
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    return page;
  }

  async function logIn(page: Page, who: "secretary" | "admin"): Promise<void> {
    await page.goto(`${base}/login`);
    await page.getByLabel("Adresse e-mail").fill(world.credentials[who].email);
    await page.getByLabel("Mot de passe").fill(world.credentials[who].password);
    await page.getByRole("button", { name: "Se connecter" }).click();
  }

  beforeAll(async () => {
    world = await demoWorld();
    base = await startConsole(world.ctx);
    const prisma = world.ctx.db.prisma;
    const clinicId = world.clinicId;
    const [cardiology, general] = await Promise.all(
      ["cardiology", "general"].map((code) => prisma.specialty.findFirstOrThrow({ where: { clinicId, code } })),
    );
    const martin = await prisma.doctor.findFirstOrThrow({ where: { clinicId, lastName: "Martin" } });
    const patient = (firstName: string, lastName: string, phone: string, born: string) =>
      prisma.patient.create({ data: { clinicId, firstName, lastName, phone, birthDate: new Date(born) } });
    const claire = await patient("Claire", "Dupont", "+33611111111", "1984-06-12");
    const hugo = await patient("Hugo", "Bernard", "+33622222222", "1958-02-27");
    await patient("Marc", "Dupuis", "+33633333333", "1979-03-02");
    const amina = await patient("Amina", "Haddad", "+33644444444", "1992-11-08");

    // Two patients wait for an earlier slot; one is in an emergency the bot raised.
    await prisma.waitlistEntry.create({
      data: {
        clinicId,
        patientId: hugo.id,
        specialtyId: cardiology!.id,
        channel: "whatsapp",
        createdAt: new Date("2026-12-02T10:12:00Z"),
      },
    });
    await prisma.waitlistEntry.create({
      data: {
        clinicId,
        patientId: amina.id,
        specialtyId: general!.id,
        doctorId: martin.id,
        wantedBefore: new Date("2026-12-11T17:00:00Z"),
        channel: "sms",
        createdAt: new Date("2026-12-04T15:40:00Z"),
      },
    });
    await prisma.emergencyEvent.create({
      data: {
        clinicId,
        patientId: hugo.id,
        category: "chest_pain",
        note: "Douleur dans la poitrine depuis 20 minutes",
        createdAt: new Date("2026-12-07T07:52:00Z"),
      },
    });

    // A reply to Claire's SMS that the provider refused for good.
    const conversation = await prisma.conversation.create({
      data: { clinicId, channel: "sms", senderId: claire.phone!, patientId: claire.id, snapshot: {} },
    });
    await prisma.processedMessage.create({
      data: { channel: "sms", providerMessageId: "SMin1", conversationId: conversation.id, replies: [] },
    });
    const delivery = inlineDelivery({
      senders: {
        sms: async () => {
          throw new DeliveryError("twilio 400 (21614): 'To' number is not a valid mobile number", "permanent");
        },
      },
      pacer: memoryPacer({ sender: { intervalMs: 1, burst: 10 }, chat: { intervalMs: 1, burst: 10 } }),
      logger: world.ctx.logger,
      log: postgresDeliveryLog(world.ctx.db, world.ctx.logger),
    });
    await delivery.deliver(outboundJobs("sms", claire.phone!, "SMin1", [{ text: "Votre rendez-vous est confirmé" }]));

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
    await mkdir(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("a secretary finds a patient, then goes through the waitlist, the emergencies and the failed messages", async () => {
    const page = await open();
    await logIn(page, "secretary");
    await page.getByRole("heading", { name: /Rendez-vous du jour/ }).waitFor();

    await page.getByRole("link", { name: "Patients", exact: true }).click();
    await page.getByRole("heading", { name: "Patients" }).waitFor();
    await page.getByRole("searchbox").fill("dup");
    await page.getByRole("button", { name: "Rechercher" }).click();
    await page.getByRole("link", { name: /DUPONT Claire/ }).waitFor();
    await expect(page.getByRole("link", { name: /DUPUIS Marc/ }).isVisible()).resolves.toBe(true);
    await expect(page.getByText("Bernard").count()).resolves.toBe(0);
    await page.screenshot({ path: `${SHOTS}/console-patients.png`, fullPage: true });

    await page.getByRole("link", { name: "Liste d'attente" }).click();
    await page.getByRole("heading", { name: "Liste d'attente" }).waitFor();
    await expect(page.getByText("Hugo Bernard").first().isVisible()).resolves.toBe(true);
    await expect(page.getByText("Amina Haddad").first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: `${SHOTS}/console-waitlist.png`, fullPage: true });

    await page.getByRole("link", { name: "Urgences", exact: true }).click();
    await page.getByRole("heading", { name: "Urgences", exact: true }).waitFor();
    await expect(page.getByText("Hugo Bernard").first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: `${SHOTS}/console-emergencies.png`, fullPage: true });

    await page.getByRole("link", { name: "Envois" }).click();
    await page.getByRole("heading", { name: "Messages non remis" }).waitFor();
    await expect(page.locator("#dead-letters").getByText("+33•••••••11").isVisible()).resolves.toBe(true);
    await page.screenshot({ path: `${SHOTS}/console-deliveries.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it("an admin opens the staff accounts", async () => {
    const page = await open();
    await logIn(page, "admin");
    await page.getByRole("heading", { name: "Activer la vérification en deux étapes" }).waitFor();
    const secret = (await page.locator("#totp-secret").textContent())!.replace(/\s/g, "");
    await page.getByLabel("Saisissez le code affiché").fill(totpCode(secret, totpStep(world.ctx.now())));
    await page.getByRole("button", { name: "Confirmer" }).click();
    await page.getByRole("link", { name: "Continuer" }).click();

    await page.getByRole("link", { name: "Personnel" }).click();
    await page.getByRole("heading", { name: "Comptes du personnel" }).waitFor();
    for (const email of Object.values(world.credentials).map((c) => c.email))
      await expect(page.getByText(email).first().isVisible(), email).resolves.toBe(true);
    await page.screenshot({ path: `${SHOTS}/console-staff.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});
