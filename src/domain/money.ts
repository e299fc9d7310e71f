/*
 * Money is an integer count of the currency's minor unit (cents for EUR, none for JPY),
 * always with its ISO 4217 currency. Nothing here uses floating-point amounts.
 */

/** Basis points in a whole: 10000 bp = 100 %. */
export const WHOLE_BP = 10_000;

const digitsCache = new Map<string, number>();

/** Decimal places of the currency's minor unit (EUR 2, JPY 0, KWD 3), as Intl knows it. */
export function minorDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

/**
 * Splits a total between an insurer covering `shareBp` basis points and the patient. The
 * insurer's part is rounded half up to the minor unit; the patient's is the remainder, so the
 * two always add up to the total.
 */
export function splitTotal(totalMinor: number, shareBp: number): { insurerMinor: number; patientMinor: number } {
  if (!Number.isSafeInteger(totalMinor) || totalMinor < 0) throw new RangeError("total must be a non-negative integer");
  if (!Number.isInteger(shareBp) || shareBp < 0 || shareBp > WHOLE_BP) throw new RangeError("share must be 0–10000 bp");
  const insurerMinor = Math.floor((totalMinor * shareBp + WHOLE_BP / 2) / WHOLE_BP);
  return { insurerMinor, patientMinor: totalMinor - insurerMinor };
}

/** A minor-unit amount as a plain decimal string ("1234.50"), for CSV and APIs. */
export function decimalString(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  if (digits === 0) return `${sign}${abs}`;
  const unit = 10 ** digits;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, "0")}`;
}

/**
 * Reads an amount typed by staff ("12", "12.5", "12,50", "1 234,50") into minor units; null
 * when it is not a non-negative amount with at most the currency's decimal places.
 */
export function parseAmount(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const cleaned = text.replace(/[\s\u00a0\u202f']/g, "");
  const m = /^(\d{1,9})(?:[.,](\d*))?$/.exec(cleaned);
  if (!m) return null;
  const fraction = m[2] ?? "";
  if (fraction.length > digits) return null;
  return Number(m[1]) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
}

const formatters = new Map<string, Intl.NumberFormat>();

/** An amount as the reader expects it: "1 234,50 €" in French, "€1,234.50" in English. */
export function formatMoney(minor: number, currency: string, locale: "fr" | "en"): string {
  const key = `${locale}|${currency}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale === "fr" ? "fr-FR" : "en-GB", { style: "currency", currency });
    formatters.set(key, format);
  }
  return format.format(minor / 10 ** minorDigits(currency));
}

/** Basis points as a percentage for people: 7000 → "70 %" (fr) / "70%" (en). */
export function formatShare(bp: number, locale: "fr" | "en"): string {
  return new Intl.NumberFormat(locale === "fr" ? "fr-FR" : "en-GB", {
    style: "percent",
    maximumFractionDigits: 2,
  }).format(bp / WHOLE_BP);
}
