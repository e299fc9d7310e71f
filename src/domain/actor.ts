/** Who is doing something, as recorded in appointment events and the audit log. */
export type Actor =
  | { kind: "patient"; patientId: string }
  | { kind: "staff"; userId: string; role: StaffRole; doctorId?: string | null }
  /** A machine client of the API or FHIR endpoint (its api_client row id). */
  | { kind: "client"; clientId: string }
  | { kind: "system"; reason?: string };

export type StaffRole = "admin" | "secretary" | "doctor";

/** A machine client acting through the API or FHIR endpoint for its clinic. */
export type ClientActor = Extract<Actor, { kind: "client" }>;

export const SYSTEM: Actor = { kind: "system" };

/** The kind/id pair stored in event and audit rows. Doctors logged in as staff are recorded as doctors. */
export function actorRef(actor: Actor): {
  actorKind: "patient" | "staff" | "doctor" | "system" | "client";
  actorId: string | null;
} {
  switch (actor.kind) {
    case "patient":
      return { actorKind: "patient", actorId: actor.patientId };
    case "staff":
      return { actorKind: actor.role === "doctor" ? "doctor" : "staff", actorId: actor.userId };
    case "client":
      return { actorKind: "client", actorId: actor.clientId };
    case "system":
      return { actorKind: "system", actorId: null };
  }
}
