import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { Appointment, AppointmentEvent } from "../../data/generated/client.js";
import {
  appointmentHistory,
  bookAppointment,
  bookUrgent,
  cancelAppointment,
  completeAppointment,
  decideRequest,
  markNoShow,
  rescheduleAppointment,
} from "../../domain/booking.js";
import {
  appointmentForStaff,
  listAppointments,
  readAppointment,
  type BookedAppointment,
} from "../../domain/directory.js";
import { DomainError } from "../../domain/errors.js";
import { callerActor, type Caller } from "../../http/auth.js";
import { actorOf, type ApiRoutes } from "../route.js";
import { AppointmentStatusName, ChannelName, IdParams, Instant, iso, Timestamp } from "../schemas.js";

const AppointmentDto = z
  .object({
    id: z.uuid(),
    doctorId: z.uuid(),
    patientId: z.uuid(),
    typeId: z.uuid(),
    startsAt: Timestamp,
    endsAt: Timestamp,
    status: AppointmentStatusName,
    reason: z.string().nullable(),
    sourceChannel: ChannelName,
    overbooked: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    patient: z
      .object({ id: z.uuid(), firstName: z.string(), lastName: z.string() })
      .optional()
      .meta({ description: "On reads of the appointment book" }),
  })
  .meta({ id: "Appointment" });

const AppointmentEventDto = z
  .object({
    id: z.uuid(),
    at: Timestamp,
    actorKind: z.enum(["patient", "staff", "doctor", "system", "client"]),
    actorId: z.string().nullable(),
    fromStatus: AppointmentStatusName.nullable(),
    toStatus: AppointmentStatusName,
    reason: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: "AppointmentEvent" });

const present = (a: Appointment | BookedAppointment): z.input<typeof AppointmentDto> => ({
  id: a.id,
  doctorId: a.doctorId,
  patientId: a.patientId,
  typeId: a.typeId,
  startsAt: iso(a.startsAt),
  endsAt: iso(a.endsAt),
  status: a.status,
  reason: a.reason,
  sourceChannel: a.sourceChannel,
  overbooked: a.overbooked,
  createdAt: iso(a.createdAt),
  updatedAt: iso(a.updatedAt),
  ...("patient" in a ? { patient: a.patient } : {}),
});

const presentEvent = (e: AppointmentEvent): z.input<typeof AppointmentEventDto> => ({
  id: e.id,
  at: iso(e.at),
  actorKind: e.actorKind,
  actorId: e.actorId,
  fromStatus: e.fromStatus,
  toStatus: e.toStatus,
  reason: e.reason,
  detail:
    e.detail && typeof e.detail === "object" && !Array.isArray(e.detail) ? (e.detail as Record<string, unknown>) : null,
});

const Reason = z.string().trim().min(1).max(500);
const Override = z
  .strictObject({ reason: Reason })
  .meta({ description: "Staff override of the clinic's cancellation cutoff; the reason is recorded in the history" });

const ListQuery = z
  .object({
    from: Instant,
    to: Instant,
    doctorId: z.uuid().optional(),
    patientId: z.uuid().optional(),
    status: z
      .string()
      .transform((s) => s.split(",").map((x) => x.trim()))
      .pipe(z.array(AppointmentStatusName))
      .optional()
      .meta({ description: "Comma-separated statuses, e.g. requested,confirmed" }),
    limit: z.coerce.number().int().min(1).max(1000).default(500),
  })
  .refine((q) => q.to > q.from, { path: ["to"], message: "must be after from" });

const Booking = {
  patientId: z.uuid(),
  typeId: z.uuid(),
  doctorId: z.uuid(),
  startsAt: Instant,
  reason: z.string().trim().max(1000).nullish(),
};
const NewAppointment = z
  .strictObject({
    ...Booking,
    sourceChannel: z.enum(["api", "console"]).default("api"),
    idempotencyKey: z
      .string()
      .min(8)
      .max(100)
      .optional()
      .meta({ description: "Same key, same booking: a retried request returns the first appointment" }),
  })
  .meta({ id: "NewAppointment" });
const UrgentAppointment = z
  .strictObject({
    ...Booking,
    overbook: z
      .strictObject({ reason: Reason })
      .optional()
      .meta({ description: "Allows overlapping another appointment; the reason is recorded" }),
  })
  .meta({ id: "UrgentAppointment" });
const Reschedule = z
  .strictObject({
    startsAt: Instant,
    doctorId: z.uuid().optional(),
    reason: Reason.optional(),
    override: Override.optional(),
  })
  .meta({ id: "Reschedule" });
const Cancel = z.strictObject({ reason: Reason.optional(), override: Override.optional() }).meta({ id: "Cancel" });
const Decision = z.strictObject({ reason: Reason.optional() }).meta({ id: "Decision" });

/** A doctor books and squeezes in only on their own schedule. */
function ensureOwnDoctor(caller: Caller, doctorId: string): void {
  if (caller.kind !== "client" && caller.role === "doctor" && caller.doctorId !== doctorId)
    throw new DomainError("forbidden", "Doctors book only on their own schedule");
}

const slotRefusals = {
  404: "No such patient, doctor or appointment type",
  409: "slot_taken (with `alternatives`) or slot_unavailable",
  422: "in_the_past or notice_too_short (with `alternatives`)",
} as const;

export function appointmentRoutes(api: ApiRoutes, ctx: AppContext): void {
  const anyStaff = ["admin", "secretary", "doctor"] as const;

  api.add({
    method: "get",
    path: "/appointments",
    tag: "appointments",
    summary: "The appointment book over a range, by doctor, patient or status (doctors: their own)",
    description: "Each appointment returned is audited as a read of its patient's data.",
    access: anyStaff,
    scope: "Appointment.s",
    query: ListQuery,
    ok: { description: "Appointments starting in [from, to)", schema: z.array(AppointmentDto) },
    async handler({ caller, query, req }) {
      return (await listAppointments(ctx.db, caller.clinicId, callerActor(caller), query, req.ip)).map(present);
    },
  });

  api.add({
    method: "get",
    path: "/appointments/:id",
    tag: "appointments",
    summary: "One appointment (audited)",
    access: anyStaff,
    scope: "Appointment.r",
    params: IdParams,
    ok: { description: "The appointment", schema: AppointmentDto },
    errors: { 404: "No such appointment" },
    async handler({ caller, params, req }) {
      return present(await readAppointment(ctx.db, caller.clinicId, callerActor(caller), params.id, req.ip));
    },
  });

  api.add({
    method: "get",
    path: "/appointments/:id/events",
    tag: "appointments",
    summary: "The appointment's history: every status change and move",
    access: anyStaff,
    scope: "Appointment.r",
    params: IdParams,
    ok: { description: "Events, oldest first", schema: z.array(AppointmentEventDto) },
    errors: { 404: "No such appointment" },
    async handler({ caller, params, req }) {
      await readAppointment(ctx.db, caller.clinicId, callerActor(caller), params.id, req.ip, "appointment.history");
      return (await appointmentHistory(ctx.db, params.id)).map(presentEvent);
    },
  });

  api.add({
    method: "post",
    path: "/appointments",
    tag: "appointments",
    summary: "Book a slot for a patient (confirmed at once when booked by staff)",
    access: anyStaff,
    scope: "Appointment.c",
    body: NewAppointment,
    ok: { status: 201, description: "Booked", schema: AppointmentDto },
    errors: slotRefusals,
    async handler({ caller, body }) {
      ensureOwnDoctor(caller, body.doctorId);
      const appointment = await bookAppointment(ctx.db, {
        ...staffBooking(caller, body, ctx.now()),
        sourceChannel: body.sourceChannel,
        // Scoped per staff member or client so two integrations cannot collide on a key.
        idempotencyKey: body.idempotencyKey
          ? `api:${caller.kind === "client" ? `client-${caller.clientId}` : caller.userId}:${body.idempotencyKey}`
          : undefined,
      });
      return present(appointment);
    },
  });

  api.add({
    method: "post",
    path: "/appointments/urgent",
    tag: "appointments",
    summary: "Squeeze in an urgent patient: no notice period; overlap only with overbook.reason",
    access: anyStaff,
    scope: "staff-only",
    body: UrgentAppointment,
    ok: { status: 201, description: "Booked", schema: AppointmentDto },
    errors: slotRefusals,
    async handler({ staff, body }) {
      ensureOwnDoctor(staff, body.doctorId);
      const appointment = await bookUrgent(ctx.db, {
        ...staffBooking(staff, body, ctx.now()),
        sourceChannel: "api",
        overbook: body.overbook,
      });
      ctx.logger.info(
        { by: staff.userId, appointmentId: appointment.id, overbooked: appointment.overbooked },
        "urgent appointment booked",
      );
      return present(appointment);
    },
  });

  api.add({
    method: "post",
    path: "/appointments/:id/reschedule",
    tag: "appointments",
    summary: "Move an appointment to another time (and optionally doctor)",
    description: "Inside the clinic's cancellation cutoff staff must give override.reason.",
    access: anyStaff,
    scope: "Appointment.u",
    params: IdParams,
    body: Reschedule,
    ok: { description: "Moved", schema: AppointmentDto },
    errors: { ...slotRefusals, 422: "inside_cutoff without override, in_the_past, notice_too_short" },
    async handler({ caller, params, body }) {
      await appointmentForStaff(ctx.db, caller.clinicId, callerActor(caller), params.id);
      if (body.doctorId) ensureOwnDoctor(caller, body.doctorId);
      const appointment = await rescheduleAppointment(ctx.db, {
        appointmentId: params.id,
        startsAt: body.startsAt,
        doctorId: body.doctorId,
        reason: body.reason,
        override: body.override,
        actor: callerActor(caller),
        now: ctx.now(),
      });
      return present(appointment);
    },
  });

  api.add({
    method: "post",
    path: "/appointments/:id/cancel",
    tag: "appointments",
    summary: "Cancel an appointment",
    description:
      "Inside the clinic's cancellation cutoff staff must give override.reason (422 inside_cutoff otherwise).",
    access: anyStaff,
    scope: "Appointment.u",
    params: IdParams,
    body: Cancel,
    ok: { description: "Cancelled", schema: AppointmentDto },
    errors: { 404: "No such appointment", 409: "invalid_transition", 422: "inside_cutoff" },
    async handler({ caller, params, body }) {
      await appointmentForStaff(ctx.db, caller.clinicId, callerActor(caller), params.id);
      return present(
        await cancelAppointment(ctx.db, {
          appointmentId: params.id,
          actor: callerActor(caller),
          reason: body.reason,
          override: body.override,
          now: ctx.now(),
        }),
      );
    },
  });

  for (const decision of ["accept", "decline"] as const) {
    api.add({
      method: "post",
      path: `/appointments/:id/${decision}`,
      tag: "appointments",
      summary:
        decision === "accept"
          ? "Accept a requested appointment (approval mode)"
          : "Decline a requested appointment (approval mode)",
      access: anyStaff,
      scope: "staff-only",
      params: IdParams,
      body: Decision,
      ok: { description: decision === "accept" ? "Confirmed" : "Declined", schema: AppointmentDto },
      errors: { 404: "No such appointment", 409: "invalid_transition: not a pending request" },
      async handler({ staff, params, body }) {
        await appointmentForStaff(ctx.db, staff.clinicId, actorOf(staff), params.id);
        return present(
          await decideRequest(ctx.db, {
            appointmentId: params.id,
            decision,
            actor: actorOf(staff),
            reason: body.reason,
          }),
        );
      },
    });
  }

  api.add({
    method: "post",
    path: "/appointments/:id/complete",
    tag: "appointments",
    summary: "Mark an appointment as seen",
    access: anyStaff,
    scope: "staff-only",
    params: IdParams,
    ok: { description: "Completed", schema: AppointmentDto },
    errors: { 404: "No such appointment", 409: "invalid_transition" },
    async handler({ staff, params }) {
      await appointmentForStaff(ctx.db, staff.clinicId, actorOf(staff), params.id);
      return present(await completeAppointment(ctx.db, { appointmentId: params.id, actor: actorOf(staff) }));
    },
  });

  api.add({
    method: "post",
    path: "/appointments/:id/no-show",
    tag: "appointments",
    summary: "Mark that the patient did not come",
    access: anyStaff,
    scope: "staff-only",
    params: IdParams,
    body: Decision,
    ok: { description: "Marked", schema: AppointmentDto },
    errors: { 404: "No such appointment", 409: "invalid_transition" },
    async handler({ staff, params, body }) {
      await appointmentForStaff(ctx.db, staff.clinicId, actorOf(staff), params.id);
      return present(
        await markNoShow(ctx.db, { appointmentId: params.id, actor: actorOf(staff), reason: body.reason }),
      );
    },
  });
}

/** The parts of a booking request every booking route fills the same way. */
function staffBooking(
  caller: Caller,
  body: { patientId: string; typeId: string; doctorId: string; startsAt: Date; reason?: string | null },
  now: Date,
) {
  return {
    clinicId: caller.clinicId,
    patientId: body.patientId,
    appointmentTypeId: body.typeId,
    doctorId: body.doctorId,
    startsAt: body.startsAt,
    reason: body.reason ?? null,
    actor: callerActor(caller),
    now,
  };
}
