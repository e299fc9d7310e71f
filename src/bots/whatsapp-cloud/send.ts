import type { PacingLimits } from "../delivery/pacing.js";
import { DeliveryError, type Sender } from "../delivery/outbound.js";
import { renderCloudMessage, type CloudMessageBody } from "./render.js";

/** Meta's Graph API. */
export const GRAPH_API_BASE = "https://graph.facebook.com";
/** The Graph API version the requests are written against. */
export const GRAPH_API_VERSION = "v21.0";

/**
 * The Cloud API's limits: about 80 messages/s per business phone number; to one patient, one
 * message every 6 s on average with bursts of up to 45 (Meta's "pair rate limit", error 131056).
 */
export const WHATSAPP_CLOUD_LIMITS: PacingLimits = {
  sender: { intervalMs: Math.ceil(1000 / 80), burst: 80 },
  chat: { intervalMs: 6000, burst: 45 },
};

/** Where and as whom Graph requests go. */
export interface GraphClientOptions {
  accessToken: string;
  phoneNumberId: string;
  /** WHATSAPP_GRAPH_BASE; tests point it at a local fake. */
  apiBase?: string;
  apiVersion?: string;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
}

// Graph error codes that mean "slow down", whatever the HTTP status says.
const THROTTLED = new Set([4, 80007, 130429, 131048, 131056]);

/** Sends replies (inside the customer-service window), or the job's template when it carries one. */
export function whatsappCloudSender(opts: GraphClientOptions): Sender {
  return async (job) => {
    const wamid = job.template
      ? await sendTemplate(opts, { ...job.template, to: job.chatId })
      : await postMessage(opts, job.chatId, renderCloudMessage(job.message));
    return { providerMessageId: wamid };
  };
}

/** An approved template message, for anything sent outside the 24-hour window (see needsTemplate). */
export interface TemplateMessage {
  /** E.164 or digits. */
  to: string;
  name: string;
  /** The template's language as approved, e.g. "fr" or "en_US". */
  languageCode: string;
  /** Values for the body's {{1}}, {{2}}…, in order. */
  bodyParameters?: string[];
  /** Payloads for the template's quick-reply buttons, in order. */
  quickReplies?: string[];
}

/** Sends a template message; returns the wamid Meta gave it. Throws DeliveryError. */
export function sendTemplate(opts: GraphClientOptions, t: TemplateMessage): Promise<string> {
  const components: Record<string, unknown>[] = t.bodyParameters?.length
    ? [{ type: "body", parameters: t.bodyParameters.map((text) => ({ type: "text", text })) }]
    : [];
  (t.quickReplies ?? []).forEach((payload, index) =>
    components.push({
      type: "button",
      sub_type: "quick_reply",
      index: String(index),
      parameters: [{ type: "payload", payload }],
    }),
  );
  return postMessage(opts, t.to, {
    type: "template",
    template: { name: t.name, language: { code: t.languageCode }, components },
  });
}

type GraphBody = CloudMessageBody | { type: "template"; template: Record<string, unknown> };

async function postMessage(opts: GraphClientOptions, to: string, body: GraphBody): Promise<string> {
  const base = (opts.apiBase ?? GRAPH_API_BASE).replace(/\/$/, "");
  const url = `${base}/${opts.apiVersion ?? GRAPH_API_VERSION}/${encodeURIComponent(opts.phoneNumberId)}/messages`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${opts.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: to.replace(/^\+/, ""),
        ...body,
      }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
  } catch (err) {
    throw new DeliveryError(`graph unreachable: ${(err as Error).message}`, "retry");
  }
  const payload = (await res.json().catch(() => ({}))) as GraphResponse;
  if (res.ok) {
    const id = payload.messages?.[0]?.id;
    if (typeof id !== "string") throw new DeliveryError("graph answered without a message id", "retry");
    return id;
  }
  throw classify(res, payload);
}

interface GraphResponse {
  messages?: { id?: string }[];
  error?: { message?: string; code?: number; error_subcode?: number };
}

/** 429 and throttling codes: retry, after Retry-After when given; 5xx: retry; other 4xx: dead letter. */
export function classify(res: Response, payload: GraphResponse): DeliveryError {
  const code = payload.error?.code;
  const reason = `graph ${res.status}${code !== undefined ? ` (code ${code})` : ""}: ${payload.error?.message ?? res.statusText}`;
  const retryAfter = Number(res.headers.get("retry-after"));
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  if (res.status === 429 || (code !== undefined && THROTTLED.has(code))) {
    return DeliveryError.rateLimited(reason, retryAfterMs);
  }
  if (res.status >= 500) return new DeliveryError(reason, "retry", retryAfterMs);
  // Bad token, unknown recipient, outside the window (131047), bad message: the same every time.
  return new DeliveryError(reason, "permanent");
}
