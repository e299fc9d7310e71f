import { EventEmitter } from "node:events";
import type { WhatsappWebClient } from "../../src/bots/whatsapp-web/session.js";

/** One sendMessage call the double received. */
export interface WebSend {
  chatId: string;
  content: string;
  /** The id it answered with (id._serialized of the sent Message). */
  id: string;
}

let counter = 0;
const hex = () => (++counter).toString(16).toUpperCase().padStart(20, "0");

/**
 * A stand-in for whatsapp-web.js's Client: an EventEmitter emitting the library's events with
 * its Message shape, and `initialize` / `sendMessage(chatId, text)` / `destroy`. Sends can be
 * made to fail like the page does when the session dropped or the address is not on WhatsApp.
 */
export class FakeWhatsappWebClient extends EventEmitter implements WhatsappWebClient {
  readonly sent: WebSend[] = [];
  initializations = 0;
  destructions = 0;
  private failures: Error[] = [];
  private initializing: (() => void)[] = [];

  constructor(readonly me = "33100000000") {
    super();
  }

  async initialize(): Promise<void> {
    this.initializations++;
    for (const resolve of this.initializing.splice(0)) resolve();
  }

  /** Resolves at the next initialize() call. */
  nextInitialize(): Promise<void> {
    return new Promise((resolve) => this.initializing.push(resolve));
  }

  async destroy(): Promise<void> {
    this.destructions++;
  }

  async sendMessage(chatId: string, content: string): Promise<{ id: { _serialized: string } }> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const id = `true_${chatId}_3EB0${hex()}`;
    this.sent.push({ chatId, content, id });
    return message({ from: `${this.me}@c.us`, to: chatId, body: content, fromMe: true, id });
  }

  failNextSends(n: number, error = new Error("Evaluation failed: Error: Session closed")): void {
    for (let i = 0; i < n; i++) this.failures.push(error);
  }

  /** Texts sent to one chat, in order. */
  textsTo(chatId: string): string[] {
    return this.sent.filter((s) => s.chatId === chatId).map((s) => s.content);
  }
}

/**
 * A message as whatsapp-web.js builds it (Message._patch over the page's serialized message):
 * `id` with `_serialized` ("<fromMe>_<chat>_<id>"), `from`, `body`, `timestamp` in seconds,
 * `type` ("chat", "image", "ptt"…), `hasMedia`, `fromMe`, `isStatus`, `broadcast`…
 */
export function message(m: {
  from: string;
  to?: string;
  body?: string;
  type?: string;
  hasMedia?: boolean;
  fromMe?: boolean;
  id?: string;
  isStatus?: boolean;
  broadcast?: boolean;
  author?: string;
}) {
  const fromMe = m.fromMe ?? false;
  const remote = fromMe ? (m.to ?? "") : m.from;
  const key = m.id ?? `${fromMe}_${remote}_3EB0${hex()}`;
  return {
    id: { fromMe, remote, id: key.split("_").at(-1)!, _serialized: key },
    ack: fromMe ? 1 : 0,
    hasMedia: m.hasMedia ?? false,
    body: m.body ?? "",
    type: m.type ?? "chat",
    timestamp: 1_796_000_000,
    from: m.from,
    to: m.to ?? "33100000000@c.us",
    author: m.author,
    deviceType: "android",
    isForwarded: false,
    forwardingScore: 0,
    isStatus: m.isStatus ?? false,
    isStarred: false,
    broadcast: m.broadcast ?? false,
    fromMe,
    hasQuotedMsg: false,
    hasReaction: false,
    duration: undefined,
    location: undefined,
    vCards: [],
    mentionedIds: [],
    groupMentions: [],
    isGif: false,
    isEphemeral: false,
    links: [],
  };
}
