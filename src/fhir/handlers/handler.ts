import type { Interaction, ScopeResource } from "../../domain/access-scopes.js";
import type { OperationOutcomeIssue, Resource } from "../resources/types.js";
import type { FhirScope } from "../scope.js";
import type { SearchParamDef, SearchRequest } from "../search/params.js";

export interface SearchResult {
  /** Matches in the whole result set, not just this page. */
  total: number;
  /** This page: q.offset onwards, at most q.count. */
  resources: Resource[];
  /** Warnings about how the search ran (e.g. a capped window), sent back in an "outcome" entry. */
  issues?: OperationOutcomeIssue[];
}

/**
 * What each interaction needs from an API client's token (SMART v2 letters), on the handler's
 * type: read needs system/<type>.r, search-type system/<type>.s (both in SMART v1's .read).
 */
export const INTERACTION_SCOPE = { read: "r", "search-type": "s" } as const satisfies Record<string, Interaction>;

/** Read and search-type for one FHIR resource type. */
export interface ResourceHandler {
  /** The FHIR type, which is also the resource an API client's scope names. */
  readonly type: ScopeResource;
  readonly searchParams: readonly SearchParamDef[];
  /** The resource, or null when it does not exist or the caller may not know it exists. */
  read(scope: FhirScope, id: string): Promise<Resource | null>;
  search(scope: FhirScope, q: SearchRequest): Promise<SearchResult>;
}

export const ID_PARAM: SearchParamDef = {
  name: "_id",
  type: "token",
  definition: "http://hl7.org/fhir/SearchParameter/Resource-id",
  documentation: "Logical id of the resource; comma-separated ids match any of them.",
};
