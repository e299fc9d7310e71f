import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { AppointmentType } from "../../data/generated/client.js";
import { createAppointmentType, listAppointmentTypes, updateAppointmentType } from "../../domain/directory.js";
import type { ApiRoutes } from "../route.js";
import { IdParams, QueryBool } from "../schemas.js";

const Mode = z.enum(["in_person", "teleconsultation"]);

const AppointmentTypeDto = z
  .object({
    id: z.uuid(),
    code: z.string(),
    nameFr: z.string(),
    nameEn: z.string(),
    durationMinutes: z.number().int(),
    priceMinor: z.number().int().meta({ description: "Price in the currency's minor unit (cents)" }),
    mode: Mode,
    specialtyId: z.uuid().nullable(),
    active: z.boolean(),
  })
  .meta({ id: "AppointmentType" });

const Fields = {
  code: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "lowercase letters, digits and dashes"),
  nameFr: z.string().trim().min(1).max(200),
  nameEn: z.string().trim().min(1).max(200),
  durationMinutes: z.number().int().min(5).max(480),
  priceMinor: z.number().int().min(0),
  mode: Mode,
  specialtyId: z.uuid().nullable(),
  active: z.boolean(),
};
const NewAppointmentType = z
  .strictObject({
    ...Fields,
    mode: Mode.default("in_person"),
    specialtyId: z.uuid().nullable().default(null),
    active: z.boolean().default(true),
  })
  .meta({ id: "NewAppointmentType" });
const AppointmentTypeChanges = z.strictObject(Fields).partial().meta({ id: "AppointmentTypeChanges" });

const present = (t: AppointmentType): z.input<typeof AppointmentTypeDto> => ({
  id: t.id,
  code: t.code,
  nameFr: t.nameFr,
  nameEn: t.nameEn,
  durationMinutes: t.durationMinutes,
  priceMinor: t.priceMinor,
  mode: t.mode,
  specialtyId: t.specialtyId,
  active: t.active,
});

export function appointmentTypeRoutes(api: ApiRoutes, ctx: AppContext): void {
  api.add({
    method: "get",
    path: "/appointment-types",
    tag: "directory",
    summary: "Kinds of appointment offered, with duration and price",
    access: ["admin", "secretary", "doctor"],
    scope: "HealthcareService.s",
    query: z.object({ specialtyId: z.uuid().optional(), active: QueryBool.optional() }),
    ok: { description: "Appointment types", schema: z.array(AppointmentTypeDto) },
    async handler({ caller, query }) {
      return (await listAppointmentTypes(ctx.db, caller.clinicId, query)).map(present);
    },
  });

  api.add({
    method: "post",
    path: "/appointment-types",
    tag: "directory",
    summary: "Add an appointment type",
    access: ["admin"],
    scope: "HealthcareService.c",
    body: NewAppointmentType,
    ok: { status: 201, description: "Created", schema: AppointmentTypeDto },
    errors: { 409: "The code is already used" },
    async handler({ caller, body }) {
      return present(await createAppointmentType(ctx.db, caller.clinicId, body));
    },
  });

  api.add({
    method: "patch",
    path: "/appointment-types/:id",
    tag: "directory",
    summary: "Change an appointment type",
    access: ["admin"],
    scope: "HealthcareService.u",
    params: IdParams,
    body: AppointmentTypeChanges,
    ok: { description: "Updated", schema: AppointmentTypeDto },
    errors: { 404: "No such appointment type", 409: "The code is already used" },
    async handler({ caller, params, body }) {
      return present(await updateAppointmentType(ctx.db, caller.clinicId, params.id, body));
    },
  });
}
