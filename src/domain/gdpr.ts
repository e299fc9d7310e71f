import { inTransaction, type Database } from "../data/db.js";
import { recordAudit } from "./audit.js";
import { DomainError } from "./errors.js";
import type { DocumentStore } from "./documents.js";
import type { PatientAccess } from "./patients.js";
import { patientForPart } from "./records.js";

/*
 * A patient's rights over their data (GDPR articles 15, 17 and 20): a copy of everything the
 * clinic holds about them, and erasure. Erasure keeps what billing law requires: invoices,
 * their lines and payments stay, and so does the name they were made out to (invoices carry
 * no copy of it, so it stays on the patient row); everything else is deleted or blanked.
 */

export const EXPORT_FORMAT = "tabib.patient-export/1";

const person = { select: { title: true, firstName: true, lastName: true } } as const;

/** Everything held about one patient, as plain JSON-ready data. Admins only; audited. */
export async function exportPatient(db: Database, access: PatientAccess, patientId: string, now: Date) {
  const patient = await patientForPart(db, access, patientId, "gdpr", "read");
  const p = db.prisma;
  const [clinic, identities, appointments, notes, diagnoses, prescriptions, allergies, documents, invoices] =
    await Promise.all([
      p.clinic.findUniqueOrThrow({ where: { id: patient.clinicId }, select: { name: true, address: true } }),
      p.channelIdentity.findMany({ where: { patientId }, orderBy: { createdAt: "asc" } }),
      p.appointment.findMany({
        where: { patientId },
        include: {
          doctor: person,
          type: { select: { code: true, nameFr: true, nameEn: true } },
          events: { orderBy: { at: "asc" } },
        },
        orderBy: { startsAt: "asc" },
      }),
      p.clinicalNote.findMany({ where: { patientId }, include: { doctor: person }, orderBy: { createdAt: "asc" } }),
      p.diagnosis.findMany({ where: { patientId }, include: { doctor: person }, orderBy: { notedAt: "asc" } }),
      p.prescription.findMany({
        where: { patientId },
        include: { doctor: person, items: { orderBy: { position: "asc" } } },
        orderBy: { createdAt: "asc" },
      }),
      p.allergy.findMany({ where: { patientId }, orderBy: { recordedAt: "asc" } }),
      p.patientDocument.findMany({ where: { patientId }, orderBy: { createdAt: "asc" } }),
      p.invoice.findMany({
        where: { patientId },
        include: {
          lines: { orderBy: { position: "asc" } },
          payments: { orderBy: { receivedAt: "asc" } },
          insurer: { select: { name: true, code: true } },
        },
        orderBy: { createdAt: "asc" },
      }),
    ]);
  const [conversations, waitlist, emergencies, insurer] = await Promise.all([
    p.conversation.findMany({
      where: { patientId },
      select: {
        id: true,
        channel: true,
        locale: true,
        createdAt: true,
        lastActivityAt: true,
        handedToHuman: true,
        messages: { orderBy: { id: "asc" } },
      },
      orderBy: { createdAt: "asc" },
    }),
    p.waitlistEntry.findMany({ where: { patientId }, orderBy: { createdAt: "asc" } }),
    p.emergencyEvent.findMany({
      where: { patientId },
      select: { id: true, category: true, createdAt: true, acknowledgedAt: true, resolvedAt: true },
      orderBy: { createdAt: "asc" },
    }),
    patient.insurerId
      ? p.insurer.findUnique({ where: { id: patient.insurerId }, select: { name: true, code: true } })
      : null,
  ]);
  await recordAudit(db, {
    actor: access.actor,
    action: "patient.export",
    resourceType: "patient",
    resourceId: patientId,
    patientId,
    ip: access.ip,
  });
  return {
    format: EXPORT_FORMAT,
    exportedAt: now.toISOString(),
    controller: clinic,
    patient: {
      id: patient.id,
      firstName: patient.firstName,
      lastName: patient.lastName,
      birthDate: patient.birthDate?.toISOString().slice(0, 10) ?? null,
      phone: patient.phone,
      email: patient.email,
      preferredLocale: patient.preferredLocale,
      preferredChannel: patient.preferredChannel,
      consentAt: patient.consentAt,
      consentVersion: patient.consentVersion,
      insurer,
      insuranceNumber: patient.insuranceNumber,
      insuranceCoverageBp: patient.insuranceCoverageBp,
      createdAt: patient.createdAt,
      updatedAt: patient.updatedAt,
      erasedAt: patient.erasedAt,
    },
    channelIdentities: identities.map((i) => ({
      channel: i.channel,
      externalId: i.externalId,
      verified: i.verified,
      createdAt: i.createdAt,
    })),
    appointments: appointments.map((a) => ({
      id: a.id,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      status: a.status,
      reason: a.reason,
      sourceChannel: a.sourceChannel,
      doctor: a.doctor,
      type: a.type,
      createdAt: a.createdAt,
      events: a.events.map((e) => ({
        at: e.at,
        actorKind: e.actorKind,
        fromStatus: e.fromStatus,
        toStatus: e.toStatus,
        reason: e.reason,
        detail: e.detail,
      })),
    })),
    clinicalNotes: notes.map((n) => ({
      id: n.id,
      appointmentId: n.appointmentId,
      doctor: n.doctor,
      body: n.body,
      createdAt: n.createdAt,
      updatedAt: n.updatedAt,
    })),
    diagnoses: diagnoses.map((d) => ({
      id: d.id,
      code: d.code,
      label: d.label,
      doctor: d.doctor,
      notedAt: d.notedAt,
      resolvedAt: d.resolvedAt,
    })),
    prescriptions: prescriptions.map((rx) => ({
      id: rx.id,
      appointmentId: rx.appointmentId,
      doctor: rx.doctor,
      notes: rx.notes,
      createdAt: rx.createdAt,
      items: rx.items.map((i) => ({ drug: i.drug, dosage: i.dosage, instructions: i.instructions })),
    })),
    allergies: allergies.map((a) => ({
      substance: a.substance,
      reaction: a.reaction,
      severity: a.severity,
      recordedAt: a.recordedAt,
    })),
    documents: documents.map((d) => ({
      id: d.id,
      kind: d.kind,
      fileName: d.fileName,
      mimeType: d.mimeType,
      sizeBytes: d.sizeBytes,
      sha256: d.sha256,
      createdAt: d.createdAt,
    })),
    invoices: invoices.map((inv) => ({
      id: inv.id,
      number: inv.number,
      status: inv.status,
      currency: inv.currency,
      appointmentId: inv.appointmentId,
      insurer: inv.insurer,
      totalMinor: inv.totalMinor,
      insurerPartMinor: inv.insurerPartMinor,
      patientPartMinor: inv.patientPartMinor,
      issuedAt: inv.issuedAt,
      voidedAt: inv.voidedAt,
      lines: inv.lines.map((l) => ({
        description: l.description,
        quantity: l.quantity,
        unitPriceMinor: l.unitPriceMinor,
      })),
      payments: inv.payments.map((pay) => ({
        payer: pay.payer,
        method: pay.method,
        amountMinor: pay.amountMinor,
        receivedAt: pay.receivedAt,
        reference: pay.reference,
      })),
    })),
    conversations: conversations.map((c) => ({
      channel: c.channel,
      locale: c.locale,
      startedAt: c.createdAt,
      lastActivityAt: c.lastActivityAt,
      handedToHuman: c.handedToHuman,
      transcript: c.messages.map((m) => ({
        at: m.createdAt,
        direction: m.direction,
        author: m.author,
        text: m.text,
      })),
    })),
    waitlist: waitlist.map((w) => ({
      status: w.status,
      channel: w.channel,
      wantedBefore: w.wantedBefore,
      createdAt: w.createdAt,
    })),
    emergencies: emergencies.map((e) => ({
      category: e.category,
      createdAt: e.createdAt,
      acknowledgedAt: e.acknowledgedAt,
      resolvedAt: e.resolvedAt,
    })),
  };
}

export type PatientExport = Awaited<ReturnType<typeof exportPatient>>;

export interface ErasureReport {
  /** False when the record had already been erased: nothing more was done. */
  erased: boolean;
  /** True when invoices exist and the name they were made out to was kept. */
  nameKept: boolean;
  deleted: Record<string, number>;
}

/**
 * Erases (anonymizes) a patient on request. Refused while the patient still has upcoming
 * appointments: those are cancelled first, through the booking rules and the patient's channel.
 * Clinical data, documents (rows and files), channel identities, conversations and waitlist
 * entries are deleted; contact details, birth date, insurance and free-text reasons blanked.
 * Invoices stay untouched. Admins only; audited.
 */
export async function erasePatient(
  db: Database,
  store: DocumentStore,
  access: PatientAccess,
  patientId: string,
  now: Date,
): Promise<ErasureReport> {
  const patient = await patientForPart(db, access, patientId, "gdpr", "read");
  if (patient.erasedAt) return { erased: false, nameKept: false, deleted: {} };
  const result = await inTransaction(db, async (unit) => {
    const tx = unit.sql;
    const locked = await tx.query<{ erased_at: Date | null }>(
      `SELECT erased_at FROM patient WHERE id = $1::uuid FOR UPDATE`,
      [patientId],
    );
    if (locked[0]?.erased_at) return null;
    const upcoming = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM appointment
        WHERE patient_id = $1::uuid AND status IN ('requested', 'confirmed') AND ends_at > $2`,
      [patientId, now],
    );
    const pending = upcoming[0]?.n ?? 0;
    if (pending > 0)
      throw new DomainError("conflict", "Cancel the patient's upcoming appointments before erasing the record", {
        upcoming: pending,
      });
    const keys = await tx.query<{ storage_key: string }>(
      `SELECT storage_key FROM patient_document WHERE patient_id = $1::uuid`,
      [patientId],
    );
    const deleted: Record<string, number> = {};
    for (const table of [
      "clinical_note",
      "diagnosis",
      "prescription",
      "allergy",
      "patient_document",
      "channel_identity",
      "conversation",
      "waitlist_entry",
    ]) {
      const rows = await tx.query(`DELETE FROM ${table} WHERE patient_id = $1::uuid RETURNING 1`, [patientId]);
      deleted[table] = rows.length;
    }
    // Emergencies stay counted for the clinic, without the person or staff's words about them.
    await tx.query(`UPDATE emergency_event SET patient_id = NULL, note = NULL WHERE patient_id = $1::uuid`, [
      patientId,
    ]);
    // Appointments stay (invoices and the doctors' history point at them), without the patient's words.
    await tx.query(`UPDATE appointment SET reason = NULL WHERE patient_id = $1::uuid`, [patientId]);
    await tx.query(
      `UPDATE appointment_event SET reason = NULL
        WHERE appointment_id IN (SELECT id FROM appointment WHERE patient_id = $1::uuid)`,
      [patientId],
    );
    const invoices = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM invoice WHERE patient_id = $1::uuid`,
      [patientId],
    );
    const nameKept = (invoices[0]?.n ?? 0) > 0;
    await tx.query(
      `UPDATE patient SET
          first_name = CASE WHEN $3 THEN first_name ELSE '' END,
          last_name = CASE WHEN $3 THEN last_name ELSE 'Patient #' || left(id::text, 8) END,
          birth_date = NULL, phone = NULL, email = NULL, preferred_channel = NULL,
          consent_at = NULL, consent_version = NULL,
          insurer_id = NULL, insurance_number = NULL, insurance_coverage_bp = 0,
          erased_at = $2, updated_at = $2
        WHERE id = $1::uuid`,
      [patientId, now, nameKept],
    );
    await recordAudit(unit, {
      actor: access.actor,
      action: "patient.erase",
      resourceType: "patient",
      resourceId: patientId,
      patientId,
      ip: access.ip,
      detail: { deleted, nameKept },
    });
    return { keys: keys.map((k) => k.storage_key), deleted, nameKept };
  });
  if (!result) return { erased: false, nameKept: false, deleted: {} };
  // Files go once the rows are gone for good; a file left by a crash here is unreachable.
  for (const key of result.keys) await store.remove(key);
  return { erased: true, nameKept: result.nameKept, deleted: result.deleted };
}
