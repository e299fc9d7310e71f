import type { Database } from "../data/db.js";
import type { AppointmentType, Clinic, Specialty } from "../data/generated/client.js";
import { forgetClinicFacts } from "./recent-facts.js";
import { recordAudit } from "./audit.js";
import {
  createAppointmentType,
  createSpecialty,
  getClinic,
  isIanaTimeZone,
  updateAppointmentType,
  updateSpecialty,
  type AppointmentTypeFields,
  type SpecialtyFields,
} from "./directory.js";
import { DomainError, invalid } from "./errors.js";
import { followSettingsChange } from "./follow-up.js";
import type { StaffActor } from "./staff.js";

/*
 * What an admin changes about the clinic: its settings, its specialties with the symptom
 * keywords triage reads, its appointment types and prices. Every change is audited with the
 * names of the fields it touched.
 */

export interface ClinicSettings {
  name: string;
  address: string;
  phone: string;
  emergencyPhone: string;
  nationalEmergencyNumber: string;
  timeZone: string;
  defaultLocale: "fr" | "en";
  cancellationCutoffHours: number;
  minBookingNoticeMinutes: number;
  bookingMode: "instant" | "approval";
  slotStepMinutes: number;
  /** Minutes before the start; the largest asks the patient to confirm. */
  reminderOffsetsMinutes: number[];
  quietHoursStartMinute: number;
  quietHoursEndMinute: number;
  confirmationDeadlineHours: number;
  emergencyAckMinutes: number;
  /** Local minute of the day doctors get their agenda; null for none. */
  agendaMinute: number | null;
  waitlistHoldMinutes: number;
  teleconsultationUrl: string | null;
}

export const SLOT_STEPS = [5, 10, 15, 20, 30, 60] as const;
const MAX_REMINDERS = 4;

function whole(field: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw invalid(field, `a whole number from ${min} to ${max}`);
}

function words(field: string, v: string, max: number): void {
  if (!v.trim()) throw invalid(field, "is required");
  if (v.length > max) throw invalid(field, `at most ${max} characters`);
}

const PHONE = /^\+?[0-9][0-9 .-]{1,19}$/;

/** Throws the first rule a full settings set breaks. */
export function checkClinicSettings(s: ClinicSettings): void {
  words("name", s.name, 200);
  words("address", s.address, 300);
  for (const f of ["phone", "emergencyPhone", "nationalEmergencyNumber"] as const)
    if (!PHONE.test(s[f].trim())) throw invalid(f, "a phone number");
  if (!isIanaTimeZone(s.timeZone)) throw invalid("timeZone", "not an IANA time zone");
  if (s.defaultLocale !== "fr" && s.defaultLocale !== "en") throw invalid("defaultLocale", "fr or en");
  whole("cancellationCutoffHours", s.cancellationCutoffHours, 0, 168);
  whole("minBookingNoticeMinutes", s.minBookingNoticeMinutes, 0, 10_080);
  if (s.bookingMode !== "instant" && s.bookingMode !== "approval") throw invalid("bookingMode", "instant or approval");
  if (!(SLOT_STEPS as readonly number[]).includes(s.slotStepMinutes))
    throw invalid("slotStepMinutes", SLOT_STEPS.join(", "));
  if (s.reminderOffsetsMinutes.length > MAX_REMINDERS)
    throw invalid("reminderOffsetsMinutes", `at most ${MAX_REMINDERS}`);
  for (const m of s.reminderOffsetsMinutes) whole("reminderOffsetsMinutes", m, 10, 20_160);
  if (new Set(s.reminderOffsetsMinutes).size !== s.reminderOffsetsMinutes.length)
    throw invalid("reminderOffsetsMinutes", "each offset once");
  whole("quietHoursStartMinute", s.quietHoursStartMinute, 0, 1439);
  whole("quietHoursEndMinute", s.quietHoursEndMinute, 0, 1439);
  whole("confirmationDeadlineHours", s.confirmationDeadlineHours, 0, 168);
  // The confirmation is asked by the earliest reminder: its deadline must come after it.
  const earliest = Math.max(0, ...s.reminderOffsetsMinutes);
  if (earliest > 0 && s.confirmationDeadlineHours * 60 >= earliest)
    throw invalid("confirmationDeadlineHours", "must fall after the earliest reminder");
  whole("emergencyAckMinutes", s.emergencyAckMinutes, 1, 60);
  if (s.agendaMinute !== null) whole("agendaMinute", s.agendaMinute, 0, 1439);
  whole("waitlistHoldMinutes", s.waitlistHoldMinutes, 1, 1440);
  if (s.teleconsultationUrl !== null) {
    let url: URL | null = null;
    try {
      url = new URL(s.teleconsultationUrl);
    } catch {
      // reported below
    }
    if (!url || url.protocol !== "https:") throw invalid("teleconsultationUrl", "an https:// address");
  }
}

export const settingsOf = (c: Clinic): ClinicSettings => ({
  name: c.name,
  address: c.address,
  phone: c.phone,
  emergencyPhone: c.emergencyPhone,
  nationalEmergencyNumber: c.nationalEmergencyNumber,
  timeZone: c.timeZone,
  defaultLocale: c.defaultLocale,
  cancellationCutoffHours: c.cancellationCutoffHours,
  minBookingNoticeMinutes: c.minBookingNoticeMinutes,
  bookingMode: c.bookingMode,
  slotStepMinutes: c.slotStepMinutes,
  reminderOffsetsMinutes: c.reminderOffsetsMinutes,
  quietHoursStartMinute: c.quietHoursStartMinute,
  quietHoursEndMinute: c.quietHoursEndMinute,
  confirmationDeadlineHours: c.confirmationDeadlineHours,
  emergencyAckMinutes: c.emergencyAckMinutes,
  agendaMinute: c.agendaMinute,
  waitlistHoldMinutes: c.waitlistHoldMinutes,
  teleconsultationUrl: c.teleconsultationUrl,
});

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The settings reminders are planned with: changing one re-plans the reminders still to send. */
const REMINDER_PLANNING: readonly (keyof ClinicSettings)[] = [
  "reminderOffsetsMinutes",
  "quietHoursStartMinute",
  "quietHoursEndMinute",
  "timeZone",
];

/**
 * Saves the whole settings set (admins). Returns the clinic and the names of the fields that
 * changed. A change to reminder offsets, quiet hours or the time zone re-plans the unsent
 * reminders of upcoming appointments.
 */
export async function saveClinicSettings(
  db: Database,
  actor: StaffActor,
  clinicId: string,
  input: ClinicSettings,
  ip?: string | null,
  now: Date = new Date(),
): Promise<{ clinic: Clinic; changed: string[] }> {
  if (actor.role !== "admin") throw new DomainError("forbidden", "Only admins change clinic settings");
  const s: ClinicSettings = {
    ...input,
    name: input.name.trim(),
    address: input.address.trim(),
    phone: input.phone.trim(),
    emergencyPhone: input.emergencyPhone.trim(),
    nationalEmergencyNumber: input.nationalEmergencyNumber.trim(),
    reminderOffsetsMinutes: [...input.reminderOffsetsMinutes].sort((a, b) => b - a),
    teleconsultationUrl: input.teleconsultationUrl?.trim() || null,
  };
  checkClinicSettings(s);
  const before = settingsOf(await getClinic(db, clinicId));
  const changed = (Object.keys(s) as (keyof ClinicSettings)[]).filter((k) => !same(before[k], s[k])).sort();
  if (changed.length === 0) return { clinic: await getClinic(db, clinicId), changed };
  const clinic = await db.prisma.clinic.update({ where: { id: clinicId }, data: s });
  forgetClinicFacts();
  await recordAudit(db, {
    actor,
    action: "clinic.update",
    resourceType: "clinic",
    resourceId: clinicId,
    ip,
    detail: { fields: changed },
  });
  if (changed.some((k) => REMINDER_PLANNING.includes(k))) await followSettingsChange(db, clinicId, now);
  return { clinic, changed };
}

/**
 * Whether the bot books at once or asks the front desk first: a daily decision of the front desk
 * (a doctor away, a full week), so secretaries may switch it as well as admins. Audited.
 */
export async function setBookingMode(
  db: Database,
  actor: StaffActor,
  clinicId: string,
  mode: ClinicSettings["bookingMode"],
  ip?: string | null,
): Promise<void> {
  if (actor.role === "doctor") throw new DomainError("forbidden", "The front desk decides how the bot books");
  if (mode !== "instant" && mode !== "approval") throw invalid("bookingMode", "instant or approval");
  const changed = await db.sql.query(
    `UPDATE clinic SET booking_mode = $2::"BookingMode", updated_at = now()
      WHERE id = $1::uuid AND booking_mode <> $2::"BookingMode" RETURNING 1`,
    [clinicId, mode],
  );
  if (changed.length === 0) return;
  forgetClinicFacts();
  await recordAudit(db, {
    actor,
    action: "clinic.update",
    resourceType: "clinic",
    resourceId: clinicId,
    ip,
    detail: { fields: ["bookingMode"] },
  });
}

/** "fièvre, toux\nmal de gorge" → ["fièvre", "toux", "mal de gorge"]: trimmed, lower-case, each once. */
export function parseKeywords(text: string): string[] {
  const seen = new Set<string>();
  for (const raw of text.split(/[,;\n]/)) {
    const k = raw.trim().toLowerCase().replace(/\s+/g, " ");
    if (k && k.length <= 80) seen.add(k);
  }
  return [...seen].slice(0, 200);
}

const CODE = /^[a-z0-9][a-z0-9_-]{0,39}$/;

function checkNames(f: { code: string; nameFr: string; nameEn: string }): void {
  if (!CODE.test(f.code)) throw invalid("code", "lower-case letters, digits, - and _ (up to 40)");
  words("nameFr", f.nameFr, 120);
  words("nameEn", f.nameEn, 120);
}

/** Creates (id null) or changes a specialty; admins only, audited. */
export async function saveSpecialty(
  db: Database,
  actor: StaffActor,
  clinicId: string,
  id: string | null,
  fields: SpecialtyFields,
  ip?: string | null,
): Promise<Specialty> {
  if (actor.role !== "admin") throw new DomainError("forbidden", "Only admins change specialties");
  checkNames(fields);
  const saved = id ? await updateSpecialty(db, clinicId, id, fields) : await createSpecialty(db, clinicId, fields);
  await recordAudit(db, {
    actor,
    action: id ? "specialty.update" : "specialty.create",
    resourceType: "specialty",
    resourceId: saved.id,
    ip,
  });
  return saved;
}

/** Creates (id null) or changes an appointment type and its price; admins only, audited. */
export async function saveAppointmentType(
  db: Database,
  actor: StaffActor,
  clinicId: string,
  id: string | null,
  fields: AppointmentTypeFields,
  ip?: string | null,
): Promise<AppointmentType> {
  if (actor.role !== "admin") throw new DomainError("forbidden", "Only admins change appointment types");
  checkNames(fields);
  whole("durationMinutes", fields.durationMinutes, 5, 480);
  whole("priceMinor", fields.priceMinor, 0, 100_000_000);
  const saved = id
    ? await updateAppointmentType(db, clinicId, id, fields)
    : await createAppointmentType(db, clinicId, fields);
  await recordAudit(db, {
    actor,
    action: id ? "appointment_type.update" : "appointment_type.create",
    resourceType: "appointment_type",
    resourceId: saved.id,
    ip,
  });
  return saved;
}
