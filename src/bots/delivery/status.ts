import type { Logger } from "pino";
import type { Database } from "../../data/db.js";
import type { ChatChannel } from "../../domain/channels.js";
import type { OutboundJob } from "./outbound.js";

/** Where one outbound message stands (table `message_delivery`). */
export type DeliveryStatus = "queued" | "sent" | "delivered" | "read" | "failed" | "dead";

/**
 * What the delivery layer reports about each job. Writing a status must never stop or repeat a
 * send, so implementations swallow their own errors (and log them).
 */
export interface DeliveryLog {
  queued(jobs: OutboundJob[]): Promise<void>;
  sent(job: OutboundJob, attempts: number, providerMessageId?: string): Promise<void>;
  /** A failed attempt; `final` when no automatic retry will follow (the job is a dead letter). */
  failed(job: OutboundJob, attempts: number, reason: string, final: boolean): Promise<void>;
  /** Staff put a dead letter back in line. */
  requeued(jobId: string): Promise<void>;
}

/** Records nothing: for tests and tools that run a delivery without a database. */
export const noDeliveryLog: DeliveryLog = {
  queued: async () => undefined,
  sent: async () => undefined,
  failed: async () => undefined,
  requeued: async () => undefined,
};

// A status only moves forward along this order (a late "sent" never hides "delivered"); "failed"
// and "dead" may repeat, with the latest attempt count and reason.
const ORDER: DeliveryStatus[] = ["queued", "failed", "dead", "sent", "delivered", "read"];

// One statement for a whole batch of status changes (see groupCommit).
const UPSERT = `
INSERT INTO message_delivery (job_id, channel, provider_message_id, status, attempts, last_error, created_at, updated_at)
SELECT id, channel::"Channel", pmid, status, attempts, error, now(), now()
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[]) AS c(id, channel, pmid, status, attempts, error)
ON CONFLICT (job_id) DO UPDATE SET
  status = CASE WHEN ${forward("EXCLUDED.status")} THEN EXCLUDED.status ELSE message_delivery.status END,
  last_error = CASE WHEN ${forward("EXCLUDED.status")} AND EXCLUDED.status IN ('failed', 'dead')
                    THEN EXCLUDED.last_error ELSE message_delivery.last_error END,
  attempts = GREATEST(message_delivery.attempts, EXCLUDED.attempts),
  provider_message_id = COALESCE(EXCLUDED.provider_message_id, message_delivery.provider_message_id),
  updated_at = now()`;

function forward(next: string): string {
  const rank = (s: string) => `array_position($7::text[], ${s})`;
  return `(${rank(next)} > ${rank("message_delivery.status")} OR (${next} = message_delivery.status AND ${next} IN ('failed', 'dead')))`;
}

interface Change {
  id: string;
  channel: ChatChannel;
  pmid: string | null;
  status: DeliveryStatus;
  attempts: number;
  error: string | null;
}

/**
 * Group commit: the changes made during one turn of the event loop go to the database as one
 * statement, and each caller's promise settles with it. Replies sent concurrently (every webhook
 * in flight) then cost one round trip together instead of one each.
 */
function groupCommit<T>(write: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  let pending: { item: T; settle: (err?: unknown) => void }[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    try {
      await write(batch.map((b) => b.item));
      for (const b of batch) b.settle();
    } catch (err) {
      for (const b of batch) b.settle(err);
    }
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      if (pending.length === 0) setImmediate(() => void flush());
      pending.push({ item, settle: (err) => (err ? reject(err) : resolve()) });
    });
}

/** Keeps every job's status in `message_delivery`. */
export function postgresDeliveryLog(db: Database, logger: Logger): DeliveryLog {
  const safely = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (err) {
      logger.warn({ reason: (err as Error).message }, `delivery status "${what}" not stored`);
    }
  };
  const change = groupCommit<Change>(async (changes) => {
    // One statement may touch a row once: a job changing twice in one batch takes two rounds, in order.
    for (let rest = changes; rest.length > 0;) {
      const seen = new Set<string>();
      const round = rest.filter((c) => !seen.has(c.id) && seen.add(c.id));
      rest = rest.filter((c) => !round.includes(c));
      await db.sql.query(UPSERT, [
        round.map((c) => c.id),
        round.map((c) => c.channel),
        round.map((c) => c.pmid),
        round.map((c) => c.status),
        round.map((c) => c.attempts),
        round.map((c) => c.error),
        ORDER,
      ]);
    }
  });
  const queue = groupCommit<OutboundJob>(async (jobs) => {
    // A redelivered webhook queues the same ids again: the first row, and its progress, stay.
    await db.sql.query(
      `INSERT INTO message_delivery (job_id, channel, status, attempts, created_at, updated_at)
       SELECT id, channel::"Channel", 'queued', 0, now(), now() FROM unnest($1::text[], $2::text[]) AS j(id, channel)
       ON CONFLICT (job_id) DO NOTHING`,
      [jobs.map((j) => j.id), jobs.map((j) => j.channel)],
    );
  });
  return {
    queued: (jobs) => safely("queued", () => Promise.all(jobs.map(queue))),
    sent: (job, attempts, pmid) =>
      safely("sent", () =>
        change({ id: job.id, channel: job.channel, pmid: pmid ?? null, status: "sent", attempts, error: null }),
      ),
    failed: (job, attempts, reason, final) =>
      safely("failed", () =>
        change({
          id: job.id,
          channel: job.channel,
          pmid: null,
          status: final ? "dead" : "failed",
          attempts,
          error: reason.slice(0, 500),
        }),
      ),
    requeued: (jobId) =>
      safely("queued", () =>
        db.sql.query(
          `UPDATE message_delivery SET status = 'queued', updated_at = now() WHERE job_id = $1 AND status IN ('dead', 'failed')`,
          [jobId],
        ),
      ),
  };
}

/**
 * A provider's receipt for a message it accepted earlier (WhatsApp "delivered"/"read"/"failed",
 * Twilio's status callback), matched by the provider's message id. Statuses never move back; a
 * provider failure only counts while the message stands at "sent". False when no row matched
 * (a message not sent by Tabib, or a receipt that overtook our own "sent" record).
 */
export async function recordProviderStatus(
  db: Database,
  r: { channel: ChatChannel; providerMessageId: string; status: "delivered" | "read" | "failed"; error?: string },
): Promise<boolean> {
  const rows = await db.sql.query<{ job_id: string }>(
    `UPDATE message_delivery SET
       status = $3,
       last_error = CASE WHEN $3 = 'failed' THEN $4 ELSE last_error END,
       updated_at = now()
     WHERE channel = $1::"Channel" AND provider_message_id = $2
       AND (CASE WHEN $3 = 'failed' THEN status = 'sent'
                 ELSE array_position($5::text[], status) < array_position($5::text[], $3::text) END)
     RETURNING job_id`,
    [r.channel, r.providerMessageId, r.status, r.error ?? null, ORDER],
  );
  return rows.length > 0;
}
