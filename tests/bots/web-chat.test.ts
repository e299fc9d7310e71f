import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { replayingEngine } from "../../src/bots/chat-engine.js";
import { webChatRouter } from "../../src/bots/web/router.js";
import { loadConfig } from "../../src/config.js";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import type { OutboundMessage } from "../../src/domain/channels.js";
import { freshDatabase } from "../support/database.js";
import { paris } from "../support/clinic.js";

const db = await freshDatabase();
let base: string;
let server: ReturnType<ReturnType<typeof createApp>["listen"]>;

beforeAll(async () => {
  const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" });
  const now = () => paris("2026-11-30T08:00");
  const ctx = { config: loadConfig({ NODE_ENV: "test" }), db, logger: pino({ level: "silent" }), now };
  const engine = replayingEngine({ db, clinicId, holdMinutes: 5, now });
  const app = createApp(ctx, {
    routers: [{ path: "/", router: webChatRouter(engine, { secureCookies: false, emergencyNumber: "15", now }) }],
  });
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

/** A browser on /chat: keeps its cookie, sends what the page sends. */
function browser() {
  let cookie = "";
  let n = 0;
  return async (
    body: { text?: string; payload?: string },
    clientMessageId = `msg-${String(++n).padStart(6, "0")}`,
  ): Promise<OutboundMessage[]> => {
    const res = await fetch(`${base}/chat/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ ...body, clientMessageId }),
    });
    cookie ||= (res.headers.get("set-cookie") ?? "").split(";")[0]!;
    expect(res.status).toBe(200);
    return ((await res.json()) as { replies: OutboundMessage[] }).replies;
  };
}

const text = (replies: OutboundMessage[]) => replies.map((r) => r.text).join("\n");
const choices = (replies: OutboundMessage[]) => replies.flatMap((r) => r.choices ?? []);

describe("booking from the web chat page", () => {
  it("a newcomer opening /chat books a real appointment in the demo clinic", async () => {
    const send = browser();
    const offer = await send({ text: "bonjour, je voudrais voir un dermatologue mardi vers 15h" });
    const slot = choices(offer).find((c) => c.id.includes(".slot."));
    expect(slot?.label).toMatch(/mardi 1 décembre/);
    expect(text(await send({ payload: slot!.id }))).toMatch(/prénom et nom/);
    expect(text(await send({ text: "Ada Lovelace" }))).toMatch(/date de naissance/);
    const consent = await send({ text: "10 décembre 1985" });
    const yes = choices(consent).find((c) => c.id.endsWith(".yes."));
    const done = await send({ payload: yes!.id });
    expect(text(done)).toMatch(/confirmé/);
    const appointment = await db.prisma.appointment.findFirstOrThrow({
      where: { patient: { lastName: "Lovelace" } },
      include: { patient: { include: { identities: true } } },
    });
    expect(appointment.status).toBe("confirmed");
    expect(appointment.sourceChannel).toBe("web");
    expect(appointment.patient.identities[0]!.channel).toBe("web");
  });

  it("a send retried after a lost response gets the same answer and changes nothing twice", async () => {
    const send = browser();
    const first = await send({ text: "I want to see a GP tomorrow morning" }, "retry-000001");
    const again = await send({ text: "I want to see a GP tomorrow morning" }, "retry-000001");
    expect(again).toEqual(first);
    expect(
      await db.prisma.processedMessage.count({ where: { providerMessageId: { endsWith: ":retry-000001" } } }),
    ).toBe(1);
  });
});
