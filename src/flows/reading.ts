import type { Intent } from "../domain/language/intent.js";
import type { RedFlagCategory } from "../domain/language/red-flags.js";
import type { ChatLocale } from "./locales/index.js";

/** A wish about when to come, as JSON (instants as ISO strings) so it survives in a snapshot. */
export type When =
  | { kind: "exact" | "near"; at: string; past?: boolean }
  | { kind: "range"; from: string; to: string; partOfDay?: "morning" | "afternoon" | "evening"; past?: boolean }
  | { kind: "asap" };

/** A doctor as the dialogue needs one: who, as the chat names them, and the specialty to book them for. */
export interface DoctorPick {
  id: string;
  name: string;
  specialty: { id: string; name: { fr: string; en: string } } | null;
}

/** Everything the engine understood of one inbound message, before the machine decides what it means here. */
export interface Reading {
  /** What the message asks for, in the language layer's words (see domain/language/lexicon/intents.ts). */
  intent: Intent;
  /** Zero-based, for "choice". */
  choiceIndex?: number;
  /** For change_language. */
  language?: ChatLocale;
  /** For emergency: the red-flag category (never the patient's words). */
  redFlag?: RedFlagCategory;
  when?: When;
  /** "mardi" on a Tuesday: the readings to choose from, today first. */
  ambiguousWhen?: When[];
  specialtyId?: string;
  specialtyName?: { fr: string; en: string };
  /** A doctor of the clinic the patient named ("Dr Dubois"): whom to offer times with. */
  doctor?: DoctorPick;
  /** A name several of the clinic's doctors share ("Dr Martin"): the ones to ask about. */
  doctorOptions?: DoctorPick[];
  /** A name after a title that is none of the clinic's doctors ("Dr Smith"), and the doctors it has. */
  unknownDoctor?: { said: string; known: string[] };
  /** "En visio", "video consultation" → teleconsultation; "en personne", "in person" → in person. */
  mode?: "teleconsultation" | "in_person";
  /** "Any doctor", "peu importe", "no preference": the patient leaves the choice to the clinic. */
  anyDoctor?: boolean;
  /**
   * The specialty to use when the patient names none: the clinic's only specialty (always),
   * or general medicine (only when the patient has no preference).
   */
  fallbackSpecialty?: { id: string; name: { fr: string; en: string }; sole: boolean };
  name?: { firstName: string; lastName: string };
  /** YYYY-MM-DD, or why it could not be read. */
  birthDate?: string;
  /** A tapped button, split into the step it was offered at and what it means. */
  payload?: { step: string; action: string; value: string };
  /** Asks to be told when an earlier time frees up (the waiting list). */
  waitlist?: boolean;
  /** Nothing readable: empty, only symbols, or far too long. */
  garbled?: "empty" | "too_long";
}

/** A choice id: `<step>.<action>.<value>`; step "m" (menu) is valid at any time. */
export const payloadId = (step: number | "m", action: string, value: string | number = ""): string =>
  `${step}.${action}.${value}`;

export function parsePayload(id: string): Reading["payload"] {
  const m = /^(m|\d{1,9})\.([a-z_]{1,20})\.(.{0,64})$/.exec(id);
  return m ? { step: m[1]!, action: m[2]!, value: m[3]! } : undefined;
}

// Kept as data next to the reading, not in the machine: phrasings of "I leave it to you".
const NO_PREFERENCE = [
  /\bpeu (m')?importe\b/,
  /\bn'?importe (le|quel|quelle|qui)\b/,
  /\b(pas|sans|aucune) (de )?pr[eé]f[eé]rence\b/,
  /\bje (ne )?sais pas\b/,
  /\bcomme vous voulez\b/,
  /\bany (doctor|gp|one)\b/,
  /\banyone\b/,
  /\bwhoever\b/,
  /\bno preference\b/,
  /\b(doesn'?t|does not|don'?t) (matter|mind)\b/,
  /\bi (don'?t|do not) know\b/,
];

/** Whether the text leaves the choice of doctor or specialty to the clinic. */
export function saysNoPreference(text: string): boolean {
  const t = text.toLowerCase().replace(/[’`]/g, "'");
  return NO_PREFERENCE.some((re) => re.test(t));
}
