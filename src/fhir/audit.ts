import { recordAudit } from "../domain/audit.js";
import type { FhirScope } from "./scope.js";

/** One audit row per patient-bearing record returned; identifiers and parameter names only. */
export async function auditDisclosure(
  scope: FhirScope,
  action: string,
  resourceType: string,
  records: { resourceId: string; patientId: string }[],
  detail?: Record<string, unknown>,
): Promise<void> {
  await recordAudit(
    scope.ctx.db,
    records.map((r) => ({
      actor: scope.actor,
      action,
      resourceType,
      resourceId: r.resourceId,
      patientId: r.patientId,
      ip: scope.ip ?? null,
      detail: { channel: "fhir", ...detail },
    })),
  );
}
