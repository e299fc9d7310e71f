import { toFhirSchedule } from "../resources/schedule.js";
import { SYSTEMS } from "../resources/datatypes.js";
import { parseDateParam } from "../search/date.js";
import { codesIn, idList, referenceIds } from "../search/filters.js";
import { isUuid, type SearchRequest } from "../search/params.js";
import { ID_PARAM, type ResourceHandler } from "./handler.js";
import { loadOfferings, slotWindow, typesOffered } from "./offerings.js";
import { booleanToken } from "./practitioner.js";

export const scheduleHandler: ResourceHandler = {
  type: "Schedule",
  searchParams: [
    ID_PARAM,
    {
      name: "actor",
      type: "reference",
      definition: "http://hl7.org/fhir/SearchParameter/Schedule-actor",
      documentation: "Practitioner/{id} or a bare doctor id.",
      modifiers: ["Practitioner"],
    },
    {
      name: "active",
      type: "token",
      definition: "http://hl7.org/fhir/SearchParameter/Schedule-active",
      documentation: "true or false; only active doctors have a Schedule.",
    },
    {
      name: "specialty",
      type: "token",
      definition: "http://hl7.org/fhir/SearchParameter/Schedule-specialty",
      documentation: `A specialty code (${SYSTEMS.specialty}).`,
    },
    {
      name: "service-type",
      type: "token",
      definition: "http://hl7.org/fhir/SearchParameter/Schedule-service-type",
      documentation: `An appointment type code (${SYSTEMS.appointmentType}).`,
    },
    {
      name: "date",
      type: "date",
      definition: "http://hl7.org/fhir/SearchParameter/Schedule-date",
      documentation:
        "Sets the planningHorizon reported (default: the next 7 days, at most 31); every active schedule covers any date.",
    },
  ],

  async read(scope, id) {
    if (!isUuid(id)) return null;
    const { doctors, types } = await loadOfferings(scope, [id]);
    const doctor = doctors[0];
    if (!doctor) return null;
    const horizon = slotWindow([], scope.now);
    return toFhirSchedule(
      { doctor, appointmentTypes: typesOffered(doctor, types), horizon },
      scope.clinic.locale,
      scope.clinic.timeZone,
    );
  },

  async search(scope, q) {
    const horizon = slotWindow(
      q.all("date").flatMap((c) => c.values.map((v) => parseDateParam("date", v, scope.clinic.timeZone))),
      scope.now,
    );
    const { doctors, types } = await loadOfferings(scope);
    const matches = doctors
      .map((doctor) => ({ doctor, appointmentTypes: typesOffered(doctor, types), horizon }))
      .filter((v) =>
        matchesAll(
          q,
          v.doctor.id,
          v.doctor.specialties.map((s) => s.specialty.code),
          v.appointmentTypes.map((t) => t.code),
        ),
      );
    const page = matches.slice(q.offset, q.offset + q.count);
    return {
      total: matches.length,
      resources: page.map((v) => toFhirSchedule(v, scope.clinic.locale, scope.clinic.timeZone)),
    };
  },
};

function matchesAll(q: SearchRequest, doctorId: string, specialties: string[], typeCodes: string[]): boolean {
  const anyOf = (have: string[], want: string[]) => want.some((w) => have.includes(w));
  return (
    q.all("_id").every((c) => idList(c).includes(doctorId)) &&
    q.all("actor").every((c) => referenceIds(c, "Practitioner").includes(doctorId)) &&
    q.all("active").every((c) => c.values.some((v) => booleanToken("active", v))) &&
    q.all("specialty").every((c) => anyOf(specialties, codesIn(c, SYSTEMS.specialty))) &&
    q.all("service-type").every((c) => anyOf(typeCodes, codesIn(c, SYSTEMS.appointmentType)))
  );
}
