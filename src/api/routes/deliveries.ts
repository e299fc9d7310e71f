import { z } from "zod";
import { deadLetterDesk } from "../../bots/delivery/desk.js";
import {
  deadLetterRefs,
  deadLetterRows,
  deliveryCounts,
  retryDeadLetterAsStaff,
} from "../../bots/delivery/overview.js";
import type { AppContext } from "../../context.js";
import { notFound } from "../../domain/errors.js";
import { actorOf, type ApiRoutes } from "../route.js";
import { isoOrNull, Timestamp } from "../schemas.js";

const ChatChannelName = z.enum(["telegram", "whatsapp", "sms", "web"]);
const DeliveryStatusName = z.enum(["queued", "sent", "delivered", "read", "failed", "dead"]);

const DeadLetterDto = z
  .object({
    ref: z.string().meta({ description: "Opaque reference; give it to the retry route" }),
    channel: ChatChannelName,
    recipient: z.string().meta({ description: "The address, masked (country code and last two digits)" }),
    reason: z.string().meta({ description: "The provider's last refusal, digit runs masked" }),
    attempts: z.number().int(),
    failedAt: Timestamp.nullable(),
  })
  .meta({ id: "DeadLetter" });

const DeliveryCountDto = z
  .object({ channel: ChatChannelName, status: DeliveryStatusName, count: z.number().int() })
  .meta({ id: "DeliveryCount" });

const RetryRequest = z
  .strictObject({ ref: z.string().regex(/^[A-Za-z0-9_-]{22}$/, "a dead letter's ref") })
  .meta({ id: "DeadLetterRetry" });

const CountsQuery = z.object({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 31)
    .default(24)
    .meta({ description: "Look-back window, hours" }),
});

/**
 * Outbound messages that could not be delivered, for the front desk: see them, send them again.
 * Staff see and retry their own clinic's messages only, as in the console.
 */
export function deliveryRoutes(api: ApiRoutes, ctx: AppContext): void {
  const desk = deadLetterDesk(ctx);
  const refOf = deadLetterRefs(ctx.config.JWT_SECRET);

  api.add({
    method: "get",
    path: "/deliveries/dead-letters",
    tag: "deliveries",
    summary: "Your clinic's messages that will not be retried automatically, newest first (no message text)",
    access: ["admin", "secretary"],
    scope: "staff-only",
    ok: { description: "Dead letters", schema: z.array(DeadLetterDto) },
    async handler({ staff }) {
      const rows = await deadLetterRows(desk, refOf, { db: ctx.db, clinicId: staff.clinicId });
      return rows.map((d) => ({ ...d, failedAt: isoOrNull(d.failedAt) }));
    },
  });

  api.add({
    method: "post",
    path: "/deliveries/dead-letters/retry",
    tag: "deliveries",
    summary: "Send a dead letter again (queued again with fresh attempts, or sent at once without Redis)",
    access: ["admin", "secretary"],
    scope: "staff-only",
    body: RetryRequest,
    ok: { status: 204, description: "Put back in line" },
    errors: { 404: "No such dead letter of your clinic (already retried, or forgotten by a restart without Redis)" },
    async handler({ staff, body, req }) {
      const found = await retryDeadLetterAsStaff(ctx.db, desk, refOf, {
        actor: actorOf(staff),
        ref: body.ref,
        ip: req.ip,
        clinicId: staff.clinicId,
      });
      if (!found) throw notFound("dead letter");
    },
  });

  api.add({
    method: "get",
    path: "/deliveries/counts",
    tag: "deliveries",
    summary: "Your clinic's outbound messages per channel and status (queued, sent, delivered, read, failed, dead)",
    access: ["admin", "secretary"],
    scope: "staff-only",
    query: CountsQuery,
    ok: {
      description: "Counts of messages whose status changed within the window",
      schema: z.object({ hours: z.number().int(), counts: z.array(DeliveryCountDto) }),
    },
    async handler({ staff, query }) {
      return { hours: query.hours, counts: await deliveryCounts(ctx.db, query.hours, staff.clinicId) };
    },
  });
}
