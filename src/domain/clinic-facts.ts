import type { Database } from "../data/db.js";
import type { ChatLocale } from "./channels.js";
import { RecentFacts } from "./recent-facts.js";

/*
 * The clinic as the chat reads it on every message: how to reach it, its specialties, doctors and
 * kinds of consultation. Kept by each process for a few seconds (see RecentFacts): staff edits
 * through src/domain forget them at once.
 */

export interface Bilingual {
  fr: string;
  en: string;
}

export interface ClinicFacts {
  id: string;
  address: string;
  phone: string;
  emergencyPhone: string;
  nationalEmergencyNumber: string;
  timeZone: string;
  defaultLocale: ChatLocale;
  /** The video room's link given with a teleconsultation, when the clinic has one. */
  teleconsultationUrl: string | null;
  cancellationCutoffHours: number;
  /** By code. */
  specialties: { id: string; code: string; name: Bilingual }[];
}

const clinics = new RecentFacts<ClinicFacts>();

export function clinicFacts(db: Database, clinicId: string): Promise<ClinicFacts> {
  return clinics.get(clinicId, async () => {
    const [row] = await db.sql.query<{
      id: string;
      address: string;
      phone: string;
      emergency_phone: string;
      national_emergency_number: string;
      time_zone: string;
      default_locale: ChatLocale;
      teleconsultation_url: string | null;
      cancellation_cutoff_hours: number;
      specialties: ClinicFacts["specialties"] | null;
    }>(
      `SELECT c.id, c.address, c.phone, c.emergency_phone, c.national_emergency_number, c.time_zone, c.default_locale,
              c.teleconsultation_url, c.cancellation_cutoff_hours,
              (SELECT json_agg(json_build_object('id', s.id, 'code', s.code, 'name', json_build_object('fr', s.name_fr, 'en', s.name_en)) ORDER BY s.code)
                 FROM specialty s WHERE s.clinic_id = c.id) AS specialties
         FROM clinic c WHERE c.id = $1::uuid`,
      [clinicId],
    );
    if (!row) throw new Error(`Clinic ${clinicId} not found`);
    return {
      id: row.id,
      address: row.address,
      phone: row.phone,
      emergencyPhone: row.emergency_phone,
      nationalEmergencyNumber: row.national_emergency_number,
      timeZone: row.time_zone,
      defaultLocale: row.default_locale,
      teleconsultationUrl: row.teleconsultation_url,
      cancellationCutoffHours: row.cancellation_cutoff_hours,
      specialties: row.specialties ?? [],
    };
  });
}

/** A doctor of the clinic: name parts for reading a message, the name the service writes, specialties by code. */
export interface ClinicDoctor {
  id: string;
  firstName: string;
  lastName: string;
  /** See doctorName. */
  name: string;
  active: boolean;
  specialties: { id: string; name: Bilingual }[];
}

const doctorsOf = new RecentFacts<ClinicDoctor[]>();

/** The clinic's doctors by last name, inactive ones too (their past appointments still name them). */
export function clinicDoctors(db: Database, clinicId: string): Promise<ClinicDoctor[]> {
  return doctorsOf.get(clinicId, () =>
    db.sql.query<ClinicDoctor>(
      `SELECT d.id, d.first_name AS "firstName", d.last_name AS "lastName", d.active, doctor_name(d) AS name,
              COALESCE((SELECT json_agg(json_build_object('id', s.id, 'name', json_build_object('fr', s.name_fr, 'en', s.name_en)) ORDER BY s.code)
                          FROM doctor_specialty ds JOIN specialty s ON s.id = ds.specialty_id WHERE ds.doctor_id = d.id), '[]') AS specialties
         FROM doctor d WHERE d.clinic_id = $1::uuid ORDER BY d.last_name, d.first_name`,
      [clinicId],
    ),
  );
}

export type ConsultationMode = "in_person" | "teleconsultation";

const typesFor = new RecentFacts<{ id: string; mode: ConsultationMode } | null>();
const typeModes = new RecentFacts<ConsultationMode | null>();

/**
 * The kind of appointment a specialty is booked as (any specialty's when none is given): the
 * mode asked for when the specialty offers it, else in person.
 */
export function appointmentTypeFor(
  db: Database,
  clinicId: string,
  specialtyId: string | undefined,
  mode: ConsultationMode = "in_person",
): Promise<{ id: string; mode: ConsultationMode } | null> {
  return typesFor.get(`${clinicId}|${specialtyId ?? ""}|${mode}`, async () => {
    const [row] = await db.sql.query<{ id: string; mode: ConsultationMode }>(
      `SELECT id, mode FROM appointment_type WHERE clinic_id = $1::uuid AND active AND ($2::uuid IS NULL OR specialty_id = $2::uuid)
        ORDER BY (mode = $3::"ConsultationMode") DESC, (mode = 'in_person') DESC, code LIMIT 1`,
      [clinicId, specialtyId ?? null, mode],
    );
    return row ?? null;
  });
}

/** How an appointment type is held: at the clinic or by video (null for a type that does not exist). */
export function consultationModeOf(db: Database, typeId: string): Promise<ConsultationMode | null> {
  return typeModes.get(typeId, async () => {
    const [type] = await db.sql.query<{ mode: ConsultationMode }>(
      `SELECT mode FROM appointment_type WHERE id = $1::uuid`,
      [typeId],
    );
    return type?.mode ?? null;
  });
}
