import type { AppointmentStatus, Prisma } from "../../data/generated/client.js";
import { visibleAppointments } from "../access.js";
import { auditDisclosure } from "../audit.js";
import { toFhirAppointment, tabibStatuses, type AppointmentView } from "../resources/appointment.js";
import { SYSTEMS } from "../resources/datatypes.js";
import { codesIn, dateRanges, idList, referenceIds } from "../search/filters.js";
import { isUuid, parseReference, type SearchRequest } from "../search/params.js";
import type { FhirScope } from "../scope.js";
import { ID_PARAM, type ResourceHandler } from "./handler.js";

const include = {
  patient: { select: { id: true, firstName: true, lastName: true } },
  doctor: { select: { id: true, title: true, firstName: true, lastName: true } },
  type: { include: { specialty: true } },
  events: {
    where: { toStatus: { in: ["cancelled", "declined"] as AppointmentStatus[] } },
    orderBy: { at: "desc" as const },
    take: 1,
    select: { actorKind: true, reason: true },
  },
} satisfies Prisma.AppointmentInclude;

type Row = Prisma.AppointmentGetPayload<{ include: typeof include }>;

const view = (r: Row): AppointmentView => {
  const { patient, doctor, type, events, ...appointment } = r;
  return { appointment, patient, doctor, type, ending: events[0] ?? null };
};

export const appointmentHandler: ResourceHandler = {
  type: "Appointment",
  searchParams: [
    ID_PARAM,
    {
      name: "date",
      type: "date",
      definition: "http://hl7.org/fhir/SearchParameter/Appointment-date",
      documentation:
        "Appointment start with prefixes eq, ne, gt, ge, lt, le, sa, eb; a date without an offset (e.g. 2026-12-01) is read in the clinic's time zone.",
    },
    {
      name: "patient",
      type: "reference",
      definition: "http://hl7.org/fhir/SearchParameter/Appointment-patient",
      documentation: "Patient/{id} or a bare patient id.",
      modifiers: ["Patient"],
    },
    {
      name: "practitioner",
      type: "reference",
      definition: "http://hl7.org/fhir/SearchParameter/Appointment-practitioner",
      documentation: "Practitioner/{id} or a bare doctor id.",
      modifiers: ["Practitioner"],
    },
    {
      name: "actor",
      type: "reference",
      definition: "http://hl7.org/fhir/SearchParameter/Appointment-actor",
      documentation: "Patient/{id} or Practitioner/{id}; a bare id matches either.",
      modifiers: ["Patient", "Practitioner"],
    },
    {
      name: "status",
      type: "token",
      definition: "http://hl7.org/fhir/SearchParameter/Appointment-status",
      documentation: "FHIR appointment status codes; comma-separated codes match any.",
    },
    {
      name: "service-type",
      type: "token",
      definition: "http://hl7.org/fhir/SearchParameter/Appointment-service-type",
      documentation: `An appointment type code (${SYSTEMS.appointmentType}).`,
    },
  ],

  async read(scope, id) {
    if (!isUuid(id)) return null;
    const row = await scope.ctx.db.prisma.appointment.findFirst({
      where: { id, clinicId: scope.clinic.id, ...visibleAppointments(scope.caller) },
      include,
    });
    if (!row) return null;
    await auditDisclosure(scope, "fhir.appointment.read", "Appointment", [
      { resourceId: row.id, patientId: row.patientId },
    ]);
    return toFhirAppointment(view(row), scope.clinic.locale, scope.clinic.timeZone);
  },

  async search(scope, q) {
    const where: Prisma.AppointmentWhereInput = {
      clinicId: scope.clinic.id,
      AND: [visibleAppointments(scope.caller), ...conditions(scope, q)],
    };
    const prisma = scope.ctx.db.prisma;
    const [total, rows] = await Promise.all([
      prisma.appointment.count({ where }),
      q.count === 0
        ? Promise.resolve([])
        : prisma.appointment.findMany({
            where,
            include,
            orderBy: [{ startsAt: "asc" }, { id: "asc" }],
            skip: q.offset,
            take: q.count,
          }),
    ]);
    await auditDisclosure(
      scope,
      "fhir.appointment.search",
      "Appointment",
      rows.map((r) => ({ resourceId: r.id, patientId: r.patientId })),
      { parameters: q.appliedNames() },
    );
    return {
      total,
      resources: rows.map((r) => toFhirAppointment(view(r), scope.clinic.locale, scope.clinic.timeZone)),
    };
  },
};

function conditions(scope: FhirScope, q: SearchRequest): Prisma.AppointmentWhereInput[] {
  const out: Prisma.AppointmentWhereInput[] = [];
  for (const c of q.all("_id")) out.push({ id: { in: idList(c) } });
  for (const c of q.all("date"))
    out.push({ OR: dateRanges("date", c, scope.clinic.timeZone).map((r) => ({ startsAt: r })) });
  for (const c of q.all("patient")) out.push({ patientId: { in: referenceIds(c, "Patient") } });
  for (const c of q.all("practitioner")) out.push({ doctorId: { in: referenceIds(c, "Practitioner") } });
  for (const c of q.all("actor")) {
    out.push({
      OR: c.values.flatMap((v): Prisma.AppointmentWhereInput[] => {
        const ref = parseReference(v, c.modifier);
        if (!isUuid(ref.id)) return [];
        if (ref.type === "Patient") return [{ patientId: ref.id }];
        if (ref.type === "Practitioner") return [{ doctorId: ref.id }];
        return ref.type === undefined ? [{ patientId: ref.id }, { doctorId: ref.id }] : [];
      }),
    });
  }
  for (const c of q.all("status"))
    out.push({ status: { in: codesIn(c, SYSTEMS.appointmentStatus).flatMap(tabibStatuses) } });
  for (const c of q.all("service-type")) out.push({ type: { code: { in: codesIn(c, SYSTEMS.appointmentType) } } });
  return out;
}
