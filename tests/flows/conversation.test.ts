import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import { prepareReminderReply, type EngineDeps } from "../../src/flows/engine.js";
import type { OutboundMessage } from "../../src/domain/channels.js";
import { paris } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { choicesOf, knownPatientWith, MONDAY_8AM, patient, textOf } from "./support.js";

const db = await freshDatabase();
let deps: EngineDeps;
let clinicId: string;

beforeAll(async () => {
  ({ clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" }));
  deps = { db, clinicId, holdMinutes: 5, now: () => MONDAY_8AM };
});

const slotLabels = (replies: OutboundMessage[]) =>
  choicesOf(replies)
    .filter((c) => c.id.includes(".slot."))
    .map((c) => c.label);
const known = (senderId: string, startsAt: Date, locale: "fr" | "en") =>
  knownPatientWith(db, clinicId, senderId, startsAt, { locale });
/** Another engine on the same database, as after a restart or on a second instance. */
const restarted = (): EngineDeps => ({ ...deps });

describe("times that cannot be had", () => {
  it.each([
    { locale: "fr", ask: "je voudrais voir un généraliste hier à 10h", said: /déjà passé/ },
    { locale: "en", ask: "I'd like to see a GP yesterday at 10am", said: /already passed/ },
  ])("($locale) a time in the past is answered with the nearest free times from now", async ({ locale, ask, said }) => {
    const replies = await patient(deps, `past-${locale}`).says(ask);
    expect(textOf(replies)).toMatch(said);
    const labels = slotLabels(replies);
    expect(labels.length).toBeGreaterThan(0);
    // Today, Monday 30 November, from 08:00 on: nothing before now is offered.
    expect(labels[0]).toMatch(/(lundi|Monday) 30 (novembre|November)/);
  });

  it.each([
    {
      locale: "fr",
      ask: "je voudrais voir le Dr Dubois mardi",
      said: /Pas de créneau libre avec Dr Hélène Dubois le mardi 1 décembre/,
    },
    {
      locale: "en",
      ask: "I'd like to see Dr Dubois on Tuesday",
      said: /No free time with Dr Hélène Dubois on Tuesday 1 December/,
    },
  ])("($locale) a doctor on leave that day is answered with her nearest other times", async ({ locale, ask, said }) => {
    const dubois = await db.prisma.doctor.findFirstOrThrow({ where: { clinicId, lastName: "Dubois" } });
    await db.prisma.scheduleException.create({
      data: {
        clinicId,
        doctorId: dubois.id,
        kind: "leave",
        startsAt: paris("2026-12-01T00:00"),
        endsAt: paris("2026-12-02T00:00"),
      },
    });
    try {
      const replies = await patient(deps, `leave-${locale}`).says(ask);
      expect(textOf(replies)).toMatch(said);
      const labels = slotLabels(replies);
      expect(labels.length).toBeGreaterThan(0);
      for (const label of labels) expect(label).not.toMatch(/(mardi|Tuesday) 1 (décembre|December)/);
    } finally {
      await db.prisma.scheduleException.deleteMany({ where: { doctorId: dubois.id } });
    }
  });

  it("(en) a time outside opening hours, Sunday at 10am, is answered with the nearest free times", async () => {
    const replies = await patient(deps, "closed-en").says("I'd like to see a GP on Sunday at 10am");
    expect(textOf(replies)).toMatch(/No free time on Sunday 6 December at 10:00; here are the nearest/);
    expect(slotLabels(replies).length).toBeGreaterThan(0);
  });

  it("(en) 'Tuesday' said on a Tuesday is asked about rather than guessed", async () => {
    const tuesday: EngineDeps = { ...deps, now: () => new Date(+MONDAY_8AM + 86_400_000) };
    const p = patient(tuesday, "ambiguous-en");
    await p.says("I'd like to see a GP");
    const question = await p.says("Tuesday");
    expect(textOf(question)).toMatch(/today or next week/);
    const offer = await p.taps(choicesOf(question).find((c) => c.id.includes(".day.0"))!.id);
    expect(slotLabels(offer)[0]).toMatch(/Tuesday 1 December/);
  });
});

describe("what patients say besides booking", () => {
  it("(en) moving an appointment from the menu asks when, then offers times", async () => {
    await known("menu-move-en", paris("2026-12-08T10:00"), "en");
    const p = patient(deps, "menu-move-en");
    const menu = await p.says("hello");
    const move = choicesOf(menu).find((c) => c.label === "Move an appointment")!;
    expect(textOf(await p.taps(move.id))).toMatch(/When would you like to move your appointment of Tuesday 8 December/);
    expect(slotLabels(await p.says("Thursday morning"))[0]).toMatch(/Thursday 3 December/);
  });

  it("(en) chest pain in the middle of a booking gets the emergency numbers, and the booking goes on", async () => {
    const p = patient(deps, "emergency-en");
    const offer = await p.says("I'd like to see a GP tomorrow morning");
    await p.taps(choicesOf(offer).find((c) => c.id.includes(".slot."))!.id);
    const alarm = await p.says("I have a crushing pain in my chest and can't breathe");
    expect(textOf(alarm)).toMatch(/15.*\+33140000099/s);
    expect(textOf(await p.says("John Doe"))).toMatch(/date of birth/);
  });

  it("(en) empty text and emoji only are answered helpfully and the question stays open", async () => {
    const p = patient(deps, "garbage-en");
    const offer = await p.says("I'd like to see a dermatologist on Tuesday afternoon");
    await p.taps(choicesOf(offer).find((c) => c.id.includes(".slot."))!.id);
    for (const junk of ["", "🙂🙂", "???"]) expect(textOf(await p.says(junk))).toMatch(/first and last name/);
  });

  it("(fr) 'mes rendez-vous' lists what is coming up; 'je veux parler à quelqu'un' hands the conversation over", async () => {
    await known("list-fr", paris("2026-12-09T09:00"), "fr");
    const p = patient(deps, "list-fr");
    expect(textOf(await p.says("mes rendez-vous"))).toMatch(/mercredi 9 décembre.*Dr Claire Martin/s);
    expect(textOf(await p.says("je veux parler à quelqu'un du secrétariat"))).toMatch(/transmis votre conversation/);
    const conversation = await db.prisma.conversation.findFirstOrThrow({ where: { senderId: "list-fr" } });
    expect(conversation.handedToHuman).toBe(true);
  });

  it.each([
    {
      locale: "fr",
      hello: "bonjour",
      welcome: /assistant du cabinet|Que souhaitez-vous faire/,
      help: "aide",
      helpSays: /Vous pouvez écrire/,
      thanks: "merci beaucoup",
      thanked: /Avec plaisir/,
    },
    {
      locale: "en",
      hello: "hello",
      welcome: /clinic's assistant/,
      help: "help",
      helpSays: /You can write things like/,
      thanks: "thanks a lot",
      thanked: /You're welcome/,
    },
  ])("($locale) a greeting gets the menu, help the examples, thanks a polite answer", async (t) => {
    const p = patient(deps, `smalltalk-${t.locale}`);
    const hello = await p.says(t.hello);
    expect(textOf(hello)).toMatch(t.welcome);
    expect(choicesOf(hello).length).toBe(5);
    expect(textOf(await p.says(t.help))).toMatch(t.helpSays);
    expect(textOf(await p.says(t.thanks))).toMatch(t.thanked);
  });

  it.each([
    {
      locale: "fr",
      opening: "je voudrais voir un généraliste",
      offTopic: "quelle est la capitale du Pérou ?",
      again: /pas compris le jour ou l'heure/,
    },
    {
      locale: "en",
      opening: "I'd like to see a GP",
      offTopic: "what is the capital of Peru?",
      again: /didn't get the day or time/,
    },
  ])("($locale) an off-topic message while the day is asked for is answered with how to say a day", async (t) => {
    const p = patient(deps, `offtopic-${t.locale}`);
    await p.says(t.opening);
    const replies = await p.says(t.offTopic);
    expect(textOf(replies)).toMatch(t.again);
  });

  it("a patient switches language mid-booking, both ways, and the question is asked again in the new one", async () => {
    const p = patient(deps, "switch-1");
    await p.says("je voudrais voir un généraliste");
    expect(textOf(await p.says("can we speak English please?"))).toMatch(
      /speak English.*\n.*When would you like to come/s,
    );
    expect(textOf(await p.says("en français s'il vous plaît"))).toMatch(
      /continue en français.*\n.*Quand souhaitez-vous venir/s,
    );
  });
});

describe("a restart in the middle of a question (a new engine on the same database)", () => {
  it("(fr) rescheduling goes on from the offered times", async () => {
    await known("restart-move", paris("2026-12-08T11:00"), "fr");
    const p = patient(deps, "restart-move");
    await p.says("je voudrais déplacer mon rendez-vous");
    const offer = await p.says("jeudi matin");
    const after = restarted();
    expect(textOf(await p.taps(choicesOf(offer).find((c) => c.id.includes(".slot."))!.id, { engine: after }))).toMatch(
      /Déplacer votre rendez-vous/,
    );
    expect(textOf(await p.says("oui", { engine: after }))).toMatch(/maintenant le jeudi 3 décembre/);
  });

  it("(en) cancelling goes on from the confirmation question", async () => {
    const { appointmentId } = await known("restart-cancel", paris("2026-12-09T11:00"), "en");
    const p = patient(deps, "restart-cancel");
    expect(textOf(await p.says("cancel my appointment"))).toMatch(/Cancel your appointment on Wednesday 9 December/);
    expect(textOf(await p.says("yes", { engine: restarted() }))).toMatch(/cancelled/);
    expect((await db.prisma.appointment.findUniqueOrThrow({ where: { id: appointmentId } })).status).toBe("cancelled");
  });

  it("(fr) a reminder's answer is understood after the restart", async () => {
    const { appointmentId } = await known("restart-reminder", paris("2026-12-10T10:00"), "fr");
    await prepareReminderReply(deps, { channel: "web", senderId: "restart-reminder", appointmentId });
    const p = patient(deps, "restart-reminder");
    expect(textOf(await p.says("1", { engine: restarted() }))).toMatch(/confirmé/);
  });
});
