import type { Router } from "express";
import type { AppContext } from "../context.js";
import { getClinic } from "../domain/directory.js";
import { listUnconfirmed, SKIP } from "../domain/reminders.js";
import { channelLabel } from "./clinic-forms.js";
import { ClinicFormat, personName } from "./format.js";
import { actorOf, guard, mustSession } from "./http.js";
import type { MessageKey } from "./i18n.js";
import { renderPage, type PageLocals } from "./render.js";
import { SCHEDULE_ASSET_VERSION } from "./schedule.js";

/** Why the confirmation request did not get through, as the call list says it. */
function reminderState(status: string, reason: string | null): MessageKey {
  if (status === "sent") return "unconfSent";
  if (reason === SKIP.optedOut) return "unconfOptedOut";
  if (reason === SKIP.unreachable) return "unconfUnreachable";
  return "unconfFailed";
}

/** The call list: confirmed appointments whose patient did not confirm by the clinic's deadline. */
export function unconfirmedRoutes(router: Router, ctx: AppContext): void {
  router.get("/unconfirmed", guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const clinic = await getClinic(ctx.db, session.user.clinicId);
      const format = new ClinicFormat(locale, clinic.timeZone);
      const rows = await listUnconfirmed(
        ctx.db,
        { clinicId: session.user.clinicId, actor: actorOf(session), ip: req.ip },
        ctx.now(),
      );
      renderPage(res, "unconfirmed", {
        title: t("unconfTitle"),
        scheduleVersion: SCHEDULE_ASSET_VERSION,
        deadline: clinic.confirmationDeadlineHours,
        canManage: session.user.role !== "doctor",
        rows: rows.map((r) => ({
          id: r.appointmentId,
          when: format.dateTimeOf(r.startsAt),
          patientId: r.patient.id,
          patient: personName(r.patient),
          phone: r.patient.phone ?? "—",
          doctor: r.doctorName,
          reminder: t(reminderState(r.reminder.status, r.reminder.reason)),
          sentAt: r.reminder.sentAt ? format.dateTimeOf(r.reminder.sentAt) : "—",
          channel: r.reminder.channel ? channelLabel(t, r.reminder.channel) : "—",
          noShows: r.noShows,
        })),
      });
    } catch (err) {
      next(err);
    }
  });
}
