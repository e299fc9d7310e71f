import type { Prisma } from "../../data/generated/client.js";
import { badParam } from "../errors.js";
import { SYSTEMS } from "../resources/datatypes.js";
import { toFhirPractitioner } from "../resources/practitioner.js";
import { codesIn, idList, textFilter } from "../search/filters.js";
import { isUuid, parseToken, type SearchRequest } from "../search/params.js";
import { ID_PARAM, type ResourceHandler } from "./handler.js";

const STRING_MODIFIERS = ["exact", "contains"] as const;
const include = { specialties: { include: { specialty: true } } } as const;

export const practitionerHandler: ResourceHandler = {
  type: "Practitioner",
  searchParams: [
    ID_PARAM,
    {
      name: "name",
      type: "string",
      definition: "http://hl7.org/fhir/SearchParameter/Practitioner-name",
      documentation: "Start of the given or family name, case-insensitive (:exact, :contains).",
      modifiers: STRING_MODIFIERS,
    },
    {
      name: "family",
      type: "string",
      definition: "http://hl7.org/fhir/SearchParameter/individual-family",
      documentation: "Start of the family name, case-insensitive (:exact, :contains).",
      modifiers: STRING_MODIFIERS,
    },
    {
      name: "given",
      type: "string",
      definition: "http://hl7.org/fhir/SearchParameter/individual-given",
      documentation: "Start of the given name, case-insensitive (:exact, :contains).",
      modifiers: STRING_MODIFIERS,
    },
    {
      name: "active",
      type: "token",
      definition: "http://hl7.org/fhir/SearchParameter/Practitioner-active",
      documentation: "true or false: whether the doctor still practises at the clinic.",
    },
    {
      name: "specialty",
      type: "token",
      documentation: `Tabib parameter: a specialty code (${SYSTEMS.specialty}) among the practitioner's qualifications.`,
    },
  ],

  async read(scope, id) {
    if (!isUuid(id)) return null;
    const row = await scope.ctx.db.prisma.doctor.findFirst({ where: { id, clinicId: scope.clinic.id }, include });
    return row ? toFhirPractitioner(row, scope.clinic.locale) : null;
  },

  async search(scope, q) {
    const where: Prisma.DoctorWhereInput = { clinicId: scope.clinic.id, AND: conditions(q) };
    const prisma = scope.ctx.db.prisma;
    const [total, rows] = await Promise.all([
      prisma.doctor.count({ where }),
      q.count === 0
        ? Promise.resolve([])
        : prisma.doctor.findMany({
            where,
            include,
            orderBy: [{ lastName: "asc" }, { firstName: "asc" }, { id: "asc" }],
            skip: q.offset,
            take: q.count,
          }),
    ]);
    return { total, resources: rows.map((r) => toFhirPractitioner(r, scope.clinic.locale)) };
  },
};

function conditions(q: SearchRequest): Prisma.DoctorWhereInput[] {
  const out: Prisma.DoctorWhereInput[] = [];
  for (const c of q.all("_id")) out.push({ id: { in: idList(c) } });
  for (const c of q.all("name"))
    out.push({
      OR: c.values.flatMap((v) => [{ firstName: textFilter(c.modifier, v) }, { lastName: textFilter(c.modifier, v) }]),
    });
  for (const c of q.all("family")) out.push({ OR: c.values.map((v) => ({ lastName: textFilter(c.modifier, v) })) });
  for (const c of q.all("given")) out.push({ OR: c.values.map((v) => ({ firstName: textFilter(c.modifier, v) })) });
  for (const c of q.all("active")) out.push({ OR: c.values.map((v) => ({ active: booleanToken("active", v) })) });
  for (const c of q.all("specialty"))
    out.push({ specialties: { some: { specialty: { code: { in: codesIn(c, SYSTEMS.specialty) } } } } });
  return out;
}

export function booleanToken(param: string, v: string): boolean {
  const code = parseToken(v).code;
  if (code === "true") return true;
  if (code === "false") return false;
  throw badParam(param, "must be true or false");
}
