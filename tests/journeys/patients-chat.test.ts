// Patients reach the clinic through the web chat of a service just installed with `npm start`.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ApiClient, ChatPatient } from "./support/people.js";
import { startService, storesToTry, type RunningService } from "./support/service.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

describe.each(storesToTry())("patients in the web chat, on a first start (%s database)", (store) => {
  let tabib: RunningService;
  let frontDesk: ApiClient;

  beforeAll(async () => {
    // Sweeps every second, and says so at debug level, so the journey sees the sweeper at work.
    tabib = await startService(store, { REMINDER_SWEEP_SECONDS: "1", LOG_LEVEL: "debug" });
    frontDesk = await ApiClient.signIn(tabib.base, tabib.login("secretary"));
  });

  /** The clinic's view of one patient's appointments, through the staff API. */
  const appointmentsOf = async (lastName: string) => {
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 120 * 86_400_000).toISOString();
    const patients = await frontDesk.ok<{ id: string }[]>("GET", `/api/patients?q=${encodeURIComponent(lastName)}`);
    expect(patients).toHaveLength(1);
    return frontDesk.ok<{ id: string; status: string; startsAt: string }[]>(
      "GET",
      `/api/appointments?from=${from}&to=${to}&patientId=${patients[0]!.id}`,
    );
  };

  it("a French patient books by typing, lists, moves and cancels her appointment", async () => {
    const camille = new ChatPatient(tabib.base, "fr");
    expect(await camille.open()).toContain("<html");
    // The dermatologist works Tuesday and Thursday mornings; a weekday named on that very day is
    // asked about ("today or next week?"), so the journey names one that is not today.
    const morning = today() === 4 ? "mardi" : "jeudi";
    await camille.say(`bonjour, je voudrais un rdv chez le dermato ${morning} matin`);
    const offered = camille.offeredTimes();
    expect(offered.length, camille.transcript()).toBeGreaterThan(0);
    expect(offered[0]).toMatch(new RegExp(`^${morning} \\d+ \\S+ à (0\\d|1[01]):\\d\\d — Dr `));
    await camille.tap(new RegExp(escape(offered[0]!)));
    expect(camille.transcript()).toMatch(/prénom et nom/);
    await camille.say("Camille Leroy");
    expect(camille.transcript()).toMatch(/date de naissance/);
    await camille.say("3 mai 1990");
    await camille.tap(/^Oui$/);
    expect(camille.transcript()).toMatch(new RegExp(`Votre rendez-vous est confirmé : ${morning}`));

    await camille.say("mes rendez-vous");
    expect(camille.transcript()).toMatch(new RegExp(`Vos prochains rendez-vous :\\n• ${morning}`));
    const [booked] = await appointmentsOf("Leroy");
    expect(booked).toMatchObject({ status: "confirmed" });

    await camille.say("je dois déplacer mon rendez-vous");
    // Afternoons: Monday, Tuesday and Friday.
    const afternoon = today() === 5 ? "lundi" : "vendredi";
    await camille.say(`${afternoon} après-midi`);
    const later = camille.offeredTimes();
    expect(later[0], camille.transcript()).toMatch(new RegExp(`^${afternoon} \\d+ \\S+ à 1\\d:\\d\\d — Dr `));
    await camille.tap(new RegExp(escape(later[0]!)));
    await camille.tap(/^Oui$/);
    expect(camille.transcript()).toMatch(new RegExp(afternoon));
    const [moved] = await appointmentsOf("Leroy");
    expect(moved!.id).toBe(booked!.id);
    expect(moved!.startsAt).not.toBe(booked!.startsAt);

    await camille.say("annuler mon rdv");
    await camille.tap(/^Oui$/);
    expect(camille.transcript()).toMatch(/annulé/);
    const [cancelled] = await appointmentsOf("Leroy");
    expect(cancelled).toMatchObject({ id: booked!.id, status: "cancelled" });
    await camille.say("mes rendez-vous");
    expect(camille.transcript()).not.toMatch(/• /);
  });

  it("an English patient books a teleconsultation and is given the video link", async () => {
    const john = new ChatPatient(tabib.base, "en");
    await john.open();
    const day = today() === 1 ? "Wednesday" : "Monday";
    await john.say(`hi, can I get a video consultation with a GP on ${day.toLowerCase()} morning?`);
    expect(john.transcript()).toMatch(/teleconsultation/);
    const offered = john.offeredTimes();
    expect(offered[0], john.transcript()).toMatch(new RegExp(`^${day} \\d+ \\S+ at (0\\d|1[01]):\\d\\d — Dr `));
    await john.tap(new RegExp(escape(offered[0]!)));
    await john.say("John Smith");
    await john.say("14/07/1985");
    await john.tap(/^Yes$/);
    expect(john.transcript()).toMatch(/Your teleconsultation is confirmed: Monday .* Link: https?:\/\//);
    const [booked] = await appointmentsOf("Smith");
    expect(booked).toMatchObject({ status: "confirmed" });
  });

  // Issue 13: a word that is a property of every JavaScript object answered 500 on every channel.
  it.each([
    ["constructor", "constructor"],
    ["__proto__", "__proto__"],
    ["toString", "toString"],
    ["hasOwnProperty", "hasOwnProperty"],
    ["valueOf", "valueOf"],
    ["a booking with constructor in it", "je voudrais un rdv constructor demain à 10h"],
    ["constructor and __proto__ in English", "constructor tomorrow __proto__ at 10am"],
    ["constructor where a day number goes", "le constructor à 10h"],
    ["a 9,000-letter word", `rdv ${"a".repeat(9_000)} demain`],
    ["Arabic, RTL marks and emoji", "مرحبا \u200f rdv demain 10h 😀 \u202e constructor"],
    ["control characters", "rdv\u0000 demain\u0007 \u001b[31m10h"],
  ])("hostile text (%s) is answered like any message", async (_, text) => {
    const stranger = new ChatPatient(tabib.base, "fr");
    const replies = await stranger.say(text);
    expect(replies.length).toBeGreaterThan(0);
  });

  it("the reminder sweeper goes over the clinic's reminders and notices, again and again", async () => {
    const sweeps = () => tabib.logLines().filter((l) => l.msg === "follow-up sweep done");
    const before = sweeps().length;
    await tabib.waitForLog(() => sweeps().length >= before + 2, 30_000, "two more follow-up sweeps");
    expect(tabib.logLines().filter((l) => l.msg === "follow-up sweep failed")).toEqual([]);
  });

  it("left nothing at error level in the service's log", () => {
    expect(tabib.errorLines()).toEqual([]);
  });
});

/** Today's ISO weekday in the demo clinic's zone (1 = Monday). */
const today = () =>
  ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(
    new Intl.DateTimeFormat("en-GB", { weekday: "short", timeZone: "Europe/Paris" }).format(new Date()),
  ) + 1;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
