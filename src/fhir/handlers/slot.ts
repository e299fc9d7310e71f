import { findSlots, type Slot as FreeSlot } from "../../domain/availability.js";
import { isDomainError } from "../../domain/errors.js";
import { SYSTEMS } from "../resources/datatypes.js";
import type { OperationOutcomeIssue } from "../resources/types.js";
import { decodeSlotId, encodeSlotId, toFhirSlot } from "../resources/slot.js";
import { matchesDate, parseDateParam, type DateParam } from "../search/date.js";
import { codesIn, referenceIds } from "../search/filters.js";
import { badParam } from "../errors.js";
import { MAX_COUNT, parseToken, type SearchRequest } from "../search/params.js";
import type { FhirScope } from "../scope.js";
import { ID_PARAM, type ResourceHandler } from "./handler.js";
import { loadOfferings, MAX_WINDOW_DAYS, slotWindow, typesOffered, type TypeWithSpecialty } from "./offerings.js";

interface TypedSlot {
  slot: FreeSlot;
  type: TypeWithSpecialty;
}

export const slotHandler: ResourceHandler = {
  type: "Slot",
  searchParams: [
    ID_PARAM,
    {
      name: "schedule",
      type: "reference",
      definition: "http://hl7.org/fhir/SearchParameter/Slot-schedule",
      documentation: "Schedule/{id} or a bare id (a Schedule's id is its doctor's id).",
      modifiers: ["Schedule"],
    },
    {
      name: "start",
      type: "date",
      definition: "http://hl7.org/fhir/SearchParameter/Slot-start",
      documentation: `Slot start with prefixes eq, ne, gt, ge, lt, le, sa, eb; dates without an offset are in the clinic's time zone. Default window: the next 7 days; at most ${MAX_WINDOW_DAYS} days per search.`,
    },
    {
      name: "status",
      type: "token",
      definition: "http://hl7.org/fhir/SearchParameter/Slot-status",
      documentation: "Only free slots are computed: status=free, or any other code for an empty result.",
    },
    {
      name: "service-type",
      type: "token",
      definition: "http://hl7.org/fhir/SearchParameter/Slot-service-type",
      documentation: `An appointment type code (${SYSTEMS.appointmentType}); without it each doctor's first appointment type is used.`,
    },
    {
      name: "specialty",
      type: "token",
      definition: "http://hl7.org/fhir/SearchParameter/Slot-specialty",
      documentation: `A specialty code (${SYSTEMS.specialty}).`,
    },
  ],

  async read(scope, id) {
    const found = await recompute(scope, id);
    return found ? toFhirSlot(found.slot, found.type, scope.clinic.locale, scope.clinic.timeZone) : null;
  },

  async search(scope, q) {
    const starts = q
      .all("start")
      .flatMap((c) => c.values.map((v) => parseDateParam("start", v, scope.clinic.timeZone)));
    const issues: OperationOutcomeIssue[] = [];
    let candidates: TypedSlot[];
    if (q.has("_id")) {
      // Named slots: recompute each, wherever it falls, then apply the other filters.
      const ids = q.all("_id").map((c) => new Set(c.values.map((v) => parseToken(v).code)));
      const wanted = [...ids[0]!].filter((id) => ids.every((set) => set.has(id)));
      if (wanted.length > MAX_COUNT) throw badParam("_id", `at most ${MAX_COUNT} slot ids per search`);
      candidates = (await Promise.all(wanted.map((id) => recompute(scope, id)))).filter(
        (s): s is TypedSlot => s !== null,
      );
    } else {
      const window = slotWindow(starts, scope.now);
      if (window.capped) {
        issues.push({
          severity: "warning",
          code: "too-costly",
          diagnostics: `The start window was limited to ${MAX_WINDOW_DAYS} days; page through later windows with start=ge…`,
          expression: ["start"],
        });
      }
      candidates = await computeSlots(scope, q, window);
    }
    const matches = candidates.filter((c) => keep(q, c, starts));
    const page = matches.slice(q.offset, q.offset + q.count);
    return {
      total: matches.length,
      resources: page.map((c) => toFhirSlot(c.slot, c.type, scope.clinic.locale, scope.clinic.timeZone)),
      ...(issues.length > 0 ? { issues } : {}),
    };
  },
};

async function computeSlots(
  scope: FhirScope,
  q: SearchRequest,
  window: { from: Date; to: Date },
): Promise<TypedSlot[]> {
  if (+window.to <= +window.from) return [];
  const scheduleIds = q.all("schedule").map((c) => new Set(referenceIds(c, "Schedule")));
  const { doctors, types } = await loadOfferings(scope);
  const specialtyCodes = q.all("specialty").map((c) => codesIn(c, SYSTEMS.specialty));
  const typeCodes = q.all("service-type").map((c) => codesIn(c, SYSTEMS.appointmentType));
  const pairs: { doctorId: string; type: TypeWithSpecialty }[] = [];
  for (const doctor of doctors) {
    if (!scheduleIds.every((ids) => ids.has(doctor.id))) continue;
    const doctorSpecialties = doctor.specialties.map((s) => s.specialty.code);
    if (!specialtyCodes.every((codes) => codes.some((c) => doctorSpecialties.includes(c)))) continue;
    const offered = typesOffered(doctor, types).filter((t) =>
      specialtyCodes.every((codes) => t.specialty === null || codes.includes(t.specialty.code)),
    );
    const chosen =
      typeCodes.length > 0
        ? offered.filter((t) => typeCodes.every((codes) => codes.includes(t.code)))
        : offered.slice(0, 1);
    for (const type of chosen) pairs.push({ doctorId: doctor.id, type });
  }
  const perPair = await Promise.all(
    pairs.map(async ({ doctorId, type }) => {
      const slots = await findSlots(scope.ctx.db, {
        clinicId: scope.clinic.id,
        appointmentTypeId: type.id,
        doctorId,
        from: window.from,
        to: window.to,
        now: scope.now,
      });
      return slots.map((slot) => ({ slot, type }));
    }),
  );
  return perPair
    .flat()
    .sort(
      (a, b) =>
        +a.slot.startsAt - +b.slot.startsAt || cmp(a.slot.doctorId, b.slot.doctorId) || cmp(a.type.code, b.type.code),
    );
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Filters that the computation does not already apply (needed for _id searches and "ne"). */
function keep(q: SearchRequest, c: TypedSlot, starts: DateParam[]): boolean {
  const id = encodeSlotId({ doctorId: c.slot.doctorId, appointmentTypeId: c.type.id, startsAt: c.slot.startsAt });
  return (
    q.all("_id").every((cl) => cl.values.some((v) => parseToken(v).code === id)) &&
    q.all("schedule").every((cl) => referenceIds(cl, "Schedule").includes(c.slot.doctorId)) &&
    q.all("status").every((cl) => cl.values.some((v) => parseToken(v).code === "free")) &&
    q.all("service-type").every((cl) => codesIn(cl, SYSTEMS.appointmentType).includes(c.type.code)) &&
    q
      .all("specialty")
      .every((cl) => c.type.specialty !== null && codesIn(cl, SYSTEMS.specialty).includes(c.type.specialty.code)) &&
    starts.every((p) => matchesDate(p, c.slot.startsAt))
  );
}

/** The slot an id names if it is still free now, recomputed from the doctor's availability. */
async function recompute(scope: FhirScope, id: string): Promise<TypedSlot | null> {
  const key = decodeSlotId(id);
  if (!key) return null;
  const { doctors, types } = await loadOfferings(scope, [key.doctorId]);
  const doctor = doctors[0];
  const type = doctor ? typesOffered(doctor, types).find((t) => t.id === key.appointmentTypeId) : undefined;
  if (!doctor || !type) return null;
  try {
    const slots = await findSlots(scope.ctx.db, {
      clinicId: scope.clinic.id,
      appointmentTypeId: type.id,
      doctorId: doctor.id,
      from: key.startsAt,
      to: new Date(+key.startsAt + 1000),
      now: scope.now,
    });
    const slot = slots.find((s) => s.doctorId === doctor.id && +s.startsAt === +key.startsAt);
    return slot ? { slot, type } : null;
  } catch (err) {
    if (isDomainError(err, "not_found") || isDomainError(err, "invalid")) return null;
    throw err;
  }
}
