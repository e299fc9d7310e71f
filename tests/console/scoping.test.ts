import { beforeAll, describe, expect, it } from "vitest";
import { inlineDelivery } from "../../src/bots/delivery/inline.js";
import { DeliveryError, outboundJobs } from "../../src/bots/delivery/outbound.js";
import { deadLetterRefs } from "../../src/bots/delivery/overview.js";
import { memoryPacer } from "../../src/bots/delivery/pacing.js";
import { postgresDeliveryLog } from "../../src/bots/delivery/status.js";
import { createStaffUser } from "../../src/domain/staff.js";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { createTestClinic, type TestClinic } from "../support/clinic.js";
import { csrfOf, signIn, startConsole, Visitor } from "./support.js";

let world: ApiWorld;
let base: string;
let clinicB: TestClinic;
const secretaryB = { email: "accueil@clinique-b.test", password: "a-long-enough-password-b" };
const attempts: string[] = [];

beforeAll(async () => {
  world = await demoWorld();
  base = await startConsole(world.ctx);
  clinicB = await createTestClinic(world.ctx.db);
  await createStaffUser(world.ctx.db, clinicB.clinicId, { ...secretaryB, displayName: "Accueil B", role: "secretary" });
});

async function signedIn(who: { email: string; password: string }): Promise<Visitor> {
  const v = new Visitor(base);
  expect((await signIn(v, who.email, who.password)).location).toBe("/");
  return v;
}

const auditCount = (where: Record<string, unknown>) => world.ctx.db.prisma.auditLog.count({ where });

describe("the urgent booking form", () => {
  it("reading the chosen patient's name and phone is audited like opening their record", async () => {
    const prisma = world.ctx.db.prisma;
    const patient = await prisma.patient.create({
      data: { clinicId: world.clinicId, firstName: "Rania", lastName: "Saidi", phone: "+33644556677" },
    });
    const secretary = await prisma.staffUser.findUniqueOrThrow({ where: { email: world.credentials.secretary.email } });
    const v = await signedIn(world.credentials.secretary);
    const page = await v.get(`/appointments/urgent?patientId=${patient.id}`);
    expect(page.html).toContain("Rania Saidi");
    expect(page.html).toContain("+33644556677");
    const reads = await prisma.auditLog.findMany({
      where: { action: "patient.read", patientId: patient.id, actorId: secretary.id },
    });
    expect(reads).toHaveLength(1);
    expect(reads[0]!.ip).toBeTruthy();
  });

  it("another clinic's patient id shows nobody", async () => {
    const v = await signedIn(world.credentials.secretary);
    const foreign = clinicB.patientIds[0]!;
    const name = await world.ctx.db.prisma.patient.findUniqueOrThrow({ where: { id: foreign } });
    const page = await v.get(`/appointments/urgent?patientId=${foreign}`);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain(`value="${foreign}"`);
    expect(page.html).not.toContain(`${name.firstName} ${name.lastName}`);
    expect(await auditCount({ action: "patient.read", patientId: foreign })).toBe(0);
  });
});

describe("failed messages are each clinic's own", () => {
  const phoneA = "+33699887766";
  const phoneB = "+33655001122";
  const refOf = () => deadLetterRefs(world.ctx.config.JWT_SECRET);

  beforeAll(async () => {
    const prisma = world.ctx.db.prisma;
    // A patient of each clinic wrote by SMS; the provider refused both replies for good.
    for (const [clinicId, phone, inbound] of [
      [world.clinicId, phoneA, "SMinA1"],
      [clinicB.clinicId, phoneB, "SMinB1"],
    ] as const) {
      const conversation = await prisma.conversation.create({
        data: { clinicId, channel: "sms", senderId: phone, snapshot: {} },
      });
      await prisma.processedMessage.create({
        data: { channel: "sms", providerMessageId: inbound, conversationId: conversation.id, replies: [] },
      });
    }
    const delivery = inlineDelivery({
      senders: {
        sms: async (job) => {
          attempts.push(job.chatId);
          throw new DeliveryError("twilio 400 (21211): The 'To' number is not valid", "permanent");
        },
      },
      pacer: memoryPacer({ sender: { intervalMs: 1, burst: 10 }, chat: { intervalMs: 1, burst: 10 } }),
      logger: world.ctx.logger,
      log: postgresDeliveryLog(world.ctx.db, world.ctx.logger),
    });
    await delivery.deliver(outboundJobs("sms", phoneA, "SMinA1", [{ text: "Votre rendez-vous est confirmé" }]));
    await delivery.deliver(outboundJobs("sms", phoneB, "SMinB1", [{ text: "Votre rendez-vous est confirmé" }]));
    expect(attempts).toEqual([phoneA, phoneB]);
  });

  /** The SMS row of the last-24-hours table: queued, sent, delivered, read, failed, dead. */
  const smsCounts = (html: string) =>
    [.../<th scope="row">SMS<\/th>(.*?)<\/tr>/.exec(html)![1]!.matchAll(/<td>(\d+)<\/td>/g)].map((m) => Number(m[1]));

  it("a secretary of clinic B sees B's dead letter and counts, not clinic A's", async () => {
    const page = await (await signedIn(secretaryB)).get("/deliveries");
    expect(page.status).toBe(200);
    expect(page.html).toContain("+33•••••••22");
    expect(page.html).not.toContain("+33•••••••66");
    expect(page.html).not.toContain(refOf()("sms-SMinA1-0"));
    expect(smsCounts(page.html)).toEqual([0, 0, 0, 0, 0, 1]);

    const a = await (await signedIn(world.credentials.secretary)).get("/deliveries");
    expect(a.html).toContain("+33•••••••66");
    expect(a.html).not.toContain("+33•••••••22");
    expect(smsCounts(a.html)).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it("a secretary of clinic B cannot retry clinic A's dead letter, even knowing its ref", async () => {
    const b = await signedIn(secretaryB);
    const page = await b.get("/deliveries");
    const refused = await b.post("/deliveries/retry", { _csrf: csrfOf(page.html), ref: refOf()("sms-SMinA1-0") });
    expect(refused.location).toBe("/deliveries?done=gone");
    expect(attempts).toEqual([phoneA, phoneB]);
    expect(await auditCount({ action: "message_delivery.retry" })).toBe(0);

    // Clinic A's own front desk can.
    const a = await signedIn(world.credentials.secretary);
    const own = await a.get("/deliveries");
    const retried = await a.post("/deliveries/retry", { _csrf: csrfOf(own.html), ref: refOf()("sms-SMinA1-0") });
    expect(retried.location).toBe("/deliveries?done=retried");
    expect(attempts).toEqual([phoneA, phoneB, phoneA]);
    expect(await auditCount({ action: "message_delivery.retry", resourceId: "sms-SMinA1-0" })).toBe(1);
  });
});
