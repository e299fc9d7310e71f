import PDFDocument from "pdfkit";
import type { Clinic } from "../data/generated/client.js";
import type { InvoiceDetail } from "../domain/billing.js";
import { formatMoney, formatShare } from "../domain/money.js";
import type { ConsoleLocale, Translate } from "./i18n.js";
import { personName } from "./format.js";

export interface InvoicePdfInput {
  invoice: InvoiceDetail;
  clinic: Pick<Clinic, "name" | "address" | "phone" | "timeZone">;
  locale: ConsoleLocale;
  t: Translate;
  doctor: string | null;
  insuranceNumber: string | null;
}

const TEAL_DARK = "#00796B";
const INK = "#212121";
const MUTED = "#555555";
const GREY = "#EEEEEE";
const RED = "#B71C1C";

/*
 * PDF's standard fonts speak WinAnsi: Intl's narrow no-break space (French thousands) is not in
 * it, so it becomes an ordinary no-break space; other characters outside it are replaced.
 */
const WIN_ANSI_EXTRA = new Set([..."€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"]);
function printable(text: string): string {
  return [...text.replace(/[\u202f\u2009]/g, "\u00a0")]
    .map((ch) => (ch.charCodeAt(0) < 256 || WIN_ANSI_EXTRA.has(ch) ? ch : "?"))
    .join("");
}

/** A printable A4 invoice: clinic, patient, lines, payer split, payments and what is still owed. */
export function renderInvoicePdf(input: InvoicePdfInput): Promise<Buffer> {
  const { invoice, clinic, locale, t } = input;
  const issued = invoice.issuedAt ?? invoice.createdAt;
  const doc = new PDFDocument({
    size: "A4",
    margin: 50,
    info: {
      Title: printable(`${t("pdfInvoice")} ${invoice.number ?? ""}`.trim()),
      Author: printable(clinic.name),
      Producer: "Tabib",
      Creator: "Tabib",
      // Fixed dates: the same invoice always prints to the same file.
      CreationDate: issued,
      ModDate: invoice.voidedAt ?? issued,
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  const money = (minor: number) => printable(formatMoney(minor, invoice.currency, locale));
  const tag = locale === "fr" ? "fr-FR" : "en-GB";
  const date = new Intl.DateTimeFormat(tag, { timeZone: clinic.timeZone, dateStyle: "long" });
  const dateTime = new Intl.DateTimeFormat(tag, { timeZone: clinic.timeZone, dateStyle: "medium", timeStyle: "short" });
  const text = (s: string) => printable(s);
  const left = doc.page.margins.left;
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;

  // Header: the clinic on the left, the invoice's identity on the right.
  doc
    .fillColor(TEAL_DARK)
    .font("Helvetica-Bold")
    .fontSize(16)
    .text(text(clinic.name), left, 50, { width: width / 2 });
  doc
    .fillColor(INK)
    .font("Helvetica")
    .fontSize(9)
    .text(text(clinic.address), { width: width / 2 });
  doc.text(text(t("pdfPhone", { phone: clinic.phone })), { width: width / 2 });
  doc
    .font("Helvetica-Bold")
    .fontSize(20)
    .fillColor(INK)
    .text(text(t("pdfInvoice").toUpperCase()), left + width / 2, 50, { width: width / 2, align: "right" });
  doc
    .font("Helvetica")
    .fontSize(10)
    .text(text(t("pdfNumber", { number: invoice.number ?? "—" })), { width: width / 2, align: "right" })
    .text(text(t("pdfDate", { date: date.format(issued) })), { width: width / 2, align: "right" });
  if (invoice.status === "void") {
    doc
      .fillColor(RED)
      .font("Helvetica-Bold")
      .text(text(t("pdfVoid").toUpperCase()), { width: width / 2, align: "right" })
      .fillColor(INK);
  }

  // Who and what.
  let y = 150;
  doc
    .font("Helvetica-Bold")
    .fontSize(10)
    .text(text(t("pdfBilledTo")), left, y);
  doc.font("Helvetica").text(text(personName(invoice.patient)));
  if (input.insuranceNumber) doc.text(text(t("pdfInsuranceNumber", { number: input.insuranceNumber })));
  if (invoice.appointment) {
    const visit = t("pdfVisit", {
      when: dateTime.format(invoice.appointment.startsAt),
      doctor: input.doctor ?? "—",
    });
    doc.text(text(visit));
  }
  doc.text(
    text(
      invoice.insurer
        ? t("pdfInsurer", { name: invoice.insurer.name, share: formatShare(invoice.insurerShareBp, locale) })
        : t("billNoInsurer"),
    ),
  );

  // Lines.
  y = Math.max(doc.y + 20, 240);
  const cols = [
    { key: "description", label: t("billDescription"), x: left, w: width * 0.5, align: "left" as const },
    { key: "quantity", label: t("billQuantity"), x: left + width * 0.5, w: width * 0.12, align: "right" as const },
    { key: "unit", label: t("billUnitPrice"), x: left + width * 0.62, w: width * 0.19, align: "right" as const },
    { key: "amount", label: t("billAmount"), x: left + width * 0.81, w: width * 0.19, align: "right" as const },
  ];
  doc
    .rect(left, y - 4, width, 20)
    .fill(GREY)
    .fillColor(INK);
  doc.font("Helvetica-Bold").fontSize(9);
  for (const c of cols) doc.text(text(c.label), c.x + 4, y + 2, { width: c.w - 8, align: c.align });
  y += 22;
  doc.font("Helvetica").fontSize(10);
  for (const line of invoice.lines) {
    const cells: Record<string, string> = {
      description: line.description,
      quantity: String(line.quantity),
      unit: money(line.unitPriceMinor),
      amount: money(line.amountMinor),
    };
    const height = Math.max(
      ...cols.map((c) => doc.heightOfString(text(cells[c.key]!), { width: c.w - 8, align: c.align })),
    );
    if (y + height > doc.page.height - 160) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    for (const c of cols) doc.text(text(cells[c.key]!), c.x + 4, y, { width: c.w - 8, align: c.align });
    y += height + 6;
    doc
      .moveTo(left, y - 3)
      .lineTo(left + width, y - 3)
      .strokeColor(GREY)
      .stroke();
  }

  // Totals and the payer split.
  y += 6;
  const totalRow = (label: string, value: string, bold = false) => {
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(10);
    doc.text(text(label), left + width * 0.45, y, { width: width * 0.36, align: "right" });
    doc.text(value, left + width * 0.81, y, { width: width * 0.19 - 4, align: "right" });
    y += 16;
  };
  totalRow(t("billTotal"), money(invoice.totalMinor), true);
  if (invoice.insurerPartMinor > 0) {
    totalRow(
      `${t("billInsurerPart")} (${formatShare(invoice.insurerShareBp, locale)})`,
      money(invoice.insurerPartMinor),
    );
  }
  totalRow(t("billPatientPart"), money(invoice.patientPartMinor));

  // Payments received and what is still owed.
  y += 10;
  doc
    .font("Helvetica-Bold")
    .fontSize(10)
    .text(text(t("billPayments")), left, y);
  y = doc.y + 4;
  doc.font("Helvetica").fontSize(9);
  if (invoice.payments.length === 0) {
    doc
      .fillColor(MUTED)
      .text(text(t("billNoPayments")), left, y)
      .fillColor(INK);
    y = doc.y + 4;
  }
  for (const p of invoice.payments) {
    const who = t(p.payer === "patient" ? "billPayerPatient" : "billPayerInsurer");
    const how = t(
      p.method === "cash"
        ? "billMethodCash"
        : p.method === "card"
          ? "billMethodCard"
          : p.method === "transfer"
            ? "billMethodTransfer"
            : "billMethodInsurer",
    );
    doc.text(text(`${dateTime.format(p.receivedAt)} · ${who} · ${how}`), left, y, { width: width * 0.7 });
    doc.text(money(p.amountMinor), left + width * 0.7, y, { width: width * 0.3 - 4, align: "right" });
    y = doc.y + 2;
  }
  y += 8;
  if (invoice.status === "void") {
    doc
      .font("Helvetica-Bold")
      .fillColor(RED)
      .text(text(t("pdfVoidReason", { reason: invoice.voidReason ?? "" })), left, y)
      .fillColor(INK);
  } else {
    const b = invoice.balance;
    totalRow(t("pdfPatientDue"), money(b.patientDueMinor), true);
    if (invoice.insurerPartMinor > 0) totalRow(t("pdfInsurerDue"), money(b.insurerDueMinor), true);
  }

  doc
    .font("Helvetica")
    .fontSize(8)
    .fillColor(MUTED)
    .text(text(t("pdfFooter", { clinic: clinic.name })), left, doc.page.height - 70, { width, align: "center" });
  doc.end();
  return finished;
}
