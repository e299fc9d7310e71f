import type { Database } from "../data/db.js";
import type { ChatChannel } from "./channels.js";
import { recordAudit } from "./audit.js";

/** What happened when a channel proved it belongs to the owner of a phone number. */
export type PhoneLinkOutcome =
  /** The channel address now points at the clinic's patient with that phone. */
  | "linked"
  /** No patient had that phone; it was stored on the patient this address already belonged to. */
  | "phone_saved"
  /** No patient with that phone, and the address belongs to nobody yet: nothing to link. */
  | "no_patient"
  /** The address already belongs to another patient; staff must merge the two records. */
  | "conflict"
  /** Not a phone number we can read as E.164. */
  | "invalid_phone";

const E164 = /^\+[1-9]\d{6,14}$/;

/** Reads a provider's phone number ("33612345678", "+33 6 12 34 56 78") as E.164, or null. */
export function toE164(raw: string): string | null {
  const digits = raw.replace(/[\s().-]/g, "");
  const phone = digits.startsWith("+") ? digits : `+${digits.replace(/^00/, "")}`;
  return E164.test(phone) ? phone : null;
}

/**
 * Links a channel address (e.g. a Telegram chat) to the patient whose phone the provider has
 * verified, so one person reaching the clinic on several channels is one patient. Never moves
 * an address that already belongs to another patient, and never overwrites a stored phone.
 */
export async function linkVerifiedPhone(
  db: Database,
  input: {
    clinicId: string;
    channel: ChatChannel;
    externalId: string;
    phone: string;
    /** What proved the address is the phone's owner, for the audit log. Default "provider_contact". */
    verifiedBy?: "provider_contact" | "provider_sender" | "birth_date";
  },
): Promise<{ outcome: PhoneLinkOutcome; patientId?: string }> {
  const phone = toE164(input.phone);
  if (!phone) return { outcome: "invalid_phone" };
  const [owner] = await db.sql.query<{ id: string }>(
    `SELECT id FROM patient WHERE clinic_id = $1::uuid AND phone = $2 AND erased_at IS NULL`,
    [input.clinicId, phone],
  );
  const [identity] = await db.sql.query<{ patient_id: string; phone: string | null }>(
    `SELECT i.patient_id, p.phone FROM channel_identity i JOIN patient p ON p.id = i.patient_id
      WHERE i.channel = $1::"Channel" AND i.external_id = $2 AND p.clinic_id = $3::uuid AND p.erased_at IS NULL`,
    [input.channel, input.externalId, input.clinicId],
  );

  let outcome: PhoneLinkOutcome;
  let patientId: string | undefined;
  if (owner) {
    if (identity && identity.patient_id !== owner.id) return { outcome: "conflict", patientId: identity.patient_id };
    patientId = owner.id;
    await db.sql.query(
      `INSERT INTO channel_identity (patient_id, channel, external_id, verified) VALUES ($1::uuid, $2::"Channel", $3, true)
       ON CONFLICT (channel, external_id) DO UPDATE SET verified = true WHERE channel_identity.patient_id = $1::uuid`,
      [owner.id, input.channel, input.externalId],
    );
    outcome = "linked";
  } else if (identity && identity.phone === null) {
    patientId = identity.patient_id;
    await db.sql.query(`UPDATE patient SET phone = $2, updated_at = now() WHERE id = $1::uuid AND phone IS NULL`, [
      patientId,
      phone,
    ]);
    await db.sql.query(
      `UPDATE channel_identity SET verified = true WHERE channel = $1::"Channel" AND external_id = $2 AND patient_id = $3::uuid`,
      [input.channel, input.externalId, patientId],
    );
    outcome = "phone_saved";
  } else {
    return { outcome: "no_patient" };
  }

  // A conversation that started before the link is now the patient's too.
  await db.sql.query(
    `UPDATE conversation SET patient_id = $1::uuid WHERE clinic_id = $2::uuid AND channel = $3::"Channel" AND sender_id = $4 AND patient_id IS NULL`,
    [patientId, input.clinicId, input.channel, input.externalId],
  );
  await recordAudit(db, {
    actor: { kind: "patient", patientId },
    action: outcome === "linked" ? "channel_identity.link" : "patient.update",
    resourceType: outcome === "linked" ? "ChannelIdentity" : "Patient",
    resourceId: patientId,
    patientId,
    detail: {
      channel: input.channel,
      verifiedBy: input.verifiedBy ?? "provider_contact",
      fields: outcome === "phone_saved" ? ["phone"] : [],
    },
  });
  return { outcome, patientId };
}

/**
 * For WhatsApp, whose sender id is the phone number WhatsApp verified when the account was made
 * (and cannot be forged by the sender): links it to the patient with that phone the first time it
 * writes. Null when it was already linked. Not for SMS, whose caller ID can be forged: see
 * checkSmsSender (docs/decisions.md).
 */
export async function linkSenderPhoneOnce(
  db: Database,
  input: { clinicId: string; channel: "whatsapp"; phone: string },
): Promise<PhoneLinkOutcome | null> {
  // One round trip answers the common cases: already linked, or nobody to link it to.
  const [seen] = await db.sql.query<{ known: boolean; linkable: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM channel_identity WHERE channel = $1::"Channel" AND external_id = $2 AND verified) AS known,
            EXISTS (SELECT 1 FROM patient WHERE clinic_id = $3::uuid AND phone = $2 AND erased_at IS NULL)
         OR EXISTS (SELECT 1 FROM channel_identity i JOIN patient p ON p.id = i.patient_id
                     WHERE i.channel = $1::"Channel" AND i.external_id = $2 AND p.clinic_id = $3::uuid
                       AND p.phone IS NULL AND p.erased_at IS NULL) AS linkable`,
    [input.channel, input.phone, input.clinicId],
  );
  if (seen?.known) return null;
  if (!seen?.linkable) return toE164(input.phone) ? "no_patient" : "invalid_phone";
  const { outcome } = await linkVerifiedPhone(db, { ...input, externalId: input.phone, verifiedBy: "provider_sender" });
  return outcome;
}
