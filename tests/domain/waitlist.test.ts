import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cancelAppointment } from "../../src/domain/booking.js";
import { onCareEvent, type FreedSlot } from "../../src/domain/care-events.js";
import {
  acceptWaitlistOffer,
  declineWaitlistOffer,
  expireWaitlistOffers,
  joinWaitlist,
  offerFreedSlot,
  withdrawFromWaitlist,
} from "../../src/domain/waitlist.js";
import { createTestClinic, paris, seedAppointment, type TestClinic } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";

const db = await freshDatabase();
const MONDAY_8AM = paris("2026-11-30T08:00");
const minutes = (n: number) => new Date(+MONDAY_8AM + n * 60_000);
const WEB = ["web"];

let clinic: TestClinic;
const WEEKDAYS = Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2026, 11, 1 + i)))
  .filter((d) => ![0, 6].includes(d.getUTCDay()))
  .map((d) => d.toISOString().slice(0, 10));
let used = 0;
let joined = 0;

/** A fresh working day of the doctor for each story, so stories never share a slot. */
function nextMorning(): (hhmm: string) => Date {
  const ymd = WEEKDAYS[used++]!;
  return (hhmm) => paris(`${ymd}T${hhmm}`);
}

async function waitlisted(name: string, extra: { wantedBefore?: Date; channel?: "web" | "sms" } = {}) {
  const patient = await db.prisma.patient.create({
    data: {
      clinicId: clinic.clinicId,
      firstName: name,
      lastName: "Attente",
      identities: { create: [{ channel: extra.channel ?? "web", externalId: `${name}-${used}` }] },
    },
  });
  const entry = await joinWaitlist(db, {
    clinicId: clinic.clinicId,
    patientId: patient.id,
    channel: "web",
    specialtyId: clinic.specialtyId,
    wantedBefore: extra.wantedBefore ?? null,
    actor: { kind: "patient", patientId: patient.id },
    // Joined one second apart, in call order.
    now: new Date(+MONDAY_8AM - 3_600_000 + ++joined * 1000),
  });
  return { patientId: patient.id, entryId: entry.id };
}

/** A confirmed appointment cancelled by staff: the slot it frees. */
async function freedAt(startsAt: Date): Promise<FreedSlot> {
  const appointment = await seedAppointment(db, clinic, { doctorId: clinic.doctorIds[0]!, startsAt });
  await cancelAppointment(db, {
    appointmentId: appointment.id,
    actor: { kind: "system", reason: "test" },
    now: MONDAY_8AM,
  });
  return {
    clinicId: clinic.clinicId,
    doctorId: appointment.doctorId,
    startsAt: appointment.startsAt,
    endsAt: appointment.endsAt,
    appointmentId: appointment.id,
  };
}

const entryStatus = async (id: string) => (await db.prisma.waitlistEntry.findUniqueOrThrow({ where: { id } })).status;
const activeAt = (startsAt: Date) =>
  db.prisma.appointment.findMany({ where: { startsAt, status: { in: ["requested", "confirmed"] } } });

beforeAll(async () => {
  clinic = await createTestClinic(db, { doctors: 1, patients: 1, cutoffHours: 0 });
});
// Each story starts with an empty list.
beforeEach(async () => {
  await db.sql.query(`UPDATE waitlist_entry SET status = 'withdrawn' WHERE status = 'waiting'`);
  await db.sql.query(`UPDATE waitlist_offer SET status = 'expired' WHERE status = 'offered'`);
});

describe("a slot freeing up", () => {
  it("cancelling an upcoming appointment tells the listeners which slot is free", async () => {
    const at = nextMorning();
    const heard: FreedSlot[] = [];
    const stop = onCareEvent(db, (e) => e.kind === "slotFreed" && heard.push(e.slot));
    const slot = await freedAt(at("09:00"));
    stop();
    expect(heard).toEqual([slot]);
  });

  it("is offered to the first patient on the list, held for the clinic's waitlist minutes", async () => {
    const at = nextMorning();
    const first = await waitlisted("Alice");
    await waitlisted("Bruno");
    const slot = await freedAt(at("10:00"));
    const offer = await offerFreedSlot(db, slot, { channels: WEB, now: MONDAY_8AM });
    expect(offer).toMatchObject({ entryId: first.entryId, startsAt: slot.startsAt, holdMinutes: 15, channel: "web" });
    expect(offer!.expiresAt).toEqual(minutes(15));
    const hold = await db.prisma.slotHold.findFirstOrThrow({
      where: { doctorId: slot.doctorId, startsAt: slot.startsAt },
    });
    expect(hold.expiresAt).toEqual(minutes(15));
    // Only one offer runs at a time for a slot.
    expect(await offerFreedSlot(db, slot, { channels: WEB, now: minutes(1) })).toBeNull();
  });

  it("skips patients who want it earlier than that, or cannot be reached", async () => {
    const at = nextMorning();
    await waitlisted("Early", { wantedBefore: at("08:00") });
    await waitlisted("Unreachable", { channel: "sms" });
    const third = await waitlisted("Fits");
    const offer = await offerFreedSlot(db, await freedAt(at("11:00")), { channels: WEB, now: MONDAY_8AM });
    expect(offer?.entryId).toBe(third.entryId);
  });
});

describe("the chain of offers", () => {
  it("moves to the next patient when the hold runs out; the first stays on the list", async () => {
    const at = nextMorning();
    const alice = await waitlisted("Alice");
    const bruno = await waitlisted("Bruno");
    const slot = await freedAt(at("09:30"));
    await offerFreedSlot(db, slot, { channels: WEB, now: MONDAY_8AM });
    expect(await expireWaitlistOffers(db, minutes(14))).toEqual([]);
    const lapsed = await expireWaitlistOffers(db, minutes(15));
    expect(lapsed).toEqual([
      { clinicId: clinic.clinicId, doctorId: slot.doctorId, startsAt: slot.startsAt, endsAt: slot.endsAt },
    ]);
    const next = await offerFreedSlot(db, lapsed[0]!, { channels: WEB, now: minutes(15) });
    expect(next?.entryId).toBe(bruno.entryId);
    expect(await entryStatus(alice.entryId)).toBe("waiting");
  });

  it("declining passes the slot on at once", async () => {
    const at = nextMorning();
    const alice = await waitlisted("Alice");
    const bruno = await waitlisted("Bruno");
    const slot = await freedAt(at("10:30"));
    const offer = await offerFreedSlot(db, slot, { channels: WEB, now: MONDAY_8AM });
    const heard: FreedSlot[] = [];
    const stop = onCareEvent(db, (e) => e.kind === "slotFreed" && heard.push(e.slot));
    expect(
      await declineWaitlistOffer(db, { offerId: offer!.offerId, patientId: alice.patientId, now: minutes(2) }),
    ).toEqual({ outcome: "declined" });
    stop();
    expect(heard).toHaveLength(1);
    expect((await offerFreedSlot(db, heard[0]!, { channels: WEB, now: minutes(2) }))?.entryId).toBe(bruno.entryId);
    expect(await entryStatus(alice.entryId)).toBe("waiting");
  });

  it("a withdrawn patient's running offer goes to the next patient", async () => {
    const at = nextMorning();
    const alice = await waitlisted("Alice");
    const bruno = await waitlisted("Bruno");
    const slot = await freedAt(at("11:30"));
    await offerFreedSlot(db, slot, { channels: WEB, now: MONDAY_8AM });
    const heard: FreedSlot[] = [];
    const stop = onCareEvent(db, (e) => e.kind === "slotFreed" && heard.push(e.slot));
    await withdrawFromWaitlist(db, {
      clinicId: clinic.clinicId,
      entryId: alice.entryId,
      actor: { kind: "patient", patientId: alice.patientId },
      now: minutes(3),
    });
    stop();
    expect(await entryStatus(alice.entryId)).toBe("withdrawn");
    expect((await offerFreedSlot(db, heard[0]!, { channels: WEB, now: minutes(3) }))?.entryId).toBe(bruno.entryId);
  });
});

describe("accepting", () => {
  it("the patient holding the offer gets the slot; nobody else can book it meanwhile", async () => {
    const at = nextMorning();
    const alice = await waitlisted("Alice");
    const slot = await freedAt(at("09:00"));
    const offer = await offerFreedSlot(db, slot, { channels: WEB, now: MONDAY_8AM });
    const answer = await acceptWaitlistOffer(db, {
      offerId: offer!.offerId,
      patientId: alice.patientId,
      channel: "web",
      now: minutes(5),
    });
    expect(answer.outcome).toBe("booked");
    expect(await activeAt(slot.startsAt)).toHaveLength(1);
    expect(await entryStatus(alice.entryId)).toBe("booked");
    // A second tap answers the same appointment.
    const again = await acceptWaitlistOffer(db, {
      offerId: offer!.offerId,
      patientId: alice.patientId,
      channel: "web",
    });
    expect(again).toMatchObject({
      outcome: "booked",
      appointment: { id: (answer as { appointment: { id: string } }).appointment.id },
    });
  });

  it("while Bruno's offer runs, Alice's lapsed offer cannot take the slot: she is told it is gone and stays on the list", async () => {
    const at = nextMorning();
    const alice = await waitlisted("Alice");
    const bruno = await waitlisted("Bruno");
    const slot = await freedAt(at("10:00"));
    const first = await offerFreedSlot(db, slot, { channels: WEB, now: MONDAY_8AM });
    const [lapsed] = await expireWaitlistOffers(db, minutes(15));
    const second = await offerFreedSlot(db, lapsed!, { channels: WEB, now: minutes(15) });
    const [late, holder] = await Promise.all([
      acceptWaitlistOffer(db, {
        offerId: first!.offerId,
        patientId: alice.patientId,
        channel: "web",
        now: minutes(16),
      }),
      acceptWaitlistOffer(db, {
        offerId: second!.offerId,
        patientId: bruno.patientId,
        channel: "web",
        now: minutes(16),
      }),
    ]);
    expect(late).toEqual({ outcome: "gone" });
    expect(holder.outcome).toBe("booked");
    expect(await activeAt(slot.startsAt)).toHaveLength(1);
    expect(await entryStatus(alice.entryId)).toBe("waiting");
    expect(await entryStatus(bruno.entryId)).toBe("booked");
  });

  it("two patients whose offers lapsed accept at the same moment: exactly one wins, the other is told it is gone and stays on the list", async () => {
    const at = nextMorning();
    const alice = await waitlisted("Alice");
    const bruno = await waitlisted("Bruno");
    const slot = await freedAt(at("11:00"));
    const first = await offerFreedSlot(db, slot, { channels: WEB, now: MONDAY_8AM });
    const second = await offerFreedSlot(db, (await expireWaitlistOffers(db, minutes(15)))[0]!, {
      channels: WEB,
      now: minutes(15),
    });
    // Nobody is left to offer it to: the chain ends and the slot is free for whoever answers first.
    expect(
      await offerFreedSlot(db, (await expireWaitlistOffers(db, minutes(30)))[0]!, { channels: WEB, now: minutes(30) }),
    ).toBeNull();
    const answers = await Promise.all([
      acceptWaitlistOffer(db, {
        offerId: first!.offerId,
        patientId: alice.patientId,
        channel: "web",
        now: minutes(31),
      }),
      acceptWaitlistOffer(db, {
        offerId: second!.offerId,
        patientId: bruno.patientId,
        channel: "web",
        now: minutes(31),
      }),
    ]);
    expect(answers.map((a) => a.outcome).sort()).toEqual(["booked", "gone"]);
    expect(await activeAt(slot.startsAt)).toHaveLength(1);
    const loser = answers[0]!.outcome === "gone" ? alice : bruno;
    const winner = loser === alice ? bruno : alice;
    expect(await entryStatus(loser.entryId)).toBe("waiting");
    expect(await entryStatus(winner.entryId)).toBe("booked");
    const loserOffer = loser === alice ? first! : second!;
    expect((await db.prisma.waitlistOffer.findUniqueOrThrow({ where: { id: loserOffer.offerId } })).status).toBe(
      "gone",
    );
  });

  it("a patient waiting to move their appointment earlier is moved, and their old slot is offered on", async () => {
    const at = nextMorning();
    const later = await seedAppointment(db, clinic, { doctorId: clinic.doctorIds[0]!, startsAt: at("11:30") });
    const entry = await joinWaitlist(db, {
      clinicId: clinic.clinicId,
      patientId: later.patientId,
      channel: "web",
      appointmentId: later.id,
      actor: { kind: "patient", patientId: later.patientId },
      now: MONDAY_8AM,
    });
    await db.prisma.channelIdentity.upsert({
      where: { channel_externalId: { channel: "web", externalId: "mover" } },
      create: { patientId: later.patientId, channel: "web", externalId: "mover" },
      update: {},
    });
    const slot = await freedAt(at("09:00"));
    const offer = await offerFreedSlot(db, slot, { channels: WEB, now: MONDAY_8AM });
    expect(offer?.entryId).toBe(entry.id);
    const heard: FreedSlot[] = [];
    const stop = onCareEvent(db, (e) => e.kind === "slotFreed" && heard.push(e.slot));
    const answer = await acceptWaitlistOffer(db, {
      offerId: offer!.offerId,
      patientId: later.patientId,
      channel: "web",
      now: minutes(1),
    });
    stop();
    expect(answer).toMatchObject({ outcome: "moved", appointment: { id: later.id, startsAt: slot.startsAt } });
    expect(heard.map((s) => s.startsAt)).toEqual([at("11:30")]);
  });
});
