import type { AppContext } from "../context.js";
import type { Actor } from "../domain/actor.js";
import type { Caller } from "../http/auth.js";
import type { Locale } from "./resources/datatypes.js";

/** Who is asking, for which clinic, and when: everything a FHIR handler needs besides the query. */
export interface FhirScope {
  readonly ctx: AppContext;
  /** A staff member or an API client (which acts for its whole clinic, within its scopes). */
  readonly caller: Caller;
  readonly actor: Actor;
  readonly clinic: { id: string; name: string; timeZone: string; locale: Locale };
  readonly now: Date;
  readonly ip?: string;
}
