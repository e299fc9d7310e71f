import type { LocalDate } from "../../domain/clinic-time.js";

/** Easter Sunday of a Gregorian year (the anonymous algorithm, Meeus/Jones/Butcher). */
function easter(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}

const iso = (d: Date): LocalDate => d.toISOString().slice(0, 10);
const plusDays = (d: Date, n: number): Date => new Date(+d + n * 86_400_000);

/** France's public holidays between two local days (both included), with their French names. */
export function frenchHolidays(from: LocalDate, to: LocalDate): Map<LocalDate, string> {
  const out = new Map<LocalDate, string>();
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    const e = easter(year);
    const days: [LocalDate, string][] = [
      [`${year}-01-01`, "Jour de l'an"],
      [iso(plusDays(e, 1)), "Lundi de Pâques"],
      [`${year}-05-01`, "Fête du Travail"],
      [`${year}-05-08`, "Victoire 1945"],
      [iso(plusDays(e, 39)), "Ascension"],
      [iso(plusDays(e, 50)), "Lundi de Pentecôte"],
      [`${year}-07-14`, "Fête nationale"],
      [`${year}-08-15`, "Assomption"],
      [`${year}-11-01`, "Toussaint"],
      [`${year}-11-11`, "Armistice"],
      [`${year}-12-25`, "Noël"],
    ];
    for (const [day, name] of days) if (day >= from && day <= to) out.set(day, name);
  }
  return out;
}
