import { and, assign, enqueueActions, not, raise, setup, stateIn } from "xstate";
import type { EmergencyCategory } from "../domain/emergencies.js";
import type { ChatLocale, Params, Reply } from "./locales/index.js";
import { payloadId, type DoctorPick, type Reading, type When } from "./reading.js";

/*
 * The dialogue as a pure state machine: no promises, no database. A transition's effects are
 * named actions with parameters: `say` a reply (sentence keys, never wording), or a command for
 * the engine (search and hold times, book, cancel…). XState's transition() returns them; the
 * engine carries the commands out and sends their results back as events before saving the
 * snapshot, so restoring a snapshot re-runs nothing.
 *
 * A patient's message arrives as MESSAGE and is heard in three rounds, so what must win does:
 * 1. MESSAGE, on the dialogue itself: what interrupts any question (an emergency, a waiting-list
 *    button, an old button, unreadable text, another language); anything else is passed on as
 * 2. ANSWER: the question's own early answers (a reminder's "confirm"), then requests that change
 *    the subject (a person, my appointments, cancel, move, the waiting list, help, naming a
 *    doctor); anything else is passed on as
 * 3. REPLY: the question's ordinary answers, then a new booking, thanks, and "not understood".
 * A state answers each round first; what it leaves goes to the dialogue's own transitions.
 */

export interface OfferedSlot {
  doctorId: string;
  doctorName: string;
  typeId: string;
  startsAt: string;
}

export interface AppointmentSummary {
  id: string;
  startsAt: string;
  doctorName: string;
  doctorId: string;
  typeId: string;
}

/** A freed slot offered to the patient from the waiting list. */
export interface WaitlistOfferSummary {
  id: string;
  startsAt: string;
  doctorName: string;
  /** How long the slot is kept for them. */
  minutes: number;
}

/** What the dialogue asks the engine to do, by name, with what it needs. */
export interface Commands {
  /**
   * Search and hold times. `after`: "other times", the free slots following that instant rather
   * than around `when`; `mode`: a teleconsultation was asked for (the specialty's remote type,
   * when it has one).
   */
  offer: {
    specialtyId?: string;
    typeId?: string;
    doctorId?: string;
    mode?: "teleconsultation";
    when: When;
    after?: string;
  };
  /** `consentLocale`: the language the consent question was asked in, so the stored version names that wording. */
  book: {
    slot: OfferedSlot;
    newPatient?: { firstName: string; lastName: string; birthDate: string; consentLocale?: ChatLocale };
  };
  loadAppointments: Record<string, never>;
  cancel: { appointmentId: string };
  reschedule: { appointmentId: string; slot: OfferedSlot };
  recordEmergency: { category: EmergencyCategory };
  handToHuman: Record<string, never>;
  setLocale: { locale: ChatLocale };
  releaseHolds: Record<string, never>;
  confirmAttendance: { appointmentId: string };
  /** The waiting list: for the draft (specialty, type, doctor) or to move an appointment earlier; only slots before `wantedBefore`. */
  joinWaitlist: {
    specialtyId?: string;
    doctorId?: string;
    typeId?: string;
    appointmentId?: string;
    wantedBefore?: string;
  };
  answerWaitlistOffer: { offerId: string; accept: boolean };
}

export type Command = { [K in keyof Commands]: { type: K; params: Commands[K] } }[keyof Commands];

/** One effect of a transition, in order: a reply to send, or a command to carry out. */
export type Effect = { type: "say"; params: Reply } | Command;

const COMMANDS: ReadonlySet<string> = new Set<keyof Commands>([
  "offer",
  "book",
  "loadAppointments",
  "cancel",
  "reschedule",
  "recordEmergency",
  "handToHuman",
  "setLocale",
  "releaseHolds",
  "confirmAttendance",
  "joinWaitlist",
  "answerWaitlistOffer",
]);

/** The effects among the actions transition() returns (XState's own, such as raising an event, left out). */
export const effectsOf = (actions: readonly { type: string; params?: unknown }[]): Effect[] =>
  actions.filter((a): a is Effect => a.type === "say" || COMMANDS.has(a.type));

export interface DialogueContext {
  locale: ChatLocale;
  /** Bumped at every question with choices; a tapped choice from an older step is stale. */
  step: number;
  patientId: string | null;
  purpose: "book" | "list" | "cancel" | "reschedule" | "waitlist";
  specialtyId: string | null;
  specialtyName: { fr: string; en: string } | null;
  /** The doctor the patient asked for, if any (absent from snapshots saved before doctors could be named). */
  doctor?: DoctorPick | null;
  /** The doctors a shared name could mean, while the patient is asked which. */
  doctorOptions?: DoctorPick[];
  /** How the patient asked to be seen (absent from older snapshots: in person). */
  mode?: "teleconsultation" | "in_person" | null;
  when: When | null;
  ambiguous: When[];
  offered: OfferedSlot[];
  chosen: OfferedSlot | null;
  name: { firstName: string; lastName: string } | null;
  birthDate: string | null;
  appointments: AppointmentSummary[];
  target: AppointmentSummary | null;
  /** The last question asked, repeated after an interruption or an unreadable reply. */
  question: Reply | null;
  /** Arrival time of the latest message applied (ISO); an older one arriving later is not applied. */
  lastReceivedAt: string | null;
  /** The waiting-list offer awaiting an answer (absent from snapshots saved before the waiting list existed). */
  waitlistOffer?: WaitlistOfferSummary | null;
}

export type DialogueEvent =
  | { type: "MESSAGE"; reading: Reading }
  /**
   * `missed`: the time asked for had nothing free, these are the nearest; `more`: the slots after
   * an earlier offer; `remote`: they are teleconsultations; `noRemote`: one was asked for, but the
   * specialty has none, so these are in person.
   */
  | {
      type: "SLOTS";
      slots: OfferedSlot[];
      minutes: number;
      past?: boolean;
      missed?: When;
      more?: boolean;
      remote?: boolean;
      noRemote?: boolean;
    }
  | {
      type: "BOOKED";
      status: "confirmed" | "requested";
      patientId: string;
      slot: OfferedSlot;
      address: string;
      teleconsultationUrl: string | null;
    }
  | { type: "BOOK_FAILED"; reason: "slot_taken" | "other"; alternatives: OfferedSlot[] }
  | { type: "APPOINTMENTS"; list: AppointmentSummary[] }
  | { type: "CANCELLED" }
  | { type: "REFUSED"; hours: number; phone: string }
  | { type: "RESCHEDULED"; slot: OfferedSlot; teleconsultationUrl?: string | null }
  /** A reminder was sent for this appointment: its answer (confirm, cancel, move) is awaited. */
  | { type: "REMINDER"; appointment: AppointmentSummary }
  | { type: "ATTENDANCE"; ok: boolean }
  | { type: "RECEIVED"; at: string }
  /** A slot freed up and is offered to this waitlisted patient: their answer is awaited. */
  | { type: "WAITLIST_OFFER"; offer: WaitlistOfferSummary }
  | { type: "WAITLIST_JOINED"; ok: boolean; before?: string; reason?: "unknown_patient" | "refused" }
  | {
      type: "WAITLIST_ANSWERED";
      outcome: "booked" | "requested" | "moved" | "gone" | "declined";
      slot?: { startsAt: string; doctorName: string };
    };

/** Where a decision sends the conversation (see GO). */
type Destination = "askWhat" | "askWhen" | "ambiguous" | "searching" | "pickDoctor";

/** The machine's own events: the later rounds of hearing a message, and moving to a decided state. */
type InnerEvent =
  { type: "ANSWER"; reading: Reading } | { type: "REPLY"; reading: Reading } | { type: "GO"; to: Destination };

export interface DialogueInput {
  locale: ChatLocale;
  patientId: string | null;
  /**
   * Where the question counter starts: past every step an earlier (expired) conversation on
   * this address used, so its buttons stay recognisably old instead of matching new questions.
   */
  step?: number;
}

type Ctx = DialogueContext;
type Ev = DialogueEvent | InnerEvent;

const line = (key: Reply["lines"][number]["key"], params?: Params) => ({ key, params });
const at = (s: { startsAt: string; doctorName: string }): Params => ({ at: s.startsAt, doctor: s.doctorName });

const menuReply = (step: number | "m" = "m"): Reply => ({
  lines: [line("menu")],
  choices: [
    { id: payloadId(step, "menu", "book"), key: "menuBook" },
    { id: payloadId(step, "menu", "list"), key: "menuList" },
    { id: payloadId(step, "menu", "reschedule"), key: "menuReschedule" },
    { id: payloadId(step, "menu", "cancel"), key: "menuCancel" },
    { id: payloadId(step, "menu", "human"), key: "menuHuman" },
  ],
});

const yesNo = (step: number, question: Reply["lines"][number]): Reply => ({
  lines: [question],
  choices: [
    { id: payloadId(step, "yes"), key: "yes" },
    { id: payloadId(step, "no"), key: "no" },
  ],
});

// ---- readings as the current question sees them

const NOTHING_READ: Reading = { intent: "unknown" };
const reading = (e: Ev): Reading => ("reading" in e ? e.reading : NOTHING_READ);
/** The payload, if it was offered at this step (or is a menu button). */
const tapped = (c: Ctx, e: Ev, action: string): string | undefined => {
  const p = reading(e).payload;
  return p && p.action === action && (p.step === "m" || Number(p.step) === c.step) ? p.value : undefined;
};
const saysYes = (c: Ctx, e: Ev) =>
  tapped(c, e, "yes") !== undefined ||
  reading(e).intent === "affirm" ||
  (reading(e).intent === "choice" && reading(e).choiceIndex === 0);
const saysNo = (c: Ctx, e: Ev) =>
  tapped(c, e, "no") !== undefined ||
  reading(e).intent === "deny" ||
  (reading(e).intent === "choice" && reading(e).choiceIndex === 1);
/** Index of the offered item picked by button or by number. */
const picked = (c: Ctx, r: Reading, action: string, count: number): number | undefined => {
  const v = tapped(c, { type: "REPLY", reading: r }, action);
  const i = v !== undefined ? Number(v) : r.intent === "choice" ? r.choiceIndex : undefined;
  return i !== undefined && Number.isInteger(i) && i >= 0 && i < count ? i : undefined;
};
const menuPick = (e: Ev): string | undefined => {
  const p = reading(e).payload;
  return p?.action === "menu" ? p.value : undefined;
};
const wants = (e: Ev, intent: Reading["intent"], menu: string) => reading(e).intent === intent || menuPick(e) === menu;
/** A reply to a reminder: its buttons, "1"/"2"/"3", yes/no, or the words confirm/cancel/move. */
const reminderAnswer = (c: Ctx, e: Ev): "confirm" | "cancel" | "reschedule" | undefined => {
  const v = tapped(c, e, "reminder");
  if (v === "confirm" || v === "cancel" || v === "reschedule") return v;
  const r = reading(e);
  if (r.payload) return undefined;
  if (r.intent === "affirm" || (r.intent === "choice" && r.choiceIndex === 0)) return "confirm";
  if (r.intent === "deny" || r.intent === "cancel" || (r.intent === "choice" && r.choiceIndex === 1)) return "cancel";
  if (r.intent === "reschedule" || (r.intent === "choice" && r.choiceIndex === 2)) return "reschedule";
  return undefined;
};

const WAITLIST_TAP = /^([0-9a-f-]{36})\.(yes|no)$/;
/** A tap on a waiting-list offer's button; valid in any state, since the id names the offer. */
const waitlistTap = (e: Ev): { offerId: string; accept: boolean } | undefined => {
  const p = reading(e).payload;
  const m = p?.step === "m" && p.action === "waitlist" ? WAITLIST_TAP.exec(p.value) : null;
  return m ? { offerId: m[1]!, accept: m[2] === "yes" } : undefined;
};

/** Whether a message names a doctor (one of the clinic's, several sharing the name, or one it does not have). */
const namesDoctor = (r: Reading): boolean => !!r.doctor || !!r.doctorOptions?.length || !!r.unknownDoctor;

// ---- plans: what a decision changes, says and asks for, and where it goes

/** What a transition does: the context it changes, its effects in order, and the state it leads to. */
interface Plan {
  update: Partial<Ctx>;
  effects: Effect[];
  go?: Destination;
}

const say = (r: Reply): Effect => ({ type: "say", params: r });
const RELEASE_HOLDS: Effect = { type: "releaseHolds", params: {} };
const LOAD_APPOINTMENTS: Effect = { type: "loadAppointments", params: {} };
const offerEffect = (params: Commands["offer"]): Effect => ({ type: "offer", params });

/** The plans one after the other: later updates win, effects add up, the last destination counts. */
const then = (...plans: Partial<Plan>[]): Plan => ({
  update: Object.assign({}, ...plans.map((p) => p.update ?? {})) as Partial<Ctx>,
  effects: plans.flatMap((p) => p.effects ?? []),
  go: plans.reduce<Destination | undefined>((go, p) => p.go ?? go, undefined),
});

/** Asks a question and remembers it for repeating. */
const ask = (r: Reply): Plan => ({ update: { question: r }, effects: [say(r)] });

/** Says something, then repeats the question the patient was asked (or the menu). */
const sayThenRepeat = (c: Ctx, r: Reply): Plan => ({ update: {}, effects: [say(r), say(c.question ?? menuReply())] });

const askedParams = (w: When): Params =>
  w.kind === "asap"
    ? { askedKind: "asap" }
    : w.kind === "range"
      ? { askedKind: "range", askedFrom: w.from, askedTo: w.to, askedPart: w.partOfDay }
      : { askedKind: w.kind, askedAt: w.at };

const WAITLIST_OUTCOME = {
  booked: "waitlistBooked",
  requested: "waitlistRequested",
  moved: "waitlistMoved",
  gone: "waitlistGone",
  declined: "waitlistDeclined",
} as const;

function waitlistOfferReply(o: WaitlistOfferSummary): Reply {
  return {
    lines: [line("waitlistOffer", { ...at(o), minutes: o.minutes })],
    choices: [
      { id: payloadId("m", "waitlist", `${o.id}.yes`), key: "waitlistAccept" },
      { id: payloadId("m", "waitlist", `${o.id}.no`), key: "waitlistDecline" },
    ],
  };
}

const waitlistAnswerReply = (e: Extract<Ev, { type: "WAITLIST_ANSWERED" }>): Reply => ({
  lines: [line(WAITLIST_OUTCOME[e.outcome], e.slot ? at(e.slot) : undefined)],
});

/** Joining the waiting list from an offer of times: only earlier than the earliest offered interests the patient. */
function joinFromOffer(c: Ctx): Effect {
  const earliest = c.offered.map((s) => s.startsAt).sort()[0];
  if (c.purpose === "reschedule" && c.target)
    return { type: "joinWaitlist", params: { appointmentId: c.target.id, wantedBefore: earliest } };
  return {
    type: "joinWaitlist",
    params: { specialtyId: c.specialtyId ?? undefined, doctorId: c.doctor?.id, wantedBefore: earliest },
  };
}

function offerReply(c: Ctx, slots: OfferedSlot[], step: number, e: Extract<Ev, { type: "SLOTS" }>): Reply {
  const spec = c.specialtyName ? c.specialtyName[c.locale] : undefined;
  const { minutes } = e;
  const doctor = c.purpose === "book" ? (c.doctor?.name ?? undefined) : undefined;
  const remote = e.remote ? 1 : undefined;
  const intro = e.more
    ? [line("offerMore", { minutes }), line("otherHint")]
    : e.past
      ? [line("pastTime"), line("offer", { minutes, specialty: spec, doctor, remote })]
      : e.missed && e.missed.kind !== "asap"
        ? [line("noSlotAsked", { minutes, specialty: spec, doctor, remote, ...askedParams(e.missed) })]
        : [line("offer", { minutes, specialty: spec, doctor, remote })];
  return {
    lines: e.noRemote ? [line("noTeleconsultation"), ...intro] : intro,
    choices: [
      ...slots.map((s, i) => ({ id: payloadId(step, "slot", i), key: "slotLabel" as const, params: at(s) })),
      { id: payloadId(step, "other"), key: "otherTimes" as const },
      { id: payloadId(step, "waitlist"), key: "waitlistButton" as const },
    ],
  };
}

/** The offer command for the current draft. */
function offerFor(c: Ctx, when: When): Commands["offer"] {
  if (c.purpose === "reschedule" && c.target) return { typeId: c.target.typeId, doctorId: c.target.doctorId, when };
  const remote = c.mode === "teleconsultation" ? { mode: "teleconsultation" as const } : {};
  return { specialtyId: c.specialtyId ?? undefined, doctorId: c.doctor?.id, ...remote, when };
}

/**
 * The specialty a message implies: one it names, else the clinic's only one, else general
 * medicine when the patient leaves the choice to the clinic ("any doctor") or asks for a
 * teleconsultation without saying what for. With several specialties and no preference stated,
 * the patient is asked once (askWhat).
 */
const specialtyOf = (r: Reading): { id: string; name: { fr: string; en: string } } | null =>
  r.specialtyId
    ? { id: r.specialtyId, name: r.specialtyName ?? { fr: "", en: "" } }
    : r.fallbackSpecialty && (r.fallbackSpecialty.sole || r.anyDoctor || r.mode === "teleconsultation")
      ? r.fallbackSpecialty
      : null;

/**
 * A new booking from what the message says. `keep`: the patient was already booking and only
 * changed the doctor or the way of being seen ("plutôt avec le Dr Lefèvre", "en visio plutôt"):
 * what they said before and do not change now still holds.
 */
function startBooking(c: Ctx, r: Reading, keep = false): Plan {
  const doctor = r.doctor ?? (keep && !r.doctorOptions?.length && !r.unknownDoctor ? (c.doctor ?? null) : null);
  const kept = keep && c.specialtyId ? { id: c.specialtyId, name: c.specialtyName ?? { fr: "", en: "" } } : null;
  const spec = doctor?.specialty ?? specialtyOf(r) ?? kept;
  // The time said in the first message is kept while the specialty is asked for.
  const base: Partial<Ctx> = {
    purpose: "book",
    specialtyId: spec?.id ?? null,
    specialtyName: spec?.name ?? null,
    doctor,
    doctorOptions: [],
    mode: r.mode ?? (keep ? (c.mode ?? null) : null),
    when: r.when ?? (keep ? c.when : null),
    ambiguous: r.ambiguousWhen ?? (keep ? c.ambiguous : []),
    offered: [],
    chosen: null,
    target: null,
  };
  const next = { ...c, ...base };
  if (r.doctorOptions?.length) return then({ update: base }, askWhichDoctor(next, r.doctorOptions));
  if (!spec) return then({ update: base, go: "askWhat" }, ask({ lines: [line("askWhat")] }));
  return then({ update: base }, afterSpecialty(next, r));
}

/** "Dr Martin" when the clinic has two: the patient picks one (a button, a number or the first name). */
function askWhichDoctor(c: Ctx, options: DoctorPick[]): Plan {
  const step = c.step + 1;
  const r: Reply = {
    lines: [line("askWhichDoctor")],
    choices: options.map((d, i) => ({
      id: payloadId(step, "doctor", i),
      key: "doctorLabel",
      params: { doctor: d.name },
    })),
  };
  return then({ update: { step, doctorOptions: options }, go: "pickDoctor" }, ask(r));
}

/** The doctor picked among `doctorOptions`, by button, by number or by name. */
function pickedDoctor(c: Ctx, r: Reading): DoctorPick | undefined {
  const options = c.doctorOptions ?? [];
  const i = picked(c, r, "doctor", options.length);
  if (i !== undefined) return options[i];
  return r.doctor && options.find((d) => d.id === r.doctor!.id);
}

/** A booking with the doctor named; a doctor the clinic does not have is said so first, with those it has. */
function bookWithDoctor(c: Ctx, r: Reading, keep: boolean): Plan {
  if (!r.unknownDoctor || r.doctor) return startBooking(c, r, keep);
  const { said, known } = r.unknownDoctor;
  return then(
    { effects: [say({ lines: [line("unknownDoctor", { said, known: known.join(", ") })] })] },
    startBooking(c, r, keep),
  );
}

/** With the specialty known: the ambiguous day to settle, the time to search, or the question when. */
function afterSpecialty(c: Ctx, r: Reading): Plan {
  const ambiguous = r.ambiguousWhen?.length ? r.ambiguousWhen : r.when ? [] : c.ambiguous;
  if (ambiguous.length) return askAmbiguous(c, ambiguous);
  const when = r.when ?? c.when;
  if (when) return then(searchAt(c, when), { go: "searching" });
  const spec = c.specialtyName ? c.specialtyName[c.locale] : undefined;
  const doctor = c.purpose === "book" ? (c.doctor?.name ?? undefined) : undefined;
  const remote = c.purpose === "book" && c.mode === "teleconsultation" ? 1 : undefined;
  return then({ go: "askWhen" }, ask({ lines: [line("askWhen", { specialty: spec, doctor, remote })] }));
}

function askAmbiguous(c: Ctx, options: When[]): Plan {
  const step = c.step + 1;
  const r: Reply = {
    lines: [line("askAmbiguousDay")],
    choices: [
      { id: payloadId(step, "day", 0), key: "ambiguousToday" },
      { id: payloadId(step, "day", 1), key: "ambiguousNextWeek" },
    ],
  };
  return then({ update: { step, ambiguous: options }, go: "ambiguous" }, ask(r));
}

/** The specialty the patient just gave (named, or left to the clinic), then on as afterSpecialty. */
function withSpecialty(c: Ctx, r: Reading, spec: { id: string; name: { fr: string; en: string } | null }): Plan {
  const chosen = { specialtyId: spec.id, specialtyName: spec.name };
  return then({ update: chosen }, afterSpecialty({ ...c, ...chosen }, r));
}

/** The doctor picked among those sharing a name; their specialty unless one was already named. */
function withPickedDoctor(c: Ctx, r: Reading): Plan {
  const doctor = pickedDoctor(c, r)!;
  const chosen: Partial<Ctx> = {
    doctor,
    doctorOptions: [],
    specialtyId: doctor.specialty?.id ?? c.specialtyId,
    specialtyName: doctor.specialty?.name ?? c.specialtyName,
    step: c.step + 1,
  };
  const next = { ...c, ...chosen };
  if (next.specialtyId) return then({ update: chosen }, afterSpecialty(next, r));
  return then({ update: chosen, go: "askWhat" }, ask({ lines: [line("askWhat")] }));
}

/** The reminder's question, asked of the appointment it is about. */
function reminderQuestion(c: Ctx, appointment: AppointmentSummary): Plan {
  const step = c.step + 1;
  const r: Reply = {
    lines: [line("reminder", at(appointment))],
    choices: [
      { id: payloadId(step, "reminder", "confirm"), key: "reminderConfirm" },
      { id: payloadId(step, "reminder", "cancel"), key: "reminderCancel" },
      { id: payloadId(step, "reminder", "reschedule"), key: "reminderReschedule" },
    ],
  };
  return then(
    { update: { step, target: appointment, appointments: [appointment], offered: [], chosen: null } },
    { effects: [RELEASE_HOLDS] },
    ask(r),
  );
}

/** The patient's appointments, to list, cancel, move or wait for an earlier time: the draft so far is let go. */
const loadAppointmentsFor = (purpose: Ctx["purpose"]): Plan => ({
  update: { purpose, target: null },
  effects: [RELEASE_HOLDS, LOAD_APPOINTMENTS],
});

/** A yes/no question at the next step. */
const askYesNo = (c: Ctx, question: Reply["lines"][number]): Plan =>
  then({ update: { step: c.step + 1 } }, ask(yesNo(c.step + 1, question)));

/** A time given where one is asked: times around it are searched. */
const searchAt = (c: Ctx, when: When): Plan => ({ update: { when }, effects: [offerEffect(offerFor(c, when))] });

/** The effects of a plan, queued in a transition: the context first, then what it says and asks for, then where it goes. */
interface Queue {
  assign(update: Partial<Ctx>): void;
  raise(event: InnerEvent): void;
  (effect: Effect): void;
}
function carry(enqueue: Queue, plan: Plan): void {
  enqueue.assign(plan.update);
  for (const effect of plan.effects) enqueue(effect);
  if (plan.go) enqueue.raise({ type: "GO", to: plan.go });
}

/** An effect is named here and carried out by the engine, from the actions transition() returns. */
const effect =
  <P>() =>
  (_: unknown, _params: P): void =>
    undefined;

export const dialogueMachine = setup({
  types: {
    context: {} as DialogueContext,
    events: {} as Ev,
    input: {} as DialogueInput,
  },
  actions: {
    say: effect<Reply>(),
    offer: effect<Commands["offer"]>(),
    book: effect<Commands["book"]>(),
    loadAppointments: effect<Commands["loadAppointments"]>(),
    cancel: effect<Commands["cancel"]>(),
    reschedule: effect<Commands["reschedule"]>(),
    recordEmergency: effect<Commands["recordEmergency"]>(),
    handToHuman: effect<Commands["handToHuman"]>(),
    setLocale: effect<Commands["setLocale"]>(),
    releaseHolds: effect<Commands["releaseHolds"]>(),
    confirmAttendance: effect<Commands["confirmAttendance"]>(),
    joinWaitlist: effect<Commands["joinWaitlist"]>(),
    answerWaitlistOffer: effect<Commands["answerWaitlistOffer"]>(),
  },
  guards: {
    // ---- what interrupts any question
    isEmergency: ({ event }) => reading(event).intent === "emergency",
    tapsWaitlistOffer: ({ event }) => waitlistTap(event) !== undefined,
    tapsOldButton: ({ context, event }) => {
      const p = reading(event).payload;
      return !!p && p.step !== "m" && Number(p.step) !== context.step;
    },
    isGarbled: ({ event }) => reading(event).garbled !== undefined,
    switchesLanguage: ({ event }) => reading(event).intent === "change_language" && !!reading(event).language,
    // ---- requests that change the subject
    wants: ({ event }, p: { intent: Reading["intent"]; menu: string }) => wants(event, p.intent, p.menu),
    asksForWaitlist: ({ event }) => reading(event).waitlist === true,
    namesDoctorOrMode: ({ context, event }) =>
      (namesDoctor(reading(event)) || !!reading(event).mode) && !(context.purpose === "reschedule" && context.target),
    isBooking: ({ context }) => context.purpose === "book",
    namesSpecialty: ({ event }) => !!reading(event).specialtyId,
    /** Outside the menu, "book" starts a new booking only with a specialty named, or the menu's button. */
    asksForAnotherBooking: ({ event }) =>
      wants(event, "book", "book") && (!!reading(event).specialtyId || menuPick(event) === "book"),
    says: ({ event }, p: { intents: Reading["intent"][] }) => p.intents.includes(reading(event).intent),
    // ---- answers
    saysYes: ({ context, event }) => saysYes(context, event),
    saysNo: ({ context, event }) => saysNo(context, event),
    typesYesOrNo: ({ event }) => !reading(event).payload,
    picks: ({ context, event }, p: { list: "offered" | "appointments" | "ambiguous"; action: string }) =>
      picked(context, reading(event), p.action, context[p.list].length) !== undefined,
    picksDoctor: ({ context, event }) => pickedDoctor(context, reading(event)) !== undefined,
    wantsOtherTimes: ({ context, event }) =>
      tapped(context, event, "other") !== undefined && context.offered.length > 0,
    declinesTimes: ({ context, event }) =>
      tapped(context, event, "other") !== undefined || reading(event).intent === "deny",
    wantsWaitlistHere: ({ context, event }) =>
      tapped(context, event, "waitlist") === "" ||
      reading(event).waitlist === true ||
      (reading(event).intent === "choice" && reading(event).choiceIndex === context.offered.length + 1),
    leavesChoiceToClinic: ({ event }) => !!reading(event).anyDoctor && !!reading(event).fallbackSpecialty,
    givesWhen: ({ event }) => !!reading(event).when,
    givesAmbiguousDay: ({ event }) => !!reading(event).ambiguousWhen?.length,
    givesName: ({ event }) => !!reading(event).name,
    givesBirthDate: ({ event }) => !!reading(event).birthDate,
    answersReminder: ({ context, event }, p: { answer: "confirm" | "cancel" | "reschedule" }) =>
      reminderAnswer(context, event) === p.answer,
    hasWaitlistOffer: ({ context }) => !!context.waitlistOffer,
    // ---- what the engine reports
    foundNoSlots: ({ event }) => event.type === "SLOTS" && event.slots.length === 0,
    hasAlternatives: ({ event }) => event.type === "BOOK_FAILED" && event.alternatives.length > 0,
    found: ({ context, event }, p: { count: number; purpose?: DialogueContext["purpose"] }) =>
      event.type === "APPOINTMENTS" && event.list.length === p.count && (!p.purpose || context.purpose === p.purpose),
    isFor: ({ context }, p: { purpose: DialogueContext["purpose"] }) => context.purpose === p.purpose,
    knowsPatient: ({ context }) => context.patientId !== null,
    goesTo: ({ event }, p: { to: Destination }) => event.type === "GO" && event.to === p.to,
  },
}).createMachine({
  id: "dialogue",
  context: ({ input }) => ({
    locale: input.locale,
    step: input.step ?? 0,
    patientId: input.patientId,
    purpose: "book",
    specialtyId: null,
    specialtyName: null,
    doctor: null,
    doctorOptions: [],
    mode: null,
    when: null,
    ambiguous: [],
    offered: [],
    chosen: null,
    name: null,
    birthDate: null,
    appointments: [],
    target: null,
    question: null,
    lastReceivedAt: null,
    waitlistOffer: null,
  }),
  initial: "idle",
  on: {
    RECEIVED: { actions: assign({ lastReceivedAt: ({ event }) => event.at }) },
    // Round 1: what interrupts any question, wherever the conversation stands.
    MESSAGE: [
      {
        guard: "isEmergency",
        actions: enqueueActions(({ event, enqueue }) => {
          enqueue({ type: "recordEmergency", params: { category: reading(event).redFlag ?? "other" } });
          enqueue(say({ lines: [line("emergency"), line("emergencyFollowUp")] }));
        }),
      },
      {
        guard: "tapsWaitlistOffer",
        actions: { type: "answerWaitlistOffer", params: ({ event }) => waitlistTap(event)! },
      },
      {
        guard: "tapsOldButton",
        actions: enqueueActions(({ context, enqueue }) =>
          carry(enqueue, sayThenRepeat(context, { lines: [line("stale")] })),
        ),
      },
      {
        guard: "isGarbled",
        actions: enqueueActions(({ context, event, enqueue }) => {
          const key = reading(event).garbled === "too_long" ? "tooLong" : "notUnderstood";
          carry(enqueue, sayThenRepeat(context, { lines: [line(key)] }));
        }),
      },
      {
        guard: "switchesLanguage",
        actions: enqueueActions(({ context, event, enqueue }) => {
          const locale = reading(event).language!;
          enqueue.assign({ locale });
          enqueue({ type: "setLocale", params: { locale } });
          carry(enqueue, sayThenRepeat({ ...context, locale }, { lines: [line("languageChanged")] }));
        }),
      },
      { actions: raise(({ event }) => ({ type: "ANSWER" as const, reading: reading(event) })) },
    ],
    // Round 2, after the question's early answers: requests that change the subject.
    ANSWER: [
      {
        guard: { type: "wants", params: { intent: "human", menu: "human" } },
        target: ".idle",
        actions: enqueueActions(({ enqueue }) => {
          enqueue.assign({ question: null });
          enqueue(RELEASE_HOLDS);
          enqueue({ type: "handToHuman", params: {} });
          enqueue(say({ lines: [line("human")] }));
        }),
      },
      {
        guard: { type: "wants", params: { intent: "list_appointments", menu: "list" } },
        target: ".loadingAppointments",
        actions: enqueueActions(({ enqueue }) => carry(enqueue, loadAppointmentsFor("list"))),
      },
      {
        guard: { type: "wants", params: { intent: "cancel", menu: "cancel" } },
        target: ".loadingAppointments",
        actions: enqueueActions(({ enqueue }) => carry(enqueue, loadAppointmentsFor("cancel"))),
      },
      {
        guard: { type: "wants", params: { intent: "reschedule", menu: "reschedule" } },
        target: ".loadingAppointments",
        actions: enqueueActions(({ enqueue }) => carry(enqueue, loadAppointmentsFor("reschedule"))),
      },
      {
        guard: "asksForWaitlist",
        target: ".loadingAppointments",
        actions: enqueueActions(({ enqueue }) => carry(enqueue, loadAppointmentsFor("waitlist"))),
      },
      {
        guard: { type: "wants", params: { intent: "help", menu: "help" } },
        actions: enqueueActions(({ context, enqueue }) =>
          carry(enqueue, sayThenRepeat(context, { lines: [line("help")] })),
        ),
      },
      // Naming a doctor or a way of being seen starts (or redirects) a booking; a move keeps its own.
      {
        guard: and(["namesDoctorOrMode", "isBooking", not(stateIn("#dialogue.idle"))]),
        actions: enqueueActions(({ context, event, enqueue }) =>
          carry(enqueue, then({ effects: [RELEASE_HOLDS] }, bookWithDoctor(context, reading(event), true))),
        ),
      },
      {
        guard: "namesDoctorOrMode",
        actions: enqueueActions(({ context, event, enqueue }) =>
          carry(enqueue, then({ effects: [RELEASE_HOLDS] }, bookWithDoctor(context, reading(event), false))),
        ),
      },
      { actions: raise(({ event }) => ({ type: "REPLY" as const, reading: reading(event) })) },
    ],
    // Round 3, after the question's ordinary answers: a new booking, thanks, or not understood.
    REPLY: [
      {
        guard: "asksForAnotherBooking",
        actions: enqueueActions(({ context, event, enqueue }) =>
          carry(enqueue, then({ effects: [RELEASE_HOLDS] }, startBooking(context, reading(event)))),
        ),
      },
      {
        guard: { type: "says", params: { intents: ["thanks"] } },
        actions: { type: "say", params: { lines: [line("thanks")] } },
      },
      {
        actions: enqueueActions(({ context, enqueue }) =>
          carry(enqueue, sayThenRepeat(context, { lines: [line("notUnderstood")] })),
        ),
      },
    ],
    // Where a decision leads (the decision is made once, in the transition that raised GO).
    GO: [
      { guard: { type: "goesTo", params: { to: "askWhat" } }, target: ".askWhat" },
      { guard: { type: "goesTo", params: { to: "askWhen" } }, target: ".askWhen" },
      { guard: { type: "goesTo", params: { to: "ambiguous" } }, target: ".ambiguous" },
      { guard: { type: "goesTo", params: { to: "searching" } }, target: ".searching" },
      { guard: { type: "goesTo", params: { to: "pickDoctor" } }, target: ".pickDoctor" },
    ],
    // A reminder opens its own question whatever the conversation was doing.
    REMINDER: {
      target: ".reminder",
      actions: enqueueActions(({ context, event, enqueue }) =>
        carry(enqueue, reminderQuestion(context, event.appointment)),
      ),
    },
    // Like a reminder, a freed slot from the waiting list opens its own question.
    WAITLIST_OFFER: {
      target: ".waitlistOffer",
      actions: enqueueActions(({ event, enqueue }) =>
        carry(
          enqueue,
          then(
            { update: { waitlistOffer: event.offer, offered: [], chosen: null }, effects: [RELEASE_HOLDS] },
            ask(waitlistOfferReply(event.offer)),
          ),
        ),
      ),
    },
    // An offer's button tapped while the conversation was elsewhere: the answer, and the conversation goes on.
    WAITLIST_ANSWERED: { actions: { type: "say", params: ({ event }) => waitlistAnswerReply(event) } },
  },
  states: {
    idle: {
      on: {
        REPLY: [
          {
            guard: { type: "wants", params: { intent: "book", menu: "book" } },
            actions: enqueueActions(({ context, event, enqueue }) =>
              carry(enqueue, then({ effects: [RELEASE_HOLDS] }, startBooking(context, reading(event)))),
            ),
          },
          {
            guard: { type: "says", params: { intents: ["thanks"] } },
            actions: enqueueActions(({ enqueue }) => {
              enqueue(say({ lines: [line("thanks")] }));
              enqueue(say(menuReply()));
            }),
          },
          // A greeting, or anything else: the welcome and the menu.
          {
            actions: enqueueActions(({ enqueue }) =>
              carry(enqueue, then({ effects: [say({ lines: [line("welcome")] })] }, ask(menuReply()))),
            ),
          },
        ],
      },
    },
    askWhat: {
      on: {
        REPLY: [
          {
            guard: "namesSpecialty",
            actions: enqueueActions(({ context, event, enqueue }) => {
              const r = reading(event);
              carry(enqueue, withSpecialty(context, r, { id: r.specialtyId!, name: r.specialtyName ?? null }));
            }),
          },
          {
            guard: "leavesChoiceToClinic",
            actions: enqueueActions(({ context, event, enqueue }) => {
              const r = reading(event);
              // "Peu importe" also reads as "any time"; a time the patient already gave wins.
              const said = context.when && r.when?.kind === "asap" ? { ...r, when: undefined } : r;
              carry(enqueue, withSpecialty(context, said, r.fallbackSpecialty!));
            }),
          },
          {
            guard: { type: "says", params: { intents: ["unknown", "book", "deny"] } },
            actions: { type: "say", params: { lines: [line("unknownSpecialty")] } },
          },
        ],
      },
    },
    pickDoctor: {
      on: {
        ANSWER: [
          {
            guard: "picksDoctor",
            actions: enqueueActions(({ context, event, enqueue }) =>
              carry(enqueue, withPickedDoctor(context, reading(event))),
            ),
          },
        ],
      },
    },
    askWhen: {
      on: {
        REPLY: [
          {
            guard: "givesAmbiguousDay",
            actions: enqueueActions(({ context, event, enqueue }) =>
              carry(enqueue, askAmbiguous(context, reading(event).ambiguousWhen!)),
            ),
          },
          {
            guard: "givesWhen",
            target: "searching",
            actions: enqueueActions(({ context, event, enqueue }) =>
              carry(enqueue, searchAt(context, reading(event).when!)),
            ),
          },
          {
            guard: { type: "says", params: { intents: ["unknown", "book", "choice"] } },
            actions: { type: "say", params: { lines: [line("whenNotUnderstood")] } },
          },
        ],
      },
    },
    ambiguous: {
      on: {
        REPLY: [
          {
            guard: { type: "picks", params: { list: "ambiguous", action: "day" } },
            target: "searching",
            actions: enqueueActions(({ context, event, enqueue }) => {
              const when = context.ambiguous[picked(context, reading(event), "day", context.ambiguous.length)!]!;
              carry(enqueue, then({ update: { step: context.step + 1 } }, searchAt(context, when)));
            }),
          },
          {
            guard: "givesWhen",
            target: "searching",
            actions: enqueueActions(({ context, event, enqueue }) =>
              carry(enqueue, searchAt(context, reading(event).when!)),
            ),
          },
        ],
      },
    },
    searching: {
      on: {
        SLOTS: [
          {
            guard: "foundNoSlots",
            target: "askWhen",
            actions: enqueueActions(({ enqueue }) => carry(enqueue, ask({ lines: [line("noSlots")] }))),
          },
          {
            target: "offering",
            actions: enqueueActions(({ context, event, enqueue }) => {
              const step = context.step + 1;
              carry(
                enqueue,
                then({ update: { step, offered: event.slots } }, ask(offerReply(context, event.slots, step, event))),
              );
            }),
          },
        ],
      },
    },
    offering: {
      on: {
        ANSWER: [
          {
            guard: "wantsWaitlistHere",
            target: "joiningWaitlist",
            actions: enqueueActions(({ context, enqueue }) => {
              enqueue.assign({ question: null });
              enqueue(RELEASE_HOLDS);
              enqueue(joinFromOffer(context));
            }),
          },
        ],
        REPLY: [
          {
            guard: { type: "picks", params: { list: "offered", action: "slot" } },
            target: "chosen",
            actions: assign(({ context, event }) => ({
              step: context.step + 1,
              chosen: context.offered[picked(context, reading(event), "slot", context.offered.length)!]!,
            })),
          },
          {
            guard: "wantsOtherTimes",
            target: "searching",
            actions: {
              type: "offer",
              params: ({ context }) => {
                const last = context.offered.reduce((a, b) => (a.startsAt > b.startsAt ? a : b));
                return { ...offerFor(context, context.when ?? { kind: "asap" }), after: last.startsAt };
              },
            },
          },
          {
            guard: "declinesTimes",
            target: "askWhen",
            actions: enqueueActions(({ context, enqueue }) => {
              enqueue(RELEASE_HOLDS);
              const specialty = context.specialtyName?.[context.locale];
              carry(enqueue, ask({ lines: [line("askWhen", { specialty })] }));
            }),
          },
          {
            guard: "givesWhen",
            target: "searching",
            actions: enqueueActions(({ context, event, enqueue }) =>
              carry(enqueue, searchAt(context, reading(event).when!)),
            ),
          },
        ],
      },
    },
    chosen: {
      always: [
        {
          guard: { type: "isFor", params: { purpose: "reschedule" } },
          target: "askConfirm",
          actions: enqueueActions(({ context, enqueue }) =>
            carry(enqueue, askYesNo(context, line("confirmReschedule", at(context.chosen!)))),
          ),
        },
        {
          guard: "knowsPatient",
          target: "askConfirm",
          actions: enqueueActions(({ context, enqueue }) =>
            carry(enqueue, askYesNo(context, line("askConfirm", at(context.chosen!)))),
          ),
        },
        {
          target: "askName",
          actions: enqueueActions(({ enqueue }) => carry(enqueue, ask({ lines: [line("askName")] }))),
        },
      ],
    },
    askName: {
      on: {
        REPLY: [
          {
            guard: "givesName",
            target: "askBirthDate",
            actions: enqueueActions(({ event, enqueue }) =>
              carry(enqueue, then({ update: { name: reading(event).name! } }, ask({ lines: [line("askBirthDate")] }))),
            ),
          },
          {
            guard: { type: "says", params: { intents: ["unknown", "choice", "greeting"] } },
            actions: { type: "say", params: { lines: [line("nameNotUnderstood")] } },
          },
        ],
      },
    },
    askBirthDate: {
      on: {
        REPLY: [
          {
            guard: "givesBirthDate",
            target: "askConsent",
            actions: enqueueActions(({ context, event, enqueue }) =>
              carry(
                enqueue,
                then({ update: { birthDate: reading(event).birthDate! } }, askYesNo(context, line("askConsent"))),
              ),
            ),
          },
          {
            guard: { type: "says", params: { intents: ["unknown", "choice"] } },
            actions: { type: "say", params: { lines: [line("birthDateNotUnderstood")] } },
          },
        ],
      },
    },
    askConsent: {
      on: {
        REPLY: [
          {
            guard: "saysYes",
            target: "booking",
            actions: enqueueActions(({ context, enqueue }) => {
              enqueue.assign({ question: null });
              enqueue({
                type: "book",
                params: {
                  slot: context.chosen!,
                  newPatient: { ...context.name!, birthDate: context.birthDate!, consentLocale: context.locale },
                },
              });
            }),
          },
          {
            guard: "saysNo",
            target: "idle",
            actions: enqueueActions(({ enqueue }) => {
              enqueue.assign({ question: null, name: null, birthDate: null });
              enqueue(RELEASE_HOLDS);
              enqueue(say({ lines: [line("consentRefused")] }));
            }),
          },
        ],
      },
    },
    askConfirm: {
      on: {
        REPLY: [
          {
            guard: "saysYes",
            target: "booking",
            actions: enqueueActions(({ context, enqueue }) => {
              enqueue.assign({ question: null });
              if (context.purpose === "reschedule")
                enqueue({ type: "reschedule", params: { appointmentId: context.target!.id, slot: context.chosen! } });
              else enqueue({ type: "book", params: { slot: context.chosen! } });
            }),
          },
          {
            guard: "saysNo",
            target: "idle",
            actions: enqueueActions(({ context, enqueue }) => {
              enqueue.assign({ question: null });
              enqueue(RELEASE_HOLDS);
              enqueue(say({ lines: [line(context.purpose === "reschedule" ? "cancelKept" : "bookingAbandoned")] }));
            }),
          },
        ],
      },
    },
    booking: {
      on: {
        BOOKED: {
          target: "idle",
          actions: enqueueActions(({ event, enqueue }) => {
            const p = { ...at(event.slot), address: event.address, link: event.teleconsultationUrl ?? undefined };
            const key =
              event.status === "requested" ? "requested" : event.teleconsultationUrl ? "bookedTele" : "booked";
            enqueue.assign({ question: null, offered: [], chosen: null, patientId: event.patientId });
            enqueue(say({ lines: [line(key, p)] }));
          }),
        },
        RESCHEDULED: {
          target: "idle",
          actions: enqueueActions(({ event, enqueue }) => {
            const link = event.teleconsultationUrl ?? undefined;
            enqueue.assign({ question: null, offered: [], chosen: null, target: null });
            enqueue(say({ lines: [line(link ? "rescheduledTele" : "rescheduled", { ...at(event.slot), link })] }));
          }),
        },
        BOOK_FAILED: [
          {
            guard: "hasAlternatives",
            // Re-entering "searching" waits for the SLOTS the engine sends with the alternatives.
            target: "searching",
            actions: { type: "say", params: { lines: [line("slotGone")] } },
          },
          {
            target: "idle",
            actions: enqueueActions(({ enqueue }) => {
              enqueue.assign({ question: null });
              enqueue(say({ lines: [line("bookingFailed")] }));
            }),
          },
        ],
        REFUSED: {
          target: "idle",
          actions: enqueueActions(({ event, enqueue }) => {
            enqueue.assign({ question: null });
            enqueue(say({ lines: [line("insideCutoff", { hours: event.hours, phone: event.phone })] }));
          }),
        },
      },
    },
    loadingAppointments: {
      on: {
        APPOINTMENTS: [
          {
            guard: { type: "found", params: { count: 0, purpose: "waitlist" } },
            target: "idle",
            actions: enqueueActions(({ enqueue }) => {
              enqueue.assign({ question: null, appointments: [] });
              enqueue(say({ lines: [line("waitlistNoAppointment")] }));
            }),
          },
          {
            guard: { type: "found", params: { count: 1, purpose: "waitlist" } },
            target: "joiningWaitlist",
            actions: enqueueActions(({ event, enqueue }) => {
              enqueue.assign({ appointments: event.list, target: event.list[0]! });
              enqueue({ type: "joinWaitlist", params: { appointmentId: event.list[0]!.id } });
            }),
          },
          {
            guard: { type: "found", params: { count: 0 } },
            target: "idle",
            actions: enqueueActions(({ enqueue }) => {
              enqueue.assign({ question: null, appointments: [] });
              enqueue(say({ lines: [line("noAppointments")] }));
            }),
          },
          {
            guard: { type: "isFor", params: { purpose: "list" } },
            target: "idle",
            actions: enqueueActions(({ event, enqueue }) => {
              enqueue.assign({ question: null });
              enqueue(
                say({ lines: [line("appointmentsList"), ...event.list.map((a) => line("appointmentLine", at(a)))] }),
              );
            }),
          },
          {
            guard: { type: "found", params: { count: 1 } },
            target: "appointmentPicked",
            actions: assign(({ event }) => ({ appointments: event.list, target: event.list[0]! })),
          },
          {
            target: "pickAppointment",
            actions: enqueueActions(({ context, event, enqueue }) => {
              const step = context.step + 1;
              const r: Reply = {
                lines: [line("whichAppointment")],
                choices: event.list.map((a, i) => ({
                  id: payloadId(step, "appt", i),
                  key: "appointmentLine" as const,
                  params: at(a),
                })),
              };
              carry(enqueue, then({ update: { step, appointments: event.list } }, ask(r)));
            }),
          },
        ],
      },
    },
    pickAppointment: {
      on: {
        REPLY: [
          {
            guard: { type: "picks", params: { list: "appointments", action: "appt" } },
            target: "appointmentPicked",
            actions: assign(({ context, event }) => ({
              step: context.step + 1,
              target: context.appointments[picked(context, reading(event), "appt", context.appointments.length)!]!,
            })),
          },
        ],
      },
    },
    appointmentPicked: {
      always: [
        {
          guard: { type: "isFor", params: { purpose: "waitlist" } },
          target: "joiningWaitlist",
          actions: { type: "joinWaitlist", params: ({ context }) => ({ appointmentId: context.target!.id }) },
        },
        {
          guard: { type: "isFor", params: { purpose: "cancel" } },
          target: "confirmCancel",
          actions: enqueueActions(({ context, enqueue }) =>
            carry(enqueue, askYesNo(context, line("confirmCancel", at(context.target!)))),
          ),
        },
        {
          target: "askWhen",
          actions: enqueueActions(({ context, enqueue }) =>
            carry(
              enqueue,
              then(
                { update: { specialtyName: null } },
                ask({ lines: [line("askRescheduleWhen", at(context.target!))] }),
              ),
            ),
          ),
        },
      ],
    },
    confirmCancel: {
      on: {
        REPLY: [
          {
            guard: "saysYes",
            target: "cancelling",
            actions: enqueueActions(({ context, enqueue }) => {
              enqueue.assign({ question: null });
              enqueue({ type: "cancel", params: { appointmentId: context.target!.id } });
            }),
          },
          {
            guard: "saysNo",
            target: "idle",
            actions: enqueueActions(({ enqueue }) => {
              enqueue.assign({ question: null });
              enqueue(say({ lines: [line("cancelKept")] }));
            }),
          },
        ],
      },
    },
    reminder: {
      on: {
        ANSWER: [
          {
            guard: { type: "answersReminder", params: { answer: "confirm" } },
            target: "confirmingAttendance",
            actions: enqueueActions(({ context, enqueue }) => {
              enqueue.assign({ question: null });
              enqueue({ type: "confirmAttendance", params: { appointmentId: context.target!.id } });
            }),
          },
          {
            guard: { type: "answersReminder", params: { answer: "cancel" } },
            target: "appointmentPicked",
            actions: assign(({ context }) => ({ purpose: "cancel" as const, step: context.step + 1 })),
          },
          {
            guard: { type: "answersReminder", params: { answer: "reschedule" } },
            target: "appointmentPicked",
            actions: assign(({ context }) => ({
              purpose: "reschedule" as const,
              step: context.step + 1,
              specialtyId: null,
              when: null,
              ambiguous: [],
            })),
          },
        ],
        REPLY: {
          actions: enqueueActions(({ context, enqueue }) => {
            enqueue(say({ lines: [line("reminderNotUnderstood")] }));
            enqueue(say(context.question!));
          }),
        },
      },
    },
    joiningWaitlist: {
      on: {
        WAITLIST_JOINED: {
          target: "idle",
          actions: enqueueActions(({ event, enqueue }) => {
            const key = event.ok
              ? "waitlistJoined"
              : event.reason === "unknown_patient"
                ? "waitlistNeedsRecord"
                : "waitlistJoinFailed";
            enqueue.assign({ question: null, offered: [], target: null });
            enqueue(say({ lines: [line(key, { before: event.before })] }));
          }),
        },
      },
    },
    waitlistOffer: {
      on: {
        ANSWER: [
          {
            guard: and(["hasWaitlistOffer", "typesYesOrNo", "saysYes"]),
            actions: {
              type: "answerWaitlistOffer",
              params: ({ context }) => ({ offerId: context.waitlistOffer!.id, accept: true }),
            },
          },
          {
            guard: and(["hasWaitlistOffer", "typesYesOrNo", "saysNo"]),
            actions: {
              type: "answerWaitlistOffer",
              params: ({ context }) => ({ offerId: context.waitlistOffer!.id, accept: false }),
            },
          },
        ],
        REPLY: {
          actions: enqueueActions(({ context, enqueue }) =>
            carry(enqueue, sayThenRepeat(context, { lines: [line("waitlistOfferNotUnderstood")] })),
          ),
        },
        WAITLIST_ANSWERED: {
          target: "idle",
          actions: enqueueActions(({ event, enqueue }) => {
            enqueue.assign({ question: null, waitlistOffer: null });
            enqueue(say(waitlistAnswerReply(event)));
          }),
        },
      },
    },
    confirmingAttendance: {
      on: {
        ATTENDANCE: {
          target: "idle",
          actions: enqueueActions(({ context, event, enqueue }) => {
            enqueue.assign({ question: null, target: null });
            enqueue(
              say({ lines: [event.ok ? line("attendanceConfirmed", at(context.target!)) : line("attendanceFailed")] }),
            );
          }),
        },
      },
    },
    cancelling: {
      on: {
        CANCELLED: {
          target: "idle",
          actions: enqueueActions(({ enqueue }) => {
            enqueue.assign({ target: null });
            enqueue(say({ lines: [line("cancelled")] }));
          }),
        },
        REFUSED: {
          target: "idle",
          actions: {
            type: "say",
            params: ({ event }) => ({ lines: [line("insideCutoff", { hours: event.hours, phone: event.phone })] }),
          },
        },
      },
    },
  },
});
