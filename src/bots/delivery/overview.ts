import { createHmac, randomBytes } from "node:crypto";
import type { Database } from "../../data/db.js";
import { recordAudit } from "../../domain/audit.js";
import type { StaffActor } from "../../domain/staff.js";
import type { ChatChannel } from "../../domain/channels.js";
import type { DeadLetterDesk } from "./desk.js";
import type { DeadLetter } from "./outbound.js";
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
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** SQL: the id after `prefix` in m.job_id, cast to `type`, or NULL when the job id is not of that form. */
const idAfter = (prefix: string, pattern: string, type: string): string =>
  `(CASE WHEN m.job_id ~ '^${prefix}${pattern}$' THEN substr(m.job_id, ${prefix.length + 1})::${type} END)`;

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

/** Limits what staff see and retry to their own clinic's messages. */
export interface ClinicScope {
  db: Database;
  clinicId: string;
}

/**
 * The dead letters addressed to one clinic's people: a chat address is the clinic's when one of
 * its conversations, its patients' channel identities or its doctors' contact fields carry it.
 * A letter to an address no clinic knows is nobody's front desk's.
 */
async function lettersOf(scope: ClinicScope | undefined, letters: DeadLetter[]): Promise<DeadLetter[]> {
  if (!scope || letters.length === 0) return letters;
  const rows = await scope.db.sql.query<{ i: string }>(
    `SELECT x.i FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS x(channel, chat_id, i)
      WHERE EXISTS (SELECT 1 FROM conversation c
                     WHERE c.clinic_id = $1::uuid AND c.channel::text = x.channel AND c.sender_id = x.chat_id)
         OR EXISTS (SELECT 1 FROM channel_identity ci JOIN patient p ON p.id = ci.patient_id
                     WHERE p.clinic_id = $1::uuid AND ci.channel::text = x.channel AND ci.external_id = x.chat_id)
         OR EXISTS (SELECT 1 FROM doctor d
                     WHERE d.clinic_id = $1::uuid
                       AND CASE x.channel WHEN 'telegram' THEN d.telegram_chat_id = x.chat_id
                                          ELSE x.chat_id IN (d.whatsapp_phone, d.phone) END)`,
    [scope.clinicId, letters.map((l) => l.channel), letters.map((l) => l.chatId)],
  );
  const mine = new Set(rows.map((r) => Number(r.i) - 1));
  return letters.filter((_, i) => mine.has(i));
}

/** The dead letters, newest first, masked for the staff list; with a scope, only that clinic's. */
export async function deadLetterRows(
  desk: DeadLetterDesk,
  refOf: (jobId: string) => string,
  scope?: ClinicScope,
): Promise<DeadLetterRow[]> {
  return (await lettersOf(scope, await desk.list())).map((d) => ({
    ref: refOf(d.id),
    channel: d.channel,
    recipient: maskAddress(d.chatId),
    reason: maskReason(d.reason),
    attempts: d.attempts,
    failedAt: d.failedAt,
  }));
}

/**
 * A staff member sends a dead letter again, named by its ref; audited. False when there is no
 * such dead letter (any more), or, with a clinic, none of that clinic's.
 */
export async function retryDeadLetterAsStaff(
  db: Database,
  desk: DeadLetterDesk,
  refOf: (jobId: string) => string,
  input: { actor: StaffActor; ref: string; ip?: string | null; clinicId?: string },
): Promise<boolean> {
  const scope = input.clinicId ? { db, clinicId: input.clinicId } : undefined;
  const letter = (await lettersOf(scope, await desk.list())).find((d) => refOf(d.id) === input.ref);
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
 * Whether the outbound job `m.job_id` is clinic $2's, read from what its id names (see the job
 * builders): a reply to one of the clinic's conversations (`<channel>-<inbound id>-<n>`), a
 * console answer, a reminder, notice, waitlist offer or doctor request of one of its appointments.
 */
const JOB_OF_CLINIC = `(
  EXISTS (SELECT 1 FROM processed_message pm JOIN conversation c ON c.id = pm.conversation_id
           WHERE c.clinic_id = $2::uuid AND pm.channel = m.channel
             AND regexp_replace(pm.provider_message_id, '[^A-Za-z0-9_-]', '_', 'g')
                 = substring(m.job_id from '^[a-z]+-(.*)-[0-9]+$'))
  OR EXISTS (SELECT 1 FROM conversation_message cm JOIN conversation c ON c.id = cm.conversation_id
              WHERE c.clinic_id = $2::uuid AND cm.id = ${idAfter("console-", "[0-9]{1,18}", "bigint")})
  OR EXISTS (SELECT 1 FROM appointment a WHERE a.clinic_id = $2::uuid AND (
       a.id = (SELECT r.appointment_id FROM reminder r WHERE r.id = ${idAfter("reminder-", UUID, "uuid")})
    OR a.id = (SELECT n.appointment_id FROM notice n WHERE n.id = ${idAfter("notice-", UUID, "uuid")})
    OR a.id = ${idAfter("request-", UUID, "uuid")}))
  OR EXISTS (SELECT 1 FROM waitlist_offer o JOIN waitlist_entry e ON e.id = o.entry_id
              WHERE e.clinic_id = $2::uuid AND o.id = ${idAfter("waitlist-", UUID, "uuid")})
)`;

/**
 * How many outbound messages stand at each status, per channel, among those whose status changed
 * in the last `hours` (by the database's clock, which stamps the rows); with a clinic, only the
 * messages its id traces to that clinic.
 */
export async function deliveryCounts(
  db: Database,
  hours: number,
  clinicId?: string,
): Promise<{ channel: ChatChannel; status: DeliveryStatus; count: number }[]> {
  const rows = await db.sql.query<{ channel: ChatChannel; status: DeliveryStatus; count: string }>(
    `SELECT m.channel::text AS channel, m.status, count(*) AS count FROM message_delivery m
      WHERE m.updated_at >= now() - $1 * interval '1 hour' AND ($2::uuid IS NULL OR ${JOB_OF_CLINIC})
      GROUP BY m.channel, m.status ORDER BY m.channel, m.status`,
    [hours, clinicId ?? null],
  );
  return rows.map((r) => ({ channel: r.channel, status: r.status, count: Number(r.count) }));
}
