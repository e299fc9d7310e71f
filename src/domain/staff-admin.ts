import { randomBytes } from "node:crypto";
import type { Database } from "../data/db.js";
import type { StaffUser } from "../data/generated/client.js";
import type { StaffRole } from "./actor.js";
import { recordAudit } from "./audit.js";
import { DomainError, invalid } from "./errors.js";
import { createStaffUser, getStaffUser, normalizeEmail, updateStaffUser, type StaffActor } from "./staff.js";

/*
 * Admins managing staff accounts: creating one with a temporary password, changing its role
 * or doctor link, deactivating and reactivating it. A clinic always keeps one active admin,
 * and nobody demotes or deactivates themselves by mistake.
 */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function adminOnly(actor: StaffActor): void {
  if (actor.role !== "admin") throw new DomainError("forbidden", "Only admins manage staff accounts");
}

/** 16 characters from a 64-symbol alphabet: over the 12-character minimum, read aloud once. */
export const temporaryPassword = (): string => randomBytes(12).toString("base64url");

export async function createStaffAccount(
  db: Database,
  actor: StaffActor,
  clinicId: string,
  input: { email: string; displayName: string; role: StaffRole; doctorId?: string | null },
  ip?: string | null,
): Promise<{ user: StaffUser; temporaryPassword: string }> {
  adminOnly(actor);
  const email = normalizeEmail(input.email);
  if (!EMAIL.test(email) || email.length > 320) throw invalid("email", "an email address");
  const displayName = input.displayName.trim();
  if (!displayName || displayName.length > 120) throw invalid("displayName", "1 to 120 characters");
  const password = temporaryPassword();
  const created = await createStaffUser(db, clinicId, {
    email,
    displayName,
    role: input.role,
    doctorId: input.role === "doctor" ? (input.doctorId ?? null) : null,
    password,
  });
  const user = await db.prisma.staffUser.update({ where: { id: created.id }, data: { mustChangePassword: true } });
  await recordAudit(db, {
    actor,
    action: "staff.create",
    resourceType: "staff_user",
    resourceId: user.id,
    ip,
    detail: { role: user.role },
  });
  return { user, temporaryPassword: password };
}

export async function changeStaffAccount(
  db: Database,
  actor: StaffActor,
  clinicId: string,
  userId: string,
  changes: { role?: StaffRole; doctorId?: string | null; active?: boolean },
  ip?: string | null,
): Promise<StaffUser> {
  adminOnly(actor);
  const user = await getStaffUser(db, clinicId, userId);
  const role = changes.role ?? user.role;
  const active = changes.active ?? user.active;
  if (user.id === actor.userId && (role !== "admin" || !active))
    throw new DomainError("conflict", "Admins cannot demote or deactivate their own account");
  if (user.role === "admin" && user.active && (role !== "admin" || !active)) {
    const admins = await db.prisma.staffUser.count({ where: { clinicId, role: "admin", active: true } });
    if (admins <= 1) throw new DomainError("conflict", "The clinic must keep one active admin");
  }
  const updated = await updateStaffUser(db, clinicId, user.id, {
    role,
    active,
    doctorId: role === "doctor" ? (changes.doctorId !== undefined ? changes.doctorId : user.doctorId) : null,
  });
  const fields = (["role", "active", "doctorId"] as const).filter((k) => updated[k] !== user[k]);
  if (fields.length > 0)
    await recordAudit(db, {
      actor,
      action: active !== user.active ? (active ? "staff.reactivate" : "staff.deactivate") : "staff.update",
      resourceType: "staff_user",
      resourceId: user.id,
      ip,
      detail: { fields, role: updated.role },
    });
  return updated;
}
