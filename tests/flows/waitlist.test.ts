import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import { cancelAppointment } from "../../src/domain/booking.js";
import { expireWaitlistOffers, offerFreedSlot } from "../../src/domain/waitlist.js";
import { prepareWaitlistOffer, type EngineDeps } from "../../src/flows/engine.js";
import { asksForWaitlist } from "../../src/flows/waitlist.js";
import type { OutboundMessage } from "../../src/domain/channels.js";
import { paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { choicesOf, MONDAY_8AM, patient, textOf } from "./support.js";

const db = await freshDatabase();
let deps: EngineDeps;
let clinicId: string;
let martin: string;
let gp: { id: string; specialtyId: string };
let now = MONDAY_8AM;
const minutesLater = (n: number) => (now = new Date(+MONDAY_8AM + n * 60_000));

beforeAll(async () => {
  ({ clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" }));
  deps = { db, clinicId, holdMinutes: 5, now: () => now };
  martin = (await db.prisma.doctor.findFirstOrThrow({ where: { clinicId, lastName: "Martin" } })).id;
  const type = await db.prisma.appointmentType.findFirstOrThrow({ where: { clinicId, code: "gp-consult" } });
  gp = { id: type.id, specialtyId: type.specialtyId! };
});
beforeEach(async () => {
  now = MONDAY_8AM;
  await db.sql.query(`UPDATE waitlist_entry SET status = 'withdrawn' WHERE status = 'waiting'`);
});

/** A patient the clinic knows, writing from the web chat as `senderId`. */
async function known(senderId: string, locale: "fr" | "en" = "fr") {
  const p = await db.prisma.patient.create({
    data: {
      clinicId,
      firstName: "Known",
      lastName: senderId,
      preferredLocale: locale,
      identities: { create: [{ channel: "web", externalId: senderId }] },
    },
  });
  return { id: p.id, chat: patient(deps, senderId) };
}

async function appointmentOf(patientId: string, startsAt: Date) {
  return db.prisma.appointment.create({
    data: {
      clinicId,
      doctorId: martin,
      patientId,
      typeId: gp.id,
      startsAt,
      endsAt: new Date(+startsAt + 20 * 60_000),
      status: "confirmed",
      sourceChannel: "web",
    },
  });
}

const entriesOf = (patientId: string) => db.prisma.waitlistEntry.findMany({ where: { patientId, status: "waiting" } });
const waitlistChoice = (replies: OutboundMessage[]) => choicesOf(replies).find((c) => /\.waitlist\.$/.test(c.id));

describe("reading a request for the waiting list", () => {
  it("recognises explicit asks in French and English, not mere wishes about time", () => {
    for (const text of [
      "plus tôt si possible",
      "Mettez-moi sur liste d'attente",
      "prévenez-moi si une place se libère",
      "pouvez-vous me prévenir en cas de désistement",
      "put me on the waiting list",
      "earlier if possible",
      "let me know if something opens up",
    ])
      expect(asksForWaitlist(text), text).toBe(true);
    for (const text of [
      "je voudrais un rendez-vous plus tôt demain",
      "pouvez-vous me prévenir si le docteur est en retard",
      "let me know if the doctor is available tomorrow",
      "earlier please",
      "I am waiting",
    ])
      expect(asksForWaitlist(text), text).toBe(false);
  });
});

describe("joining the waiting list in the chat", () => {
  it("offered times too late, a patient taps “Prévenez-moi si une place se libère” and waits for anything earlier", async () => {
    const { id, chat } = await known("wl-button");
    const offer = await chat.says("Je voudrais voir un médecin généraliste jeudi");
    const button = waitlistChoice(offer);
    expect(button?.label).toBe("Prévenez-moi si une place se libère");
    const first = choicesOf(offer).find((c) => c.id.includes(".slot."))!;
    const reply = textOf(await chat.taps(button!.id));
    expect(reply).toMatch(/liste d'attente.*avant le jeudi 3 décembre à/);
    const [entry] = await entriesOf(id);
    expect(entry).toMatchObject({ specialtyId: gp.specialtyId, typeId: gp.id, channel: "web", appointmentId: null });
    expect(entry!.wantedBefore).toEqual(paris("2026-12-03T09:00"));
    expect(first.label).toMatch(/jeudi 3 décembre à 09:00/);
    // The times it was shown are no longer held for it.
    const conversation = await db.prisma.conversation.findFirstOrThrow({ where: { senderId: "wl-button" } });
    expect(await db.prisma.slotHold.count({ where: { holder: conversation.id } })).toBe(0);
  });

  it("“put me on the waiting list” while times are offered does the same, in English", async () => {
    const { id, chat } = await known("wl-words-en", "en");
    await chat.says("I'd like to see a GP on Thursday");
    expect(textOf(await chat.says("Those are too late, put me on the waiting list please"))).toMatch(
      /on the waiting list\. If a time before Thursday 3 December/,
    );
    expect(await entriesOf(id)).toHaveLength(1);
  });

  it("a patient with an appointment writes “plus tôt si possible” and waits to move it earlier", async () => {
    const { id, chat } = await known("wl-move");
    const appointment = await appointmentOf(id, paris("2026-12-10T15:00"));
    expect(textOf(await chat.says("Bonjour, plus tôt si possible ?"))).toMatch(
      /liste d'attente\. Si une place plus tôt/,
    );
    const [entry] = await entriesOf(id);
    expect(entry).toMatchObject({ appointmentId: appointment.id, doctorId: martin, typeId: gp.id });
  });

  it("someone the clinic does not know yet is asked to book first", async () => {
    const chat = patient(deps, "wl-stranger");
    await chat.says("Je voudrais voir un médecin généraliste jeudi");
    expect(textOf(await chat.says("liste d'attente"))).toMatch(/il me faut d'abord vos coordonnées/);
    expect(
      await db.prisma.waitlistEntry.count({ where: { channel: "web", patient: { lastName: "wl-stranger" } } }),
    ).toBe(0);
  });

  it("a known patient with no appointment and nothing offered is told how to ask", async () => {
    const { chat } = await known("wl-nothing", "en");
    expect(textOf(await chat.says("put me on the waiting list"))).toMatch(/no upcoming appointment to move earlier/);
  });
});

describe("a freed slot offered in the chat", () => {
  /** A waitlisted patient, and the slot freed by another patient's cancellation, offered to them. */
  async function offeredTo(senderId: string, startsAt: Date, locale: "fr" | "en" = "fr") {
    const waiting = await known(senderId, locale);
    await waiting.chat.says(
      locale === "fr" ? "Je voudrais voir un médecin généraliste vendredi" : "I'd like to see a GP on Friday",
    );
    await waiting.chat.says(locale === "fr" ? "liste d'attente" : "waiting list");
    const other = await db.prisma.patient.create({ data: { clinicId, firstName: "Other", lastName: senderId } });
    const taken = await appointmentOf(other.id, startsAt);
    await cancelAppointment(db, { appointmentId: taken.id, actor: { kind: "system" }, now });
    const slot = { clinicId, doctorId: martin, startsAt, endsAt: taken.endsAt };
    const offer = await offerFreedSlot(db, slot, { channels: ["web"], now });
    expect(offer?.patientId).toBe(waiting.id);
    const message = await prepareWaitlistOffer(deps, {
      channel: "web",
      senderId,
      patientId: waiting.id,
      offer: {
        id: offer!.offerId,
        startsAt: startsAt.toISOString(),
        doctorName: offer!.doctorName,
        minutes: offer!.holdMinutes,
      },
    });
    return { ...waiting, offer: offer!, message, slot };
  }
  const bookedAt = (patientId: string, startsAt: Date) =>
    db.prisma.appointment.findFirst({ where: { patientId, startsAt, status: "confirmed" } });

  it("names the slot and how long it is kept; “oui” books it", async () => {
    const at = paris("2026-12-02T10:00");
    const { id, chat, message } = await offeredTo("wl-yes", at);
    expect(message.text).toMatch(
      /une place s'est libérée le mercredi 2 décembre à 10:00 avec Dr Claire Martin.*15 minutes/,
    );
    expect(message.choices?.map((c) => c.label)).toEqual(["Oui, je la prends", "Non, merci"]);
    expect(textOf(await chat.says("oui"))).toMatch(
      /C'est à vous : votre rendez-vous est confirmé le mercredi 2 décembre à 10:00/,
    );
    expect(await bookedAt(id, at)).not.toBeNull();
    expect(await entriesOf(id)).toHaveLength(0);
  });

  it("the Accept button works even after the patient moved on to something else", async () => {
    const at = paris("2026-12-02T10:20");
    const { id, chat, message } = await offeredTo("wl-button-later", at, "en");
    await chat.says("what are my appointments?");
    expect(textOf(await chat.taps(message.choices![0]!.id))).toMatch(/It's yours/);
    expect(await bookedAt(id, at)).not.toBeNull();
  });

  it("“non” lets it go and keeps the patient on the list", async () => {
    const { id, chat, offer } = await offeredTo("wl-no", paris("2026-12-02T10:40"));
    expect(textOf(await chat.says("non"))).toMatch(/Vous restez sur la liste d'attente/);
    expect((await db.prisma.waitlistOffer.findUniqueOrThrow({ where: { id: offer.offerId } })).status).toBe("declined");
    expect(await entriesOf(id)).toHaveLength(1);
  });

  it("accepting after the slot went to the next patient: told it is gone, still on the list", async () => {
    const at = paris("2026-12-02T11:00");
    const late = await offeredTo("wl-late", at);
    const next = await known("wl-next");
    await next.chat.says("Je voudrais voir un médecin généraliste vendredi");
    await next.chat.says("liste d'attente");
    minutesLater(16);
    const [lapsed] = (await expireWaitlistOffers(db, now)).filter((s) => +s.startsAt === +at);
    const second = await offerFreedSlot(db, lapsed!, { channels: ["web"], now });
    expect(second?.patientId).toBe(next.id);
    expect(textOf(await late.chat.taps(late.message.choices![0]!.id))).toMatch(
      /vient d'être pris.*Vous restez sur la liste d'attente/,
    );
    expect(await bookedAt(late.id, at)).toBeNull();
    expect(await entriesOf(late.id)).toHaveLength(1);
  });
});
