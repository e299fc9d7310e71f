import { z } from "zod";
import type { AppContext } from "../../context.js";
import { readAppointment } from "../../domain/directory.js";
import { noShowCandidates, patientNoShows } from "../../domain/no-shows.js";
import { noticesOf } from "../../domain/notices.js";
import { listUnconfirmed, remindersOf } from "../../domain/reminders.js";
import { actorOf, type ApiRoutes } from "../route.js";
import { ChannelName, IdParams, iso, isoOrNull, Timestamp } from "../schemas.js";

const PatientLine = z.object({
  id: z.uuid(),
  firstName: z.string(),
  lastName: z.string(),
  phone: z.string().nullable(),
});

const ReminderStatusName = z.enum(["scheduled", "sent", "cancelled", "skipped", "failed"]);

const UnconfirmedDto = z
  .object({
    appointmentId: z.uuid(),
    startsAt: Timestamp,
    doctorId: z.uuid(),
    doctorName: z.string(),
    patient: PatientLine,
    reminder: z.object({
      status: ReminderStatusName,
      sentAt: Timestamp.nullable(),
      channel: ChannelName.nullable(),
      reason: z.string().nullable().meta({ description: "Why it could not be sent (opted_out, unreachable…)" }),
    }),
    noShows: z.number().int(),
  })
  .meta({ id: "UnconfirmedAppointment" });

const NoShowCandidateDto = z
  .object({
    appointmentId: z.uuid(),
    startsAt: Timestamp,
    doctorId: z.uuid(),
    doctorName: z.string(),
    patient: PatientLine,
    noShows: z.number().int(),
  })
  .meta({ id: "NoShowCandidate" });

const NoShowRecordDto = z
  .object({ patientId: z.uuid(), count: z.number().int(), lastAt: Timestamp.nullable() })
  .meta({ id: "NoShowRecord" });

const ReminderDto = z
  .object({
    id: z.uuid(),
    offsetMinutes: z.number().int(),
    kind: z.enum(["confirm", "plain"]),
    dueAt: Timestamp,
    sendAt: Timestamp.meta({ description: "dueAt moved out of the clinic's quiet hours" }),
    status: ReminderStatusName,
    channel: ChannelName.nullable(),
    sentAt: Timestamp.nullable(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
  })
  .meta({ id: "Reminder" });

const NoticeDto = z
  .object({
    id: z.uuid(),
    kind: z.string().meta({ description: "confirmed, changed, cancelled, accepted or declined" }),
    medium: z.string().meta({ description: "chat (before sending), the chat channel used, or email" }),
    status: z.string().meta({ description: "pending, sending, sent, skipped or failed" }),
    sentAt: Timestamp.nullable(),
    lastError: z.string().nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: "Notice" });

/** Reminders, notices and no-shows: what the follow-up work did and what staff must act on. */
export function followUpRoutes(api: ApiRoutes, ctx: AppContext): void {
  const anyStaff = ["admin", "secretary", "doctor"] as const;

  api.add({
    method: "get",
    path: "/reminders/unconfirmed",
    tag: "reminders",
    summary: "Appointments whose patient was asked to confirm and has not, past the clinic's deadline",
    description:
      "Confirmed upcoming appointments whose confirmation reminder was sent (or could not reach the patient) with no answer by `confirmationDeadlineHours` before the start. Doctors see their own. Each row is audited.",
    access: anyStaff,
    scope: "staff-only",
    ok: { description: "Soonest first", schema: z.array(UnconfirmedDto) },
    async handler({ staff, req }) {
      const rows = await listUnconfirmed(
        ctx.db,
        { clinicId: staff.clinicId, actor: actorOf(staff), ip: req.ip },
        ctx.now(),
      );
      return rows.map((r) => ({
        ...r,
        startsAt: iso(r.startsAt),
        reminder: {
          ...r.reminder,
          sentAt: isoOrNull(r.reminder.sentAt),
          channel: r.reminder.channel as z.input<typeof ChannelName> | null,
        },
      }));
    },
  });

  api.add({
    method: "get",
    path: "/no-shows/candidates",
    tag: "reminders",
    summary: "Confirmed appointments of past days never marked completed: confirm with /appointments/{id}/no-show",
    description: "Last 60 days, latest first; doctors see their own. Each row is audited.",
    access: anyStaff,
    scope: "staff-only",
    ok: { description: "Candidates", schema: z.array(NoShowCandidateDto) },
    async handler({ staff, req }) {
      const rows = await noShowCandidates(
        ctx.db,
        { clinicId: staff.clinicId, actor: actorOf(staff), ip: req.ip },
        ctx.now(),
      );
      return rows.map((r) => ({ ...r, startsAt: iso(r.startsAt) }));
    },
  });

  api.add({
    method: "get",
    path: "/patients/:id/no-shows",
    tag: "patients",
    summary: "How many appointments the patient missed (audited)",
    access: anyStaff,
    scope: "staff-only",
    params: IdParams,
    ok: { description: "The patient's no-show count", schema: NoShowRecordDto },
    errors: { 404: "No such patient" },
    async handler({ staff, params, req }) {
      const r = await patientNoShows(
        ctx.db,
        { clinicId: staff.clinicId, actor: actorOf(staff), ip: req.ip },
        params.id,
      );
      return { ...r, lastAt: isoOrNull(r.lastAt) };
    },
  });

  api.add({
    method: "get",
    path: "/appointments/:id/reminders",
    tag: "reminders",
    summary: "The appointment's reminders and notices: when each is due, whether and how it went",
    access: anyStaff,
    scope: "staff-only",
    params: IdParams,
    ok: {
      description: "Reminders (earliest first) and notices (oldest first)",
      schema: z.object({ reminders: z.array(ReminderDto), notices: z.array(NoticeDto) }),
    },
    errors: { 404: "No such appointment" },
    async handler({ staff, params, req }) {
      await readAppointment(ctx.db, staff.clinicId, actorOf(staff), params.id, req.ip, "appointment.reminders");
      const [reminders, notices] = await Promise.all([remindersOf(ctx.db, params.id), noticesOf(ctx.db, params.id)]);
      return {
        reminders: reminders.map((r) => ({
          ...r,
          dueAt: iso(r.dueAt),
          sendAt: iso(r.sendAt),
          sentAt: isoOrNull(r.sentAt),
          channel: r.channel as z.input<typeof ChannelName> | null,
        })),
        notices: notices.map((n) => ({ ...n, sentAt: isoOrNull(n.sentAt), createdAt: iso(n.createdAt) })),
      };
    },
  });
}
