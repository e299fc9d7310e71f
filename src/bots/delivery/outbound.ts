import type { ChatChannel, OutboundMessage } from "../../domain/channels.js";

/**
 * One reply to send to one chat. The id is deterministic (`<channel>-<providerMessageId>-<index>`)
 * so enqueuing the replies of a redelivered message again creates nothing new.
 */
export interface OutboundJob {
  id: string;
  channel: ChatChannel;
  /** The chat/address on the channel (Telegram chat id, phone number). */
  chatId: string;
  message: OutboundMessage;
  /** Ask for the user's own phone number with a provider button carrying this label (Telegram). */
  requestContact?: { buttonLabel: string };
  /** WhatsApp outside the 24-hour window: this approved template goes instead of `message`. */
  template?: TemplateRef;
}

/** An approved WhatsApp template and its values. */
export interface TemplateRef {
  name: string;
  /** The template's language as approved, e.g. "fr" or "en_US". */
  languageCode: string;
  /** Values for the body's {{1}}, {{2}}…, in order. */
  bodyParameters?: string[];
  /** Payloads of the template's quick-reply buttons, in order (they come back like a tapped choice). */
  quickReplies?: string[];
}

/** Builds the jobs for the replies to one inbound message. */
export function outboundJobs(
  channel: ChatChannel,
  chatId: string,
  providerMessageId: string,
  replies: OutboundMessage[],
): OutboundJob[] {
  // Queue ids may not contain ":" and must not look like integers.
  const safe = providerMessageId.replace(/[^A-Za-z0-9_-]/g, "_");
  return replies.map((message, index) => ({ id: `${channel}-${safe}-${index}`, channel, chatId, message }));
}

/** Why a send failed, as the retry policy needs to know it. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    /** "retry": provider busy or down (429, 5xx, network); "permanent": retrying cannot help (400, 403). */
    readonly kind: "retry" | "permanent",
    /** The provider's own "retry after", when it gave one. */
    readonly retryAfterMs?: number,
    /**
     * The provider refused it for sending too fast (429, a throttling code): the message was
     * fine, so waiting out the limit does not use up its attempts (within a bound).
     */
    readonly rateLimited = false,
  ) {
    super(message);
    this.name = "DeliveryError";
  }

  /** Sent too fast: retried after `retryAfterMs` (or RATE_LIMIT_WAIT_MS) on a fresh pacing slot. */
  static rateLimited(message: string, retryAfterMs?: number): DeliveryError {
    return new DeliveryError(message, "retry", retryAfterMs, true);
  }
}

/** How long a rate-limited sender waits when the provider did not say. */
export const RATE_LIMIT_WAIT_MS = 1_000;

/**
 * How long the provider asked this sender to wait before sending anything more: its
 * Retry-After, or for a rate limit without one RATE_LIMIT_WAIT_MS; undefined otherwise.
 */
export function providerWaitMs(err: unknown): number | undefined {
  if (!(err instanceof DeliveryError)) return undefined;
  return err.retryAfterMs ?? (err.rateLimited ? RATE_LIMIT_WAIT_MS : undefined);
}

/** What the provider said when it accepted a message. */
export interface SendReceipt {
  /** The provider's id for the message (Telegram message id, wamid, Twilio SID), to match later statuses. */
  providerMessageId?: string;
}

/** Sends one job through a provider; throws DeliveryError. */
export type Sender = (job: OutboundJob) => Promise<SendReceipt | void>;

/** Raised when replies could not be queued or sent now: the webhook answers 5xx and the provider redelivers. */
export class DeliveryUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DeliveryUnavailable";
  }
}

/** A job that will not be retried automatically; staff can see it and retry it. */
export interface DeadLetter {
  id: string;
  channel: ChatChannel;
  chatId: string;
  reason: string;
  attempts: number;
  failedAt: Date | null;
}

/** Carries replies to patients: never loses one, never sends one twice (see docs in each implementation). */
export interface Delivery {
  /** Resolves once every job is durably queued (or, in-process, sent); rejects with DeliveryUnavailable otherwise. */
  deliver(jobs: OutboundJob[]): Promise<void>;
  listDeadLetters(): Promise<DeadLetter[]>;
  /** Puts a dead letter back in line; false when there is no such dead letter. */
  retryDeadLetter(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * An HTTP Retry-After header in milliseconds: delay-seconds, or an HTTP date (from `now`);
 * undefined when absent or unreadable.
 */
export function retryAfterHeaderMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value?.trim()) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff (1 s, 2 s, 4 s… capped), or exactly what the provider asked for. */
export function retryDelayMs(
  attemptsMade: number,
  err: unknown,
  opts: { baseMs?: number; maxMs?: number } = {},
): number {
  const base = opts.baseMs ?? 1_000;
  const max = opts.maxMs ?? 60_000;
  if (err instanceof DeliveryError && err.retryAfterMs !== undefined) return err.retryAfterMs;
  return Math.min(max, base * 2 ** Math.max(0, attemptsMade - 1));
}
