import express, { type Router } from "express";
import { deadLetterDesk } from "../bots/delivery/desk.js";
import { deadLetterRefs, deadLetterRows, deliveryCounts, retryDeadLetterAsStaff } from "../bots/delivery/overview.js";
import type { DeliveryStatus } from "../bots/delivery/status.js";
import type { AppContext } from "../context.js";
import { getClinic } from "../domain/directory.js";
import type { ChatChannel } from "../domain/channels.js";
import { ClinicFormat } from "./format.js";
import { actorOf, guard, mustSession } from "./http.js";
import type { MessageKey } from "./i18n.js";
import { renderPage, type PageLocals } from "./render.js";

const form = express.urlencoded({ extended: false, limit: "4kb" });
const frontDesk = guard({ roles: ["admin", "secretary"] });
const REF = /^[A-Za-z0-9_-]{22}$/;

export const CHANNEL_LABEL: Record<ChatChannel, MessageKey> = {
  telegram: "chTelegram",
  whatsapp: "chWhatsapp",
  sms: "chSms",
  web: "chWeb",
};

const STATUS_LABEL: Record<DeliveryStatus, MessageKey> = {
  queued: "dsQueued",
  sent: "dsSent",
  delivered: "dsDelivered",
  read: "dsRead",
  failed: "dsFailed",
  dead: "dsDead",
};
const STATUSES = Object.keys(STATUS_LABEL) as DeliveryStatus[];

/**
 * Undelivered messages for the front desk, its own clinic's only: the dead letters of every channel (channel, masked
 * recipient, the provider's reason, attempts, time; never the text) with a retry button, and the
 * last 24 hours' statuses per channel.
 */
export function deliveryRoutes(router: Router, ctx: AppContext): void {
  const desk = deadLetterDesk(ctx);
  const refOf = deadLetterRefs(ctx.config.JWT_SECRET);

  router.get("/deliveries", frontDesk, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const clinic = await getClinic(ctx.db, session.user.clinicId);
      const format = new ClinicFormat(locale, clinic.timeZone);
      // Only the messages of the staff member's own clinic: its people's addresses, its jobs.
      const [letters, counts] = await Promise.all([
        deadLetterRows(desk, refOf, { db: ctx.db, clinicId: session.user.clinicId }),
        deliveryCounts(ctx.db, 24, session.user.clinicId),
      ]);
      const byChannel = new Map<ChatChannel, Record<string, number>>();
      for (const c of counts) byChannel.set(c.channel, { ...byChannel.get(c.channel), [c.status]: c.count });
      const done = req.query.done;
      renderPage(res, "deliveries", {
        title: t("deliveriesTitle"),
        flash: done === "retried" ? t("dlRetried") : done === "gone" ? t("dlGone") : null,
        rows: letters.map((d) => ({
          ref: d.ref,
          channel: t(CHANNEL_LABEL[d.channel]),
          recipient: d.recipient,
          reason: d.reason,
          attempts: d.attempts,
          failedAt: d.failedAt ? format.dateTimeOf(d.failedAt) : "—",
        })),
        statuses: STATUSES.map((s) => t(STATUS_LABEL[s])),
        counts: [...byChannel].map(([channel, n]) => ({
          channel: t(CHANNEL_LABEL[channel]),
          values: STATUSES.map((s) => n[s] ?? 0),
        })),
      });
    } catch (err) {
      next(err);
    }
  });

  router.post("/deliveries/retry", form, frontDesk, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const ref = (req.body as Record<string, unknown>).ref;
      const found =
        typeof ref === "string" &&
        REF.test(ref) &&
        (await retryDeadLetterAsStaff(ctx.db, desk, refOf, {
          actor: actorOf(session),
          ref,
          ip: req.ip,
          clinicId: session.user.clinicId,
        }));
      res.redirect(303, `/deliveries?done=${found ? "retried" : "gone"}`);
    } catch (err) {
      next(err);
    }
  });
}
