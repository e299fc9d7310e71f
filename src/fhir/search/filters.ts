import { matchingRanges, parseDateParam, type InstantRange } from "./date.js";
import { isUuid, parseReference, parseToken, unescapeValue, type ParamClause } from "./params.js";

/** A Prisma string filter for a FHIR string search: starts-with by default, :contains and :exact on request. */
export interface TextFilter {
  equals?: string;
  startsWith?: string;
  contains?: string;
  mode?: "insensitive";
}

export function textFilter(modifier: string | undefined, raw: string): TextFilter {
  const value = unescapeValue(raw);
  if (modifier === "exact") return { equals: value };
  if (modifier === "contains") return { contains: value, mode: "insensitive" };
  return { startsWith: value, mode: "insensitive" };
}

/** Ids a token clause names; non-UUIDs are dropped since they cannot match (an empty list matches nothing). */
export function idList(clause: ParamClause): string[] {
  return clause.values.map((v) => parseToken(v).code).filter(isUuid);
}

/** Ids a reference clause names for `type` (bare ids count as that type). */
export function referenceIds(clause: ParamClause, type: string): string[] {
  return clause.values
    .map((v) => parseReference(v, clause.modifier))
    .filter((r) => r.type === undefined || r.type === type)
    .map((r) => r.id)
    .filter(isUuid);
}

/** Codes a token clause names in `system` (a value without a system matches any system). */
export function codesIn(clause: ParamClause, system: string): string[] {
  return clause.values
    .map(parseToken)
    .filter((t) => t.system === undefined || t.system === system)
    .map((t) => t.code);
}

/** Instant ranges matching one date clause (its comma alternatives ORed). */
export function dateRanges(
  param: string,
  clause: ParamClause,
  timeZone: string,
  opts: { dateOnly?: boolean } = {},
): InstantRange[] {
  return clause.values.flatMap((v) => matchingRanges(parseDateParam(param, v, timeZone, opts)));
}

/** Normalises a phone number as typed ("+33 6 12-34.56") to the E.164 form stored. */
export function normalisePhone(raw: string): string {
  const digits = raw.replace(/[\s().-]/g, "");
  return digits.startsWith("00") ? `+${digits.slice(2)}` : digits;
}
