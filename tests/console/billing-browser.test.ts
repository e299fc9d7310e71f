import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { chromium, type Browser } from "playwright-core";
import { extractText, getDocumentProxy } from "unpdf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Channel } from "../../src/data/generated/client.js";
import { createInvoiceFromAppointment, issueInvoice, recordPayment } from "../../src/domain/billing.js";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { startConsole } from "./support.js";

// Debian's Chromium (apt-get install chromium); a browser is never downloaded by the test.
const CHROMIUM = "/usr/bin/chromium";
const SHOTS = "docs/screenshots";

describe.skipIf(!existsSync(CHROMIUM))("billing and reports in a real browser (needs /usr/bin/chromium)", () => {
  let world: ApiWorld;
  let base: string;
  let browser: Browser;
  let claireVisit = "";

  beforeAll(async () => {
    world = await demoWorld();
    base = await startConsole(world.ctx);
    const prisma = world.ctx.db.prisma;
    const doctors = await prisma.doctor.findMany({ where: { clinicId: world.clinicId }, orderBy: { lastName: "asc" } });
    const types = await prisma.appointmentType.findMany({
      where: { clinicId: world.clinicId },
      orderBy: { code: "asc" },
    });
    const insurer = await prisma.insurer.create({ data: { clinicId: world.clinicId, name: "MGEN", code: "mgen" } });
    const secretaryId = (
      await prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.secretary.email } })
    ).id;
    const desk = {
      clinicId: world.clinicId,
      actor: { kind: "staff" as const, userId: secretaryId, role: "secretary" as const },
    };
    const names = [
      ["Claire", "Dupont"],
      ["Hugo", "Bernard"],
      ["Amina", "Haddad"],
      ["Louis", "Moreau"],
      ["Inès", "Petit"],
      ["Jules", "Roux"],
    ] as const;
    const patients = [];
    for (const [i, [firstName, lastName]] of names.entries())
      patients.push(
        await prisma.patient.create({
          data: {
            clinicId: world.clinicId,
            firstName,
            lastName,
            phone: `+3361234560${i}`,
            ...(i % 2 === 0 ? { insurerId: insurer.id, insuranceCoverageBp: 7000 } : {}),
          },
        }),
      );
    // Three weeks of activity before the pinned Monday 7 December 2026, 09:00 Paris.
    const channels: Channel[] = ["whatsapp", "telegram", "sms", "web", "whatsapp", "console"];
    const statuses = ["completed", "completed", "completed", "cancelled", "no_show", "completed", "completed"] as const;
    let n = 0;
    // Oldest first, as a clinic issues its invoices.
    for (let day = 21; day >= 1; day--) {
      const date = new Date(Date.UTC(2026, 11, 7 - day));
      if (date.getUTCDay() === 0 || date.getUTCDay() === 6) continue;
      for (let k = 0; k < 2 + (day % 4); k++, n++) {
        const startsAt = new Date(+date + (8 + k) * 3600_000);
        const a = await prisma.appointment.create({
          data: {
            clinicId: world.clinicId,
            doctorId: doctors[n % doctors.length]!.id,
            patientId: patients[n % patients.length]!.id,
            typeId: types[n % types.length]!.id,
            startsAt,
            endsAt: new Date(+startsAt + 30 * 60_000),
            status: statuses[n % statuses.length]!,
            sourceChannel: channels[n % channels.length]!,
          },
        });
        // Every third visit asked for a confirmation by reminder; two in three patients confirmed.
        if (n % 3 === 0 && a.status !== "cancelled") {
          const dueAt = new Date(+startsAt - 48 * 3600_000);
          await prisma.reminder.create({
            data: {
              appointmentId: a.id,
              offsetMinutes: 2880,
              kind: "confirm",
              dueAt,
              sendAt: dueAt,
              status: "sent",
              sentAt: dueAt,
            },
          });
          if (n % 9 !== 0)
            await prisma.appointmentEvent.create({
              data: {
                appointmentId: a.id,
                actorKind: "patient",
                fromStatus: "confirmed",
                toStatus: "confirmed",
                reason: "reminder confirmed",
                at: new Date(+dueAt + 3600_000),
              },
            });
        }
        // Most seen visits of the first two weeks are billed and (partly) paid.
        if (a.status === "completed" && day > 4 && n % 3 !== 0) {
          const invoice = await createInvoiceFromAppointment(world.ctx.db, desk, a.id);
          const issued = await issueInvoice(world.ctx.db, desk, invoice.id, new Date(+startsAt + 3600_000));
          if (issued.patientPartMinor > 0)
            await recordPayment(
              world.ctx.db,
              desk,
              invoice.id,
              { payer: "patient", method: n % 2 ? "card" : "cash", amountMinor: issued.patientPartMinor },
              new Date(+startsAt + 3600_000),
            );
          if (issued.insurerPartMinor > 0 && n % 4 === 0)
            await recordPayment(
              world.ctx.db,
              desk,
              invoice.id,
              { payer: "insurer", method: "insurer", amountMinor: issued.insurerPartMinor },
              new Date(+startsAt + 5 * 24 * 3600_000),
            );
        }
      }
    }
    // The visit the secretary bills in the browser: Claire, seen on Friday.
    const friday = new Date("2026-12-04T15:00:00Z");
    claireVisit = (
      await prisma.appointment.create({
        data: {
          clinicId: world.clinicId,
          doctorId: doctors[0]!.id,
          patientId: patients[0]!.id,
          typeId: types.find((t) => t.priceMinor > 0)!.id,
          startsAt: friday,
          endsAt: new Date(+friday + 30 * 60_000),
          status: "completed",
          sourceChannel: "whatsapp",
        },
      })
    ).id;
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

  it("a secretary invoices a visit, records a partial payment, downloads the PDF and reads the reports", async () => {
    const context = await browser.newContext({
      viewport: { width: 1180, height: 820 },
      locale: "fr-FR",
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });

    await page.goto(`${base}/login`);
    await page.getByLabel("Adresse e-mail").fill(world.credentials.secretary.email);
    await page.getByLabel("Mot de passe").fill(world.credentials.secretary.password);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("heading", { name: /Rendez-vous du jour/ }).waitFor();

    await page.getByRole("link", { name: "Facturation" }).click();
    await page.getByRole("heading", { name: "Facturation", level: 1 }).waitFor();
    const row = page
      .locator("#to-invoice tbody tr", { hasText: "Claire Dupont" })
      .filter({ hasText: /4 déc\. 2026.*16:00/ });
    await row.getByRole("button", { name: /^Facturer Claire Dupont/ }).click();
    await page.getByText("Facture créée en brouillon.").waitFor();
    expect(page.url()).toMatch(/\/billing\/invoices\/[0-9a-f-]{36}/);

    await page.getByLabel("Désignation").fill("Électrocardiogramme");
    await page.getByLabel("Qté").fill("1");
    await page.getByLabel(/Prix unitaire/).fill("14,50");
    await page.getByRole("button", { name: "Ajouter une ligne" }).click();
    await page.getByText("Lignes mises à jour.").waitFor();
    await page.getByRole("button", { name: "Émettre la facture" }).click();
    await page.getByText("Facture émise.").waitFor();
    const number = /Facture (\d{4}-\d{6})/.exec(
      (await page.getByRole("heading", { level: 1 }).textContent()) ?? "",
    )![1]!;

    // Claire owes 30 % of the bill; she pays 5 € now by card.
    await page.getByLabel("Payeur").selectOption("patient");
    await page.getByLabel("Moyen de paiement").selectOption("card");
    await page.getByLabel(/Montant/).fill("5");
    await page.getByRole("button", { name: "Enregistrer le paiement" }).click();
    await page.getByText("Paiement enregistré.").waitFor();
    await expect(page.locator("h1 .status").textContent()).resolves.toBe("Payée en partie");
    await page.screenshot({ path: `${SHOTS}/console-invoice.png`, fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Télécharger le PDF" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`facture-${number}.pdf`);
    const bytes = new Uint8Array(await readFile(await download.path()));
    const { text } = await extractText(await getDocumentProxy(bytes), { mergePages: true });
    const flat = text.replace(/[\s\u00a0\u202f]+/g, " ");
    expect(flat).toContain(`N° ${number}`);
    expect(flat).toContain("Claire Dupont");
    expect(flat).toContain("Électrocardiogramme");
    expect(flat).toMatch(/Carte bancaire 5,00 €/);

    const invoice = await world.ctx.db.prisma.invoice.findFirstOrThrow({ where: { appointmentId: claireVisit } });
    expect(invoice).toMatchObject({ number, status: "partly_paid" });
    expect(invoice.insurerPartMinor + invoice.patientPartMinor).toBe(invoice.totalMinor);

    await page.getByRole("link", { name: "← Facturation" }).click();
    await page.locator("#invoices").waitFor();
    await page.screenshot({ path: `${SHOTS}/console-billing.png`, fullPage: true });

    await page.getByRole("link", { name: "Rapports" }).click();
    await page.getByRole("heading", { name: /Rapports/, level: 1 }).waitFor();
    // Chart.js drew every chart from the page's JSON (no inline script, no CDN).
    const charts = [
      "chart-days",
      "chart-doctors",
      "chart-specialties",
      "chart-channels",
      "chart-utilization",
      "chart-revenue",
    ];
    await page.waitForFunction(`${JSON.stringify(charts)}.every((id) => window.Chart && window.Chart.getChart(id))`);
    await page.screenshot({ path: `${SHOTS}/console-reports.png`, fullPage: true });

    const [csv] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("#h-per-doctor").locator("..").getByRole("link", { name: "Exporter en CSV" }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^tabib-doctors-2026-11-08-2026-12-07\.csv$/);
    expect((await readFile(await csv.path(), "utf8")).split("\r\n")[0]).toBe(
      "\uFEFFMédecin,Rendez-vous,Annulés,Absences,Vus",
    );

    expect(problems).toEqual([]);
    await context.close();
  });
});
