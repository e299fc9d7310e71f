import type { Sql } from "../db.js";
import type { DemoHistory } from "./history.js";

/*
 * Stores a planned history with one INSERT … SELECT FROM unnest(…) per table: a few dozen
 * statements for thousands of rows, which is what keeps a first start quick on the embedded
 * database. Every value travels as text and is cast in SQL, so no array of one of our own
 * enum types is bound (see docs on PGlite and types created by the migrations).
 */

type Value = string | number | boolean | null | undefined;
/** Column name and the SQL type its text is cast to. */
type Column = readonly [name: string, type: string];

const time = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

async function insert(tx: Sql, table: string, columns: readonly Column[], rows: readonly Value[][]): Promise<void> {
  if (rows.length === 0) return;
  const params = columns.map((_, i) => rows.map((r) => (r[i] === null || r[i] === undefined ? null : String(r[i]))));
  const names = columns.map(([name]) => name);
  await tx.query(
    `INSERT INTO ${table} (${names.join(", ")})
     SELECT ${columns.map(([name, type]) => `u.${name}::${type}`).join(", ")}
       FROM unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(", ")}) AS u(${names.join(", ")})`,
    params,
    { prepare: false },
  );
}

export async function writeDemoHistory(tx: Sql, h: DemoHistory): Promise<void> {
  const clinicId = h.clinicId;
  const opened = time(h.openedAt);
  await tx.query(`UPDATE clinic SET created_at = $2::timestamptz, updated_at = $3::timestamptz WHERE id = $1::uuid`, [
    clinicId,
    opened,
    time(h.instantSince),
  ]);
  await tx.query(`UPDATE doctor SET created_at = $2::timestamptz WHERE clinic_id = $1::uuid`, [clinicId, opened]);
  await tx.query(`UPDATE staff_user SET created_at = $2::timestamptz WHERE clinic_id = $1::uuid`, [clinicId, opened]);

  await insert(
    tx,
    "insurer",
    [
      ["id", "uuid"],
      ["clinic_id", "uuid"],
      ["name", "text"],
      ["code", "text"],
    ],
    h.insurers.map((i) => [i.id, clinicId, i.name, i.code]),
  );
  await insert(
    tx,
    "patient",
    [
      ["id", "uuid"],
      ["clinic_id", "uuid"],
      ["first_name", "text"],
      ["last_name", "text"],
      ["birth_date", "date"],
      ["phone", "text"],
      ["email", "text"],
      ["preferred_locale", '"Locale"'],
      ["preferred_channel", '"Channel"'],
      ["consent_at", "timestamptz"],
      ["consent_version", "text"],
      ["insurer_id", "uuid"],
      ["insurance_number", "text"],
      ["insurance_coverage_bp", "int"],
      ["created_at", "timestamptz"],
      ["updated_at", "timestamptz"],
    ],
    h.patients.map((p) => [
      p.id,
      clinicId,
      p.firstName,
      p.lastName,
      p.birthDate,
      p.phone,
      p.email,
      p.locale,
      p.preferredChannel,
      time(p.consentAt),
      p.consentVersion,
      p.insurerId,
      p.insuranceNumber,
      p.insuranceCoverageBp,
      time(p.createdAt),
      time(p.updatedAt),
    ]),
  );
  await insert(
    tx,
    "channel_identity",
    [
      ["patient_id", "uuid"],
      ["channel", '"Channel"'],
      ["external_id", "text"],
      ["verified", "boolean"],
      ["created_at", "timestamptz"],
    ],
    h.identities.map((i) => [i.patientId, i.channel, i.externalId, i.verified, time(i.createdAt)]),
  );
  await insert(
    tx,
    "schedule_exception",
    [
      ["id", "uuid"],
      ["clinic_id", "uuid"],
      ["doctor_id", "uuid"],
      ["kind", '"ExceptionKind"'],
      ["starts_at", "timestamptz"],
      ["ends_at", "timestamptz"],
      ["reason", "text"],
    ],
    h.exceptions.map((e) => [e.id, clinicId, e.doctorId, e.kind, time(e.startsAt), time(e.endsAt), e.reason]),
  );
  await insert(
    tx,
    "appointment",
    [
      ["id", "uuid"],
      ["clinic_id", "uuid"],
      ["doctor_id", "uuid"],
      ["patient_id", "uuid"],
      ["type_id", "uuid"],
      ["starts_at", "timestamptz"],
      ["ends_at", "timestamptz"],
      ["status", '"AppointmentStatus"'],
      ["reason", "text"],
      ["source_channel", '"Channel"'],
      ["idempotency_key", "text"],
      ["created_at", "timestamptz"],
      ["updated_at", "timestamptz"],
    ],
    h.appointments.map((a) => [
      a.id,
      clinicId,
      a.doctorId,
      a.patientId,
      a.typeId,
      time(a.startsAt),
      time(a.endsAt),
      a.status,
      a.reason,
      a.sourceChannel,
      a.idempotencyKey,
      time(a.createdAt),
      time(a.updatedAt),
    ]),
  );
  await insert(
    tx,
    "appointment_event",
    [
      ["appointment_id", "uuid"],
      ["at", "timestamptz"],
      ["actor_kind", '"ActorKind"'],
      ["actor_id", "text"],
      ["from_status", '"AppointmentStatus"'],
      ["to_status", '"AppointmentStatus"'],
      ["reason", "text"],
      ["detail", "jsonb"],
    ],
    h.events
      .sort((a, b) => a.at - b.at)
      .map((e) => [
        e.appointmentId,
        time(e.at),
        e.actorKind,
        e.actorId,
        e.fromStatus,
        e.toStatus,
        e.reason,
        e.detail ? JSON.stringify(e.detail) : null,
      ]),
  );
  await insert(
    tx,
    "reminder",
    [
      ["appointment_id", "uuid"],
      ["offset_minutes", "int"],
      ["kind", '"ReminderKind"'],
      ["due_at", "timestamptz"],
      ["send_at", "timestamptz"],
      ["status", '"ReminderStatus"'],
      ["channel", '"Channel"'],
      ["sent_at", "timestamptz"],
      ["attempts", "int"],
      ["last_error", "text"],
      ["created_at", "timestamptz"],
    ],
    h.reminders.map((r) => [
      r.appointmentId,
      r.offsetMinutes,
      r.kind,
      time(r.dueAt),
      time(r.sendAt),
      r.status,
      r.channel,
      time(r.sentAt),
      r.attempts,
      r.lastError,
      time(r.createdAt),
    ]),
  );
  await insert(
    tx,
    "notice",
    [
      ["appointment_id", "uuid"],
      ["kind", "text"],
      ["medium", "text"],
      ["dedupe_key", "text"],
      ["status", "text"],
      ["sent_at", "timestamptz"],
      ["created_at", "timestamptz"],
    ],
    h.notices.map((n) => [n.appointmentId, n.kind, n.medium, n.dedupeKey, n.status, time(n.sentAt), time(n.createdAt)]),
  );
  await insert(
    tx,
    "invoice",
    [
      ["id", "uuid"],
      ["clinic_id", "uuid"],
      ["patient_id", "uuid"],
      ["appointment_id", "uuid"],
      ["number", "text"],
      ["status", '"InvoiceStatus"'],
      ["currency", "char(3)"],
      ["insurer_id", "uuid"],
      ["insurer_share_bp", "int"],
      ["total_minor", "int"],
      ["insurer_part_minor", "int"],
      ["patient_part_minor", "int"],
      ["issued_at", "timestamptz"],
      ["voided_at", "timestamptz"],
      ["void_reason", "text"],
      ["created_at", "timestamptz"],
      ["updated_at", "timestamptz"],
    ],
    h.invoices.map((i) => [
      i.id,
      clinicId,
      i.patientId,
      i.appointmentId,
      i.number,
      i.status,
      h.currency,
      i.insurerId,
      i.insurerShareBp,
      i.totalMinor,
      i.insurerPartMinor,
      i.patientPartMinor,
      time(i.issuedAt),
      time(i.voidedAt),
      i.voidReason,
      time(i.createdAt),
      time(i.updatedAt),
    ]),
  );
  await insert(
    tx,
    "invoice_line",
    [
      ["invoice_id", "uuid"],
      ["position", "int"],
      ["description", "text"],
      ["quantity", "int"],
      ["unit_price_minor", "int"],
    ],
    h.invoices.flatMap((i) => i.lines.map((l) => [i.id, l.position, l.description, l.quantity, l.unitPriceMinor])),
  );
  await insert(
    tx,
    "payment",
    [
      ["id", "uuid"],
      ["invoice_id", "uuid"],
      ["payer", '"Payer"'],
      ["method", '"PaymentMethod"'],
      ["amount_minor", "int"],
      ["received_at", "timestamptz"],
      ["reference", "text"],
      ["recorded_by", "uuid"],
    ],
    h.invoices.flatMap((i) =>
      i.payments.map((p) => [
        p.id,
        i.id,
        p.payer,
        p.method,
        p.amountMinor,
        time(p.receivedAt),
        p.reference,
        h.staff.secretaryId,
      ]),
    ),
  );
  await insert(
    tx,
    "waitlist_entry",
    [
      ["id", "uuid"],
      ["clinic_id", "uuid"],
      ["patient_id", "uuid"],
      ["specialty_id", "uuid"],
      ["doctor_id", "uuid"],
      ["type_id", "uuid"],
      ["appointment_id", "uuid"],
      ["wanted_before", "timestamptz"],
      ["channel", '"Channel"'],
      ["status", '"WaitlistStatus"'],
      ["created_at", "timestamptz"],
    ],
    h.waitlistEntries.map((e) => [
      e.id,
      clinicId,
      e.patientId,
      e.specialtyId,
      e.doctorId,
      e.typeId,
      e.appointmentId,
      time(e.wantedBefore),
      e.channel,
      e.status,
      time(e.createdAt),
    ]),
  );
  await insert(
    tx,
    "waitlist_offer",
    [
      ["id", "uuid"],
      ["entry_id", "uuid"],
      ["doctor_id", "uuid"],
      ["type_id", "uuid"],
      ["starts_at", "timestamptz"],
      ["ends_at", "timestamptz"],
      ["expires_at", "timestamptz"],
      ["status", "text"],
      ["created_at", "timestamptz"],
      ["channel", '"Channel"'],
      ["chat_id", "text"],
      ["sent_at", "timestamptz"],
      ["attempts", "int"],
    ],
    h.waitlistOffers.map((o) => [
      o.id,
      o.entryId,
      o.doctorId,
      o.typeId,
      time(o.startsAt),
      time(o.endsAt),
      time(o.expiresAt),
      o.status,
      time(o.createdAt),
      o.channel,
      o.chatId,
      time(o.sentAt),
      1,
    ]),
  );

  const c = h.conversation;
  await insert(
    tx,
    "conversation",
    [
      ["id", "uuid"],
      ["clinic_id", "uuid"],
      ["channel", '"Channel"'],
      ["sender_id", "text"],
      ["patient_id", "uuid"],
      ["locale", '"Locale"'],
      ["snapshot", "jsonb"],
      ["status", "text"],
      ["last_activity_at", "timestamptz"],
      ["handed_to_human", "boolean"],
      ["created_at", "timestamptz"],
      ["updated_at", "timestamptz"],
    ],
    [
      [
        c.id,
        clinicId,
        c.channel,
        c.senderId,
        c.patientId,
        c.locale,
        JSON.stringify(c.snapshot),
        "idle",
        time(c.lastActivityAt),
        true,
        time(c.createdAt),
        time(c.lastActivityAt),
      ],
    ],
  );
  await insert(
    tx,
    "conversation_message",
    [
      ["conversation_id", "uuid"],
      ["direction", "text"],
      ["author", "text"],
      ["text", "text"],
      ["created_at", "timestamptz"],
    ],
    c.messages.map((m) => [c.id, m.direction, m.author, m.text, time(m.at)]),
  );
  await insert(
    tx,
    "processed_message",
    [
      ["channel", '"Channel"'],
      ["provider_message_id", "text"],
      ["conversation_id", "uuid"],
      ["replies", "jsonb"],
      ["processed_at", "timestamptz"],
    ],
    c.processed.map((p) => [c.channel, p.providerMessageId, c.id, JSON.stringify(p.replies), time(p.at)]),
  );

  const e = h.emergency;
  await insert(
    tx,
    "emergency_event",
    [
      ["id", "uuid"],
      ["clinic_id", "uuid"],
      ["patient_id", "uuid"],
      ["category", "text"],
      ["raised_by", "uuid"],
      ["note", "text"],
      ["created_at", "timestamptz"],
      ["acknowledged_at", "timestamptz"],
      ["acknowledged_by_doctor_id", "uuid"],
      ["escalation_level", "int"],
    ],
    [
      [
        e.id,
        clinicId,
        e.patientId,
        e.category,
        e.raisedBy,
        e.note,
        time(e.createdAt),
        time(e.acknowledgedAt),
        e.acknowledgedByDoctorId,
        0,
      ],
    ],
  );

  const doctorId = h.staff.doctorUserDoctorId;
  await insert(
    tx,
    "clinical_note",
    [
      ["id", "uuid"],
      ["patient_id", "uuid"],
      ["doctor_id", "uuid"],
      ["appointment_id", "uuid"],
      ["body", "text"],
      ["created_at", "timestamptz"],
      ["updated_at", "timestamptz"],
    ],
    h.notes.map((n) => [n.id, n.patientId, doctorId, n.appointmentId, n.body, time(n.at), time(n.at)]),
  );
  await insert(
    tx,
    "diagnosis",
    [
      ["id", "uuid"],
      ["patient_id", "uuid"],
      ["doctor_id", "uuid"],
      ["code", "text"],
      ["label", "text"],
      ["noted_at", "timestamptz"],
    ],
    h.diagnoses.map((d) => [d.id, d.patientId, doctorId, d.code, d.label, time(d.at)]),
  );
  await insert(
    tx,
    "allergy",
    [
      ["id", "uuid"],
      ["patient_id", "uuid"],
      ["substance", "text"],
      ["reaction", "text"],
      ["severity", "text"],
      ["recorded_by", "uuid"],
      ["recorded_at", "timestamptz"],
    ],
    h.allergies.map((a) => [a.id, a.patientId, a.substance, a.reaction, a.severity, h.staff.doctorUserId, time(a.at)]),
  );
  await insert(
    tx,
    "prescription",
    [
      ["id", "uuid"],
      ["patient_id", "uuid"],
      ["doctor_id", "uuid"],
      ["appointment_id", "uuid"],
      ["created_at", "timestamptz"],
    ],
    h.prescriptions.map((p) => [p.id, p.patientId, doctorId, p.appointmentId, time(p.at)]),
  );
  await insert(
    tx,
    "prescription_item",
    [
      ["prescription_id", "uuid"],
      ["position", "int"],
      ["drug", "text"],
      ["dosage", "text"],
      ["instructions", "text"],
    ],
    h.prescriptions.flatMap((p) => p.items.map((item, i) => [p.id, i + 1, item.drug, item.dosage, item.instructions])),
  );
  await insert(
    tx,
    "audit_log",
    [
      ["at", "timestamptz"],
      ["actor_kind", '"ActorKind"'],
      ["actor_id", "text"],
      ["action", "text"],
      ["resource_type", "text"],
      ["resource_id", "text"],
      ["patient_id", "uuid"],
      ["detail", "jsonb"],
    ],
    h.audit.map((a) => [
      time(a.at),
      a.actorKind,
      a.actorId,
      a.action,
      a.resourceType,
      a.resourceId,
      a.patientId,
      a.detail ? JSON.stringify(a.detail) : null,
    ]),
  );
}
