import type { Prisma } from "../../data/generated/client.js";
import { visiblePatients } from "../access.js";
import { auditDisclosure } from "../audit.js";
import { FhirError } from "../errors.js";
import { toFhirPatient } from "../resources/patient.js";
import { isUuid, parseToken, type SearchRequest } from "../search/params.js";
import { dateRanges, idList, normalisePhone, textFilter } from "../search/filters.js";
import { ID_PARAM, type ResourceHandler } from "./handler.js";

const STRING_MODIFIERS = ["exact", "contains"] as const;

export const patientHandler: ResourceHandler = {
  type: "Patient",
  searchParams: [
    ID_PARAM,
    {
      name: "name",
      type: "string",
      definition: "http://hl7.org/fhir/SearchParameter/Patient-name",
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
      name: "birthdate",
      type: "date",
      definition: "http://hl7.org/fhir/SearchParameter/individual-birthdate",
      documentation: "Date of birth (YYYY, YYYY-MM or YYYY-MM-DD) with prefixes eq, ne, gt, ge, lt, le, sa, eb.",
    },
    {
      name: "phone",
      type: "token",
      definition: "http://hl7.org/fhir/SearchParameter/individual-phone",
      documentation: "Phone number; spaces and punctuation are ignored.",
    },
    {
      name: "email",
      type: "token",
      definition: "http://hl7.org/fhir/SearchParameter/individual-email",
      documentation: "Email address, case-insensitive.",
    },
    {
      name: "telecom",
      type: "token",
      definition: "http://hl7.org/fhir/SearchParameter/individual-telecom",
      documentation: "phone|number, email|address, or a bare value matching either.",
    },
  ],

  async read(scope, id) {
    if (!isUuid(id)) return null;
    const row = await scope.ctx.db.prisma.patient.findFirst({
      where: { id, clinicId: scope.clinic.id, ...visiblePatients(scope.caller) },
    });
    if (!row) return null;
    if (row.erasedAt) throw new FhirError(410, "deleted", `Patient/${id} has been erased`);
    await auditDisclosure(scope, "fhir.patient.read", "Patient", [{ resourceId: row.id, patientId: row.id }]);
    return toFhirPatient(row);
  },

  async search(scope, q) {
    const where: Prisma.PatientWhereInput = {
      clinicId: scope.clinic.id,
      erasedAt: null,
      AND: [visiblePatients(scope.caller), ...conditions(q)],
    };
    const prisma = scope.ctx.db.prisma;
    const [total, rows] = await Promise.all([
      prisma.patient.count({ where }),
      q.count === 0
        ? Promise.resolve([])
        : prisma.patient.findMany({
            where,
            orderBy: [{ lastName: "asc" }, { firstName: "asc" }, { id: "asc" }],
            skip: q.offset,
            take: q.count,
          }),
    ]);
    await auditDisclosure(
      scope,
      "fhir.patient.search",
      "Patient",
      rows.map((r) => ({ resourceId: r.id, patientId: r.id })),
      { parameters: q.appliedNames() },
    );
    return { total, resources: rows.map(toFhirPatient) };
  },
};

function conditions(q: SearchRequest): Prisma.PatientWhereInput[] {
  const out: Prisma.PatientWhereInput[] = [];
  for (const c of q.all("_id")) out.push({ id: { in: idList(c) } });
  for (const c of q.all("name"))
    out.push({
      OR: c.values.flatMap((v) => [{ firstName: textFilter(c.modifier, v) }, { lastName: textFilter(c.modifier, v) }]),
    });
  for (const c of q.all("family")) out.push({ OR: c.values.map((v) => ({ lastName: textFilter(c.modifier, v) })) });
  for (const c of q.all("given")) out.push({ OR: c.values.map((v) => ({ firstName: textFilter(c.modifier, v) })) });
  // Birth dates are calendar dates stored at UTC midnight: compare in UTC, not the clinic's zone.
  for (const c of q.all("birthdate"))
    out.push({ OR: dateRanges("birthdate", c, "UTC", { dateOnly: true }).map((r) => ({ birthDate: r })) });
  for (const c of q.all("phone"))
    out.push({ OR: c.values.map((v) => ({ phone: normalisePhone(parseToken(v).code) })) });
  for (const c of q.all("email"))
    out.push({ OR: c.values.map((v) => ({ email: { equals: parseToken(v).code, mode: "insensitive" as const } })) });
  for (const c of q.all("telecom")) {
    out.push({
      OR: c.values.flatMap((v): Prisma.PatientWhereInput[] => {
        const t = parseToken(v);
        const byPhone = { phone: normalisePhone(t.code) };
        const byEmail = { email: { equals: t.code, mode: "insensitive" as const } };
        if (t.system === "phone" || t.system === "sms") return [byPhone];
        if (t.system === "email") return [byEmail];
        return t.system ? [] : [byPhone, byEmail];
      }),
    });
  }
  return out;
}
