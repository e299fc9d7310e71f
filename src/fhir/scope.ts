import type { AppContext } from "../context.js";
import type { Actor } from "../domain/actor.js";
import type { StaffPrincipal } from "../http/auth.js";
import type { Locale } from "./resources/datatypes.js";

/** Who is asking, for which clinic, and when: everything a FHIR handler needs besides the query. */
export interface FhirScope {
  readonly ctx: AppContext;
  readonly staff: StaffPrincipal;
  readonly actor: Actor;
  readonly clinic: { id: string; name: string; timeZone: string; locale: Locale };
  readonly now: Date;
  readonly ip?: string;
}
