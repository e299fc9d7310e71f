import path from "node:path";
import QRCode from "qrcode";
import type { AppContext } from "../../context.js";
import { clinicEngine } from "../chat-engine.js";
import { deliveryFor } from "../delivery/for-channel.js";
import { startDeliveryWorker, WHATSAPP_WEB_QUEUE } from "../delivery/queue.js";
import type { PacingLimits } from "../delivery/pacing.js";
import { postgresDeliveryLog } from "../delivery/status.js";
import { whatsappWebChannel } from "./channel.js";
import { WHATSAPP_WEB_LIMITS, whatsappWebSender } from "./send.js";
import type { WhatsappWebClient, WhatsappWebSession } from "./session.js";

/** WHATSAPP_WEB_* settings. */
export interface WhatsappWebSettings {
  /** WHATSAPP_WEB_SESSION_DIR: the linked device's browser profile (LocalAuth) and WhatsApp Web's cached page. */
  sessionDir: string;
  /** WHATSAPP_WEB_CHROMIUM: the system's Chromium; puppeteer's own download is never used. */
  chromiumPath: string;
}

/** Headless, no GPU, no background traffic (component updates, metrics); no sandbox, as in a container. */
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];

/**
 * whatsapp-web.js's Client on the system's Chromium, its session kept under `sessionDir` so a
 * restart needs no new QR scan. Loaded on demand: puppeteer weighs on start-up for nothing otherwise.
 */
export async function chromiumClient(s: WhatsappWebSettings): Promise<WhatsappWebClient> {
  const { default: wweb } = await import("whatsapp-web.js");
  const dataPath = path.resolve(s.sessionDir);
  const client = new wweb.Client({
    authStrategy: new wweb.LocalAuth({ clientId: "tabib", dataPath }),
    webVersionCache: { type: "local", path: path.join(dataPath, "web-cache") },
    puppeteer: { executablePath: s.chromiumPath, headless: true, args: CHROMIUM_ARGS },
  });
  // Client extends EventEmitter with these very events and methods (see WhatsappWebClient).
  return client as unknown as WhatsappWebClient;
}

export interface StartWhatsappWebOptions {
  /** The client to drive; default: whatsapp-web.js on Chromium (tests pass a double). */
  client?: WhatsappWebClient;
  /** Where the QR is drawn for whoever started the service; null: nowhere. Default stdout. */
  terminal?: NodeJS.WritableStream | null;
  /** First wait before starting the browser again after a failure or a disconnection; doubles up to 10 min. Default 30 s. */
  retryDelayMs?: number;
  /** Queue key prefix (tests). */
  prefix?: string;
  /** Sending pace; default WHATSAPP_WEB_LIMITS. Tests go faster. */
  limits?: PacingLimits;
  /** First retry delay of a failed send (tests shorten it). */
  baseDelayMs?: number;
}

/**
 * Starts WhatsApp through the clinic's own number: the browser session (QR in the console's
 * /admin/whatsapp page and in the terminal), patients' messages through the engine, replies
 * through the delivery (the WhatsApp Web queue, consumed in this process, when REDIS_URL is set).
 * A failed start or a disconnection is retried with backoff; WhatsApp's own logout shows a new QR.
 */
export async function startWhatsappWeb(
  ctx: AppContext,
  clinicId: string,
  session: WhatsappWebSession,
  s: WhatsappWebSettings,
  opts: StartWhatsappWebOptions = {},
): Promise<{ idle(): Promise<void>; close(): Promise<void> }> {
  const { logger, config } = ctx;
  const client = opts.client ?? (await chromiumClient(s));
  const senders = { whatsapp: whatsappWebSender(session) };
  const limits = opts.limits ?? WHATSAPP_WEB_LIMITS;
  const delivery = deliveryFor(ctx, senders, limits, {
    prefix: opts.prefix,
    queueName: WHATSAPP_WEB_QUEUE,
    redelivered: false,
    baseDelayMs: opts.baseDelayMs,
  });
  // Only this process can send through the session, so it consumes the queue itself, whatever INLINE_WORKER says.
  const worker = config.REDIS_URL
    ? startDeliveryWorker({
        redisUrl: config.REDIS_URL,
        prefix: opts.prefix,
        queueName: WHATSAPP_WEB_QUEUE,
        baseDelayMs: opts.baseDelayMs,
        senders,
        limits: { whatsapp: limits },
        logger,
        concurrency: 1,
        log: postgresDeliveryLog(ctx.db, logger),
      })
    : null;
  const channel = whatsappWebChannel({
    client,
    session,
    engine: clinicEngine(ctx, clinicId),
    delivery,
    db: ctx.db,
    clinicId,
    logger,
    now: ctx.now,
  });
  session.client = client;

  const terminal = opts.terminal === undefined ? process.stdout : opts.terminal;
  const unwatch = session.onChange((state) => {
    if (state.status !== "qr" || !state.qr || !terminal) return;
    void QRCode.toString(state.qr, { type: "terminal", small: true }).then((drawing) =>
      terminal.write(
        `\nWhatsApp Web: scan this code with the clinic's phone (WhatsApp › Linked devices), or open /admin/whatsapp in the console.\n${drawing}\n`,
      ),
    );
  });

  const firstDelay = opts.retryDelayMs ?? 30_000;
  let delay = firstDelay;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  const launch = async () => {
    timer = null;
    if (closed) return;
    session.update("starting");
    try {
      await client.initialize();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      logger.warn({ channel: "whatsapp", transport: "web", reason, retryInMs: delay }, "whatsapp web did not start");
      session.update("failed", { reason });
      await client.destroy().catch(() => undefined);
      again();
    }
  };
  const again = () => {
    if (closed || timer) return;
    timer = setTimeout(() => void launch(), delay);
    delay = Math.min(delay * 2, 10 * 60_000);
  };
  const watch = session.onChange((state) => {
    if (state.status === "ready") delay = firstDelay;
    // After a logout the library reloads WhatsApp Web itself and shows a new QR; anything else restarts the browser.
    if (state.status === "disconnected" && state.reason !== "LOGOUT")
      void client
        .destroy()
        .catch(() => undefined)
        .then(again);
  });
  void launch();

  return {
    /** Resolves once every message received so far has been handled. */
    idle: channel.idle,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      unwatch();
      watch();
      await channel.idle();
      session.client = null;
      await client.destroy().catch(() => undefined);
      await worker?.close();
      await delivery.close();
    },
  };
}
