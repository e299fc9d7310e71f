import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import { handleInbound, prepareReminderReply, type EngineDeps } from "../../src/flows/engine.js";
import { paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { choicesOf, MONDAY_8AM, patient, textOf, knownPatientWith as knownWith } from "./support.js";

const db = await freshDatabase();
let deps: EngineDeps;
let clinicId: string;

/** A known patient reachable on the web channel as `senderId`, with one appointment at `startsAt`. */
const knownPatientWith = (senderId: string, startsAt: Date, locale: "fr" | "en" = "fr") =>
  knownWith(db, clinicId, senderId, startsAt, { locale });

/** Sends the reminder for a new appointment next week and returns the patient and the reminder message. */
let booked = 0;
// Each test's appointment gets its own 20 minutes of Dr Martin's Thursday, from 10:00.
async function reminded(
  senderId: string,
  locale: "fr" | "en",
  startsAt = new Date(+paris("2026-12-03T10:00") + 20 * 60_000 * booked++),
) {
  const { appointmentId } = await knownPatientWith(senderId, startsAt, locale);
  const message = await prepareReminderReply(deps, { channel: "web", senderId, appointmentId });
  return { appointmentId, message, p: patient(deps, senderId) };
}

const statusOf = async (id: string) => (await db.prisma.appointment.findUniqueOrThrow({ where: { id } })).status;
const confirmations = (appointmentId: string) =>
  db.prisma.appointmentEvent.count({ where: { appointmentId, reason: "reminder confirmed" } });

beforeAll(async () => {
  ({ clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" }));
  deps = { db, clinicId, holdMinutes: 5, now: () => MONDAY_8AM };
});

describe("the reminder message", () => {
  it("names the appointment in the patient's language and offers confirm, cancel and move as buttons", async () => {
    const fr = await reminded("rem-msg-fr", "fr");
    expect(fr.message.text).toMatch(/Rappel.*jeudi 3 décembre à 10:00.*Dr Claire Martin/);
    expect(fr.message.choices!.map((c) => c.label)).toEqual(["1. Oui, je confirme", "2. Annuler", "3. Déplacer"]);
    const en = await reminded("rem-msg-en", "en");
    expect(en.message.text).toMatch(/Reminder.*Thursday 3 December at 10:20/);
    expect(en.message.choices).toHaveLength(3);
  });
});

describe("confirming", () => {
  for (const [answer, locale] of [
    ["1", "fr"],
    ["OUI", "fr"],
    ["oui je confirme", "fr"],
    ["confirm", "en"],
    ["yes", "en"],
  ] as const) {
    it(`'${answer}' records the confirmation and thanks the patient (${locale})`, async () => {
      const { appointmentId, p } = await reminded(`rem-yes-${answer}`, locale);
      const reply = textOf(await p.says(answer));
      expect(reply).toMatch(locale === "fr" ? /Merci.*est confirmé/ : /Thank you.*is confirmed/);
      expect(await confirmations(appointmentId)).toBe(1);
      expect(await statusOf(appointmentId)).toBe("confirmed");
    });
  }

  it("the confirm button works hours later, past the idle expiry", async () => {
    const { appointmentId, message, p } = await reminded("rem-yes-late", "fr");
    const later: EngineDeps = { ...deps, now: () => new Date(+MONDAY_8AM + 5 * 3_600_000) };
    expect(textOf(await p.taps(message.choices![0]!.id, { engine: later }))).toMatch(/Merci/);
    expect(await confirmations(appointmentId)).toBe(1);
  });
});

describe("cancelling from a reminder", () => {
  for (const [answer, locale] of [
    ["NON", "fr"],
    ["annuler", "fr"],
    ["2", "en"],
    ["cancel", "en"],
  ] as const) {
    it(`'${answer}' asks to confirm the cancellation, then cancels (${locale})`, async () => {
      const { appointmentId, p } = await reminded(`rem-no-${answer}`, locale);
      const question = await p.says(answer);
      expect(textOf(question)).toMatch(
        locale === "fr"
          ? /Annuler votre rendez-vous du jeudi 3 décembre/
          : /Cancel your appointment on Thursday 3 December/,
      );
      expect(textOf(await p.says(locale === "fr" ? "oui" : "yes"))).toMatch(locale === "fr" ? /annulé/ : /cancelled/);
      expect(await statusOf(appointmentId)).toBe("cancelled");
    });
  }

  it("the cancel button on a reminder for this afternoon meets the 24-hour cutoff and gives the clinic's phone", async () => {
    const { appointmentId, message, p } = await reminded("rem-cutoff", "en", paris("2026-11-30T16:00"));
    await p.taps(message.choices![1]!.id);
    expect(textOf(await p.says("yes"))).toMatch(/24 hours.*\+33140000000/);
    expect(await statusOf(appointmentId)).toBe("confirmed");
  });
});

describe("moving from a reminder", () => {
  for (const [answer, locale] of [
    ["3", "fr"],
    ["reporter", "fr"],
    ["reschedule", "en"],
  ] as const) {
    it(`'${answer}' asks when, offers times and moves the appointment (${locale})`, async () => {
      const { appointmentId, p } = await reminded(`rem-move-${answer}`, locale);
      expect(textOf(await p.says(answer))).toMatch(locale === "fr" ? /À quand/ : /When would you like to move/);
      const offer = await p.says(locale === "fr" ? "vendredi vers 11h" : "Friday around 11am");
      const slot = choicesOf(offer).find((c) => c.id.includes(".slot."))!;
      await p.taps(slot.id);
      expect(textOf(await p.says(locale === "fr" ? "oui" : "yes"))).toMatch(
        locale === "fr" ? /maintenant le vendredi 4 décembre/ : /now Friday 4 December/,
      );
      const moved = await db.prisma.appointment.findUniqueOrThrow({ where: { id: appointmentId } });
      expect(moved.startsAt.toISOString().slice(0, 10)).toBe("2026-12-04");
    });
  }

  it("the move button lands in the same flow", async () => {
    const { message, p } = await reminded("rem-move-button", "en");
    expect(textOf(await p.taps(message.choices![2]!.id))).toMatch(/When would you like to move/);
  });
});

describe("arrival order", () => {
  it("a message received before one already applied is acknowledged without changing the conversation", async () => {
    const send = (text: string, receivedAt: Date, id: string) =>
      handleInbound(deps, { channel: "web", senderId: "order-1", text, providerMessageId: id, receivedAt });
    const t0 = MONDAY_8AM;
    const offer = await send("je voudrais voir un cardiologue mardi matin", new Date(+t0 + 2_000), "o-2");
    expect(choicesOf(offer).length).toBeGreaterThan(0);
    // The first message of the patient ("je veux annuler") was delayed and arrives now.
    const late = await send("je veux annuler mon rendez-vous", new Date(+t0 + 1_000), "o-1");
    expect(textOf(late)).toMatch(/parvenu après un message plus récent/);
    expect(textOf(late)).toMatch(/créneaux/);
    const conversation = await db.prisma.conversation.findFirstOrThrow({ where: { senderId: "order-1" } });
    expect((conversation.snapshot as { value: string }).value).toBe("offering");
    // The offer is still open: picking "1" goes on with the booking.
    expect(textOf(await send("1", new Date(+t0 + 3_000), "o-3"))).toMatch(/prénom et nom/);
  });

  it("a late message describing an emergency is still answered with the emergency numbers", async () => {
    const send = (text: string, receivedAt: Date, id: string) =>
      handleInbound(deps, { channel: "web", senderId: "order-2", text, providerMessageId: id, receivedAt });
    await send("I'd like to see a cardiologist on Tuesday morning", new Date(+MONDAY_8AM + 2_000), "e-2");
    const late = await send("I can't breathe", new Date(+MONDAY_8AM + 1_000), "e-1");
    expect(textOf(late)).toMatch(/emergency/i);
  });
});
