import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { ScheduleException } from "../../data/generated/client.js";
import { createException, deleteException, getException, listExceptions } from "../../domain/directory.js";
import { DomainError } from "../../domain/errors.js";
import type { Caller } from "../../http/auth.js";
import type { ApiRoutes } from "../route.js";
import { IdParams, Instant, iso, Timestamp } from "../schemas.js";

const ExceptionKind = z.enum(["leave", "holiday", "blocked"]);

const ExceptionDto = z
  .object({
    id: z.uuid(),
    doctorId: z.uuid().nullable().meta({ description: "Null: the whole clinic" }),
    kind: ExceptionKind,
    startsAt: Timestamp,
    endsAt: Timestamp,
    reason: z.string().nullable(),
  })
  .meta({ id: "ScheduleException" });

const Created = z
  .object({
    exception: ExceptionDto,
    affectedAppointmentIds: z
      .array(z.uuid())
      .meta({ description: "Active appointments inside the new exception, left for staff to move" }),
  })
  .meta({ id: "ScheduleExceptionCreated" });

const Range = z.object({ from: Instant, to: Instant });
const ExceptionFields = {
  kind: ExceptionKind,
  startsAt: Instant,
  endsAt: Instant,
  reason: z.string().trim().max(500).nullish(),
};
const NewDoctorException = z.strictObject(ExceptionFields).meta({ id: "NewDoctorException" });
const NewException = z
  .strictObject({
    doctorId: z.uuid().nullable().meta({ description: "Null or absent: the whole clinic" }).default(null),
    ...ExceptionFields,
  })
  .meta({ id: "NewScheduleException" });

const present = (e: ScheduleException): z.input<typeof ExceptionDto> => ({
  id: e.id,
  doctorId: e.doctorId,
  kind: e.kind,
  startsAt: iso(e.startsAt),
  endsAt: iso(e.endsAt),
  reason: e.reason,
});

/** Doctors manage their own exceptions only; clinic-wide ones are the office's. */
function ensureOwnSchedule(caller: Caller, doctorId: string | null): void {
  if (caller.kind !== "client" && caller.role === "doctor" && (doctorId === null || doctorId !== caller.doctorId)) {
    throw new DomainError("forbidden", "Doctors manage only their own schedule exceptions");
  }
}

export function exceptionRoutes(api: ApiRoutes, ctx: AppContext): void {
  const anyStaff = ["admin", "secretary", "doctor"] as const;

  api.add({
    method: "get",
    path: "/doctors/:id/exceptions",
    tag: "schedule",
    summary: "A doctor's leave and blocked time (and clinic holidays) overlapping a range",
    access: anyStaff,
    scope: "Schedule.s",
    params: IdParams,
    query: Range,
    ok: { description: "Exceptions", schema: z.array(ExceptionDto) },
    async handler({ caller, params, query }) {
      ensureOwnSchedule(caller, params.id);
      const rows = await listExceptions(ctx.db, caller.clinicId, {
        ...query,
        doctorId: params.id,
        includeClinicWide: true,
      });
      return rows.map(present);
    },
  });

  api.add({
    method: "post",
    path: "/doctors/:id/exceptions",
    tag: "schedule",
    summary: "Record leave or blocked time for a doctor",
    access: anyStaff,
    scope: "staff-only",
    params: IdParams,
    body: NewDoctorException,
    ok: { status: 201, description: "Created; lists appointments now inside it", schema: Created },
    errors: { 404: "No such doctor" },
    async handler({ staff, params, body }) {
      ensureOwnSchedule(staff, params.id);
      const { exception, affectedAppointmentIds } = await createException(ctx.db, staff.clinicId, {
        ...body,
        doctorId: params.id,
      });
      return { exception: present(exception), affectedAppointmentIds };
    },
  });

  api.add({
    method: "get",
    path: "/exceptions",
    tag: "schedule",
    summary: "All schedule exceptions overlapping a range (a doctor sees their own and clinic-wide ones)",
    access: anyStaff,
    scope: "Schedule.s",
    query: Range,
    ok: { description: "Exceptions", schema: z.array(ExceptionDto) },
    async handler({ caller, query }) {
      const mine =
        caller.kind !== "client" && caller.role === "doctor"
          ? { doctorId: caller.doctorId ?? "00000000-0000-0000-0000-000000000000", includeClinicWide: true }
          : {};
      return (await listExceptions(ctx.db, caller.clinicId, { ...query, ...mine })).map(present);
    },
  });

  api.add({
    method: "post",
    path: "/exceptions",
    tag: "schedule",
    summary: "Record a clinic-wide holiday (no doctorId) or a doctor's exception",
    access: anyStaff,
    scope: "staff-only",
    body: NewException,
    ok: { status: 201, description: "Created; lists appointments now inside it", schema: Created },
    errors: { 404: "No such doctor" },
    async handler({ staff, body }) {
      ensureOwnSchedule(staff, body.doctorId);
      const { exception, affectedAppointmentIds } = await createException(ctx.db, staff.clinicId, body);
      return { exception: present(exception), affectedAppointmentIds };
    },
  });

  api.add({
    method: "delete",
    path: "/exceptions/:id",
    tag: "schedule",
    summary: "Remove a schedule exception",
    access: anyStaff,
    scope: "staff-only",
    params: IdParams,
    ok: { status: 204, description: "Removed" },
    errors: { 404: "No such exception" },
    async handler({ staff, params }) {
      ensureOwnSchedule(staff, (await getException(ctx.db, staff.clinicId, params.id)).doctorId);
      await deleteException(ctx.db, staff.clinicId, params.id);
    },
  });
}
