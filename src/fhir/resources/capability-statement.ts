import { SUPPORTED_SCOPES } from "../../domain/access-scopes.js";
import type { SearchParamDef } from "../search/params.js";
import { fhirUtcInstant } from "./datatypes.js";
import type { Resource } from "./types.js";

export interface CapabilityInput {
  base: string;
  /** Absolute URL of POST /oauth2/token. */
  tokenEndpoint: string;
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
          extension: [
            {
              url: "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
              extension: [{ url: "token", valueUri: c.tokenEndpoint }],
            },
          ],
          cors: false,
          service: [
            {
              coding: [
                {
                  system: "http://terminology.hl7.org/CodeSystem/restful-security-service",
                  code: "SMART-on-FHIR",
                  display: "SMART-on-FHIR",
                },
              ],
              text: "OAuth 2.0 client credentials (SMART Backend Services scopes, client_secret_basic or client_secret_post)",
            },
          ],
          description:
            "Every interaction except metadata needs a bearer token (Authorization: Bearer …): a staff token from Tabib's staff login (with the two-factor code for doctors, admins and every enrolled account), or a machine client's token from the token endpoint (OAuth 2.0 client_credentials, see .well-known/smart-configuration) limited to its system/ scopes: read needs system/<Type>.r and search system/<Type>.s (or system/<Type>.read). A client sees only its own clinic. Doctors see only their own patients and those patients' appointments. Patient and Appointment disclosures are audited, with the client or staff member who asked.",
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

/**
 * The SMART App Launch discovery document (/.well-known/smart-configuration) for machine
 * clients: client credentials at the token endpoint, with a shared secret.
 */
export function smartConfiguration(tokenEndpoint: string): Record<string, unknown> {
  return {
    token_endpoint: tokenEndpoint,
    grant_types_supported: ["client_credentials"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    scopes_supported: SUPPORTED_SCOPES,
    response_types_supported: [],
    capabilities: ["client-confidential-symmetric", "permission-v1", "permission-v2"],
  };
}
