import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { AppContext } from "../../src/context.js";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { createTestClinic } from "../support/clinic.js";
import { startFakeTelegram } from "../support/fake-telegram.js";
import { staffVisitor } from "./schedule-support.js";
import { csrfOf, startConsole } from "./support.js";

const TOKEN = "424242:console-inbox";
let world: ApiWorld;
let base: string;
let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
const ids = { telegram: "", web: "", withBot: "", foreign: "", patient: "" };

beforeAll(async () => {
  world = await demoWorld();
  telegram = await startFakeTelegram(TOKEN);
  // The console sends through the clinic's outbox: here, Telegram's Bot API on a local fake.
  const ctx: AppContext = {
    ...world.ctx,
    config: loadConfig({
      NODE_ENV: "test",
      JWT_SECRET: "x".repeat(32),
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: "inbox-webhook-secret",
      TELEGRAM_API_ROOT: telegram.apiRoot,
    }),
  };
  base = await startConsole(ctx);
  const prisma = world.ctx.db.prisma;
  const patient = await prisma.patient.create({
    data: { clinicId: world.clinicId, firstName: "Claire", lastName: "Dupont", phone: "+33611111111" },
  });
  ids.patient = patient.id;
  const conversation = (
    channel: "telegram" | "web",
    senderId: string,
    handedToHuman: boolean,
    clinicId = world.clinicId,
  ) =>
    prisma.conversation.create({
      data: {
        clinicId,
        channel,
        senderId,
        snapshot: {},
        handedToHuman,
        patientId: clinicId === world.clinicId && channel === "telegram" ? patient.id : null,
      },
    });
  const c = await conversation("telegram", "5551234", true);
  ids.telegram = c.id;
  await prisma.conversationMessage.createMany({
    data: [
      { conversationId: c.id, direction: "in", author: "patient", text: "Je voudrais parler à une personne <svp>" },
      { conversationId: c.id, direction: "out", author: "bot", text: "Je préviens le secrétariat." },
    ],
  });
  ids.web = (await conversation("web", "w".repeat(32), true)).id;
  ids.withBot = (await conversation("telegram", "5559999", false)).id;
  const foreign = await createTestClinic(world.ctx.db, {});
  ids.foreign = (await conversation("telegram", "5550000", true, foreign.clinicId)).id;
});

afterAll(async () => {
  await telegram?.close();
});

describe("the human-handoff inbox", () => {
  it("lists the conversations waiting for a person", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const list = await v.get("/inbox");
    expect(list.status).toBe(200);
    expect(list.html).toContain(`/inbox/${ids.telegram}`);
    expect(list.html).toContain("Claire Dupont");
    expect(list.html).toContain(`/inbox/${ids.web}`);
    expect(list.html).not.toContain(ids.withBot);
    expect(list.html).not.toContain(ids.foreign);
  });

  it("reading a thread shows it, escaped, and is audited as a read of the patient's data", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const thread = await v.get(`/inbox/${ids.telegram}`);
    expect(thread.status).toBe(200);
    expect(thread.html).toContain("Je voudrais parler à une personne &lt;svp&gt;");
    expect(thread.html).toContain("Je préviens le secrétariat.");
    const audit = await world.ctx.db.prisma.auditLog.findMany({
      where: { action: "conversation.read", resourceId: ids.telegram },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.patientId).toBe(ids.patient);
    // Identifiers only: the audit row never carries what the patient wrote.
    expect(JSON.stringify(audit[0]!.detail)).not.toContain("personne");
  });

  it("a reply goes to the patient's own chat and joins the thread as the secretary's", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const thread = await v.get(`/inbox/${ids.telegram}`);
    const empty = await v.post(`/inbox/${ids.telegram}/reply`, { _csrf: csrfOf(thread.html), text: "   " });
    expect(empty.status).toBe(400);
    const sent = await v.post(`/inbox/${ids.telegram}/reply`, {
      _csrf: csrfOf(thread.html),
      text: "Bonjour, ici le secrétariat : je vous rappelle dans 5 minutes.",
    });
    expect(sent.status).toBe(303);
    expect(telegram.sent("5551234").map((c) => c.params.text)).toEqual([
      "Bonjour, ici le secrétariat : je vous rappelle dans 5 minutes.",
    ]);
    const line = await world.ctx.db.prisma.conversationMessage.findFirstOrThrow({
      where: { conversationId: ids.telegram, author: "staff" },
    });
    const secretary = await world.ctx.db.prisma.staffUser.findUniqueOrThrow({
      where: { email: world.credentials.secretary.email },
    });
    expect(line).toMatchObject({ direction: "out", staffUserId: secretary.id });
    const after = await v.follow(sent);
    expect(after.html).toContain("Réponse envoyée.");
    expect(after.html).toContain("je vous rappelle dans 5 minutes");
    expect(after.html).toContain("Secrétariat ·");
  });

  it("a channel the console cannot write to is said so, and nothing is stored", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const thread = await v.get(`/inbox/${ids.web}`);
    const answer = await v.post(`/inbox/${ids.web}/reply`, { _csrf: csrfOf(thread.html), text: "Bonjour" });
    expect(answer.status).toBe(409);
    expect(answer.html).toContain("ne peut pas recevoir de réponse depuis la console");
    expect(await world.ctx.db.prisma.conversationMessage.count({ where: { conversationId: ids.web } })).toBe(0);
  });

  it("handing back gives the conversation to the bot: it leaves the inbox and takes no more console replies", async () => {
    const v = await staffVisitor(world, base, "secretary");
    const thread = await v.get(`/inbox/${ids.telegram}`);
    const back = await v.post(`/inbox/${ids.telegram}/hand-back`, { _csrf: csrfOf(thread.html) });
    expect(back.status).toBe(303);
    const list = await v.follow(back);
    expect(list.html).toContain("Conversation rendue à l'assistant.".replace("'", "&#39;"));
    expect(list.html).not.toContain(`/inbox/${ids.telegram}"`);
    expect(
      (await world.ctx.db.prisma.conversation.findUniqueOrThrow({ where: { id: ids.telegram } })).handedToHuman,
    ).toBe(false);
    const late = await v.post(`/inbox/${ids.telegram}/reply`, { _csrf: csrfOf(thread.html), text: "Encore là ?" });
    expect(late.status).toBe(409);
    expect(telegram.sent("5551234")).toHaveLength(1);
  });

  it("is closed to doctors and to other clinics' conversations", async () => {
    const d = await staffVisitor(world, base, "doctor");
    expect((await d.get("/inbox")).status).toBe(403);
    expect((await d.get(`/inbox/${ids.web}`)).status).toBe(403);
    expect((await d.get("/")).html).not.toContain('href="/inbox"');
    const v = await staffVisitor(world, base, "secretary");
    expect((await v.get(`/inbox/${ids.foreign}`)).status).toBe(404);
    const csrf = csrfOf((await v.get("/inbox")).html);
    expect((await v.post(`/inbox/${ids.foreign}/hand-back`, { _csrf: csrf })).status).toBe(404);
    expect((await v.post(`/inbox/${ids.foreign}/reply`, { _csrf: csrf, text: "x" })).status).toBe(404);
  });
});
