import type { Database } from "../data/db.js";
import { recordAudit } from "./audit.js";
import { linkVerifiedPhone } from "./identities.js";
import { readBirthDate } from "./language/names.js";

/** Wrong birth dates accepted per patient and day before SMS verification stops (the front desk links instead). */
export const SMS_VERIFY_MAX_FAILURES = 3;
const FAILURE_WINDOW_MS = 24 * 3600_000;
/** A question asked this recently is not asked again. */
const CHALLENGE_EVERY_MS = 30 * 24 * 3600_000;

/** What the SMS channel must do with a sender before the dialogue sees the message. */
export type SmsSenderCheck =
  /** The number is linked to its patient (proven earlier): carry on. */
  | { kind: "verified" }
  /** No patient to protect (no record with this number, or none with a birth date): carry on anonymously. */
  | { kind: "unknown" }
  /** A record has this number: ask the sender to prove it is theirs; carry on anonymously meanwhile. */
  | { kind: "challenge"; locale: "fr" | "en" }
  /** Already asked, and this message is not a birth date: carry on anonymously. */
  | { kind: "pending" }
  /** This message was the record's birth date: the number is now linked to the patient. */
  | { kind: "confirmed"; locale: "fr" | "en" }
  /** A birth date that is not the record's; `locked` once too many were tried. */
  | { kind: "refused"; locale: "fr" | "en"; locked: boolean }
  /** Too many wrong birth dates lately: carry on anonymously, no more checks until the window passes. */
  | { kind: "locked" }
  /** The right birth date, but this number already belongs to another record: staff must merge. */
  | { kind: "conflict"; locale: "fr" | "en" };

/**
 * Caller ID can be forged, so an SMS number alone does not open a patient's record (existing
 * appointments to list, cancel or move). The first SMS from a number that a record carries asks
 * for that patient's date of birth; the reply that gives it links the number, verified. Wrong
 * dates are counted per patient (SMS_VERIFY_MAX_FAILURES a day). The question reaches the real
 * owner of the number, who is thereby told someone wrote in their name.
 */
export async function checkSmsSender(
  db: Database,
  input: { clinicId: string; phone: string; text: string; now: Date },
): Promise<SmsSenderCheck> {
  // One round trip: is the number proven, and which record (if any) carries it.
  const [row] = await db.sql.query<{
    verified: boolean;
    id: string | null;
    birth_date: string | null;
    locale: "fr" | "en";
    time_zone: string;
  }>(
    `SELECT EXISTS (SELECT 1 FROM channel_identity i JOIN patient v ON v.id = i.patient_id
                     WHERE i.channel = 'sms' AND i.external_id = $2 AND i.verified
                       AND v.clinic_id = c.id AND v.erased_at IS NULL) AS verified,
            p.id, to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date, p.preferred_locale::text AS locale, c.time_zone
       FROM clinic c LEFT JOIN patient p ON p.clinic_id = c.id AND p.phone = $2 AND p.erased_at IS NULL
      WHERE c.id = $1::uuid`,
    [input.clinicId, input.phone],
  );
  if (row?.verified) return { kind: "verified" };
  const owner = row?.id ? { ...row, id: row.id } : null;
  if (!owner?.birth_date) return { kind: "unknown" };

  // Audit rows carry the database's clock, so the windows are measured on it too.
  const [history] = await db.sql.query<{ failures: string; challenged: boolean }>(
    `SELECT count(*) FILTER (WHERE action = 'sms_identity.failed' AND at > now() - $2 * interval '1 millisecond') AS failures,
            bool_or(action = 'sms_identity.challenge' AND at > now() - $3 * interval '1 millisecond') AS challenged
       FROM audit_log WHERE patient_id = $1::uuid AND action IN ('sms_identity.failed', 'sms_identity.challenge')`,
    [owner.id, FAILURE_WINDOW_MS, CHALLENGE_EVERY_MS],
  );
  const failures = Number(history?.failures ?? 0);
  if (failures >= SMS_VERIFY_MAX_FAILURES) return { kind: "locked" };
  const audit = (action: string) =>
    recordAudit(db, {
      actor: { kind: "system" },
      action,
      resourceType: "ChannelIdentity",
      patientId: owner.id,
      detail: { channel: "sms" },
    });

  // Day first or month first: "03/12/1985" is read both ways, one attempt all the same.
  const readings = (["fr", "en"] as const)
    .map((locale) => readBirthDate(input.text, { now: input.now, locale, timeZone: owner.time_zone }))
    .flatMap((r) => (r.ok ? [r.date] : []));
  if (readings.length > 0) {
    if (!readings.includes(owner.birth_date)) {
      await audit("sms_identity.failed");
      return { kind: "refused", locale: owner.locale, locked: failures + 1 >= SMS_VERIFY_MAX_FAILURES };
    }
    const { outcome } = await linkVerifiedPhone(db, {
      clinicId: input.clinicId,
      channel: "sms",
      externalId: input.phone,
      phone: input.phone,
      verifiedBy: "birth_date",
    });
    return outcome === "linked"
      ? { kind: "confirmed", locale: owner.locale }
      : { kind: "conflict", locale: owner.locale };
  }
  if (history?.challenged) return { kind: "pending" };
  await audit("sms_identity.challenge");
  return { kind: "challenge", locale: owner.locale };
}
