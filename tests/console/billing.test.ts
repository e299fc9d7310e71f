import { extractText, getDocumentProxy } from "unpdf";
import { beforeAll, describe, expect, it } from "vitest";
import { totpCode, totpStep } from "../../src/console/totp.js";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { csrfOf, hiddenFields, signIn, startConsole, Visitor, type Page } from "./support.js";

let world: ApiWorld;
let base: string;
const ids = { seen: "", other: "", claire: "", hugo: "", martin: "", secretary: "", insurer: "" };
let priceMinor = 0;

beforeAll(async () => {
  world = await demoWorld();
  base = await startConsole(world.ctx);
  const prisma = world.ctx.db.prisma;
  const martin = await prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.doctor.email } });
  ids.martin = martin.doctorId!;
  ids.secretary = (
    await prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.secretary.email } })
  ).id;
  const other = await prisma.doctor.findFirstOrThrow({ where: { id: { not: ids.martin }, clinicId: world.clinicId } });
  // A doctor whose name a spreadsheet would take for a formula.
  await prisma.doctor.update({ where: { id: other.id }, data: { title: "=HYPERLINK(1)" } });
  const type = await prisma.appointmentType.findFirstOrThrow({ where: { clinicId: world.clinicId } });
  priceMinor = type.priceMinor;
  ids.insurer = (await prisma.insurer.create({ data: { clinicId: world.clinicId, name: "MGEN", code: "mgen" } })).id;
  const claire = await prisma.patient.create({
    data: {
      clinicId: world.clinicId,
      firstName: "Claire",
      lastName: "Dupont",
      phone: "+33611111111",
      insurerId: ids.insurer,
      insuranceCoverageBp: 7000,
      insuranceNumber: "2 85 07 75 123 456",
    },
  });
  const hugo = await prisma.patient.create({
    data: {
      clinicId: world.clinicId,
      firstName: "Hugo",
      lastName: "Bernard",
      phone: "+33622222222",
      preferredLocale: "en",
    },
  });
  ids.claire = claire.id;
  ids.hugo = hugo.id;
  const book = (doctorId: string, patientId: string, startsAt: Date, status: "completed" | "cancelled") =>
    prisma.appointment.create({
      data: {
        clinicId: world.clinicId,
        doctorId,
        patientId,
        typeId: type.id,
        startsAt,
        endsAt: new Date(+startsAt + 20 * 60_000),
        status,
        sourceChannel: "whatsapp",
      },
    });
  // The Friday before the pinned Monday 7 December 2026, 09:00 Paris.
  ids.seen = (await book(ids.martin, claire.id, new Date("2026-12-04T09:00:00Z"), "completed")).id;
  ids.other = (await book(other.id, hugo.id, new Date("2026-12-04T10:00:00Z"), "completed")).id;
  await book(other.id, hugo.id, new Date("2026-12-03T10:00:00Z"), "cancelled");
});

async function secretary(language = "fr"): Promise<Visitor> {
  const v = new Visitor(base, language);
  const answer = await signIn(v, world.credentials.secretary.email, world.credentials.secretary.password);
  expect(answer.location).toBe("/");
  return v;
}

let doctorVisitor: Visitor | undefined;
async function doctor(): Promise<Visitor> {
  if (doctorVisitor) return doctorVisitor;
  const v = new Visitor(base);
  const answer = await signIn(v, world.credentials.doctor.email, world.credentials.doctor.password);
  expect(answer.location).toBe("/mfa/setup");
  const setup = await v.get("/mfa/setup");
  const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.html)![1]!.replace(/ /g, "");
  const done = await v.post("/mfa/setup", {
    _csrf: csrfOf(setup.html),
    code: totpCode(secret, totpStep(world.ctx.now())),
  });
  expect(done.status).toBe(200);
  return (doctorVisitor = v);
}

/** Posts a form found on `page` by its action, with its hidden fields plus `fields`. */
function submit(v: Visitor, page: Page, action: string, fields: Record<string, string> = {}): Promise<Page> {
  const start = page.html.indexOf(`action="${action}"`);
  expect(start, `form ${action}`).toBeGreaterThan(-1);
  const formHtml = page.html.slice(start, page.html.indexOf("</form>", start));
  return v.post(action, { ...hiddenFields(formHtml), ...fields });
}

async function pdfText(v: Visitor, path: string): Promise<{ text: string; res: Response }> {
  const res = await fetch(new URL(path, base), {
    headers: { cookie: [...v.cookies].map(([k, val]) => `${k}=${val}`).join("; ") },
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe("%PDF-");
  const { text } = await extractText(await getDocumentProxy(bytes), { mergePages: true });
  return { text: text.replace(/[\u00a0\u202f]/g, " "), res };
}

const audited = (action: string, patientId: string) =>
  world.ctx.db.prisma.auditLog.count({ where: { action, patientId, actorId: ids.secretary } });

describe("billing in the console", () => {
  let invoiceId = "";

  it("a logged-out visitor is sent to the login page from every billing and report route", async () => {
    const v = new Visitor(base);
    for (const path of [
      "/billing",
      `/billing/invoices/${ids.seen}`,
      `/billing/invoices/${ids.seen}/pdf`,
      "/reports",
      "/reports/export.csv?table=days",
    ]) {
      const answer = await v.get(path);
      expect(answer.status, path).toBe(303);
      expect(answer.location, path).toMatch(/^\/login/);
    }
    for (const path of [
      "/billing/invoices",
      `/billing/invoices/${ids.seen}/lines`,
      `/billing/invoices/${ids.seen}/issue`,
      `/billing/invoices/${ids.seen}/payments`,
      `/billing/invoices/${ids.seen}/void`,
    ]) {
      const answer = await v.post(path, {});
      expect(answer.status, path).toBe(303);
      expect(answer.location, path).toBe("/login");
    }
  });

  it("a secretary invoices a seen appointment, adds a line, issues it and records a partial payment", async () => {
    const v = await secretary();
    const billing = await v.get("/billing");
    expect(billing.status).toBe(200);
    expect(billing.html).toContain("Rendez-vous à facturer");
    expect(billing.html).toContain("Claire Dupont");
    expect(billing.html).not.toContain("Aucun rendez-vous à facturer");

    // No CSRF token, no invoice.
    expect((await v.post("/billing/invoices", { appointmentId: ids.seen })).status).toBe(403);

    const created = await v.post("/billing/invoices", { _csrf: csrfOf(billing.html), appointmentId: ids.seen });
    expect(created.status).toBe(303);
    invoiceId = /\/billing\/invoices\/([0-9a-f-]{36})/.exec(created.location!)![1]!;
    let page = await v.follow(created);
    expect(page.html).toContain("Facture créée en brouillon.");
    expect(page.html.replace(/[\u00a0\u202f]/g, " ")).toContain("MGEN (70 %)");
    expect(page.html).not.toContain("Télécharger le PDF");

    const twice = await v.post("/billing/invoices", { _csrf: csrfOf(page.html), appointmentId: ids.seen });
    expect(twice.location).toBe(`/billing/invoices/${invoiceId}?error=exists`);

    const badPrice = await submit(v, page, `/billing/invoices/${invoiceId}/lines`, {
      description: "ECG",
      quantity: "1",
      unitPrice: "12,345",
    });
    expect((await v.follow(badPrice)).html).toContain("Montant invalide");
    const beforeLine = page;
    const line = await submit(v, page, `/billing/invoices/${invoiceId}/lines`, {
      description: "ECG de repos",
      quantity: "2",
      unitPrice: "12,50",
    });
    page = await v.follow(line);
    expect(page.html).toContain("ECG de repos");
    const total = /id="invoice-total"><strong>([^<]+)</.exec(page.html)![1]!.replace(/\s/g, " ");
    const expectedTotal = priceMinor + 2500;
    expect(total).toBe(
      new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" })
        .format(expectedTotal / 100)
        .replace(/\s/g, " "),
    );

    // A page opened before the line was added would issue a total nobody reviewed.
    const stale = await v.follow(await submit(v, beforeLine, `/billing/invoices/${invoiceId}/issue`));
    expect(stale.html).toContain("Le brouillon a changé entre-temps");
    page = await v.follow(await submit(v, page, `/billing/invoices/${invoiceId}/issue`));
    expect(page.html).toContain("Facture émise.");
    expect(page.html).toMatch(/Facture 2026-000001/);
    expect(page.html).not.toContain(`/billing/invoices/${invoiceId}/lines"`);
    const stored = await world.ctx.db.prisma.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
    expect(stored.insurerPartMinor + stored.patientPartMinor).toBe(expectedTotal);

    const over = await submit(v, page, `/billing/invoices/${invoiceId}/payments`, {
      payer: "patient",
      method: "cash",
      amount: String(stored.patientPartMinor / 100 + 1),
    });
    expect((await v.follow(over)).html).toContain("dépasse ce que ce payeur doit encore");
    const wrongMethod = await submit(v, page, `/billing/invoices/${invoiceId}/payments`, {
      payer: "patient",
      method: "insurer",
      amount: "1",
    });
    expect((await v.follow(wrongMethod)).html).toContain("ne convient pas à ce payeur");

    const paid = await submit(v, page, `/billing/invoices/${invoiceId}/payments`, {
      payer: "patient",
      method: "card",
      amount: "5,00",
      reference: "TPE 4411",
    });
    page = await v.follow(paid);
    expect(page.html).toContain("Paiement enregistré.");
    expect(page.html).toContain("Payée en partie");
    expect(page.html).toContain("TPE 4411");
    const after = await world.ctx.db.prisma.payment.findMany({ where: { invoiceId } });
    expect(after.map((p) => [p.payer, p.method, p.amountMinor, p.recordedBy])).toEqual([
      ["patient", "card", 500, ids.secretary],
    ]);
    // Paid money blocks voiding: the form is gone, and a forged post is refused.
    expect(page.html).not.toContain(`/billing/invoices/${invoiceId}/void`);
    const forged = await v.post(`/billing/invoices/${invoiceId}/void`, { _csrf: csrfOf(page.html), reason: "oops" });
    expect(forged.location).toBe(`/billing/invoices/${invoiceId}?error=state`);
    expect(await audited("invoice.read", ids.claire)).toBeGreaterThan(0);
    expect(await audited("payment.record", ids.claire)).toBe(1);
  });

  it("the invoice PDF carries the number, patient, lines, payer split, payments and balance", async () => {
    const v = await secretary();
    const { text, res } = await pdfText(v, `/billing/invoices/${invoiceId}/pdf`);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="?facture-2026-000001\.pdf"?$/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const invoice = await world.ctx.db.prisma.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
    const eur = (minor: number) =>
      new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" }).format(minor / 100).replace(/\s/g, " ");
    for (const expected of [
      "FACTURE",
      "N° 2026-000001",
      "Claire Dupont",
      "N° d'assuré : 2 85 07 75 123 456",
      "ECG de repos",
      "Assurance : MGEN (70 %)",
      `Total ${eur(invoice.totalMinor)}`,
      `Part assurance (70 %) ${eur(invoice.insurerPartMinor)}`,
      `Part patient ${eur(invoice.patientPartMinor)}`,
      "Carte bancaire",
      `Reste dû par le patient ${eur(invoice.patientPartMinor - 500)}`,
      `Reste dû par l'assurance ${eur(invoice.insurerPartMinor)}`,
    ])
      expect(text.replace(/\s+/g, " "), expected).toContain(expected);
    expect(await audited("invoice.print", ids.claire)).toBe(1);
  });

  it("an English-speaking patient's invoice prints in English; a draft does not print", async () => {
    const v = await secretary("en-GB");
    const page = await v.get("/billing");
    expect(page.html).toContain("Appointments to invoice");
    const created = await v.post("/billing/invoices", { _csrf: csrfOf(page.html), appointmentId: ids.other });
    const id = /\/billing\/invoices\/([0-9a-f-]{36})/.exec(created.location!)![1]!;
    expect((await v.get(`/billing/invoices/${id}/pdf`)).location).toBe(`/billing/invoices/${id}?error=state`);
    const draft = await v.follow(created);
    const issued = await v.follow(await submit(v, draft, `/billing/invoices/${id}/issue`));
    expect(issued.html).toContain("Invoice 2026-000002");
    expect(issued.html).toMatch(/€\d+\.\d\d/);
    const { text, res } = await pdfText(v, `/billing/invoices/${id}/pdf`);
    expect(res.headers.get("content-disposition")).toContain("invoice-2026-000002.pdf");
    expect(text).toContain("INVOICE");
    expect(text).toContain("Hugo Bernard");
    expect(text).toContain("No insurer: the patient pays everything");

    // Voiding it with a reason keeps the number and leaves the appointment billable again.
    const voided = await v.follow(await submit(v, issued, `/billing/invoices/${id}/void`, { reason: "wrong patient" }));
    expect(voided.html).toContain("Invoice voided.");
    expect(voided.html).toContain("wrong patient");
    const list = await v.get("/billing?status=void");
    expect(list.html).toContain("2026-000002");
    expect(list.html).not.toContain("2026-000001");
  });

  it("the billing page lists what patients and insurers owe", async () => {
    const v = await secretary();
    const page = await v.get("/billing");
    const patients = page.html.slice(page.html.indexOf('id="owed-patients"'));
    expect(patients).toContain("Claire Dupont");
    const insurers = page.html.slice(page.html.indexOf('id="owed-insurers"'));
    expect(insurers).toContain("MGEN");
    expect(await audited("patient.balance", ids.claire)).toBeGreaterThan(0);
  });

  it("doctors have no billing access", async () => {
    const v = await doctor();
    expect((await v.get("/")).status).toBe(200);
    for (const path of ["/billing", `/billing/invoices/${invoiceId}`, `/billing/invoices/${invoiceId}/pdf`])
      expect((await v.get(path)).status, path).toBe(403);
    const home = await v.get("/");
    expect(home.html).not.toContain('href="/billing"');
    const refused = await v.post(`/billing/invoices/${invoiceId}/void`, { _csrf: csrfOf(home.html), reason: "nope" });
    expect(refused.status).toBe(403);
  });
});

describe("reports in the console", () => {
  it("a secretary sees the clinic's figures, with charts, tables and money", async () => {
    const v = await secretary();
    const page = await v.get("/reports?from=2026-12-01&to=2026-12-07");
    expect(page.status).toBe(200);
    expect(page.html).toContain('<canvas id="chart-days"');
    expect(page.html).toContain('src="/assets/chart.umd.min.js');
    expect(page.html).toMatch(/<script type="application\/json" id="report-charts">\{/);
    const tiles = page.html.slice(
      page.html.indexOf('id="report-tiles"'),
      page.html.indexOf("</ul>", page.html.indexOf('id="report-tiles"')),
    );
    expect(tiles).toContain("Rendez-vous");
    expect(tiles).toContain("Encaissé");
    expect(page.html).toContain("1 sur 3 (33,3");
    expect(page.html).toContain("Recettes et créances");
    const chart = await fetch(new URL("/assets/chart.umd.min.js", base));
    expect(chart.status).toBe(200);
    expect(chart.headers.get("content-type")).toMatch(/javascript/);
  });

  it("CSV exports are escaped and formula-safe", async () => {
    const v = await secretary();
    const res = await v.get("/reports/export.csv?table=doctors&from=2026-12-01&to=2026-12-07");
    expect(res.status).toBe(200);
    // fetch's text() drops the byte-order mark; the bytes keep it.
    expect(res.html.startsWith("Médecin,Rendez-vous,Annulés,Absences,Vus\r\n")).toBe(true);
    const raw = await fetch(new URL("/reports/export.csv?table=doctors", base), {
      headers: { cookie: [...v.cookies].map(([k, val]) => `${k}=${val}`).join("; ") },
    });
    expect(raw.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(raw.headers.get("content-disposition")).toMatch(/tabib-doctors-2026-11-08-2026-12-07\.csv/);
    expect([...new Uint8Array(await raw.arrayBuffer()).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.html).toContain("'=HYPERLINK(1)");
    expect(res.html).not.toMatch(/(^|,|\n)=HYPERLINK/);
    const days = await v.get("/reports/export.csv?table=days&from=2026-12-03&to=2026-12-04");
    expect(days.html).toBe("Date,Rendez-vous,Annulés,Absences,Vus\r\n2026-12-03,1,1,0,0\r\n2026-12-04,2,0,0,2\r\n");
    const payments = await v.get("/reports/export.csv?table=payments&from=2026-12-07&to=2026-12-07");
    expect(payments.html).toContain("Patient,Carte bancaire,5.00,EUR");
    expect((await v.get("/reports/export.csv?table=nope")).status).toBe(404);
    expect((await v.get("/reports/export.csv?table=days&from=2026-12-09&to=2026-12-01")).status).toBe(400);
  });

  it("a bad range is answered with the form and a message", async () => {
    const v = await secretary("en");
    const page = await v.get("/reports?from=2026-13-01&to=2026-12-01");
    expect(page.status).toBe(400);
    expect(page.html).toContain("Invalid period");
    expect(page.html).not.toContain("chart-days");
  });

  it("a doctor sees only their own activity, without money", async () => {
    const v = await doctor();
    const page = await v.get("/reports?from=2026-12-01&to=2026-12-07");
    expect(page.status).toBe(200);
    expect(page.html).toContain("Mon activité");
    expect(page.html).not.toContain("HYPERLINK");
    expect(page.html).not.toContain("Recettes et créances");
    const csv = await v.get("/reports/export.csv?table=doctors&from=2026-12-01&to=2026-12-07");
    expect(csv.html.trim().split("\r\n")).toHaveLength(2);
    expect((await v.get("/reports/export.csv?table=revenue&from=2026-12-01&to=2026-12-07")).status).toBe(403);
  });
});
