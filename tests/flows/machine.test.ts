// The dialogue on its own: whole conversations through the state machine, with a few lines
// standing in for the clinic, no database. Each step is saved and resumed as the engine does.
import { describe, expect, it } from "vitest";
import type { Reply } from "../../src/flows/locales/index.js";
import { converse, resumeDialogue, savedForm, startDialogue, type CarryOut } from "../../src/flows/dialogue.js";
import type { AppointmentSummary, Command, DialogueEvent, OfferedSlot } from "../../src/flows/machine.js";
import { parsePayload, type Reading } from "../../src/flows/reading.js";

const CARDIOLOGY = { id: "specialty-cardiology", name: { fr: "cardiologie", en: "cardiology" } };
const TUESDAY_10AM = "2026-12-01T09:00:00.000Z";

const slot = (startsAt: string): OfferedSlot => ({
  doctorId: "doctor-dubois",
  doctorName: "Dr Hélène Dubois",
  typeId: "type-cardiology",
  startsAt,
});
const TIMES = [TUESDAY_10AM, "2026-12-01T09:20:00.000Z", "2026-12-01T09:40:00.000Z"].map(slot);
const APPOINTMENT: AppointmentSummary = { ...slot("2026-12-08T13:00:00.000Z"), id: "appointment-1" };

/** The clinic as the dialogue sees it: every command answered the way the domain answers when all goes well. */
const clinic: CarryOut = async (command) => {
  switch (command.type) {
    case "offer":
      return [{ type: "SLOTS", slots: TIMES, minutes: 5 }];
    case "book":
      return [
        {
          type: "BOOKED",
          status: "confirmed",
          patientId: "patient-1",
          slot: command.params.slot,
          address: "12 rue de la Santé",
          teleconsultationUrl: null,
        },
      ];
    case "loadAppointments":
      return [{ type: "APPOINTMENTS", list: [APPOINTMENT] }];
    case "cancel":
      return [{ type: "CANCELLED" }];
    case "reschedule":
      return [{ type: "RESCHEDULED", slot: command.params.slot }];
    case "confirmAttendance":
      return [{ type: "ATTENDANCE", ok: true }];
    default:
      return [];
  }
};

/** A patient's conversation: what they say goes in, the sentence keys of the replies and the commands come out. */
function conversation(patientId: string | null = null) {
  let saved = savedForm(startDialogue({ locale: "fr", patientId }));
  const commands: Command[] = [];
  let last: Reply[] = [];
  const send = async (event: DialogueEvent) => {
    const { snapshot } = resumeDialogue(JSON.parse(JSON.stringify(saved)), {
      input: { locale: "fr", patientId },
      lastActivityAt: new Date(),
      idleMs: 60_000,
      now: new Date(),
    });
    const result = await converse(snapshot, event, async (command) => {
      commands.push({ type: command.type, params: command.params } as Command);
      return clinic(command);
    });
    saved = savedForm(result.snapshot);
    last = result.replies;
    return { said: result.replies.flatMap((r) => r.lines.map((l) => l.key)), state: result.snapshot.value };
  };
  return {
    commands,
    says: (reading: Reading) => send({ type: "MESSAGE", reading }),
    taps: (id: string) => send({ type: "MESSAGE", reading: { intent: "unknown", payload: parsePayload(id) } }),
    receives: (event: DialogueEvent) => send(event),
    /** The ids of the choices offered by the last replies, by what they do. */
    choice: (action: string, index = 0) =>
      last.flatMap((r) => r.choices ?? []).filter((c) => c.id.split(".")[1] === action)[index]!.id,
    lastCommand: () => commands[commands.length - 1],
  };
}

describe("the dialogue, with no database", () => {
  it("a newcomer asking for a cardiologist tomorrow around 10 is offered times, gives name, birth date and consent, and is booked", async () => {
    const marie = conversation();
    const offer = await marie.says({
      intent: "book",
      specialtyId: CARDIOLOGY.id,
      specialtyName: CARDIOLOGY.name,
      when: { kind: "near", at: TUESDAY_10AM },
    });
    expect(offer).toEqual({ said: ["offer"], state: "offering" });
    expect(marie.lastCommand()).toEqual({
      type: "offer",
      params: { specialtyId: CARDIOLOGY.id, when: { kind: "near", at: TUESDAY_10AM } },
    });

    expect(await marie.taps(marie.choice("slot", 0))).toEqual({ said: ["askName"], state: "askName" });
    expect(await marie.says({ intent: "unknown", name: { firstName: "Marie", lastName: "Curie" } })).toEqual({
      said: ["askBirthDate"],
      state: "askBirthDate",
    });
    expect(await marie.says({ intent: "unknown", birthDate: "1985-03-12" })).toEqual({
      said: ["askConsent"],
      state: "askConsent",
    });
    expect(await marie.taps(marie.choice("yes"))).toEqual({ said: ["booked"], state: "idle" });
    expect(marie.lastCommand()).toEqual({
      type: "book",
      params: {
        slot: TIMES[0],
        newPatient: { firstName: "Marie", lastName: "Curie", birthDate: "1985-03-12", consentLocale: "fr" },
      },
    });
  });

  it("a known patient moves their only appointment: asked when, offered times of the same doctor and kind, confirms, and it is moved", async () => {
    const known = conversation("patient-1");
    expect(await known.says({ intent: "reschedule" })).toEqual({ said: ["askRescheduleWhen"], state: "askWhen" });
    expect(known.commands.map((c) => c.type)).toEqual(["releaseHolds", "loadAppointments"]);
    const when = { kind: "range" as const, from: "2026-12-02T07:00:00.000Z", to: "2026-12-02T11:00:00.000Z" };
    expect(await known.says({ intent: "unknown", when })).toEqual({ said: ["offer"], state: "offering" });
    expect(known.lastCommand()).toEqual({
      type: "offer",
      params: { typeId: APPOINTMENT.typeId, doctorId: APPOINTMENT.doctorId, when },
    });
    expect(await known.says({ intent: "choice", choiceIndex: 1 })).toEqual({
      said: ["confirmReschedule"],
      state: "askConfirm",
    });
    expect(await known.says({ intent: "affirm" })).toEqual({ said: ["rescheduled"], state: "idle" });
    expect(known.lastCommand()).toEqual({
      type: "reschedule",
      params: { appointmentId: APPOINTMENT.id, slot: TIMES[1] },
    });
  });

  it("a known patient cancels: the appointment is named, they confirm, and it is cancelled", async () => {
    const known = conversation("patient-1");
    expect(await known.says({ intent: "cancel" })).toEqual({ said: ["confirmCancel"], state: "confirmCancel" });
    expect(await known.says({ intent: "affirm" })).toEqual({ said: ["cancelled"], state: "idle" });
    expect(known.lastCommand()).toEqual({ type: "cancel", params: { appointmentId: APPOINTMENT.id } });
  });

  it("a reminder's question is answered by its button, by yes, or by its number", async () => {
    const byButton = conversation("patient-1");
    expect(await byButton.receives({ type: "REMINDER", appointment: APPOINTMENT })).toEqual({
      said: ["reminder"],
      state: "reminder",
    });
    expect(await byButton.taps(byButton.choice("reminder", 0))).toEqual({
      said: ["attendanceConfirmed"],
      state: "idle",
    });
    expect(byButton.lastCommand()).toEqual({ type: "confirmAttendance", params: { appointmentId: APPOINTMENT.id } });

    const byYes = conversation("patient-1");
    await byYes.receives({ type: "REMINDER", appointment: APPOINTMENT });
    expect(await byYes.says({ intent: "affirm" })).toEqual({ said: ["attendanceConfirmed"], state: "idle" });

    const byNumber = conversation("patient-1");
    await byNumber.receives({ type: "REMINDER", appointment: APPOINTMENT });
    expect(await byNumber.says({ intent: "choice", choiceIndex: 1 })).toEqual({
      said: ["confirmCancel"],
      state: "confirmCancel",
    });
    expect(await byNumber.says({ intent: "affirm" })).toEqual({ said: ["cancelled"], state: "idle" });
  });

  it("an emergency, an old button or unreadable text interrupts any question, which is then asked again", async () => {
    const p = conversation();
    await p.says({
      intent: "book",
      specialtyId: CARDIOLOGY.id,
      specialtyName: CARDIOLOGY.name,
      when: { kind: "asap" },
    });
    const oldSlot = p.choice("slot", 0);
    await p.taps(oldSlot);

    expect(await p.says({ intent: "emergency", redFlag: "chest_pain" })).toEqual({
      said: ["emergency", "emergencyFollowUp"],
      state: "askName",
    });
    expect(p.lastCommand()).toEqual({ type: "recordEmergency", params: { category: "chest_pain" } });
    expect(await p.taps(oldSlot)).toEqual({ said: ["stale", "askName"], state: "askName" });
    expect(await p.says({ intent: "unknown", garbled: "too_long" })).toEqual({
      said: ["tooLong", "askName"],
      state: "askName",
    });
  });

  it("a conversation saved before commands became actions (its context still carrying an empty outbox) resumes where it was", () => {
    const saved = JSON.parse(JSON.stringify(savedForm(startDialogue({ locale: "en", patientId: null }))));
    saved.value = "askName";
    saved.context.outbox = [];
    const { snapshot, expired } = resumeDialogue(saved, {
      input: { locale: "en", patientId: null },
      lastActivityAt: new Date(),
      idleMs: 60_000,
      now: new Date(),
    });
    expect(expired).toBe(false);
    expect(snapshot.value).toBe("askName");
    expect(snapshot.context).not.toHaveProperty("outbox");
  });
});
