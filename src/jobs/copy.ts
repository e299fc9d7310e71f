import { formatterFor } from "../flows/locales/format.js";
import type { NoticeKind } from "../domain/notices.js";

/** The patient-facing wording of reminders and notices, in French and English. */

export type Locale = "fr" | "en";

export interface AppointmentFacts {
  startsAt: Date;
  doctorName: string;
  address: string;
  clinicPhone: string;
  timeZone: string;
}

/** A reminder that asks nothing (the shorter offsets). */
export function plainReminderText(locale: Locale, a: AppointmentFacts): string {
  const at = formatterFor(locale, a.timeZone).dateTime(a.startsAt.toISOString());
  return locale === "fr"
    ? `Rappel : rendez-vous le ${at} avec ${a.doctorName}, ${a.address}. Un empêchement ? Appelez le ${a.clinicPhone}.`
    : `Reminder: appointment on ${at} with ${a.doctorName}, ${a.address}. Can't make it? Call ${a.clinicPhone}.`;
}

const NOTICE: Record<NoticeKind, Record<Locale, (at: string, a: AppointmentFacts) => string>> = {
  confirmed: {
    fr: (at, a) => `Votre rendez-vous du ${at} avec ${a.doctorName} est confirmé. Adresse : ${a.address}.`,
    en: (at, a) => `Your appointment on ${at} with ${a.doctorName} is confirmed. Address: ${a.address}.`,
  },
  changed: {
    fr: (at, a) => `Votre rendez-vous a été déplacé : il a lieu désormais le ${at} avec ${a.doctorName}.`,
    en: (at, a) => `Your appointment has been moved: it is now on ${at} with ${a.doctorName}.`,
  },
  cancelled: {
    fr: (at, a) =>
      `Votre rendez-vous du ${at} avec ${a.doctorName} est annulé. Pour en reprendre un, écrivez-nous ou appelez le ${a.clinicPhone}.`,
    en: (at, a) =>
      `Your appointment on ${at} with ${a.doctorName} is cancelled. To book another, write to us or call ${a.clinicPhone}.`,
  },
  accepted: {
    fr: (at, a) => `Bonne nouvelle : votre demande de rendez-vous du ${at} avec ${a.doctorName} est acceptée.`,
    en: (at, a) => `Good news: your appointment request for ${at} with ${a.doctorName} is accepted.`,
  },
  declined: {
    fr: (at, a) =>
      `Votre demande de rendez-vous du ${at} avec ${a.doctorName} n'a pas pu être acceptée. Écrivez-nous pour un autre créneau, ou appelez le ${a.clinicPhone}.`,
    en: (at, a) =>
      `Your appointment request for ${at} with ${a.doctorName} could not be accepted. Write to us for another time, or call ${a.clinicPhone}.`,
  },
};

/** The chat message (and the email's body) telling the patient what happened. */
export function noticeText(kind: NoticeKind, locale: Locale, a: AppointmentFacts): string {
  return NOTICE[kind][locale](formatterFor(locale, a.timeZone).dateTime(a.startsAt.toISOString()), a);
}

const SUBJECT: Record<NoticeKind, Record<Locale, string>> = {
  confirmed: { fr: "Rendez-vous confirmé", en: "Appointment confirmed" },
  changed: { fr: "Rendez-vous déplacé", en: "Appointment moved" },
  cancelled: { fr: "Rendez-vous annulé", en: "Appointment cancelled" },
  accepted: { fr: "Demande de rendez-vous acceptée", en: "Appointment request accepted" },
  declined: { fr: "Demande de rendez-vous refusée", en: "Appointment request declined" },
};

/** Subject and plain-text body of a notice email. */
export function noticeEmail(
  kind: NoticeKind,
  locale: Locale,
  a: AppointmentFacts & { clinicName: string },
): { subject: string; text: string } {
  const day = formatterFor(locale, a.timeZone).day(a.startsAt.toISOString());
  const signature =
    locale === "fr"
      ? `\n\n${a.clinicName}\n${a.address}\n${a.clinicPhone}\n\nCe message est envoyé automatiquement.`
      : `\n\n${a.clinicName}\n${a.address}\n${a.clinicPhone}\n\nThis message was sent automatically.`;
  const calendar =
    kind === "cancelled" || kind === "declined"
      ? ""
      : locale === "fr"
        ? "\n\nLe fichier joint ajoute le rendez-vous à votre agenda."
        : "\n\nThe attached file adds the appointment to your calendar.";
  return {
    subject: `${SUBJECT[kind][locale]} — ${day}`,
    text: `${noticeText(kind, locale, a)}${calendar}${signature}`,
  };
}

/** The title of the calendar entry. */
export const calendarTitle = (locale: Locale, doctorName: string): string =>
  locale === "fr" ? `Rendez-vous avec ${doctorName}` : `Appointment with ${doctorName}`;
