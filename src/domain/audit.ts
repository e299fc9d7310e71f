import type { Database } from "../data/db.js";
import { actorRef, type Actor } from "./actor.js";

export interface AuditEntry {
  actor: Actor;
  /** e.g. "patient.read", "patient.update", "appointment.create". */
  action: string;
  resourceType: string;
  resourceId?: string | null;
  patientId?: string | null;
  ip?: string | null;
  /** Identifiers and field names only, never record content. */
  detail?: Record<string, unknown>;
}

/** Appends to the audit log. Health-data reads and writes must call this; it never stores record content. */
export async function recordAudit(db: Database, entry: AuditEntry | AuditEntry[]): Promise<void> {
  const entries = Array.isArray(entry) ? entry : [entry];
  if (entries.length === 0) return;
  const params: unknown[] = [];
  const rows = entries.map((e) => {
    const { actorKind, actorId } = actorRef(e.actor);
    const base = params.length;
    params.push(
      actorKind,
      actorId,
      e.action,
      e.resourceType,
      e.resourceId ?? null,
      e.patientId ?? null,
      e.ip ?? null,
      e.detail ? JSON.stringify(e.detail) : null,
    );
    return `($${base + 1}::"ActorKind", $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}::uuid, $${base + 7}, $${base + 8}::jsonb)`;
  });
  await db.sql.query(
    `INSERT INTO audit_log (actor_kind, actor_id, action, resource_type, resource_id, patient_id, ip, detail) VALUES ${rows.join(", ")}`,
    params,
  );
}

/**
 * Records that a staff member was shown these appointments (one row each, with its patient),
 * as every list of appointments must; `list` names which one ("unconfirmed", "to_invoice"…).
 */
export function auditAppointmentList(
  db: Database,
  viewer: { actor: Actor; ip?: string | null },
  shown: readonly { appointmentId: string; patientId: string }[],
  list?: string,
): Promise<void> {
  return recordAudit(
    db,
    shown.map((a) => ({
      actor: viewer.actor,
      action: "appointment.list",
      resourceType: "appointment",
      resourceId: a.appointmentId,
      patientId: a.patientId,
      ip: viewer.ip,
      ...(list ? { detail: { list } } : {}),
    })),
  );
}
