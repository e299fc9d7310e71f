import type { Database } from "../data/db.js";
import type { ChatLocale, InboundMessage } from "../domain/channels.js";
import { clinicDoctors, type ClinicDoctor, type ClinicFacts } from "../domain/clinic-facts.js";
import { readConsultationMode } from "../domain/language/consultation-mode.js";
import { readDoctor } from "../domain/language/doctors.js";
import { readIntent } from "../domain/language/intent.js";
import { readBirthDate, readPersonName } from "../domain/language/names.js";
import { normalize } from "../domain/language/normalize.js";
import { readWhen, type WhenPreference } from "../domain/language/when.js";
import { suggestSpecialtiesFor } from "../domain/triage.js";
import { parsePayload, saysNoPreference, type DoctorPick, type Reading, type When } from "./reading.js";
import { asksForWaitlist } from "./waitlist.js";

/*
 * Reading one inbound message: what the patient asks, and every fact in it the dialogue may use
 * (a time, a specialty, a doctor, a name, a birth date), before the machine decides what it
 * means where the conversation stands.
 */

const MAX_TEXT = 2000;
/** How many of the clinic's doctors are listed to a patient who named one the clinic does not have. */
const MAX_NAMED_DOCTORS = 12;

const whenJson = (w: WhenPreference): When =>
  w.kind === "asap"
    ? { kind: "asap" }
    : w.kind === "range"
      ? {
          kind: "range",
          from: w.from.toISOString(),
          to: w.to.toISOString(),
          ...(w.partOfDay ? { partOfDay: w.partOfDay } : {}),
          ...(w.past ? { past: true } : {}),
        }
      : { kind: w.kind, at: w.at.toISOString(), ...(w.past ? { past: true } : {}) };

/** A doctor as the dialogue offers them, booked for the specialty the patient named if they practise it. */
export function doctorPick(d: ClinicDoctor, namedSpecialty: string | undefined): DoctorPick {
  const s = d.specialties.find((x) => x.id === namedSpecialty) ?? d.specialties[0];
  return { id: d.id, name: d.name, specialty: s ? { id: s.id, name: s.name } : null };
}

/**
 * The specialty used when the patient names none: the clinic's only one, or general medicine
 * (see Reading.fallbackSpecialty).
 */
function fallbackSpecialty(clinic: ClinicFacts): Reading["fallbackSpecialty"] {
  const list = clinic.specialties;
  const general = list.length === 1 ? list[0] : list.find((s) => s.code === "general");
  return general ? { id: general.id, name: general.name, sole: list.length === 1 } : undefined;
}

export interface Listening {
  db: Database;
  clinic: ClinicFacts;
  /** The conversation's language. */
  locale: ChatLocale;
  now: Date;
  /** The state the conversation waits in: some readings only matter there. */
  asking: unknown;
}

/** Everything the dialogue can use of one message. */
export async function interpret(message: InboundMessage, at: Listening): Promise<Reading> {
  const { db, clinic, locale, now, asking } = at;
  if (message.payload) {
    const payload = parsePayload(message.payload);
    if (payload) return { intent: "unknown", payload };
    // An id we never issued: answered like an old button.
    return { intent: "unknown", payload: { step: "-1", action: "unknown", value: "" } };
  }
  const raw = typeof message.text === "string" ? message.text : "";
  if (raw.length > MAX_TEXT) return { intent: "unknown", garbled: "too_long" };
  // Control characters and lone surrogates come from broken clients, never from patients.
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point.
  const text = raw.replace(/[\u0000-\u0008\u000b-\u001f\u007f]|[\ud800-\udfff]/g, " ");
  const normalized = normalize(text);
  const intent = readIntent(normalized, { locale });
  if (intent.intent === "emergency") return { intent: "emergency", redFlag: intent.redFlag.category };
  const reading: Reading = { intent: intent.intent };
  if (intent.intent === "choice") reading.choiceIndex = intent.index;
  if (intent.intent === "change_language") reading.language = intent.language;
  if (asksForWaitlist(text)) reading.waitlist = true;
  if (normalized.tokens.length === 0 && intent.intent === "unknown") return { intent: "unknown", garbled: "empty" };

  // Phrase matching is most of a message's CPU: a bare "1", "oui" or "non" names no specialty,
  // and names and birth dates are read only where they are asked for.
  const short = normalized.tokens.length <= 2 && ["choice", "affirm", "deny", "thanks"].includes(intent.intent);
  if (!short) {
    const when = readWhen(text, { locale, timeZone: clinic.timeZone, now });
    if (when?.kind === "ambiguous") reading.ambiguousWhen = when.options.map((o) => whenJson(o.preference));
    else if (when) reading.when = whenJson(when);
    const [best] = await suggestSpecialtiesFor(db, clinic.id, text);
    if (best) {
      reading.specialtyId = best.specialty.id;
      reading.specialtyName = { fr: best.specialty.nameFr, en: best.specialty.nameEn };
    }
    if (saysNoPreference(text)) reading.anyDoctor = true;
    if (asking !== "askName" && asking !== "askBirthDate") {
      const active = (await clinicDoctors(db, clinic.id)).filter((d) => d.active);
      const named = readDoctor(normalized, active, { bare: asking === "pickDoctor" });
      const picks = (ids: string[]) =>
        active.filter((d) => ids.includes(d.id)).map((d) => doctorPick(d, reading.specialtyId));
      if (named?.kind === "one") reading.doctor = picks([named.id])[0];
      else if (named?.kind === "several") reading.doctorOptions = picks(named.ids);
      else if (named?.kind === "unknown")
        reading.unknownDoctor = { said: named.name, known: active.slice(0, MAX_NAMED_DOCTORS).map((d) => d.name) };
      const mode = readConsultationMode(normalized);
      if (mode) reading.mode = mode;
    }
  }
  const fallback = fallbackSpecialty(clinic);
  if (fallback) reading.fallbackSpecialty = fallback;
  if (asking === "askName") {
    const name = readPersonName(text);
    if (name) reading.name = { firstName: name.firstName, lastName: name.lastName };
  }
  if (asking === "askBirthDate") {
    const birth = readBirthDate(text, { now, locale, timeZone: clinic.timeZone });
    if (birth.ok) reading.birthDate = birth.date;
  }
  return reading;
}
