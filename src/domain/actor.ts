/** Who is doing something, as recorded in appointment events and the audit log. */
export type Actor =
  | { kind: "patient"; patientId: string }
  | { kind: "staff"; userId: string; role: StaffRole; doctorId?: string | null }
  | { kind: "system"; reason?: string };

export type StaffRole = "admin" | "secretary" | "doctor";

export const SYSTEM: Actor = { kind: "system" };

/** The kind/id pair stored in event and audit rows. Doctors logged in as staff are recorded as doctors. */
export function actorRef(actor: Actor): {
  actorKind: "patient" | "staff" | "doctor" | "system";
  actorId: string | null;
} {
  switch (actor.kind) {
    case "patient":
      return { actorKind: "patient", actorId: actor.patientId };
    case "staff":
      return { actorKind: actor.role === "doctor" ? "doctor" : "staff", actorId: actor.userId };
    case "system":
      return { actorKind: "system", actorId: null };
  }
}
