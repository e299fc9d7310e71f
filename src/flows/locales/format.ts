/** Formats instants for a patient: their language, the clinic's time zone. */
export interface Formatter {
  dateTime(iso: string): string;
  /** The local day alone: "jeudi 26 novembre". */
  day(iso: string): string;
  /** The local time alone: "10:00". */
  time(iso: string): string;
  /** Whether two instants fall on the same local day. */
  sameDay(a: string, b: string): boolean;
}

const cache = new Map<string, Formatter>();

export function formatterFor(locale: "fr" | "en", timeZone: string): Formatter {
  const key = `${locale}|${timeZone}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const lang = locale === "fr" ? "fr-FR" : "en-GB";
  const dateTime = new Intl.DateTimeFormat(lang, {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
  });
  const day = new Intl.DateTimeFormat(lang, { timeZone, weekday: "long", day: "numeric", month: "long" });
  const time = new Intl.DateTimeFormat(lang, { timeZone, hour: "2-digit", minute: "2-digit" });
  const ymd = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  const f: Formatter = {
    dateTime: (iso) => dateTime.format(new Date(iso)),
    day: (iso) => day.format(new Date(iso)),
    time: (iso) => time.format(new Date(iso)),
    sameDay: (a, b) => ymd.format(new Date(a)) === ymd.format(new Date(b)),
  };
  cache.set(key, f);
  return f;
}
