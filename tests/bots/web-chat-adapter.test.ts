import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatEngine } from "../../src/bots/chat-engine.js";
import { webChatRouter } from "../../src/bots/web/router.js";
import type { InboundMessage } from "../../src/domain/channels.js";

// The adapter alone: identity, validation and retries. The real engine behind /chat is
// exercised end to end in web-chat.test.ts.
const received: InboundMessage[] = [];
const echo: ChatEngine = async (m) => {
  received.push(m);
  return [{ text: `echo:${m.text ?? m.payload}`, choices: [{ id: "1.pick.0", label: "Mardi 10:00" }] }];
};

let base: string;
let server: ReturnType<express.Express["listen"]>;
beforeAll(async () => {
  const app = express();
  app.use(webChatRouter(echo, { secureCookies: false, emergencyNumber: "15" }));
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const post = (body: unknown, cookie?: string, type = "application/json") =>
  fetch(`${base}/chat/messages`, {
    method: "POST",
    headers: { "content-type": type, ...(cookie ? { cookie } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("web chat page and endpoint", () => {
  it("a patient opening /chat gets the page in their language with the emergency number, and a private chat identity", async () => {
    const res = await fetch(`${base}/chat`, { headers: { "accept-language": "en-GB,en;q=0.9,fr;q=0.5" } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("call 15");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(
      /tabib_chat=[A-Za-z0-9_-]{32}; Max-Age=\d+; Path=\/chat; Expires=.*; HttpOnly; SameSite=Lax/,
    );
    const fr = await (await fetch(`${base}/chat`)).text();
    expect(fr).toContain('<html lang="fr">');
  });

  it("messages of one browser reach the engine as one sender, with the text in the body, never the URL", async () => {
    const first = await post({ text: "rdv cardiologue mardi", clientMessageId: "abcdefgh1" });
    const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
    expect(((await first.json()) as { replies: { text: string }[] }).replies[0]!.text).toBe(
      "echo:rdv cardiologue mardi",
    );
    await post({ payload: "1.pick.0", clientMessageId: "abcdefgh2" }, cookie);
    const [a, b] = received.slice(-2);
    expect(a!.senderId).toBe(b!.senderId);
    expect(a!.channel).toBe("web");
    expect(b!.payload).toBe("1.pick.0");
  });

  it("a retried send carries the same message id, so the engine can answer it once", async () => {
    const cookie = "tabib_chat=" + "x".repeat(32);
    await post({ text: "annuler", clientMessageId: "retry-0001" }, cookie);
    await post({ text: "annuler", clientMessageId: "retry-0001" }, cookie);
    const ids = received.slice(-2).map((m) => m.providerMessageId);
    expect(ids[0]).toBe(ids[1]);
  });

  it("malformed requests get a 4xx that says why", async () => {
    expect((await post({ clientMessageId: "abcdefgh3" })).status).toBe(400);
    const noId = await post({ text: "hi" });
    expect(noId.status).toBe(400);
    expect(((await noId.json()) as { field: string }).field).toBe("clientMessageId");
    expect((await post("text=hi", undefined, "application/x-www-form-urlencoded")).status).toBe(415);
    expect((await post("{not json", undefined)).status).toBe(400);
  });

  it("a flood of messages from one browser is slowed down", async () => {
    const cookie = "tabib_chat=" + "f".repeat(32);
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++)
      statuses.push((await post({ text: "x", clientMessageId: `flood-${String(i).padStart(4, "0")}` }, cookie)).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
