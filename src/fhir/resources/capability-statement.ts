import type { SearchParamDef } from "../search/params.js";
import { fhirUtcInstant } from "./datatypes.js";
import type { Resource } from "./types.js";

export interface CapabilityInput {
  base: string;
  now: Date;
  softwareVersion: string;
  resources: { type: string; searchParams: readonly SearchParamDef[] }[];
}

export interface CapabilityStatement extends Resource {
  resourceType: "CapabilityStatement";
  [field: string]: unknown;
}

/** What this endpoint does, built from the same definitions the handlers parse queries with. */
export function capabilityStatement(c: CapabilityInput): CapabilityStatement {
  return {
    resourceType: "CapabilityStatement",
    id: "tabib",
    name: "TabibFhirFacade",
    title: "Tabib FHIR R4 facade (read and search)",
    status: "active",
    date: fhirUtcInstant(c.now),
    publisher: "Tabib",
    description:
      "Read-only FHIR R4 view of a Tabib clinic: patients, doctors, their schedules, free slots and appointments.",
    kind: "instance",
    software: { name: "Tabib", version: c.softwareVersion },
    implementation: { description: "Tabib clinic FHIR endpoint", url: c.base },
    fhirVersion: "4.0.1",
    format: ["json", "application/fhir+json"],
    rest: [
      {
        mode: "server",
        documentation:
          "Search results are pages of _count entries (default 20, at most 100) starting at _offset; Bundle.link carries self, first, previous and next. Unknown search parameters are ignored unless the request sends Prefer: handling=strict.",
        security: {
          cors: false,
          description:
            "Every interaction except metadata needs a staff bearer token (Authorization: Bearer …) from Tabib's staff login. Doctors see only their own patients and those patients' appointments. Patient and Appointment disclosures are audited.",
        },
        resource: c.resources.map((r) => ({
          type: r.type,
          interaction: [{ code: "read" }, { code: "search-type" }],
          versioning: "no-version",
          readHistory: false,
          updateCreate: false,
          conditionalCreate: false,
          conditionalRead: "not-supported",
          conditionalUpdate: false,
          conditionalDelete: "not-supported",
          searchParam: r.searchParams.map((p) => ({
            name: p.name,
            ...(p.definition ? { definition: p.definition } : {}),
            type: p.type,
            documentation:
              p.documentation +
              (p.modifiers?.length ? ` Modifiers: ${p.modifiers.map((m) => `:${m}`).join(", ")}.` : ""),
          })),
        })),
      },
    ],
  };
}
