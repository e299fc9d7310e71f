import { inTransaction, sqlState, type Database, type Sql, type Transaction } from "../data/db.js";
import type { ChatChannel, ChatLocale, InboundMessage, OutboundMessage } from "./channels.js";

/*
 * The conversation store: a sender's conversation on a channel, the dialogue state saved on it,
 * the transcript staff read, and the replies each message got (answered again, unchanged, when a
 * channel redelivers it). A sender's messages are handled one at a time, across processes too,
 * and each as one unit of work: everything a message changes is saved, or nothing is.
 */

/** A sender's conversation as a new message finds it. */
export interface Conversation {
  id: string;
  /** The patient the sender's address belongs to, once known. */
  patientId: string | null;
  locale: ChatLocale;
  /** The dialogue's saved state, as the dialogue wrote it (null in a new conversation). */
  snapshot: unknown;
  lastActivityAt: Date;
}

/** Who writes, where: one conversation per sender address and channel. */
export interface ChatSender {
  channel: ChatChannel;
  /** The sender's address on the channel: Telegram chat id, phone number, web session id. */
  senderId: string;
}

// One sender's messages in this process, one after the other; the advisory lock does it across processes.
const localQueues = new Map<string, Promise<unknown>>();
function serialize<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = localQueues.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.catch(() => undefined);
  localQueues.set(key, settled);
  void settled.then(() => {
    if (localQueues.get(key) === settled) localQueues.delete(key);
  });
  return run;
}

/** FNV-1a of the sender's key as a signed 32-bit integer: the same on every instance. */
function lockKeyOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

// Deadlock, serialization failure: the database undid the unit because of another one; it may run again.
const RETRIABLE = new Set(["40P01", "40001"]);
const MAX_ATTEMPTS = 3;

/**
 * Runs `work` as one unit of work on `db` (a transaction: everything it writes is saved together,
 * or nothing is) with the sender's conversation to itself. Embedded PGlite has one process: an
 * in-process queue is enough. On Postgres an advisory lock, taken with BEGIN in the same round
 * trip, holds other instances off. When conversations wait for each other in a circle (each for
 * a time the other holds but has not saved yet), the database undoes one of them: that one runs
 * again from the start.
 */
export function inConversation<T>(db: Database, sender: ChatSender, work: (db: Database) => Promise<T>): Promise<T> {
  const key = `${sender.channel}:${sender.senderId}`;
  // The key is a number computed here, so the lock can ride along with BEGIN.
  const opening = db.kind === "postgres" ? { opening: `SELECT pg_advisory_xact_lock(7411003, ${lockKeyOf(key)})` } : {};
  return serialize(key, async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await gateOf(db).run(() => inTransaction(db, work, opening));
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !RETRIABLE.has(sqlState(err) ?? "")) throw err;
      }
    }
  });
}

interface ConversationRow {
  id: string;
  patient_id: string | null;
  locale: ChatLocale;
  snapshot: unknown;
  last_activity_at: Date | string;
}

const toConversation = (r: ConversationRow): Conversation => ({
  id: r.id,
  patientId: r.patient_id,
  locale: r.locale,
  snapshot: r.snapshot,
  lastActivityAt: new Date(r.last_activity_at),
});

/** Where a new conversation starts: its clinic, the language to greet in, and when. */
export interface Opening {
  clinicId: string;
  /** Used only for a new sender whose address belongs to no patient yet. */
  locale: ChatLocale;
  now: Date;
}

/**
 * The sender's conversation with this message claimed for processing, in one statement; a new
 * sender gets a conversation first (linked to the patient their address already belongs to).
 * `claimed` is false for a message already handled: a redelivery.
 */
export async function openExchange(
  db: Database,
  message: Pick<InboundMessage, "channel" | "senderId" | "providerMessageId">,
  opening: Opening,
): Promise<{ conversation: Conversation; claimed: boolean }> {
  const [row] = await db.sql.query<ConversationRow & { claimed: boolean }>(
    `SELECT * FROM open_exchange($1::"Channel", $2, $3, $4, $5::uuid, $6::"Locale")`,
    [message.channel, message.senderId, message.providerMessageId, opening.now, opening.clinicId, opening.locale],
  );
  return { conversation: toConversation(row!), claimed: row!.claimed };
}

/** The sender's conversation, started when they have none (for a question the clinic opens: a reminder, an offer). */
export async function openConversation(db: Database, sender: ChatSender, opening: Opening): Promise<Conversation> {
  const [row] = await db.sql.query<ConversationRow>(
    `SELECT * FROM open_conversation($1::"Channel", $2, $3, $4::uuid, $5::"Locale")`,
    [sender.channel, sender.senderId, opening.now, opening.clinicId, opening.locale],
  );
  return toConversation(row!);
}

/** What one exchange changed, for recordExchange. */
export interface Exchange {
  /** The conversation's new dialogue state, with what it learnt (absent: unchanged). */
  state?: {
    snapshot: unknown;
    locale: ChatLocale;
    patientId: string | null;
    /** "idle" when the dialogue is back at its start, waiting for nothing. */
    status: "idle" | "active";
    /** The patient asked for a person: staff see the conversation in their inbox. */
    handedToHuman: boolean;
    /** The slots the conversation held are let go. */
    releaseHolds: boolean;
  };
  /** The message answered (its replies are kept for a redelivery), if the exchange answers one. */
  answered?: Pick<InboundMessage, "channel" | "providerMessageId">;
  /** What the patient said, as staff read it in the transcript (null: nothing to show). */
  said?: string | null;
  /** The replies, as sent. */
  replies: OutboundMessage[];
}

const MAX_TRANSCRIPT_LINE = 4000;

const transcriptLine = (text: string): string => text.slice(0, MAX_TRANSCRIPT_LINE);

/** A reply as staff read it in the transcript: its text, then its choices. */
const transcriptText = (r: OutboundMessage): string =>
  transcriptLine([r.text, ...(r.choices ?? []).map((c) => `• ${c.label}`)].join("\n"));

const commitsWith = (sql: Sql): sql is Transaction => "commitWith" in sql;

/**
 * Saves what one exchange changed in a single statement: the conversation's state (and its
 * released holds), the replies kept for redeliveries, and the transcript lines. It is the unit of
 * work's last statement: on a transaction of its own, COMMIT travels with it in one round trip,
 * so nothing may be written after it.
 */
export async function recordExchange(
  db: Database,
  conversationId: string,
  now: Date,
  exchange: Exchange,
): Promise<void> {
  const lines = [
    ...(exchange.said ? [{ direction: "in", author: "patient", text: transcriptLine(exchange.said) }] : []),
    ...exchange.replies.map((r) => ({ direction: "out", author: "bot", text: transcriptText(r) })),
  ];
  const { state, answered } = exchange;
  const text = `SELECT record_exchange($1::uuid, $2, $3::text[], $4::text[], $5::text[], $6::jsonb, $7::"Locale", $8::uuid, $9, $10, $11, $12::"Channel", $13, $14::jsonb)`;
  const params = [
    conversationId,
    now,
    lines.map((l) => l.direction),
    lines.map((l) => l.author),
    lines.map((l) => l.text),
    state ? JSON.stringify(state.snapshot) : null,
    state?.locale ?? null,
    state?.patientId ?? null,
    state?.status ?? null,
    state?.handedToHuman ?? false,
    state?.releaseHolds ?? false,
    answered?.channel ?? null,
    answered?.providerMessageId ?? null,
    answered ? JSON.stringify(exchange.replies) : null,
  ];
  if (commitsWith(db.sql)) await db.sql.commitWith(text, params);
  else await db.sql.query(text, params);
}

/**
 * The replies a message already got, or null if it was never handled. A transport whose answer
 * travels in the response (the web chat) replays them for a retried request.
 */
export async function repliesTo(
  db: Database,
  message: Pick<InboundMessage, "channel" | "providerMessageId">,
): Promise<OutboundMessage[] | null> {
  const rows = await db.sql.query<{ replies: OutboundMessage[] }>(
    `SELECT replies FROM processed_message WHERE channel = $1::"Channel" AND provider_message_id = $2`,
    [message.channel, message.providerMessageId],
  );
  return rows[0]?.replies ?? null;
}

/**
 * A conversation's unit of work keeps one pooled connection from its first statement to its
 * commit, most of that time waiting for this process (reading the message, wording the replies).
 * At most half the pool goes to conversations at once: the console, the API and the jobs of the
 * same process keep connections, and fewer conversations offer the same times at the same moment.
 * Their holds stay unseen until they commit, and a hold overlapping an unseen one waits for it;
 * measured with 32 patients at once on a pool of 36 (docs/benchmarks.md), every conversation in
 * flight made those waits close into circles, each costing a second before Postgres broke it.
 */
const gates = new WeakMap<Database, Gate>();
const gateOf = (db: Database): Gate => {
  let gate = gates.get(db);
  if (!gate) gates.set(db, (gate = new Gate(Math.max(1, Math.floor(db.connections / 2)))));
  return gate;
};

class Gate {
  private inside = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inside >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inside++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.inside--;
    }
  }
}
