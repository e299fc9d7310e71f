import type { Appointment } from "../data/generated/client.js";
import type { ConsoleLocale, MessageKey } from "./i18n.js";

/** Dates and times as staff read them: the clinic's zone, the console's language. */
export class ClinicFormat {
  private readonly time: Intl.DateTimeFormat;
  private readonly dateTime: Intl.DateTimeFormat;
  private readonly longDay: Intl.DateTimeFormat;
  private readonly date: Intl.DateTimeFormat;

  constructor(locale: ConsoleLocale, timeZone: string) {
    const tag = locale === "fr" ? "fr-FR" : "en-GB";
    this.time = new Intl.DateTimeFormat(tag, { timeZone, hour: "2-digit", minute: "2-digit" });
    this.dateTime = new Intl.DateTimeFormat(tag, { timeZone, dateStyle: "medium", timeStyle: "short" });
    this.longDay = new Intl.DateTimeFormat(tag, { timeZone, dateStyle: "full" });
    // Birth dates are calendar dates stored at UTC midnight.
    this.date = new Intl.DateTimeFormat(tag, { timeZone: "UTC", dateStyle: "medium" });
  }

  timeOf = (d: Date): string => this.time.format(d);
  dateTimeOf = (d: Date): string => this.dateTime.format(d);
  dayOf = (d: Date): string => this.longDay.format(d);
  calendarDate = (d: Date | null): string => (d ? this.date.format(d) : "—");
}

export const STATUS_LABEL: Record<Appointment["status"], MessageKey> = {
  requested: "statusRequested",
  confirmed: "statusConfirmed",
  declined: "statusDeclined",
  cancelled: "statusCancelled",
  completed: "statusCompleted",
  no_show: "statusNoShow",
};

export const personName = (p: { firstName: string; lastName: string }): string => `${p.firstName} ${p.lastName}`;
export { doctorName } from "../domain/doctor-name.js";
