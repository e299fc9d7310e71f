import type { Database } from "../data/db.js";
import type { Conversation } from "../data/generated/client.js";
import { recordAudit } from "./audit.js";
import { DomainError, notFound } from "./errors.js";
import type { StaffActor } from "./staff.js";

/*
 * The human-handoff inbox: conversations whose patient asked for a person. Staff read the
 * thread (audited as a read of the patient's data), answer in the patient's own channel and
 * hand the conversation back to the bot. Doctors are not the clinic's front desk: they are refused.
 */

export interface HandoffSummary {
  id: string;
  channel: Conversation["channel"];
  patientId: string | null;
  patientName: string | null;
  lastActivityAt: Date;
  messageCount: number;
}

export interface ThreadLine {
  id: string;
  direction: "in" | "out";
  author: "patient" | "bot" | "staff";
  staffName: string | null;
  text: string;
  at: Date;
}

export interface Thread {
  conversation: Conversation;
  patientName: string | null;
  lines: ThreadLine[];
}

const THREAD_LINES = 500;

function frontDeskOnly(actor: StaffActor): void {
  if (actor.role === "doctor") throw new DomainError("forbidden", "The handoff inbox is for the front desk");
}

/** Conversations waiting for a person, most recently active first. Audited per patient named. */
export async function listHandoffs(
  db: Database,
  clinicId: string,
  actor: StaffActor,
  ip?: string | null,
): Promise<HandoffSummary[]> {
  frontDeskOnly(actor);
  const rows = await db.prisma.conversation.findMany({
    where: { clinicId, handedToHuman: true },
    include: { patient: { select: { firstName: true, lastName: true } }, _count: { select: { messages: true } } },
    orderBy: [{ lastActivityAt: "desc" }, { id: "asc" }],
    take: 200,
  });
  await recordAudit(
    db,
    rows
      .filter((c) => c.patientId)
      .map((c) => ({
        actor,
        action: "conversation.list",
        resourceType: "conversation",
        resourceId: c.id,
        patientId: c.patientId,
        ip,
      })),
  );
  return rows.map((c) => ({
    id: c.id,
    channel: c.channel,
    patientId: c.patientId,
    patientName: c.patient ? `${c.patient.firstName} ${c.patient.lastName}` : null,
    lastActivityAt: c.lastActivityAt,
    messageCount: c._count.messages,
  }));
}

async function conversationOf(db: Database, clinicId: string, id: string) {
  const conversation = await db.prisma.conversation.findFirst({
    where: { id, clinicId },
    include: { patient: { select: { firstName: true, lastName: true } } },
  });
  if (!conversation) throw notFound("conversation", id);
  return conversation;
}

/** The latest lines of one conversation, oldest first; written to the audit log as a read. */
export async function readThread(
  db: Database,
  clinicId: string,
  actor: StaffActor,
  conversationId: string,
  ip?: string | null,
): Promise<Thread> {
  frontDeskOnly(actor);
  const { patient, ...conversation } = await conversationOf(db, clinicId, conversationId);
  const messages = await db.prisma.conversationMessage.findMany({
    where: { conversationId },
    orderBy: { id: "desc" },
    take: THREAD_LINES,
  });
  const staffIds = [...new Set(messages.map((m) => m.staffUserId).filter((s): s is string => s !== null))];
  const staff = staffIds.length
    ? await db.prisma.staffUser.findMany({ where: { id: { in: staffIds } }, select: { id: true, displayName: true } })
    : [];
  const staffName = new Map(staff.map((s) => [s.id, s.displayName]));
  await recordAudit(db, {
    actor,
    action: "conversation.read",
    resourceType: "conversation",
    resourceId: conversationId,
    patientId: conversation.patientId,
    ip,
    detail: { lines: messages.length },
  });
  return {
    conversation,
    patientName: patient ? `${patient.firstName} ${patient.lastName}` : null,
    lines: messages.reverse().map((m) => ({
      id: m.id.toString(),
      direction: m.direction === "in" ? "in" : "out",
      author: m.author === "patient" ? "patient" : m.author === "staff" ? "staff" : "bot",
      staffName: m.staffUserId ? (staffName.get(m.staffUserId) ?? null) : null,
      text: m.text,
      at: m.createdAt,
    })),
  };
}

/**
 * Stores a staff member's answer in the thread and returns what the outbox needs to carry it.
 * Only while the conversation waits for a person: once handed back, the bot answers again.
 */
export async function recordStaffReply(
  db: Database,
  clinicId: string,
  actor: StaffActor,
  conversationId: string,
  text: string,
  opts: { ip?: string | null; now?: Date } = {},
): Promise<{ messageId: string; channel: Conversation["channel"]; chatId: string }> {
  frontDeskOnly(actor);
  const body = text.trim();
  if (!body) throw new DomainError("invalid", "text: empty reply", { field: "text" });
  const conversation = await conversationOf(db, clinicId, conversationId);
  if (!conversation.handedToHuman)
    throw new DomainError("conflict", "This conversation is back with the bot", { handedBack: true });
  const message = await db.prisma.conversationMessage.create({
    data: {
      conversationId,
      direction: "out",
      author: "staff",
      staffUserId: actor.userId,
      text: body,
      ...(opts.now ? { createdAt: opts.now } : {}),
    },
  });
  await recordAudit(db, {
    actor,
    action: "conversation.reply",
    resourceType: "conversation",
    resourceId: conversationId,
    patientId: conversation.patientId,
    ip: opts.ip,
    detail: { messageId: message.id.toString() },
  });
  return { messageId: message.id.toString(), channel: conversation.channel, chatId: conversation.senderId };
}

/** Takes back a stored reply that could not be handed to the channel, so the thread shows only what left. */
export async function withdrawStaffReply(db: Database, conversationId: string, messageId: string): Promise<void> {
  await db.prisma.conversationMessage.deleteMany({
    where: { id: BigInt(messageId), conversationId, author: "staff" },
  });
}

/** Gives the conversation back to the bot: the patient's next message is answered automatically. */
export async function handBackToBot(
  db: Database,
  clinicId: string,
  actor: StaffActor,
  conversationId: string,
  ip?: string | null,
): Promise<void> {
  frontDeskOnly(actor);
  const conversation = await conversationOf(db, clinicId, conversationId);
  await db.prisma.conversation.update({ where: { id: conversationId }, data: { handedToHuman: false } });
  await recordAudit(db, {
    actor,
    action: "conversation.hand_back",
    resourceType: "conversation",
    resourceId: conversationId,
    patientId: conversation.patientId,
    ip,
  });
}
