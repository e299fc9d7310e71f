/*
 * CSV (RFC 4180) for spreadsheets. Text cells that a spreadsheet would run as a formula
 * (starting with = + - @, or a tab or carriage return that hides one) get a leading
 * apostrophe: a doctor's or a patient's name must never become a formula on a colleague's
 * computer. Numbers are written as numbers.
 */

export type CsvCell = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole file: a byte-order mark (so spreadsheets read UTF-8 accents), CRLF line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}
