import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One Bot API call the fake received. */
export interface BotApiCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
  /** The HTTP status the fake answered. */
  status: number;
}

type Fault = { status: 429; retryAfter: number } | { status: 500 } | { status: 403 };

/**
 * A local stand-in for Telegram's Bot API (POST /bot<token>/<method>, JSON or form bodies,
 * Telegram's `{ ok, result }` envelope). Records every call; can fail the next calls with 429
 * (with retry_after), 500 or 403 (the patient blocked the bot), and can hold sendMessage answers to catch a sender mid-flight.
 * With `limitRate`, it enforces a bot's sending rate as Telegram does: a sendMessage beyond it is
 * refused with 429 and retry_after 1.
 */
export async function startFakeTelegram(token: string) {
  const calls: BotApiCall[] = [];
  const faults: Fault[] = [];
  let held: { release: Promise<void>; open: () => void } | undefined;
  let messageId = 1000;
  let rate: { intervalMs: number; bucketMs: number } | undefined;
  let tat = 0;
  /** Generic cell rate over the bot's sendMessage calls: allowed while less than a bucket ahead. */
  const tooFast = () => {
    if (!rate) return false;
    const now = Date.now();
    if (tat - now > rate.bucketMs - rate.intervalMs) return true;
    tat = Math.max(tat, now) + rate.intervalMs;
    return false;
  };

  const server: Server = createServer(async (req, res) => {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (!match || match[1] !== token) return reply(404, { ok: false, error_code: 404, description: "Not Found" });
    const method = match[2]!;
    const params = await readParams(req);
    const fault: Fault | undefined =
      method !== "sendMessage"
        ? undefined
        : (faults.shift() ?? (tooFast() ? { status: 429, retryAfter: 1 } : undefined));
    calls.push({ method, params, at: Date.now(), status: fault?.status ?? 200 });
    if (fault?.status === 429) {
      return reply(429, {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${fault.retryAfter}`,
        parameters: { retry_after: fault.retryAfter },
      });
    }
    if (fault?.status === 500) return reply(500, { ok: false, error_code: 500, description: "Internal Server Error" });
    if (fault?.status === 403)
      return reply(403, { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" });
    if (method === "sendMessage" && held) await held.release;
    switch (method) {
      case "getMe":
        return reply(200, { ok: true, result: botInfo });
      case "sendMessage":
        return reply(200, {
          ok: true,
          result: {
            message_id: ++messageId,
            date: Math.floor(Date.now() / 1000),
            chat: { id: Number(params.chat_id), type: "private" },
            text: params.text,
          },
        });
      default:
        return reply(200, { ok: true, result: true });
    }
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiRoot,
    calls,
    /** sendMessage calls, optionally to one chat. */
    sent: (chatId?: number | string) =>
      calls.filter(
        (c) =>
          c.method === "sendMessage" &&
          c.status === 200 &&
          (chatId === undefined || String(c.params.chat_id) === String(chatId)),
      ),
    failNext: (n: number, fault: Fault) => {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    /** From now on, at most one sendMessage per `intervalMs` on average, in bursts of at most `bucketMs`' worth. */
    limitRate: (limit: { intervalMs: number; bucketMs: number }) => {
      rate = limit;
    },
    /** The provider recovers: pending failures are dropped. */
    recover: () => {
      faults.length = 0;
    },
    /** Until released, sendMessage calls are recorded but not answered. */
    hold: () => {
      let open!: () => void;
      const release = new Promise<void>((r) => (open = r));
      held = { release, open };
      return () => {
        held = undefined;
        open();
      };
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export const botInfo = {
  id: 42,
  is_bot: true as const,
  first_name: "Tabib",
  username: "tabib_test_bot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as const;

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  if (!body) return {};
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) return JSON.parse(body) as Record<string, unknown>;
  // grammY sends multipart only for file uploads; anything else here is a bug in the test.
  throw new Error(`unexpected body type ${type}`);
}
