import type { Router } from "express";
import type { AppContext } from "../context.js";
import { listUnconfirmed, SKIP } from "../domain/reminders.js";
import { callRow } from "./call-list.js";
import { channelLabel } from "./clinic-forms.js";
import { guard } from "./http.js";
import type { MessageKey } from "./i18n.js";
import { accessOf, pageContext } from "./record-kit.js";
import { renderPage } from "./render.js";
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
      const { session, t, clinic, format } = await pageContext(ctx, res);
      const rows = await listUnconfirmed(ctx.db, accessOf(session, req), ctx.now());
      renderPage(res, "unconfirmed", {
        title: t("unconfTitle"),
        scheduleVersion: SCHEDULE_ASSET_VERSION,
        deadline: clinic.confirmationDeadlineHours,
        canManage: session.user.role !== "doctor",
        rows: rows.map((r) => ({
          ...callRow(format, r),
          reminder: t(reminderState(r.reminder.status, r.reminder.reason)),
          sentAt: r.reminder.sentAt ? format.dateTimeOf(r.reminder.sentAt) : "—",
          channel: r.reminder.channel ? channelLabel(t, r.reminder.channel) : "—",
        })),
      });
    } catch (err) {
      next(err);
    }
  });
}
