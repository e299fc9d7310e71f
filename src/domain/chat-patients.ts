import { inTransaction, type Database } from "../data/db.js";
import { recordAudit } from "./audit.js";
import type { ChatChannel, ChatLocale } from "./channels.js";

/*
 * Patients who introduce themselves in the chat: their record, made when they book for the first
 * time, and the language they read.
 */

export interface ChatRegistration {
  clinicId: string;
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  locale: ChatLocale;
  /** The address they wrote from, which becomes theirs: the next message is from this patient. */
  channel: ChatChannel;
  senderId: string;
  consentAt: Date;
  /** The version of the consent wording they agreed to (see consentVersion in the chat's locales). */
  consentVersion: string;
}

/**
 * Registers a patient who gave their name, birth date and consent in the chat: the record, their
 * address on the channel and the audit entry, together. Returns the patient's id.
 */
export function registerChatPatient(db: Database, patient: ChatRegistration): Promise<string> {
  return inTransaction(db, async (tx) => {
    const [row] = await tx.sql.query<{ id: string }>(
      `WITH p AS (INSERT INTO patient (clinic_id, first_name, last_name, birth_date, preferred_locale, preferred_channel, consent_at, consent_version)
                  VALUES ($1::uuid, $2, $3, $4::date, $5::"Locale", $6::"Channel", $7, $8) RETURNING id),
            i AS (INSERT INTO channel_identity (patient_id, channel, external_id) SELECT id, $6::"Channel", $9 FROM p)
       SELECT id FROM p`,
      [
        patient.clinicId,
        patient.firstName,
        patient.lastName,
        patient.birthDate,
        patient.locale,
        patient.channel,
        patient.consentAt,
        patient.consentVersion,
        patient.senderId,
      ],
      { prepare: true },
    );
    const patientId = row!.id;
    await auditOwnRecord(tx, patientId, "patient.create", {
      channel: patient.channel,
      consentVersion: patient.consentVersion,
    });
    return patientId;
  });
}

/** A patient chose the language they read (the chat answers them in it, and so do reminders and notices). */
export function setPreferredLocale(db: Database, patientId: string, locale: ChatLocale): Promise<void> {
  return inTransaction(db, async (tx) => {
    await tx.sql.query(`UPDATE patient SET preferred_locale = $2::"Locale", updated_at = now() WHERE id = $1::uuid`, [
      patientId,
      locale,
    ]);
    await auditOwnRecord(tx, patientId, "patient.update", { fields: ["preferredLocale"] });
  });
}

/** The audit entry of a patient writing their own record from the chat. */
const auditOwnRecord = (db: Database, patientId: string, action: string, detail: Record<string, unknown>) =>
  recordAudit(db, {
    actor: { kind: "patient", patientId },
    action,
    resourceType: "patient",
    resourceId: patientId,
    patientId,
    detail,
  });
