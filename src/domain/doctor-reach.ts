import type { Database } from "../data/db.js";

/*
 * How doctors are reached in their chat app: Telegram (doctor.telegram_chat_id) or WhatsApp
 * (doctor.whatsapp_phone), whichever the service can send on, Telegram first.
 */

/** The doctor-facing channels a service has credentials for. */
export interface DoctorChannels {
  telegram: boolean;
  whatsapp: boolean;
}

/** A doctor with the address the service reaches them at. */
export interface ReachableDoctor {
  id: string;
  clinicId: string;
  name: string;
  locale: "fr" | "en";
  /** The clinic's zone, for the times the messages give. */
  timeZone: string;
  channel: "telegram" | "whatsapp";
  address: string;
}

export interface DoctorRow {
  id: string;
  clinic_id: string;
  name: string;
  languages: string[] | string | null;
  default_locale: string;
  time_zone: string;
  telegram_chat_id: string | null;
  whatsapp_phone: string | null;
}

/** SQL columns for a DoctorRow of doctor `d` joined with its clinic `c`. */
export const DOCTOR_COLUMNS = `d.id, d.clinic_id, doctor_name(d) AS name, d.languages::text[] AS languages,
  c.default_locale::text AS default_locale, c.time_zone, d.telegram_chat_id, d.whatsapp_phone`;

/** SQL condition: doctor `d` has an address on one of the channels given as $n (telegram) and $m (whatsapp). */
export const reachableSql = (telegram: string, whatsapp: string) =>
  `((${telegram}::boolean AND d.telegram_chat_id IS NOT NULL) OR (${whatsapp}::boolean AND d.whatsapp_phone IS NOT NULL))`;

// PGlite returns enum arrays as their text form ("{fr,en}"), pg as arrays.
function firstLanguage(languages: DoctorRow["languages"]): string | undefined {
  if (Array.isArray(languages)) return languages[0];
  return typeof languages === "string" ? languages.replace(/[{}]/g, "").split(",")[0] : undefined;
}

/** The doctor's address on the first channel available, or null. */
export function reach(row: DoctorRow, channels: DoctorChannels): ReachableDoctor | null {
  const channel =
    channels.telegram && row.telegram_chat_id
      ? "telegram"
      : channels.whatsapp && row.whatsapp_phone
        ? "whatsapp"
        : null;
  if (!channel) return null;
  const lang = firstLanguage(row.languages) ?? row.default_locale;
  return {
    id: row.id,
    clinicId: row.clinic_id,
    name: row.name,
    locale: lang === "en" ? "en" : "fr",
    timeZone: row.time_zone,
    channel,
    address: channel === "telegram" ? row.telegram_chat_id! : row.whatsapp_phone!,
  };
}

/** The active doctor writing from this chat address, if any (doctors' buttons are only honoured from their own chat). */
export async function doctorAt(
  db: Database,
  channel: "telegram" | "whatsapp",
  address: string,
): Promise<(ReachableDoctor & { staffUserId: string | null }) | null> {
  const [row] = await db.sql.query<DoctorRow & { staff_user_id: string | null }>(
    `SELECT ${DOCTOR_COLUMNS}, (SELECT u.id FROM staff_user u WHERE u.doctor_id = d.id AND u.active) AS staff_user_id
       FROM doctor d JOIN clinic c ON c.id = d.clinic_id
      WHERE d.active AND ${channel === "telegram" ? "d.telegram_chat_id" : "d.whatsapp_phone"} = $1
      ORDER BY d.created_at LIMIT 1`,
    [address],
  );
  if (!row) return null;
  const reached = reach(row, { telegram: channel === "telegram", whatsapp: channel === "whatsapp" });
  return reached ? { ...reached, staffUserId: row.staff_user_id } : null;
}
