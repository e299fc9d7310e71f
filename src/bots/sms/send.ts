import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";
import type { Logger } from "pino";
import type { Database } from "../../data/db.js";
import { isOptedOut } from "../../domain/sms-consent.js";
import { DeliveryError, retryAfterHeaderMs, type OutboundJob, type Sender } from "../delivery/outbound.js";
import { renderSms } from "./render.js";

export type TwilioClient = ReturnType<typeof twilio>;

/** Twilio's REST API host. */
export const TWILIO_API_BASE = "https://api.twilio.com";

/**
 * The SDK's HTTP client, keeping what the SDK drops: its RestException has the status, code and
 * message of a failed call but not the response's headers, so a 429 or 503 carrying Retry-After
 * fails here, as the same RestException plus the delay Twilio asked for.
 */
class RetryAfterRequestClient extends twilio.RequestClient {
  override async request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const res = await super.request<TData>(opts);
    if (res.statusCode === 429 || res.statusCode === 503) {
      const headers = res.headers as Record<string, unknown> | undefined;
      const retryAfterMs = retryAfterHeaderMs(String(headers?.["retry-after"] ?? ""));
      if (retryAfterMs !== undefined) {
        throw Object.assign(new twilio.RestException(res), { retryAfterMs });
      }
    }
    return res;
  }
}

/** The official client; `apiBase` (TWILIO_API_BASE) points Messages calls at a local fake in tests. */
export function twilioClient(opts: { accountSid: string; authToken: string; apiBase?: string }): TwilioClient {
  const client = twilio(opts.accountSid, opts.authToken, {
    httpClient: new RetryAfterRequestClient({ timeout: 30_000, autoRetry: false }),
  });
  if (opts.apiBase && opts.apiBase !== TWILIO_API_BASE) client.api.baseUrl = opts.apiBase;
  return client;
}

/**
 * Replies to STOP/HELP must reach a number that has just opted out: their jobs carry this id
 * suffix, and only they pass the opt-out check.
 */
export const KEYWORD_REPLY_SUFFIX = "-keyword";

export interface SmsSenderOptions {
  client: TwilioClient;
  /** TWILIO_FROM_NUMBER (E.164) or a Messaging Service SID ("MG…"). */
  from: string;
  /** Where Twilio posts delivery statuses (PUBLIC_URL + /webhooks/twilio/status); none without PUBLIC_URL. */
  statusCallback?: string;
  db: Database;
  logger: Logger;
}

/** Sends outbound jobs as SMS; never to a number that opted out (a dead letter saying so, not retried). */
export function smsSender(opts: SmsSenderOptions): Sender {
  const sender = opts.from.startsWith("MG") ? { messagingServiceSid: opts.from } : { from: opts.from };
  return async (job: OutboundJob) => {
    if (!job.id.endsWith(KEYWORD_REPLY_SUFFIX) && (await isOptedOut(opts.db, job.chatId))) {
      opts.logger.info({ job: job.id }, "sms not sent: the recipient opted out");
      throw new DeliveryError("the recipient opted out of SMS (STOP)", "permanent");
    }
    let sid: string;
    let status: string;
    try {
      const message = await opts.client.messages.create({
        ...sender,
        to: job.chatId,
        body: renderSms(job.message),
        ...(opts.statusCallback ? { statusCallback: opts.statusCallback } : {}),
      });
      sid = message.sid;
      status = message.status;
    } catch (err) {
      throw classify(err);
    }
    // The SMS is out: failing to record it must not make the queue send it again.
    await recordSmsStatus(opts.db, { messageSid: sid, jobId: job.id, status }).catch((err: Error) =>
      opts.logger.warn({ job: job.id, reason: err.message }, "sms sent but its status row was not written"),
    );
    return { providerMessageId: sid };
  };
}

// Twilio error codes that will fail the same way every time (unsubscribed, invalid or unreachable number…).
const PERMANENT_CODES = new Set([21211, 21408, 21610, 21612, 21614, 30004, 30005, 30006]);

function classify(err: unknown): DeliveryError {
  const e = err as { status?: unknown; code?: unknown; message?: string; retryAfterMs?: number };
  if (typeof e.status === "number") {
    const reason = `twilio ${e.status}${typeof e.code === "number" ? ` (${e.code})` : ""}: ${e.message ?? ""}`;
    // Busy or down: after the Retry-After Twilio gave with a 429 or 503, else the usual backoff.
    if (e.status === 429) return DeliveryError.rateLimited(reason, e.retryAfterMs);
    if (e.status >= 500) return new DeliveryError(reason, "retry", e.retryAfterMs);
    if (typeof e.code === "number" && PERMANENT_CODES.has(e.code)) return new DeliveryError(reason, "permanent");
    // Other 4xx: bad credentials or a malformed request will not fix themselves.
    return new DeliveryError(reason, e.status === 408 ? "retry" : "permanent");
  }
  return new DeliveryError(`twilio unreachable: ${err instanceof Error ? err.message : String(err)}`, "retry");
}

// Twilio's statuses in the order a message goes through them; a late callback never moves one back.
const STATUS_ORDER = [
  "accepted",
  "scheduled",
  "queued",
  "sending",
  "sent",
  "undelivered",
  "failed",
  "delivered",
  "read",
];

/** Stores the latest delivery status of one SMS (from the send, or a status callback). */
export async function recordSmsStatus(
  db: Database,
  s: { messageSid: string; jobId?: string; status: string; errorCode?: number | null },
): Promise<void> {
  await db.sql.query(
    `INSERT INTO sms_delivery (message_sid, job_id, status, error_code, updated_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (message_sid) DO UPDATE SET
       job_id = CASE WHEN sms_delivery.job_id = '' THEN EXCLUDED.job_id ELSE sms_delivery.job_id END,
       status = CASE WHEN COALESCE(array_position($5::text[], EXCLUDED.status), 0)
                          >= COALESCE(array_position($5::text[], sms_delivery.status), 0)
                     THEN EXCLUDED.status ELSE sms_delivery.status END,
       error_code = COALESCE(EXCLUDED.error_code, sms_delivery.error_code),
       updated_at = now()`,
    [s.messageSid, s.jobId ?? "", s.status, s.errorCode ?? null, STATUS_ORDER],
  );
}
