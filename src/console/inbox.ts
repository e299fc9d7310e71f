import express, { type Request, type Response, type Router } from "express";
import { clinicOutbox } from "../bots/outbox.js";
import type { AppContext } from "../context.js";
import type { ChatChannel } from "../domain/channels.js";
import { getClinic } from "../domain/directory.js";
import { DomainError } from "../domain/errors.js";
import { handBackToBot, listHandoffs, readThread, recordStaffReply, withdrawStaffReply } from "../domain/handoff.js";
import { channelLabel, field, idParam } from "./clinic-forms.js";
import { ClinicFormat } from "./format.js";
import { actorOf, guard, mustSession } from "./http.js";
import { renderPage, type PageLocals } from "./render.js";
import { SCHEDULE_ASSET_VERSION } from "./schedule.js";

const form = express.urlencoded({ extended: false, limit: "16kb" });
const frontDesk = guard({ roles: ["admin", "secretary"] });
const MAX_REPLY = 2000;

/**
 * The human-handoff inbox: conversations where a patient asked for a person. The front desk
 * reads the thread, answers into the patient's own channel through the outbox, and hands the
 * conversation back to the bot.
 */
export function inboxRoutes(router: Router, ctx: AppContext): void {
  router.get("/inbox", frontDesk, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const clinic = await getClinic(ctx.db, session.user.clinicId);
      const format = new ClinicFormat(locale, clinic.timeZone);
      const rows = await listHandoffs(ctx.db, session.user.clinicId, actorOf(session), req.ip);
      renderPage(res, "inbox", {
        title: t("inboxTitle"),
        scheduleVersion: SCHEDULE_ASSET_VERSION,
        flash: req.query.done === "handed-back" ? t("inboxHandedBack") : null,
        rows: rows.map((c) => ({
          id: c.id,
          who: c.patientName ?? t("inboxUnknownPatient"),
          channel: channelLabel(t, c.channel),
          last: format.dateTimeOf(c.lastActivityAt),
          count: c.messageCount,
        })),
      });
    } catch (err) {
      next(err);
    }
  });

  router.get("/inbox/:id", frontDesk, async (req, res, next) => {
    try {
      await renderThread(req, res, {});
    } catch (err) {
      next(err);
    }
  });

  router.post("/inbox/:id/reply", form, frontDesk, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t } = res.locals as PageLocals;
      const id = idParam(req);
      const text = field(req.body, "text", MAX_REPLY + 1);
      if (!text) return renderThread(req, res, { replyError: t("inboxEmptyReply") }, 400);
      if (text.length > MAX_REPLY)
        return renderThread(req, res, { replyError: t("inboxTooLong", { max: MAX_REPLY }) }, 400);
      const outbox = clinicOutbox(ctx);
      try {
        const conversation = await ctx.db.prisma.conversation.findFirst({
          where: { id, clinicId: session.user.clinicId },
          select: { channel: true },
        });
        if (conversation && !outbox.channels.has(conversation.channel as ChatChannel))
          return renderThread(req, res, { replyError: t("inboxChannelUnavailable") }, 409);
        let stored;
        try {
          stored = await recordStaffReply(ctx.db, session.user.clinicId, actorOf(session), id, text, {
            ip: req.ip,
            now: ctx.now(),
          });
        } catch (err) {
          if (err instanceof DomainError && err.code === "conflict")
            return renderThread(req, res, { replyError: t("inboxAlreadyBack") }, 409);
          throw err;
        }
        try {
          await outbox.send([
            {
              id: `console-${stored.messageId}`,
              channel: stored.channel as ChatChannel,
              chatId: stored.chatId,
              message: { text },
            },
          ]);
        } catch (err) {
          // Not sent, so not part of the thread: the secretary sees the failure and can try again.
          await withdrawStaffReply(ctx.db, id, stored.messageId);
          ctx.logger.warn({ err, conversationId: id, channel: stored.channel }, "console reply not sent");
          return renderThread(req, res, { replyError: t("inboxNotSent"), draft: text }, 502);
        }
      } finally {
        await outbox.close();
      }
      res.redirect(303, `/inbox/${id}?done=sent`);
    } catch (err) {
      next(err);
    }
  });

  router.post("/inbox/:id/hand-back", form, frontDesk, async (req, res, next) => {
    try {
      const session = mustSession(res);
      await handBackToBot(ctx.db, session.user.clinicId, actorOf(session), idParam(req), req.ip);
      res.redirect(303, "/inbox?done=handed-back");
    } catch (err) {
      next(err);
    }
  });

  async function renderThread(
    req: Request,
    res: Response,
    state: { replyError?: string; draft?: string },
    status = 200,
  ): Promise<void> {
    const session = mustSession(res);
    const { t, locale } = res.locals as PageLocals;
    const id = idParam(req);
    const clinic = await getClinic(ctx.db, session.user.clinicId);
    const format = new ClinicFormat(locale, clinic.timeZone);
    // Audited: reading the thread is a read of the patient's data.
    const thread = await readThread(ctx.db, session.user.clinicId, actorOf(session), id, req.ip);
    const c = thread.conversation;
    renderPage(
      res,
      "inbox-thread",
      {
        title: t("inboxThreadTitle", { who: thread.patientName ?? t("inboxUnknownPatient") }),
        scheduleVersion: SCHEDULE_ASSET_VERSION,
        id: c.id,
        patientId: c.patientId,
        channel: channelLabel(t, c.channel),
        waiting: c.handedToHuman,
        flash: req.query.done === "sent" ? t("inboxSent") : null,
        replyError: state.replyError ?? null,
        draft: state.draft ?? "",
        maxReply: MAX_REPLY,
        lines: thread.lines.map((l) => ({
          kind: l.author === "staff" ? "out staff" : l.direction,
          who:
            l.author === "patient"
              ? (thread.patientName ?? t("inboxUnknownPatient"))
              : l.author === "staff"
                ? (l.staffName ?? t("inboxStaff"))
                : t("inboxBot"),
          at: format.dateTimeOf(l.at),
          text: l.text,
        })),
      },
      { status },
    );
  }
}
