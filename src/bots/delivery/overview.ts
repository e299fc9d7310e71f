import { createHmac, randomBytes } from "node:crypto";
import type { Database } from "../../data/db.js";
import { recordAudit } from "../../domain/audit.js";
import type { StaffActor } from "../../domain/staff.js";
import type { ChatChannel } from "../../flows/messages.js";
import type { DeadLetterDesk } from "./desk.js";
import type { DeliveryStatus } from "./status.js";

/** A dead letter as staff see it: enough to act on, no message text, the recipient masked. */
export interface DeadLetterRow {
  /** Names it for a retry without showing its job id, which can embed a chat id. */
  ref: string;
  channel: ChatChannel;
  /** e.g. "+33•••••••01" or "••••01". */
  recipient: string;
  /** The provider's refusal, with long digit runs (numbers, chat ids) masked. */
  reason: string;
  attempts: number;
  failedAt: Date | null;
}

const DOT = "•";

/** Keeps what tells addresses apart at a glance (country code, last two digits), masks the rest. */
export function maskAddress(address: string): string {
  const lid = /^(\d+)@lid$/.exec(address);
  if (lid) return `${DOT.repeat(4)}${lid[1]!.slice(-2)}@lid`;
  if (/^\+\d{6,}$/.test(address)) return `${address.slice(0, 3)}${DOT.repeat(address.length - 5)}${address.slice(-2)}`;
  if (address.length <= 2) return DOT.repeat(address.length);
  return `${DOT.repeat(Math.min(address.length - 2, 8))}${address.slice(-2)}`;
}

/** A provider's error text without the phone numbers or chat ids some of them quote. */
export function maskReason(reason: string): string {
  return reason.replace(/\+?\d{6,}/g, (digits) => maskAddress(digits)).slice(0, 300);
}

/**
 * Opaque references to dead letters: an HMAC of the job id, keyed with the service's JWT secret
 * (the same in every process of a deployment) or, without one, a key of this process.
 */
export function deadLetterRefs(secret: string | undefined): (jobId: string) => string {
  const key = secret ?? randomBytes(32).toString("hex");
  return (jobId) => createHmac("sha256", key).update(jobId).digest("base64url").slice(0, 22);
}

/** The dead letters, newest first, masked for the staff list. */
export async function deadLetterRows(desk: DeadLetterDesk, refOf: (jobId: string) => string): Promise<DeadLetterRow[]> {
  return (await desk.list()).map((d) => ({
    ref: refOf(d.id),
    channel: d.channel,
    recipient: maskAddress(d.chatId),
    reason: maskReason(d.reason),
    attempts: d.attempts,
    failedAt: d.failedAt,
  }));
}

/** A staff member sends a dead letter again, named by its ref; audited. False when there is no such dead letter (any more). */
export async function retryDeadLetterAsStaff(
  db: Database,
  desk: DeadLetterDesk,
  refOf: (jobId: string) => string,
  input: { actor: StaffActor; ref: string; ip?: string | null },
): Promise<boolean> {
  const letter = (await desk.list()).find((d) => refOf(d.id) === input.ref);
  if (!letter || !(await desk.retry(letter.id))) return false;
  await recordAudit(db, {
    actor: input.actor,
    action: "message_delivery.retry",
    resourceType: "MessageDelivery",
    resourceId: letter.id,
    ip: input.ip ?? null,
  });
  return true;
}

/**
 * How many outbound messages stand at each status, per channel, among those whose status changed
 * in the last `hours` (by the database's clock, which stamps the rows).
 */
export async function deliveryCounts(
  db: Database,
  hours: number,
): Promise<{ channel: ChatChannel; status: DeliveryStatus; count: number }[]> {
  const rows = await db.sql.query<{ channel: ChatChannel; status: DeliveryStatus; count: string }>(
    `SELECT channel::text AS channel, status, count(*) AS count FROM message_delivery
      WHERE updated_at >= now() - $1 * interval '1 hour' GROUP BY channel, status ORDER BY channel, status`,
    [hours],
  );
  return rows.map((r) => ({ channel: r.channel, status: r.status, count: Number(r.count) }));
}
