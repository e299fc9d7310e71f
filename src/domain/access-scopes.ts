/*
 * SMART on FHIR scopes for machine clients (OAuth 2.0 client credentials): `system/<Resource>.<what>`
 * where <what> is SMART v2's letters in order, a subset of c(reate) r(ead) u(pdate) d(elete)
 * s(earch), or SMART v1's read (= rs), write (= cud) or * (= cruds); <Resource> may be `*`.
 * Each API route and FHIR interaction declares which resource and letter it needs.
 */

export const INTERACTIONS = ["c", "r", "u", "d", "s"] as const;
export type Interaction = (typeof INTERACTIONS)[number];

/** What a client's scopes can name, besides `*`: the FHIR types served, and Tabib's own where FHIR has none. */
export const SCOPE_RESOURCES = [
  "Patient",
  "Appointment",
  "Practitioner",
  "Schedule",
  "Slot",
  "HealthcareService",
  "Organization",
] as const;
export type ScopeResource = (typeof SCOPE_RESOURCES)[number];

/** What one route or interaction needs from a client's token. */
export interface ScopeNeed {
  resource: ScopeResource;
  interaction: Interaction;
}

export interface ScopeGrant {
  resource: ScopeResource | "*";
  interactions: ReadonlySet<Interaction>;
}

const V1: Record<string, readonly Interaction[]> = { read: ["r", "s"], write: ["c", "u", "d"], "*": INTERACTIONS };
const SCOPE = /^system\/([A-Za-z]+|\*)\.(read|write|\*|c?r?u?d?s?)$/;

/** One scope, or null when it is not a system scope over a known resource. */
export function parseScope(text: string): ScopeGrant | null {
  const m = SCOPE.exec(text);
  if (!m || m[2] === "") return null;
  const resource = m[1]!;
  if (resource !== "*" && !(SCOPE_RESOURCES as readonly string[]).includes(resource)) return null;
  const interactions = V1[m[2]!] ?? ([...m[2]!] as Interaction[]);
  return { resource: resource as ScopeGrant["resource"], interactions: new Set(interactions) };
}

/** A space-separated scope list (RFC 6749 §3.3): the grants, and the scopes that are not understood. */
export function parseScopes(text: string): { grants: ScopeGrant[]; unknown: string[] } {
  const grants: ScopeGrant[] = [];
  const unknown: string[] = [];
  for (const word of text.split(" ").filter(Boolean)) {
    const grant = parseScope(word);
    if (grant) grants.push(grant);
    else unknown.push(word);
  }
  return { grants, unknown };
}

/** Whether the grants allow one interaction on one resource. */
export function allows(grants: readonly ScopeGrant[], need: ScopeNeed): boolean {
  return grants.some(
    (g) => (g.resource === "*" || g.resource === need.resource) && g.interactions.has(need.interaction),
  );
}

/** Whether every interaction the requested grants name is allowed by the granted ones (request ⊆ grant). */
export function covers(granted: readonly ScopeGrant[], requested: readonly ScopeGrant[]): boolean {
  return requested.every((r) =>
    [...r.interactions].every((interaction) =>
      r.resource === "*"
        ? granted.some((g) => g.resource === "*" && g.interactions.has(interaction))
        : allows(granted, { resource: r.resource, interaction }),
    ),
  );
}

/** The scopes a client may be granted, for discovery documents (every resource, read and full access). */
export const SUPPORTED_SCOPES: readonly string[] = ["*", ...SCOPE_RESOURCES].flatMap((r) => [
  `system/${r}.read`,
  `system/${r}.rs`,
  `system/${r}.cruds`,
]);
