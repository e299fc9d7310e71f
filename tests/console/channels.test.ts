import { beforeAll, describe, expect, it } from "vitest";
import { inlineDelivery, processDeadLetters } from "../../src/bots/delivery/inline.js";
import { outboundJobs } from "../../src/bots/delivery/outbound.js";
import { memoryPacer } from "../../src/bots/delivery/pacing.js";
import { postgresDeliveryLog } from "../../src/bots/delivery/status.js";
import { telegramApi, telegramSender } from "../../src/bots/telegram/send.js";
import { WhatsappWebSession } from "../../src/bots/whatsapp-web/session.js";
import { startWhatsappWeb } from "../../src/bots/whatsapp-web/start.js";
import type { AppContext } from "../../src/context.js";
import { totpCode, totpStep } from "../../src/console/totp.js";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { startFakeTelegram } from "../support/fake-telegram.js";
import { FakeWhatsappWebClient } from "../support/fake-whatsapp-web.js";
import { csrfOf, hiddenFields, signIn, startConsole, Visitor } from "./support.js";

const TOKEN = "123456:console-test-token";
const CHAT = "5550001234";
const SECRET_TEXT = "Votre rendez-vous du jeudi 3 décembre avec le Dr Martin est confirmé.";
let world: ApiWorld;
let ctx: AppContext;
let base: string;
let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
const session = new WhatsappWebSession();
const client = new FakeWhatsappWebClient();

beforeAll(async () => {
  world = await demoWorld();
  ctx = { ...world.ctx, whatsappWeb: session };
  base = await startConsole(ctx);
  telegram = await startFakeTelegram(TOKEN);
  const running = await startWhatsappWeb(
    ctx,
    world.clinicId,
    session,
    { sessionDir: "/x", chromiumPath: "/x" },
    { client, terminal: null },
  );
  return async () => {
    await running.close();
    await telegram.close();
  };
});

async function secretary(): Promise<Visitor> {
  const v = new Visitor(base);
  expect((await signIn(v, world.credentials.secretary.email, world.credentials.secretary.password)).status).toBe(303);
  return v;
}

/** Signs in an admin or a doctor, enrolling the two-step verification their role requires. */
async function enrolled(who: "admin" | "doctor"): Promise<Visitor> {
  const v = new Visitor(base);
  const answer = await signIn(v, world.credentials[who].email, world.credentials[who].password);
  expect(answer.location).toBe("/mfa/setup");
  const setup = await v.get("/mfa/setup");
  const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.html)![1]!.replace(/ /g, "");
  const done = await v.post("/mfa/setup", { _csrf: csrfOf(setup.html), code: totpCode(secret, totpStep(ctx.now())) });
  expect(done.status).toBe(200);
  return v;
}

describe("undelivered messages in the console", () => {
  it("a secretary sees a reply Telegram refused (masked recipient, the reason, no text) and sends it again once", async () => {
    // A reply whose send failed with no redelivery to come: a dead letter of this process.
    const delivery = inlineDelivery({
      senders: { telegram: telegramSender(telegramApi({ token: TOKEN, apiRoot: telegram.apiRoot })) },
      pacer: memoryPacer({ sender: { intervalMs: 1, burst: 10 }, chat: { intervalMs: 1, burst: 10 } }),
      logger: ctx.logger,
      log: postgresDeliveryLog(ctx.db, ctx.logger),
      redelivered: false,
      attempts: 1,
    });
    // It answers a patient's message in one of the clinic's conversations: the clinic's to see.
    const conversation = await ctx.db.prisma.conversation.create({
      data: { clinicId: world.clinicId, channel: "telegram", senderId: CHAT, snapshot: {} },
    });
    await ctx.db.prisma.processedMessage.create({
      data: { channel: "telegram", providerMessageId: `c${CHAT}_77`, conversationId: conversation.id, replies: [] },
    });
    telegram.failNext(1, { status: 500 });
    const [job] = outboundJobs("telegram", CHAT, `c${CHAT}_77`, [{ text: SECRET_TEXT }]);
    await delivery.deliver([job!]);
    expect(processDeadLetters.list().map((d) => d.id)).toContain(job!.id);

    const v = await secretary();
    const page = await v.get("/deliveries");
    expect(page.status).toBe(200);
    expect(page.html).toContain("Messages non remis");
    const row = /<table id="dead-letters">[^]*?<\/table>/.exec(page.html)![0];
    expect(row).toContain("Telegram");
    expect(row).toContain("••••••••34");
    expect(row).toContain("telegram 500: Internal Server Error");
    expect(page.html).not.toContain(CHAT);
    expect(page.html).not.toContain("Dr Martin");
    // Last 24 hours: one Telegram message given up.
    expect(/<table id="delivery-counts">[^]*?<\/table>/.exec(page.html)![0]).toMatch(
      /Telegram<\/th><td>0<\/td><td>0<\/td><td>0<\/td><td>0<\/td><td>0<\/td><td>1<\/td>/,
    );

    const fields = hiddenFields(page.html);
    expect(fields.ref).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const answer = await v.post("/deliveries/retry", fields);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe("/deliveries?done=retried");
    expect(telegram.sent(CHAT).map((c) => c.params.text)).toEqual([SECRET_TEXT]);
    const after = await v.get("/deliveries?done=retried");
    expect(after.html).toContain("remis en file");
    expect(after.html).toContain("Aucun message en échec.");
    expect((await ctx.db.prisma.messageDelivery.findUniqueOrThrow({ where: { jobId: job!.id } })).status).toBe("sent");
    const audit = await ctx.db.prisma.auditLog.findFirstOrThrow({ where: { action: "message_delivery.retry" } });
    expect(audit).toMatchObject({ resourceId: job!.id, actorKind: "staff" });

    // Sending it again once more finds nothing: no second message.
    expect((await v.post("/deliveries/retry", fields)).location).toBe("/deliveries?done=gone");
    expect(telegram.sent(CHAT)).toHaveLength(1);
  });

  it("a retry without the session's CSRF token is refused", async () => {
    const v = await secretary();
    expect((await v.post("/deliveries/retry", { ref: "A".repeat(22) })).status).toBe(403);
  });

  it("doctors do not see the delivery list", async () => {
    const v = await enrolled("doctor");
    expect((await v.get("/deliveries")).status).toBe(403);
  });
});

describe("the WhatsApp Web login page", () => {
  it("shows the QR the session emitted to an admin, refreshes it by polling, and drops it once connected", async () => {
    const a = await enrolled("admin");
    client.emit("qr", "2@firstRef,noiseKey,identityKey,advSecret,1");
    const page = await a.get("/admin/whatsapp");
    expect(page.status).toBe(200);
    expect(page.html).toContain("WhatsApp peut bannir");
    const first = /<img class="qr" src="(data:image\/png;base64,[^"]+)"/.exec(page.html)?.[1];
    expect(first).toBeDefined();
    expect(page.html).toContain('hx-get="/admin/whatsapp/state"');
    expect(page.html).toContain('data-status="qr"');

    client.emit("qr", "2@secondRef,noiseKey,identityKey,advSecret,1");
    const fragment = await a.get("/admin/whatsapp/state");
    expect(fragment.html).not.toContain("<html");
    const second = /<img class="qr" src="(data:image\/png;base64,[^"]+)"/.exec(fragment.html)?.[1];
    expect(second).toBeDefined();
    expect(second).not.toBe(first);

    client.emit("authenticated");
    client.emit("ready");
    const ready = await a.get("/admin/whatsapp/state");
    expect(ready.html).toContain('data-status="ready"');
    expect(ready.html).toContain("Connecté");
    expect(ready.html).not.toContain("<img");
    expect(ready.html).not.toContain("hx-trigger");

    client.emit("disconnected", "NAVIGATION");
    const dropped = await a.get("/admin/whatsapp/state");
    expect(dropped.html).toContain("Déconnecté (NAVIGATION)");
    expect(dropped.html).toContain("hx-trigger");
  });

  it("is for admins only", async () => {
    const v = await secretary();
    expect((await v.get("/admin/whatsapp")).status).toBe(403);
    expect((await v.get("/admin/whatsapp/state")).status).toBe(403);
  });
});
