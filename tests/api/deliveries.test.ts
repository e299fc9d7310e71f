import { beforeAll, describe, expect, it } from "vitest";
import { inlineDelivery } from "../../src/bots/delivery/inline.js";
import { DeliveryError, outboundJobs } from "../../src/bots/delivery/outbound.js";
import { memoryPacer } from "../../src/bots/delivery/pacing.js";
import { postgresDeliveryLog } from "../../src/bots/delivery/status.js";
import { createStaffUser } from "../../src/domain/staff.js";
import { createTestClinic } from "../support/clinic.js";
import { demoWorld, startApi, type ApiWorld, type Client } from "./support.js";

let world: ApiWorld;
let secretary: Client;
let doctor: Client;
let otherClinicSecretary: Client;
const delivered: string[] = [];
let refuse = true;

beforeAll(async () => {
  world = await demoWorld();
  const api = await startApi(world.ctx);
  secretary = await api.login(world.credentials.secretary);
  doctor = await api.login(world.credentials.doctor);
  const clinicB = await createTestClinic(world.ctx.db);
  const secretaryB = { email: "accueil@clinique-b.test", password: "a-long-enough-password-b" };
  await createStaffUser(world.ctx.db, clinicB.clinicId, { ...secretaryB, displayName: "Accueil B", role: "secretary" });
  otherClinicSecretary = await api.login(secretaryB);
  // The reply went to a patient who had texted the demo clinic (message SMin42).
  const conversation = await world.ctx.db.prisma.conversation.create({
    data: { clinicId: world.clinicId, channel: "sms", senderId: "+33699887766", snapshot: {} },
  });
  await world.ctx.db.prisma.processedMessage.create({
    data: { channel: "sms", providerMessageId: "SMin42", conversationId: conversation.id, replies: [] },
  });
  // An SMS the provider refused for good (e.g. an invalid number), then accepts once fixed.
  const delivery = inlineDelivery({
    senders: {
      sms: async (job) => {
        if (refuse)
          throw new DeliveryError("twilio 400 (21211): The 'To' number +33699887766 is not valid", "permanent");
        delivered.push(job.chatId);
        return { providerMessageId: "SM0001" };
      },
    },
    pacer: memoryPacer({ sender: { intervalMs: 1, burst: 10 }, chat: { intervalMs: 1, burst: 10 } }),
    logger: world.ctx.logger,
    log: postgresDeliveryLog(world.ctx.db, world.ctx.logger),
  });
  await delivery.deliver(outboundJobs("sms", "+33699887766", "SMin42", [{ text: "Rappel : rendez-vous demain 9h" }]));
});

describe("dead letters through the API", () => {
  it("the front desk lists them with the recipient masked in the address and in the reason, and no text", async () => {
    const res = await secretary.get("/deliveries/dead-letters");
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        ref: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        channel: "sms",
        recipient: "+33•••••••66",
        reason: "twilio 400 (21211): The 'To' number +33•••••••66 is not valid",
        attempts: 1,
        failedAt: expect.any(String),
      },
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/Rappel|699887766/);
  });

  it("doctors may not list or retry them", async () => {
    expect((await doctor.get("/deliveries/dead-letters")).status).toBe(403);
    expect((await doctor.post("/deliveries/dead-letters/retry", { ref: "A".repeat(22) })).status).toBe(403);
  });

  it("another clinic's front desk neither sees it, nor counts it, nor can send it again", async () => {
    const [letter] = (await secretary.get("/deliveries/dead-letters")).body;
    expect((await otherClinicSecretary.get("/deliveries/dead-letters")).body).toEqual([]);
    expect((await otherClinicSecretary.get("/deliveries/counts?hours=1")).body).toEqual({ hours: 1, counts: [] });
    expect((await otherClinicSecretary.post("/deliveries/dead-letters/retry", { ref: letter.ref })).status).toBe(404);
    expect(delivered).toEqual([]);
  });

  it("a retry sends it once; the same ref then answers 404", async () => {
    const [letter] = (await secretary.get("/deliveries/dead-letters")).body;
    refuse = false;
    expect((await secretary.post("/deliveries/dead-letters/retry", { ref: letter.ref })).status).toBe(204);
    expect(delivered).toEqual(["+33699887766"]);
    expect((await secretary.post("/deliveries/dead-letters/retry", { ref: letter.ref })).status).toBe(404);
    expect((await secretary.post("/deliveries/dead-letters/retry", { ref: "not a ref" })).status).toBe(400);
    expect((await secretary.get("/deliveries/dead-letters")).body).toEqual([]);
  });

  it("counts per channel and status show the message went from dead to sent", async () => {
    const res = await secretary.get("/deliveries/counts?hours=1");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ hours: 1, counts: [{ channel: "sms", status: "sent", count: 1 }] });
  });
});
