import { z } from "zod";
import type { AppContext } from "../../context.js";
import {
  acknowledgeEmergency,
  EMERGENCY_CATEGORIES,
  listEmergencies,
  raiseEmergency,
  readEmergency,
  resolveEmergency,
  type EmergencyView,
} from "../../domain/emergencies.js";
import { actorOf, type ApiRoutes } from "../route.js";
import { IdParams, iso, isoOrNull, QueryBool, Timestamp } from "../schemas.js";

const Category = z.enum(EMERGENCY_CATEGORIES);

const AlertDto = z
  .object({
    doctorId: z.uuid(),
    doctorName: z.string(),
    level: z.number().int().meta({ description: "0: on-call doctor; 1…n: next doctors by rank; -1: every doctor" }),
    channel: z.string(),
    sentAt: Timestamp,
    acknowledgedAt: Timestamp.nullable(),
  })
  .meta({ id: "EmergencyAlert" });

const EmergencyDto = z
  .object({
    id: z.uuid(),
    category: z.string(),
    patient: z
      .object({ id: z.uuid(), firstName: z.string(), lastName: z.string(), phone: z.string().nullable() })
      .nullable(),
    conversationChannel: z.string().nullable().meta({ description: "The chat a red flag came from" }),
    raisedBy: z.uuid().nullable().meta({ description: "Staff account that raised it by hand" }),
    raisedByName: z.string().nullable(),
    note: z.string().nullable(),
    createdAt: Timestamp,
    escalationLevel: z.number().int(),
    acknowledgedAt: Timestamp.nullable(),
    acknowledgedByDoctorId: z.uuid().nullable(),
    acknowledgedByName: z.string().nullable(),
    resolvedAt: Timestamp.nullable(),
    alerts: z.array(AlertDto).meta({ description: "The escalation's steps, oldest first" }),
  })
  .meta({ id: "Emergency" });

const NewEmergency = z
  .strictObject({
    category: Category,
    patientId: z.uuid().nullable().default(null),
    note: z.string().trim().max(500).nullable().default(null),
  })
  .meta({ id: "NewEmergency" });

const Acknowledgement = z
  .strictObject({
    doctorId: z
      .uuid()
      .nullable()
      .default(null)
      .meta({ description: "The doctor who took it, when the front desk records it for them (doctors: themselves)" }),
  })
  .meta({ id: "EmergencyAcknowledgement" });

const NoFields = z.strictObject({}).meta({ id: "NoFields", description: "Nothing to send: the body may be empty" });

const present = (e: EmergencyView): z.input<typeof EmergencyDto> => ({
  id: e.id,
  category: e.category,
  patient: e.patient && e.patientId ? { id: e.patientId, ...e.patient } : null,
  conversationChannel: e.conversationChannel,
  raisedBy: e.raisedBy,
  raisedByName: e.raisedByName,
  note: e.note,
  createdAt: iso(e.createdAt),
  escalationLevel: e.escalationLevel,
  acknowledgedAt: isoOrNull(e.acknowledgedAt),
  acknowledgedByDoctorId: e.acknowledgedByDoctorId,
  acknowledgedByName: e.acknowledgedByName,
  resolvedAt: isoOrNull(e.resolvedAt),
  alerts: e.alerts.map((a) => ({
    doctorId: a.doctorId,
    doctorName: a.doctorName,
    level: a.level,
    channel: a.channel,
    sentAt: iso(a.sentAt),
    acknowledgedAt: isoOrNull(a.acknowledgedAt),
  })),
});

/** Emergencies: red flags from the chat and those raised by staff, with their alerts to doctors. */
export function emergencyRoutes(api: ApiRoutes, ctx: AppContext): void {
  const access = (staff: Parameters<typeof actorOf>[0], ip: string | undefined) => ({
    clinicId: staff.clinicId,
    actor: actorOf(staff),
    ip,
  });

  api.add({
    method: "get",
    path: "/emergencies",
    tag: "emergencies",
    summary: "Emergencies, newest first, each with its escalation steps",
    description: "Each patient shown is recorded in the audit log.",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    query: z.object({ open: QueryBool.default(true), limit: z.coerce.number().int().min(1).max(200).default(50) }),
    ok: { description: "Emergencies", schema: z.array(EmergencyDto) },
    async handler({ staff, query, req }) {
      const rows = await listEmergencies(ctx.db, access(staff, req.ip), { openOnly: query.open, limit: query.limit });
      return rows.map(present);
    },
  });

  api.add({
    method: "get",
    path: "/emergencies/:id",
    tag: "emergencies",
    summary: "One emergency and its escalation steps (audited)",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    params: IdParams,
    ok: { description: "The emergency", schema: EmergencyDto },
    errors: { 404: "No such emergency" },
    async handler({ staff, params, req }) {
      return present(await readEmergency(ctx.db, access(staff, req.ip), params.id));
    },
  });

  api.add({
    method: "post",
    path: "/emergencies",
    tag: "emergencies",
    summary: "Raise an emergency (a call, someone at the desk): the on-call doctor is alerted at once",
    description:
      "Unacknowledged, it escalates to the next doctor after the clinic's emergencyAckMinutes, then to every doctor.",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    body: NewEmergency,
    ok: { status: 201, description: "The emergency", schema: EmergencyDto },
    errors: { 404: "No such patient" },
    async handler({ staff, body, req }) {
      const event = await raiseEmergency(ctx.db, { ...access(staff, req.ip), ...body, now: ctx.now() });
      return present(await readEmergency(ctx.db, access(staff, req.ip), event.id));
    },
  });

  api.add({
    method: "post",
    path: "/emergencies/:id/acknowledge",
    tag: "emergencies",
    summary: "Acknowledge an emergency: the escalation stops (the first acknowledgement counts)",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    params: IdParams,
    body: Acknowledgement,
    ok: { description: "The emergency", schema: EmergencyDto },
    errors: { 404: "No such emergency or doctor" },
    async handler({ staff, params, body, req }) {
      await acknowledgeEmergency(ctx.db, {
        ...access(staff, req.ip),
        eventId: params.id,
        doctorId: body.doctorId,
        now: ctx.now(),
      });
      return present(await readEmergency(ctx.db, access(staff, req.ip), params.id));
    },
  });

  api.add({
    method: "post",
    path: "/emergencies/:id/resolve",
    tag: "emergencies",
    summary: "Close an emergency (handled, or a false alarm)",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    params: IdParams,
    body: NoFields,
    ok: { description: "The emergency", schema: EmergencyDto },
    errors: { 404: "No such emergency" },
    async handler({ staff, params, req }) {
      await resolveEmergency(ctx.db, { ...access(staff, req.ip), eventId: params.id, now: ctx.now() });
      return present(await readEmergency(ctx.db, access(staff, req.ip), params.id));
    },
  });
}
