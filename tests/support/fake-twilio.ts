import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";

/** One Messages.json call the fake received. */
export interface TwilioCall {
  accountSid: string;
  params: Record<string, string>;
  /** The HTTP status the fake answered. */
  status: number;
}

/** A failure to answer with; `retryAfter` (seconds) goes out as Twilio's Retry-After header. */
type Fault = { status: 429 | 503; retryAfter?: number } | { status: 500 } | { status: 400; code: number };

/**
 * A local stand-in for Twilio's REST API: POST /2010-04-01/Accounts/{Sid}/Messages.json with a
 * form body and Basic auth, answered with Twilio's message JSON (201). Records every call and
 * can fail the next ones with 429 or 503 (with or without Retry-After), 500 or a 400 carrying a
 * Twilio error code.
 */
export async function startFakeTwilio(accountSid: string, authToken: string) {
  const calls: TwilioCall[] = [];
  const faults: Fault[] = [];
  let sid = 0;
  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.url ?? "");
    const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
    if (req.headers.authorization !== expectedAuth)
      return reply(401, { code: 20003, message: "Authenticate", status: 401 });
    if (req.method !== "POST" || !match) return reply(404, { code: 20404, message: "Not found", status: 404 });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
    const fault = faults.shift();
    calls.push({ accountSid: match[1]!, params, status: fault?.status ?? 201 });
    if (fault?.status === 429 || fault?.status === 503) {
      const retryAfter = fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : undefined;
      const message = fault.status === 429 ? "Too Many Requests" : "Service Unavailable";
      return reply(fault.status, { code: 20000 + fault.status, message, status: fault.status }, retryAfter);
    }
    if (fault?.status === 500) return reply(500, { code: 20500, message: "Internal Server Error", status: 500 });
    if (fault?.status === 400) return reply(400, { code: fault.code, message: "Bad request", status: 400 });
    const now = new Date().toUTCString();
    return reply(201, {
      sid: `SM${String(++sid).padStart(32, "0")}`,
      account_sid: match[1],
      to: params.To,
      from: params.From ?? null,
      messaging_service_sid: params.MessagingServiceSid ?? null,
      body: params.Body,
      status: "queued",
      num_segments: "1",
      direction: "outbound-api",
      api_version: "2010-04-01",
      date_created: now,
      date_updated: now,
      date_sent: null,
      error_code: null,
      error_message: null,
      price: null,
      price_unit: "USD",
      uri: `/2010-04-01/Accounts/${match[1]}/Messages/SM${sid}.json`,
      subresource_uris: {},
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiBase,
    calls,
    /** Bodies of the SMS accepted for `to`. */
    sent: (to?: string) => calls.filter((c) => c.status === 201 && (to === undefined || c.params.To === to)),
    failNext: (n: number, fault: Fault) => {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    /** Twilio recovers: pending failures are dropped. */
    recover: () => {
      faults.length = 0;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Signs a webhook like Twilio: HMAC-SHA1 of the URL plus the sorted form fields, with the auth token. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}
