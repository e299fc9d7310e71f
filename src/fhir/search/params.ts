import { badParam, FhirError } from "../errors.js";

export type SearchParamType =
  "token" | "string" | "date" | "reference" | "number" | "uri" | "quantity" | "composite" | "special";

/** One search parameter a resource type supports; the CapabilityStatement is built from these. */
export interface SearchParamDef {
  name: string;
  type: SearchParamType;
  /** Canonical of the standard SearchParameter, left out for Tabib's own parameters. */
  definition?: string;
  documentation: string;
  /** Modifiers accepted after "name:"; any other is refused with 400, as FHIR requires. */
  modifiers?: readonly string[];
}

/** One occurrence of a parameter in the query: its modifier and its comma-separated alternatives (OR). */
export interface ParamClause {
  modifier?: string;
  values: string[];
}

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 100;

// Result parameters Tabib honours; every other "_" parameter is ignored like an unknown one.
const PAGING = new Set(["_count", "_offset"]);

/**
 * A parsed search query. Unknown parameters are ignored (FHIR's lenient handling) unless the
 * client sent `Prefer: handling=strict`; repeated parameters are ANDed, commas are ORs.
 */
export class SearchRequest {
  readonly count: number;
  readonly offset: number;
  readonly ignored: string[] = [];
  private readonly clauses = new Map<string, ParamClause[]>();
  /** The parameters applied, in query order, for the self and paging links. */
  private readonly applied: [string, string][] = [];

  constructor(query: URLSearchParams, defs: readonly SearchParamDef[], opts: { strict?: boolean } = {}) {
    const known = new Map(defs.map((d) => [d.name, d]));
    let count = DEFAULT_COUNT;
    let offset = 0;
    for (const [key, raw] of query) {
      if (key === "_format") {
        if (!/json/i.test(raw))
          throw new FhirError(406, "not-supported", `_format: only JSON is supported`, ["_format"]);
        continue;
      }
      if (PAGING.has(key)) {
        const n = Number(raw);
        if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n))
          throw badParam(key, "must be a non-negative integer");
        if (key === "_count") count = Math.min(n, MAX_COUNT);
        else offset = n;
        continue;
      }
      const [name, modifier, ...rest] = key.split(":");
      const def = known.get(name!);
      if (!def) {
        if (opts.strict) throw new FhirError(400, "not-supported", `Unknown search parameter ${key}`, [key]);
        this.ignored.push(key);
        continue;
      }
      if (rest.length > 0 || (modifier !== undefined && !(def.modifiers ?? []).includes(modifier))) {
        throw new FhirError(400, "not-supported", `Unsupported modifier ${key}`, [key]);
      }
      // FHIR: a parameter with an empty value is ignored.
      const values = splitOr(raw).filter((v) => v !== "");
      if (values.length === 0) continue;
      const list = this.clauses.get(def.name) ?? [];
      list.push({ ...(modifier !== undefined ? { modifier } : {}), values });
      this.clauses.set(def.name, list);
      this.applied.push([key, raw]);
    }
    this.count = count;
    this.offset = offset;
  }

  /** Every occurrence of a parameter (AND between them). */
  all(name: string): ParamClause[] {
    return this.clauses.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.clauses.has(name);
  }

  /** The query string of this search at another page: applied parameters, then _count and _offset. */
  pageQuery(offset: number): string {
    const q = new URLSearchParams(this.applied);
    q.set("_count", String(this.count));
    q.set("_offset", String(offset));
    return q.toString();
  }

  /** Parameter names used, for audit details (never the values: they may be names or dates of birth). */
  appliedNames(): string[] {
    return [...new Set(this.applied.map(([k]) => k))];
  }
}

/** Splits on commas not escaped as "\,", then unescapes FHIR's \, \| \$ and \\. */
export function splitOr(raw: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "\\" && i + 1 < raw.length) {
      cur += c + raw[++i];
    } else if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out.map((v) => v.trim());
}

export function unescapeValue(v: string): string {
  return v.replace(/\\([,|$\\])/g, "$1");
}

/** A token "system|code", "|code" (no system) or "code" (any system). */
export interface Token {
  /** undefined: any system; "": no system. */
  system?: string;
  code: string;
}

export function parseToken(v: string): Token {
  const bar = findUnescaped(v, "|");
  if (bar < 0) return { code: unescapeValue(v) };
  return { system: unescapeValue(v.slice(0, bar)), code: unescapeValue(v.slice(bar + 1)) };
}

function findUnescaped(v: string, ch: string): number {
  for (let i = 0; i < v.length; i++) {
    if (v[i] === "\\") i++;
    else if (v[i] === ch) return i;
  }
  return -1;
}

/** A reference value: "Type/id", a bare id, or an absolute URL ending in Type/id. */
export interface ReferenceValue {
  type?: string;
  id: string;
}

export function parseReference(v: string, modifierType?: string): ReferenceValue {
  const parts = unescapeValue(v)
    .split("/")
    .filter((p) => p !== "");
  const id = parts.at(-1) ?? "";
  const type = parts.length >= 2 ? parts.at(-2) : modifierType;
  if (modifierType && type !== modifierType) return { type: modifierType, id: "" };
  return { ...(type ? { type } : {}), id };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tabib ids are UUIDs; anything else cannot match a row (and must not reach a uuid column). */
export const isUuid = (id: string): boolean => UUID.test(id);
