import type { Database } from "../db.js";
import { planDemoHistory, type DemoClinicFacts, type DemoHistory } from "./history.js";
import { writeDemoHistory } from "./write.js";

/** The seed the demo clinic's history is drawn with unless one is given. */
export const DEMO_SEED = 20261122;

/** What the planner needs of the clinic the base seed created, read back from the database. */
export async function readDemoClinicFacts(db: Database, clinicId: string): Promise<DemoClinicFacts> {
  const [clinic] = await db.sql.query<{
    time_zone: string;
    slot_step_minutes: number;
    min_booking_notice_minutes: number;
    cancellation_cutoff_hours: number;
    reminder_offsets_minutes: number[];
    quiet_hours_start_minute: number;
    quiet_hours_end_minute: number;
    waitlist_hold_minutes: number;
    currency: string;
    default_locale: "fr" | "en";
  }>(
    `SELECT time_zone, slot_step_minutes, min_booking_notice_minutes, cancellation_cutoff_hours, reminder_offsets_minutes,
            quiet_hours_start_minute, quiet_hours_end_minute, waitlist_hold_minutes, currency, default_locale
       FROM clinic WHERE id = $1::uuid`,
    [clinicId],
  );
  if (!clinic) throw new Error(`No clinic ${clinicId} to give a history to`);
  const doctors = await db.sql.query<{
    id: string;
    last_name: string;
    specialties: string[] | null;
    hours: { weekday: number; startMinute: number; endMinute: number }[] | null;
  }>(
    `SELECT d.id, d.last_name,
            (SELECT array_agg(s.code ORDER BY s.code) FROM doctor_specialty ds JOIN specialty s ON s.id = ds.specialty_id
              WHERE ds.doctor_id = d.id) AS specialties,
            (SELECT json_agg(json_build_object('weekday', w.weekday, 'startMinute', w.start_minute, 'endMinute', w.end_minute)
                             ORDER BY w.weekday, w.start_minute)
               FROM working_hours w WHERE w.doctor_id = d.id) AS hours
       FROM doctor d WHERE d.clinic_id = $1::uuid AND d.active ORDER BY d.created_at, d.last_name, d.id`,
    [clinicId],
  );
  const types = await db.sql.query<{
    id: string;
    code: string;
    name_fr: string;
    name_en: string;
    duration_minutes: number;
    price_minor: number;
    specialty_id: string | null;
    specialty: string | null;
  }>(
    `SELECT t.id, t.code, t.name_fr, t.name_en, t.duration_minutes, t.price_minor, t.specialty_id, s.code AS specialty
       FROM appointment_type t LEFT JOIN specialty s ON s.id = t.specialty_id
      WHERE t.clinic_id = $1::uuid AND t.active ORDER BY t.code`,
    [clinicId],
  );
  const staff = await db.sql.query<{ id: string; role: string; doctor_id: string | null }>(
    `SELECT id, role::text AS role, doctor_id FROM staff_user WHERE clinic_id = $1::uuid AND active ORDER BY created_at, email`,
    [clinicId],
  );
  const of = (role: string) => staff.find((s) => s.role === role);
  const admin = of("admin");
  const secretary = of("secretary");
  const doctorUser = staff.find((s) => s.role === "doctor" && s.doctor_id);
  if (!admin || !secretary || !doctorUser)
    throw new Error("The demo history needs an admin, a secretary and a doctor login");
  return {
    clinicId,
    timeZone: clinic.time_zone,
    slotStepMinutes: clinic.slot_step_minutes,
    minBookingNoticeMinutes: clinic.min_booking_notice_minutes,
    cancellationCutoffHours: clinic.cancellation_cutoff_hours,
    reminderOffsetsMinutes: clinic.reminder_offsets_minutes,
    quietHoursStartMinute: clinic.quiet_hours_start_minute,
    quietHoursEndMinute: clinic.quiet_hours_end_minute,
    waitlistHoldMinutes: clinic.waitlist_hold_minutes,
    currency: clinic.currency,
    defaultLocale: clinic.default_locale,
    doctors: doctors.map((d) => ({
      id: d.id,
      lastName: d.last_name,
      specialties: d.specialties ?? [],
      hours: d.hours ?? [],
    })),
    types: types.map((t) => ({
      id: t.id,
      code: t.code,
      nameFr: t.name_fr,
      nameEn: t.name_en,
      durationMinutes: t.duration_minutes,
      priceMinor: t.price_minor,
      specialtyId: t.specialty_id,
      specialty: t.specialty,
    })),
    staff: {
      adminId: admin.id,
      secretaryId: secretary.id,
      doctorUserId: doctorUser.id,
      doctorUserDoctorId: doctorUser.doctor_id!,
    },
  };
}

/**
 * Gives a freshly seeded clinic eight weeks of history and three weeks of bookings around
 * `now`, in one transaction: all of it, or nothing.
 */
export async function seedDemoHistory(
  db: Database,
  clinicId: string,
  opts: { now?: Date; seed?: number } = {},
): Promise<DemoHistory> {
  const history = planDemoHistory(await readDemoClinicFacts(db, clinicId), {
    now: opts.now ?? new Date(),
    seed: opts.seed ?? DEMO_SEED,
  });
  await db.sql.transaction((tx) => writeDemoHistory(tx, history));
  return history;
}
