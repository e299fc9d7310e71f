import type { Database } from "../data/db.js";
import { recordAudit } from "./audit.js";
import { DomainError, invalid } from "./errors.js";
import type { StaffActor } from "./staff.js";

/*
 * Reading the audit log back (admins): newest first, filtered by patient, actor, action and
 * time, a page at a time. Rows belong to a clinic through their staff actor or their patient.
 */

export interface AuditFilter {
  patientId?: string;
  /** A staff account id (or a patient id for the patient's own actions). */
  actorId?: string;
  /** Exact action ("patient.read") or a family ("patient" matches "patient.*"). */
  action?: string;
  from?: Date;
  to?: Date;
}

export interface AuditRow {
  id: string;
  at: Date;
  actorKind: "patient" | "staff" | "doctor" | "system" | "client";
  actorId: string | null;
  actorName: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  patientId: string | null;
  patientName: string | null;
  ip: string | null;
}

export interface AuditPage {
  rows: AuditRow[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: string | null;
}

export const AUDIT_PAGE_SIZE = 50;

/** Actions the console writes, for the viewer's suggestions. */
export const KNOWN_AUDIT_ACTIONS = [
  "patient.read",
  "patient.search",
  "patient.create",
  "patient.update",
  "patient.export",
  "patient.erase",
  "appointment.list",
  "appointment.read",
  "clinical.read",
  "note.create",
  "note.update",
  "diagnosis.create",
  "diagnosis.resolve",
  "prescription.create",
  "prescription.read",
  "allergy.list",
  "allergy.create",
  "allergy.delete",
  "document.list",
  "document.upload",
  "document.download",
  "staff.create",
  "staff.update",
  "staff.deactivate",
  "staff.reactivate",
  "staff.password_reset",
  "clinic.update",
  "specialty.create",
  "specialty.update",
  "appointment_type.create",
  "appointment_type.update",
  "audit.search",
  "api_client.create",
  "api_client.rotate",
  "api_client.revoke",
  "api_client.token",
] as const;

interface Row {
  id: string;
  at: Date;
  actor_kind: AuditRow["actorKind"];
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  patient_id: string | null;
  first_name: string | null;
  last_name: string | null;
  ip: string | null;
}

export async function searchAudit(
  db: Database,
  actor: StaffActor,
  clinicId: string,
  filter: AuditFilter,
  page: { before?: string; limit?: number } = {},
  ip?: string | null,
): Promise<AuditPage> {
  if (actor.role !== "admin") throw new DomainError("forbidden", "Only admins read the audit log");
  if (page.before !== undefined && !/^\d{1,19}$/.test(page.before)) throw invalid("before", "a row id");
  if (filter.action !== undefined && !/^[a-z_.]{1,60}$/.test(filter.action)) throw invalid("action", "an action name");
  const limit = Math.min(Math.max(page.limit ?? AUDIT_PAGE_SIZE, 1), 200);
  const rows = await db.sql.query<Row>(
    `SELECT a.id::text AS id, a.at, a.actor_kind, a.actor_id, a.action, a.resource_type, a.resource_id,
            a.patient_id, a.ip, coalesce(s.display_name, ap.first_name || ' ' || ap.last_name, c.name) AS actor_name,
            p.first_name, p.last_name
       FROM audit_log a
       LEFT JOIN staff_user s ON a.actor_kind IN ('staff', 'doctor') AND s.id::text = a.actor_id
       LEFT JOIN patient ap ON a.actor_kind = 'patient' AND ap.id::text = a.actor_id
       LEFT JOIN api_client c ON a.actor_kind = 'client' AND c.id::text = a.actor_id
       LEFT JOIN patient p ON p.id = a.patient_id
      WHERE (s.clinic_id = $1::uuid OR p.clinic_id = $1::uuid OR ap.clinic_id = $1::uuid OR c.clinic_id = $1::uuid)
        AND ($2::uuid IS NULL OR a.patient_id = $2::uuid)
        AND ($3::text IS NULL OR a.actor_id = $3::text)
        AND ($4::text IS NULL OR a.action = $4::text OR a.action LIKE $4::text || '.%')
        AND ($5::timestamptz IS NULL OR a.at >= $5::timestamptz)
        AND ($6::timestamptz IS NULL OR a.at < $6::timestamptz)
        AND ($7::bigint IS NULL OR a.id < $7::bigint)
      ORDER BY a.id DESC
      LIMIT $8`,
    [
      clinicId,
      filter.patientId ?? null,
      filter.actorId ?? null,
      filter.action ?? null,
      filter.from ?? null,
      filter.to ?? null,
      page.before ?? null,
      limit + 1,
    ],
  );
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  await recordAudit(db, {
    actor,
    action: "audit.search",
    resourceType: "audit_log",
    patientId: filter.patientId ?? null,
    ip,
    detail: { filters: Object.keys(filter).filter((k) => filter[k as keyof AuditFilter] !== undefined) },
  });
  return {
    rows: shown.map((r) => ({
      id: r.id,
      at: new Date(r.at),
      actorKind: r.actor_kind,
      actorId: r.actor_id,
      actorName: r.actor_name,
      action: r.action,
      resourceType: r.resource_type,
      resourceId: r.resource_id,
      patientId: r.patient_id,
      patientName: r.first_name === null ? null : `${r.first_name} ${r.last_name}`.trim(),
      ip: r.ip,
    })),
    nextBefore: more ? shown[shown.length - 1]!.id : null,
  };
}
