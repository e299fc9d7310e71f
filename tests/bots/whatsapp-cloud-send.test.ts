import { afterAll, describe, expect, it } from "vitest";
import { DeliveryError } from "../../src/bots/delivery/outbound.js";
import { renderCloudMessage } from "../../src/bots/whatsapp-cloud/render.js";
import { sendTemplate, whatsappCloudSender } from "../../src/bots/whatsapp-cloud/send.js";
import { needsTemplate } from "../../src/bots/whatsapp-cloud/window.js";
import { startFakeGraph } from "../support/fake-graph.js";

const graph = await startFakeGraph("token");
const client = { accessToken: "token", phoneNumberId: "1065", apiBase: graph.apiBase };
afterAll(() => graph.close());

const choice = (label: string, i = 0) => ({ id: `c.${i}.`, label });
const job = (choices?: { id: string; label: string }[]) => ({
  id: `whatsapp-wamid_${Math.random().toString(36).slice(2)}-0`,
  channel: "whatsapp" as const,
  chatId: "+33611112222",
  message: { text: "Quel créneau ?", choices },
});

describe("WhatsApp choice rendering", () => {
  it("up to three short choices become reply buttons", () => {
    const body = renderCloudMessage({ text: "Confirmez-vous ?", choices: [choice("Oui", 1), choice("Non", 2)] });
    expect(body).toEqual({
      type: "interactive",
      interactive: {
        type: "button",
        body: { text: "Confirmez-vous ?" },
        action: {
          buttons: [
            { type: "reply", reply: { id: "c.1.", title: "Oui" } },
            { type: "reply", reply: { id: "c.2.", title: "Non" } },
          ],
        },
      },
    });
  });

  it("four choices, or a label over 20 characters, become a list whose long labels spill into the description", () => {
    const four = renderCloudMessage({ text: "Spécialité ?", choices: ["A", "B", "C", "D"].map(choice) });
    expect(four.type === "interactive" && four.interactive.type).toBe("list");

    const body = renderCloudMessage({
      text: "Quel créneau ?",
      choices: [choice("mardi 1 décembre à 15:00 — Dr Martin", 1), choice("Autre jour", 2)],
    });
    expect(body.type === "interactive" && body.interactive.type === "list" && body.interactive.action).toEqual({
      button: "Options",
      sections: [
        {
          rows: [
            { id: "c.1.", title: "mardi 1 décembre à 15:00", description: "Dr Martin" },
            { id: "c.2.", title: "Autre jour" },
          ],
        },
      ],
    });
  });

  it("more than ten choices, or a label too long for a row, become numbered lines", () => {
    const eleven = renderCloudMessage({
      text: "Médecin ?",
      choices: Array.from({ length: 11 }, (_, i) => choice(`Dr ${i}`, i)),
    });
    expect(eleven.type).toBe("text");
    expect(eleven.type === "text" && eleven.text.body.split("\n").slice(1, 3)).toEqual(["1. Dr 0", "2. Dr 1"]);

    const long = renderCloudMessage({ text: "Créneau ?", choices: [choice(`lundi ${"très ".repeat(20)}long`)] });
    expect(long.type).toBe("text");
  });

  it("a reply without choices is plain text without link previews", () => {
    expect(renderCloudMessage({ text: "Bonjour" })).toEqual({
      type: "text",
      text: { body: "Bonjour", preview_url: false },
    });
  });
});

describe("WhatsApp customer-service window", () => {
  const now = new Date("2026-12-01T10:00:00Z");
  it("a patient who wrote less than 24 hours ago can get a free-form message", () => {
    expect(needsTemplate(new Date("2026-11-30T10:00:01Z"), now)).toBe(false);
  });
  it("after 24 hours, or when the patient never wrote, only a template may be sent", () => {
    expect(needsTemplate(new Date("2026-11-30T10:00:00Z"), now)).toBe(true);
    expect(needsTemplate(null, now)).toBe(true);
  });
});

describe("WhatsApp Graph sends", () => {
  it("a reply is posted to the number's /messages endpoint for the patient's WhatsApp id", async () => {
    await whatsappCloudSender(client)(job());
    expect(graph.sends.at(-1)).toMatchObject({
      phoneNumberId: "1065",
      status: 200,
      body: { messaging_product: "whatsapp", to: "33611112222", type: "text" },
    });
  });

  it("a 429 is retryable after the Retry-After Meta gave", async () => {
    graph.failNext(1, { status: 429, retryAfter: 2 });
    const err = await whatsappCloudSender(client)(job()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ kind: "retry", retryAfterMs: 2000 });
  });

  it("throughput errors are retryable even when not sent as 429, and 5xx too", async () => {
    graph.failNext(1, { status: 400, code: 80007 });
    expect(await whatsappCloudSender(client)(job()).catch((e: unknown) => e)).toMatchObject({ kind: "retry" });
    graph.failNext(1, { status: 500 });
    expect(await whatsappCloudSender(client)(job()).catch((e: unknown) => e)).toMatchObject({ kind: "retry" });
  });

  it("a message outside the 24-hour window (131047) or a bad token is a dead letter, not retried", async () => {
    graph.failNext(1, { status: 400, code: 131047 });
    expect(await whatsappCloudSender(client)(job()).catch((e: unknown) => e)).toMatchObject({ kind: "permanent" });
    const wrongToken = whatsappCloudSender({ ...client, accessToken: "revoked" });
    expect(await wrongToken(job()).catch((e: unknown) => e)).toMatchObject({ kind: "permanent" });
  });

  it("a template message carries its name, language and body parameters, and returns the wamid", async () => {
    const wamid = await sendTemplate(client, {
      to: "+33611112222",
      name: "appointment_reminder",
      languageCode: "fr",
      bodyParameters: ["mardi 1 décembre", "15:00"],
    });
    expect(wamid).toMatch(/^wamid\./);
    expect(graph.sends.at(-1)!.body).toMatchObject({
      to: "33611112222",
      type: "template",
      template: {
        name: "appointment_reminder",
        language: { code: "fr" },
        components: [
          {
            type: "body",
            parameters: [
              { type: "text", text: "mardi 1 décembre" },
              { type: "text", text: "15:00" },
            ],
          },
        ],
      },
    });
  });
});
