import { randomUUID } from "node:crypto";
import { fhirUtcInstant } from "./datatypes.js";
import type { Bundle, BundleEntry, BundleLink, OperationOutcome, Resource } from "./types.js";

export interface SearchsetInput {
  /** Absolute base of the FHIR endpoint, e.g. https://clinic.example/fhir. */
  base: string;
  total: number;
  resources: Resource[];
  links: BundleLink[];
  /** Warnings about how the search was run (e.g. a capped window), sent as an "outcome" entry. */
  outcome?: OperationOutcome;
  now: Date;
}

export function searchsetBundle(s: SearchsetInput): Bundle {
  const entry: BundleEntry[] = s.resources.map((resource) => ({
    fullUrl: `${s.base}/${resource.resourceType}/${resource.id}`,
    resource,
    search: { mode: "match" },
  }));
  if (s.outcome) entry.push({ resource: s.outcome, search: { mode: "outcome" } });
  return {
    resourceType: "Bundle",
    id: randomUUID(),
    meta: { lastUpdated: fhirUtcInstant(s.now) },
    type: "searchset",
    total: s.total,
    ...(s.links.length > 0 ? { link: s.links } : {}),
    ...(entry.length > 0 ? { entry } : {}),
  };
}
