import express, { type Router } from "express";
import type { AppContext } from "../context.js";
import { isDomainError } from "../domain/errors.js";
import { noShowCandidates, settleNoShowCandidate } from "../domain/no-shows.js";
import { UUID } from "./care-assets.js";
import { callRow } from "./call-list.js";
import { guard, mustSession } from "./http.js";
import { accessOf, pageContext } from "./record-kit.js";
import { renderPage } from "./render.js";
import { SCHEDULE_ASSET_VERSION } from "./schedule.js";

const form = express.urlencoded({ extended: false, limit: "8kb" });
/** Closing past days is the desk's work: secretaries and admins. */
const settles = guard({ roles: ["admin", "secretary"] });
export const NO_SHOWS_PATH = "/appointments/no-shows";
const OUTCOMES = new Set(["no_show", "completed"] as const);
type Outcome = "no_show" | "completed";

/**
 * The no-show list: confirmed appointments of past days nobody closed, each with the patient's
 * no-shows so far, to confirm as a no-show or mark as seen. Nothing is marked automatically.
 */
export function noShowRoutes(router: Router, ctx: AppContext): void {
  router.get(NO_SHOWS_PATH, settles, async (req, res, next) => {
    try {
      const { session, t, format } = await pageContext(ctx, res);
      const rows = await noShowCandidates(ctx.db, accessOf(session, req), ctx.now());
      const done = req.query.done;
      renderPage(res, "no-shows", {
        title: t("noShowTitle"),
        scheduleVersion: SCHEDULE_ASSET_VERSION,
        flash: done === "no_show" ? t("noShowMarked") : done === "completed" ? t("noShowCompleted") : null,
        error: req.query.error === "changed" ? t("noShowChanged") : null,
        rows: rows.map((r) => callRow(format, r)),
      });
    } catch (err) {
      next(err);
    }
  });

  router.post(`${NO_SHOWS_PATH}/:id`, form, settles, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const id = String(req.params.id);
      const outcome = String((req.body as Record<string, unknown>).outcome ?? "");
      if (!UUID.test(id) || !OUTCOMES.has(outcome as Outcome)) return res.redirect(303, NO_SHOWS_PATH);
      try {
        await settleNoShowCandidate(ctx.db, accessOf(session, req), {
          appointmentId: id,
          outcome: outcome as Outcome,
          now: ctx.now(),
        });
      } catch (err) {
        if (isDomainError(err, "invalid_transition")) return res.redirect(303, `${NO_SHOWS_PATH}?error=changed`);
        throw err;
      }
      res.redirect(303, `${NO_SHOWS_PATH}?done=${outcome}`);
    } catch (err) {
      next(err);
    }
  });
}
