import type WAWebJS from "whatsapp-web.js";
import type { LinkedDevice, LinkedDeviceState } from "../../context.js";

/** Where the linked-device session stands, as the console shows it. */
export type WhatsappWebState = LinkedDeviceState;
export type WhatsappWebStatus = WhatsappWebState["status"];

/** The fields of whatsapp-web.js's Message the adapter reads. */
export type WebMessage = Pick<
  WAWebJS.Message,
  "id" | "from" | "body" | "timestamp" | "type" | "hasMedia" | "fromMe" | "isStatus" | "broadcast"
>;

/**
 * What the adapter uses of whatsapp-web.js's Client: its events (same names and arguments),
 * `initialize`, `sendMessage(chatId, text)` and `destroy`. Tests drive the adapter with a double.
 */
export interface WhatsappWebClient {
  on(event: "qr", listener: (qr: string) => void): unknown;
  on(event: "authenticated" | "ready", listener: () => void): unknown;
  on(event: "auth_failure" | "disconnected", listener: (reason: string) => void): unknown;
  on(event: "message", listener: (message: WebMessage) => void): unknown;
  on(event: "message_ack", listener: (message: WebMessage, ack: number) => void): unknown;
  initialize(): Promise<void>;
  sendMessage(chatId: string, content: string): Promise<{ id: { _serialized: string } }>;
  destroy(): Promise<void>;
}

/**
 * The one WhatsApp Web session of this process: its login state (for the console's QR page and
 * the terminal) and, once started, the client that sends. Lives in the web process, which owns
 * the browser; other processes queue WhatsApp Web replies for it (see WHATSAPP_WEB_QUEUE).
 */
export class WhatsappWebSession implements LinkedDevice {
  private current: WhatsappWebState;
  private readonly listeners = new Set<(state: WhatsappWebState) => void>();
  client: WhatsappWebClient | null = null;

  constructor(private readonly now: () => Date = () => new Date()) {
    this.current = { status: "starting", since: now() };
  }

  get state(): WhatsappWebState {
    return this.current;
  }

  /** Moves to a new state; the QR and the reason only last as long as the state they came with. */
  update(status: WhatsappWebStatus, extra: { qr?: string; reason?: string } = {}): void {
    this.current = { status, ...extra, since: this.now() };
    for (const listener of this.listeners) listener(this.current);
  }

  onChange(listener: (state: WhatsappWebState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
