import type { Database } from "../data/db.js";
import type { Insurer, Patient } from "../data/generated/client.js";
import { recordAudit } from "./audit.js";
import { DomainError, invalid } from "./errors.js";
import { findReachable, type PatientAccess } from "./patients.js";

/** A patient's insurer, member number and the share of a bill the insurer pays (read by billing at issue). */
export interface PatientInsurance {
  insurerId: string | null;
  insuranceNumber: string | null;
  /** Basis points: 7000 = 70 %. */
  insuranceCoverageBp: number;
}

export function listInsurers(db: Database, clinicId: string): Promise<Insurer[]> {
  return db.prisma.insurer.findMany({ where: { clinicId }, orderBy: { name: "asc" } });
}

/** Front-desk data like the demographics: admins and secretaries change it; audited by field name. */
export async function setPatientInsurance(
  db: Database,
  access: PatientAccess,
  patientId: string,
  input: PatientInsurance,
): Promise<Patient> {
  if (access.actor.role === "doctor") throw new DomainError("forbidden", "Doctors do not change insurance details");
  const patient = await findReachable(db, access, patientId);
  if (patient.erasedAt) throw new DomainError("conflict", "This patient's record has been erased");
  const bp = input.insuranceCoverageBp;
  if (!Number.isInteger(bp) || bp < 0 || bp > 10_000) throw invalid("insuranceCoverageBp", "0 to 10000");
  const number = input.insuranceNumber?.trim() || null;
  if (number && number.length > 40) throw invalid("insuranceNumber", "at most 40 characters");
  if (input.insurerId) {
    const insurer = await db.prisma.insurer.findFirst({ where: { id: input.insurerId, clinicId: access.clinicId } });
    if (!insurer) throw invalid("insurerId", "no such insurer in this clinic");
  }
  const next = {
    insurerId: input.insurerId ?? null,
    insuranceNumber: number,
    insuranceCoverageBp: input.insurerId ? bp : 0,
  };
  const fields = (Object.keys(next) as (keyof PatientInsurance)[]).filter((k) => next[k] !== patient[k]);
  if (fields.length === 0) return patient;
  const updated = await db.prisma.patient.update({ where: { id: patientId }, data: next });
  await recordAudit(db, {
    actor: access.actor,
    action: "patient.update",
    resourceType: "patient",
    resourceId: patientId,
    patientId,
    ip: access.ip,
    detail: { fields: fields.sort() },
  });
  return updated;
}
