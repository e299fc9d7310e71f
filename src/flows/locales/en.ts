import type { Formatter } from "./format.js";

/** Values a reply is worded from; instants are ISO strings, formatted by the Formatter. */
export type Params = Readonly<Record<string, string | number | undefined>>;

type Line = (p: Params, f: Formatter) => string;

const PARTS_EN: Record<string, string> = {
  morning: "in the morning",
  afternoon: "in the afternoon",
  evening: "in the evening",
};

/** The time a patient asked for, as a phrase: "on Thursday 26 November in the afternoon". */
function askedEn(p: Params, f: Formatter): string {
  if (p.askedKind === "exact") return `on ${f.day(String(p.askedAt))} at ${f.time(String(p.askedAt))}`;
  if (p.askedKind === "near") return `on ${f.day(String(p.askedAt))} around ${f.time(String(p.askedAt))}`;
  const from = String(p.askedFrom);
  const last = new Date(+new Date(String(p.askedTo)) - 1).toISOString();
  if (!f.sameDay(from, last)) return `between ${f.day(from)} and ${f.day(last)}`;
  return `on ${f.day(from)}${p.askedPart ? ` ${PARTS_EN[String(p.askedPart)] ?? ""}` : ""}`;
}

/** Every sentence the chat says, in English. This object's shape is the type every locale follows. */
export const en = {
  welcome: () => "Hello! I am the clinic's assistant. I can book, move or cancel an appointment, or list yours.",
  menu: () => "What would you like to do?",
  menuBook: () => "Book an appointment",
  menuList: () => "My appointments",
  menuCancel: () => "Cancel an appointment",
  menuReschedule: () => "Move an appointment",
  menuHuman: () => "Talk to the secretary",
  help: () =>
    "You can write things like “I'd like to see a cardiologist tomorrow around 10”, “cancel my appointment”, “move my appointment”, “my appointments”, or “talk to someone”. In an emergency, call 15 or 112.",
  thanks: () => "You're welcome! Anything else?",
  notUnderstood: () => "Sorry, I didn't understand that.",
  restart: () => "It's been a while, so let's start again.",
  stale: () => "That button belongs to an earlier question.",
  emergency: (p) =>
    `This may be an emergency. Call the emergency services now: ${p.national}, or the clinic's emergency line: ${p.clinicEmergency}. If you can, don't stay alone.`,
  emergencyFollowUp: () => "When you're safe, I can still help you with an appointment.",
  human: () => "I've passed your conversation to the secretary, who will answer you here as soon as possible.",
  languageChanged: () => "Okay, I'll speak English from now on.",
  askWhat: () =>
    "Which kind of doctor would you like to see? You can also describe what's wrong (e.g. “fever”, “skin rash”).",
  unknownSpecialty: () =>
    "I couldn't match that to one of our specialties. Could you say it differently, or describe your symptoms?",
  askWhen: (p) =>
    `When would you like ${p.remote ? "your teleconsultation" : "to come"}${p.specialty ? ` for ${p.specialty}` : ""}${p.doctor ? ` with ${p.doctor}` : ""}? (e.g. “tomorrow morning”, “Tuesday around 10”, “as soon as possible”)`,
  whenNotUnderstood: () =>
    "I didn't get the day or time. Try “tomorrow at 10”, “next Friday morning” or “as soon as possible”.",
  askAmbiguousDay: () => "Do you mean today or next week?",
  ambiguousToday: () => "Today",
  ambiguousNextWeek: () => "Next week",
  unknownDoctor: (p) => `I don't know a Dr ${p.said} at this clinic. Our doctors are: ${p.known}.`,
  askWhichDoctor: () => "Several of our doctors have that name. Which one would you like to see?",
  doctorLabel: (p) => String(p.doctor),
  noTeleconsultation: () => "Teleconsultation isn't offered for this specialty, so these times are at the clinic.",
  pastTime: () => "That time has already passed; here are the nearest free times.",
  offer: (p) =>
    `Here are the ${p.remote ? "teleconsultation " : ""}times${p.doctor ? ` with ${p.doctor}` : ""} I can hold for you for ${p.minutes} minutes${p.specialty ? ` (${p.specialty})` : ""}:`,
  slotLabel: (p, f) => `${f.dateTime(String(p.at))} — ${p.doctor}`,
  otherTimes: () => "Other times",
  noSlotAsked: (p, f) =>
    `No free ${p.remote ? "teleconsultation" : "time"}${p.doctor ? ` with ${p.doctor}` : ""} ${askedEn(p, f)}; here are the nearest, held for you for ${p.minutes} minutes${p.specialty ? ` (${p.specialty})` : ""}:`,
  offerMore: (p) => `Here are the next free times, held for you for ${p.minutes} minutes:`,
  otherHint: () => "None suits you? Tell me another day or time.",
  noSlots: () => "I found no free time for that. Would you like to try another day?",
  askName: () => "Great. What are your first and last name?",
  nameNotUnderstood: () => "I need your first and last name, e.g. “Marie Curie”.",
  askBirthDate: () => "And your date of birth? (e.g. 12/03/1985)",
  birthDateNotUnderstood: () => "I couldn't read that date of birth. Please write it like 03/12/1985 (month/day/year).",
  askConsent: () =>
    "To book, the clinic keeps your name, date of birth and appointments to organise your care (GDPR; you can ask for them to be erased at any time). Do you agree?",
  yes: () => "Yes",
  no: () => "No",
  consentRefused: () => "Understood: nothing has been saved. You can also call the clinic to book.",
  askConfirm: (p, f) => `Shall I book ${f.dateTime(String(p.at))} with ${p.doctor}?`,
  booked: (p, f) => `Your appointment is confirmed: ${f.dateTime(String(p.at))} with ${p.doctor}, ${p.address}.`,
  bookedTele: (p, f) =>
    `Your teleconsultation is confirmed: ${f.dateTime(String(p.at))} with ${p.doctor}. Link: ${p.link}`,
  requested: (p, f) =>
    `Your request for ${f.dateTime(String(p.at))} with ${p.doctor} has been sent and is pending: the clinic will accept or decline it, and I'll tell you here. The time is kept for you meanwhile.`,
  slotGone: () => "Sorry, that time was just taken. Here are the nearest ones:",
  bookingFailed: () => "Sorry, I couldn't book that. Please try another time or call the clinic.",
  bookingAbandoned: () => "Okay, I've dropped that booking.",
  noAppointments: () => "You have no upcoming appointments with us.",
  appointmentsList: () => "Your upcoming appointments:",
  appointmentLine: (p, f) => `• ${f.dateTime(String(p.at))} — ${p.doctor}`,
  whichAppointment: () => "Which appointment?",
  confirmCancel: (p, f) => `Cancel your appointment on ${f.dateTime(String(p.at))} with ${p.doctor}?`,
  cancelled: () => "Your appointment is cancelled.",
  cancelKept: () => "Okay, your appointment is kept.",
  insideCutoff: (p) =>
    `Appointments less than ${p.hours} hours away can only be changed by the clinic. Please call ${p.phone}, or ask to talk to the secretary.`,
  askRescheduleWhen: (p, f) => `When would you like to move your appointment of ${f.dateTime(String(p.at))} to?`,
  confirmReschedule: (p, f) => `Move your appointment to ${f.dateTime(String(p.at))} with ${p.doctor}?`,
  rescheduled: (p, f) => `Done: your appointment is now ${f.dateTime(String(p.at))} with ${p.doctor}.`,
  rescheduledTele: (p, f) =>
    `Done: your teleconsultation is now ${f.dateTime(String(p.at))} with ${p.doctor}. Link: ${p.link}`,
  reminder: (p, f) =>
    `Reminder: you have an appointment on ${f.dateTime(String(p.at))} with ${p.doctor}. Will you come?`,
  reminderConfirm: () => "1. Yes, I'll come",
  reminderCancel: () => "2. Cancel",
  reminderReschedule: () => "3. Move it",
  reminderNotUnderstood: () => "Please answer 1 (or “yes”) to confirm, 2 to cancel, or 3 to move the appointment.",
  attendanceConfirmed: (p, f) =>
    `Thank you! Your appointment on ${f.dateTime(String(p.at))} with ${p.doctor} is confirmed. See you then.`,
  attendanceFailed: () =>
    "This appointment can no longer be confirmed: it may have been changed or cancelled. Write “my appointments” to see where things stand.",
  outOfOrder: () => "That message reached me after a more recent one, so I have left it aside.",
  stepFailed: (p) =>
    `Sorry, something went wrong on our side and your message was not taken into account. Please send it again in a moment.${p.national ? ` In an emergency, call ${p.national}.` : ""}`,
  tooLong: () => "That message is very long; could you say briefly what you need?",
  waitlistButton: () => "Tell me if an earlier time frees up",
  waitlistJoined: (p, f) =>
    p.before
      ? `Done: you're on the waiting list. If a time before ${f.dateTime(String(p.before))} frees up, I'll offer it to you here.`
      : "Done: you're on the waiting list. If an earlier time frees up, I'll offer it to you here.",
  waitlistJoinFailed: () =>
    "Sorry, I couldn't put you on the waiting list. Please try again, or ask to talk to the secretary.",
  waitlistNeedsRecord: () =>
    "To put you on the waiting list I first need your details: book one of these times (you can still ask for an earlier one afterwards), or ask to talk to the secretary.",
  waitlistNoAppointment: () =>
    "You have no upcoming appointment to move earlier. Tell me what you need: when I offer times, choose “Tell me if an earlier time frees up”.",
  waitlistOffer: (p, f) =>
    `Good news: a time has freed up on ${f.dateTime(String(p.at))} with ${p.doctor}. It is kept for you for ${p.minutes} minutes. Would you like it?`,
  waitlistAccept: () => "Yes, I'll take it",
  waitlistDecline: () => "No, thanks",
  waitlistOfferNotUnderstood: () => "Please answer “yes” to take this time, or “no” to leave it.",
  waitlistBooked: (p, f) =>
    `It's yours: your appointment is confirmed on ${f.dateTime(String(p.at))} with ${p.doctor}.`,
  waitlistRequested: (p, f) =>
    `Your request for ${f.dateTime(String(p.at))} with ${p.doctor} has been sent: the clinic will confirm it, and I'll tell you here.`,
  waitlistMoved: (p, f) => `Done: your appointment is now on ${f.dateTime(String(p.at))} with ${p.doctor}.`,
  waitlistGone: () =>
    "Sorry, that time has just been taken. You stay on the waiting list, and I'll write again if another time frees up.",
  waitlistDeclined: () => "Okay, I've let that time go. You stay on the waiting list.",
} satisfies Record<string, Line>;

export type CopyKey = keyof typeof en;
export type Copy = { readonly [K in CopyKey]: Line };
