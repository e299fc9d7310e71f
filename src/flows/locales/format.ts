/** Formats instants for a patient: their language, the clinic's time zone. */
export interface Formatter {
  dateTime(iso: string): string;
}

const cache = new Map<string, Intl.DateTimeFormat>();

export function formatterFor(locale: "fr" | "en", timeZone: string): Formatter {
  const key = `${locale}|${timeZone}`;
  let dtf = cache.get(key);
  if (!dtf) {
    dtf = new Intl.DateTimeFormat(locale === "fr" ? "fr-FR" : "en-GB", {
      timeZone,
      weekday: "long",
      day: "numeric",
      month: "long",
      hour: "2-digit",
      minute: "2-digit",
    });
    cache.set(key, dtf);
  }
  const f = dtf;
  return { dateTime: (iso) => f.format(new Date(iso)) };
}
