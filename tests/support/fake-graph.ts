import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One POST /<version>/<phoneId>/messages the fake received. */
export interface GraphSend {
  phoneNumberId: string;
  body: Record<string, unknown> & { to?: string; type?: string };
  at: number;
  /** The HTTP status the fake answered. */
  status: number;
}

type Fault = { status: 429; code?: number; retryAfter?: number } | { status: 500 } | { status: 400; code: number };

/**
 * A local stand-in for the WhatsApp Cloud API's send endpoint (Graph's JSON bodies and error
 * envelope). Checks the bearer token, records every send, and can fail the next sends.
 */
export async function startFakeGraph(accessToken: string) {
  const sends: GraphSend[] = [];
  const faults: Fault[] = [];
  let wamid = 0;

  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    };
    const match = /^\/v\d+\.\d+\/([^/]+)\/messages$/.exec(req.url ?? "");
    if (req.method !== "POST" || !match) {
      return reply(400, { error: { message: "Unsupported request", type: "GraphMethodException", code: 100 } });
    }
    if (req.headers.authorization !== `Bearer ${accessToken}`) {
      return reply(401, { error: { message: "Invalid OAuth access token", type: "OAuthException", code: 190 } });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as GraphSend["body"];
    const fault = faults.shift();
    sends.push({ phoneNumberId: match[1]!, body, at: Date.now(), status: fault?.status ?? 200 });
    if (fault?.status === 429) {
      return reply(
        429,
        { error: { message: "(#130429) Rate limit hit", type: "OAuthException", code: fault.code ?? 130429 } },
        fault.retryAfter ? { "retry-after": String(fault.retryAfter) } : {},
      );
    }
    if (fault?.status === 500) return reply(500, { error: { message: "An unknown error occurred", code: 1 } });
    if (fault?.status === 400)
      return reply(400, { error: { message: "Bad request", type: "OAuthException", code: fault.code } });
    return reply(200, {
      messaging_product: "whatsapp",
      contacts: [{ input: body.to, wa_id: body.to }],
      messages: [{ id: `wamid.fake${++wamid}` }],
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));

  return {
    apiBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sends,
    /** Accepted sends, optionally to one WhatsApp id (digits). */
    sent: (to?: string) => sends.filter((s) => s.status === 200 && (to === undefined || s.body.to === to)),
    failNext: (n: number, fault: Fault) => {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    /** The provider recovers: pending failures are dropped. */
    recover: () => {
      faults.length = 0;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** One inbound WhatsApp message as Meta's webhook carries it: one entry, one change, one message. */
export function cloudMessagePayload(phoneNumberId: string, message: Record<string, unknown> & { from: string }) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "33100000000", phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: "Patient" }, wa_id: message.from }],
              messages: [message],
            },
          },
        ],
      },
    ],
  };
}

/** Posts a webhook body like Meta: JSON with non-ASCII characters escaped, signed (X-Hub-Signature-256) with the app secret. */
export function postMetaWebhook(url: string, appSecret: string, payload: unknown): Promise<Response> {
  const body = JSON.stringify(payload).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  const signature = `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signature },
    body,
  });
}
