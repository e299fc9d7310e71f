import { assign, setup } from "xstate";
import type { EmergencyCategory } from "../domain/emergencies.js";
import type { ChatLocale, Params, Reply } from "./locales/index.js";
import { payloadId, type DoctorPick, type Reading, type When } from "./reading.js";

/*
 * The dialogue as a pure state machine: no promises, no database. Transitions queue replies
 * (sentence keys, never wording) and commands in `outbox`; the engine carries the commands
 * out and sends their results back as events before saving the snapshot. Restoring a
 * snapshot therefore re-runs nothing.
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

export type Command =
  /** `after`: "other times", the free slots following that instant rather than around `when`. */
  /** `mode`: a teleconsultation was asked for (the specialty's remote type, when it has one). */
  | {
      type: "offer";
      specialtyId?: string;
      typeId?: string;
      doctorId?: string;
      mode?: "teleconsultation";
      when: When;
      after?: string;
    }
  /** `consentLocale`: the language the consent question was asked in, so the stored version names that wording. */
  | {
      type: "book";
      slot: OfferedSlot;
      newPatient?: { firstName: string; lastName: string; birthDate: string; consentLocale?: ChatLocale };
    }
  | { type: "loadAppointments" }
  | { type: "cancel"; appointmentId: string }
  | { type: "reschedule"; appointmentId: string; slot: OfferedSlot }
  | { type: "emergency"; category: EmergencyCategory }
  | { type: "handToHuman" }
  | { type: "setLocale"; locale: ChatLocale }
  | { type: "releaseHolds" }
  | { type: "confirmAttendance"; appointmentId: string }
  /** The waiting list: for the draft (specialty, type, doctor) or to move an appointment earlier; only slots before `wantedBefore`. */
  | {
      type: "joinWaitlist";
      specialtyId?: string;
      doctorId?: string;
      typeId?: string;
      appointmentId?: string;
      wantedBefore?: string;
    }
  | { type: "answerWaitlistOffer"; offerId: string; accept: boolean };

/** A freed slot offered to the patient from the waiting list. */
export interface WaitlistOfferSummary {
  id: string;
  startsAt: string;
  doctorName: string;
  /** How long the slot is kept for them. */
  minutes: number;
}

export type Outbox = ({ reply: Reply } | { command: Command })[];

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
  outbox: Outbox;
}

export type DialogueEvent =
  | { type: "MESSAGE"; reading: Reading }
  | { type: "FLUSH" }
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
type Ev = DialogueEvent;
type Msg = Extract<Ev, { type: "MESSAGE" }>;

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

const reading = (e: Ev): Reading => (e as Msg).reading;
/** The payload, if it was offered at this step (or is a menu button). */
const tapped = (c: Ctx, e: Ev, action: string): string | undefined => {
  const p = reading(e).payload;
  return p && p.action === action && (p.step === "m" || Number(p.step) === c.step) ? p.value : undefined;
};
const isStale = (c: Ctx, e: Ev): boolean => {
  const p = reading(e).payload;
  return !!p && p.step !== "m" && Number(p.step) !== c.step;
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
const picked = (c: Ctx, e: Ev, action: string, count: number): number | undefined => {
  const v = tapped(c, e, action);
  const i = v !== undefined ? Number(v) : reading(e).intent === "choice" ? reading(e).choiceIndex : undefined;
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

/** A tap on a waiting-list offer's button; valid in any state, since the id names the offer. */
const waitlistTap = (e: Ev): { offerId: string; accept: boolean } | undefined => {
  const p = reading(e).payload;
  const m = p?.step === "m" && p.action === "waitlist" ? /^([0-9a-f-]{36})\.(yes|no)$/.exec(p.value) : null;
  return m ? { offerId: m[1]!, accept: m[2] === "yes" } : undefined;
};
/** In an offer of times: the button, its number (after "other times"), or the words for the waiting list. */
const wantsWaitlistHere = (c: Ctx, e: Ev): boolean =>
  tapped(c, e, "waitlist") === "" ||
  reading(e).waitlist === true ||
  (reading(e).intent === "choice" && reading(e).choiceIndex === c.offered.length + 1);

// ---- outbox helpers

type Update = Partial<Ctx>;
/** An assign action typed against this machine (helpers live outside the machine config). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assign's inferred type needs the machine's generics.
const act = (fn: (args: { context: Ctx; event: Ev }) => Update): any => assign(fn as never);
const out = (c: Ctx, ...items: Outbox): Outbox => [...c.outbox, ...items];
const reply = (r: Reply) => ({ reply: r });
const command = (cmd: Command) => ({ command: cmd });
/** Asks a question and remembers it for repeating. */
const ask = (c: Ctx, r: Reply, ...before: Outbox): Update => ({ question: r, outbox: out(c, ...before, reply(r)) });

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
function joinFromOffer(c: Ctx): Command {
  const earliest = c.offered.map((s) => s.startsAt).sort()[0];
  if (c.purpose === "reschedule" && c.target)
    return { type: "joinWaitlist", appointmentId: c.target.id, wantedBefore: earliest };
  return {
    type: "joinWaitlist",
    specialtyId: c.specialtyId ?? undefined,
    doctorId: c.doctor?.id,
    wantedBefore: earliest,
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
function offerFor(c: Ctx, when: When): Extract<Command, { type: "offer" }> {
  if (c.purpose === "reschedule" && c.target)
    return { type: "offer", typeId: c.target.typeId, doctorId: c.target.doctorId, when };
  const remote = c.mode === "teleconsultation" ? { mode: "teleconsultation" as const } : {};
  return { type: "offer", specialtyId: c.specialtyId ?? undefined, doctorId: c.doctor?.id, ...remote, when };
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
const startBooking = (c: Ctx, r: Reading, keep = false): { target: string; update: Update } => {
  const doctor = r.doctor ?? (keep && !r.doctorOptions?.length && !r.unknownDoctor ? (c.doctor ?? null) : null);
  const kept = keep && c.specialtyId ? { id: c.specialtyId, name: c.specialtyName ?? { fr: "", en: "" } } : null;
  const spec = doctor?.specialty ?? specialtyOf(r) ?? kept;
  // The time said in the first message is kept while the specialty is asked for.
  const base: Update = {
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
  if (r.doctorOptions?.length) return askWhichDoctor(next, r.doctorOptions, base);
  if (!spec) return { target: "askWhat", update: { ...base, ...ask(next, { lines: [line("askWhat")] }) } };
  return afterSpecialty(next, r, base);
};

/** "Dr Martin" when the clinic has two: the patient picks one (a button, a number or the first name). */
function askWhichDoctor(c: Ctx, options: DoctorPick[], base: Update): { target: string; update: Update } {
  const step = c.step + 1;
  const r: Reply = {
    lines: [line("askWhichDoctor")],
    choices: options.map((d, i) => ({
      id: payloadId(step, "doctor", i),
      key: "doctorLabel",
      params: { doctor: d.name },
    })),
  };
  return { target: "pickDoctor", update: { ...base, step, doctorOptions: options, ...ask({ ...c, step }, r) } };
}

/** The doctor picked among `doctorOptions`, by button, by number or by name. */
function pickedDoctor(c: Ctx, r: Reading): DoctorPick | undefined {
  const options = c.doctorOptions ?? [];
  const i = picked(c, { type: "MESSAGE", reading: r }, "doctor", options.length);
  if (i !== undefined) return options[i];
  return r.doctor && options.find((d) => d.id === r.doctor!.id);
}

/** Whether a message names a doctor (one of the clinic's, several sharing the name, or one it does not have). */
const namesDoctor = (r: Reading): boolean => !!r.doctor || !!r.doctorOptions?.length || !!r.unknownDoctor;

/** A booking with the doctor named; a doctor the clinic does not have is said so first, with those it has. */
function bookWithDoctor(c: Ctx, r: Reading, keep: boolean): { target: string; update: Update } {
  if (!r.unknownDoctor || r.doctor) return startBooking(c, r, keep);
  const { said, known } = r.unknownDoctor;
  const told = reply({ lines: [line("unknownDoctor", { said, known: known.join(", ") })] });
  return startBooking({ ...c, outbox: out(c, told) }, r, keep);
}

function afterSpecialty(c: Ctx, r: Reading, base: Update = {}): { target: string; update: Update } {
  const ambiguous = r.ambiguousWhen?.length ? r.ambiguousWhen : r.when ? [] : c.ambiguous;
  if (ambiguous.length) return askAmbiguous(c, ambiguous, base);
  const when = r.when ?? c.when;
  if (when) return { target: "searching", update: { ...base, when, outbox: out(c, command(offerFor(c, when))) } };
  const spec = c.specialtyName ? c.specialtyName[c.locale] : undefined;
  const doctor = c.purpose === "book" ? (c.doctor?.name ?? undefined) : undefined;
  const remote = c.purpose === "book" && c.mode === "teleconsultation" ? 1 : undefined;
  return {
    target: "askWhen",
    update: { ...base, ...ask(c, { lines: [line("askWhen", { specialty: spec, doctor, remote })] }) },
  };
}

function askAmbiguous(c: Ctx, options: When[], base: Update = {}): { target: string; update: Update } {
  const step = c.step + 1;
  const r: Reply = {
    lines: [line("askAmbiguousDay")],
    choices: [
      { id: payloadId(step, "day", 0), key: "ambiguousToday" },
      { id: payloadId(step, "day", 1), key: "ambiguousNextWeek" },
    ],
  };
  return { target: "ambiguous", update: { ...base, step, ambiguous: options, ...ask({ ...c, step }, r) } };
}

// Transitions every waiting state shares: emergencies and requests that change the subject come first.
function handlers(own: Transition[], opts: { idle?: boolean; early?: Transition[] } = {}): Transition[] {
  const guards: Transition[] = [
    {
      guard: ({ event }) => reading(event).intent === "emergency",
      actions: act(({ context: c, event }) => ({
        outbox: out(
          c,
          command({ type: "emergency", category: reading(event).redFlag ?? "other" }),
          reply({ lines: [line("emergency"), line("emergencyFollowUp")] }),
        ),
      })),
    },
    {
      guard: ({ event }) => waitlistTap(event) !== undefined,
      actions: act(({ context: c, event }) => ({
        outbox: out(c, command({ type: "answerWaitlistOffer", ...waitlistTap(event)! })),
      })),
    },
    {
      guard: ({ context, event }) => isStale(context, event),
      actions: act(({ context: c }) => ({
        outbox: out(c, reply({ lines: [line("stale")] }), reply(c.question ?? menuReply())),
      })),
    },
    {
      guard: ({ event }) => reading(event).garbled !== undefined,
      actions: act(({ context: c, event }) => ({
        outbox: out(
          c,
          reply({ lines: [line(reading(event).garbled === "too_long" ? "tooLong" : "notUnderstood")] }),
          reply(c.question ?? menuReply()),
        ),
      })),
    },
    {
      guard: ({ event }) => reading(event).intent === "change_language" && !!reading(event).language,
      actions: act(({ context: c, event }) => {
        const locale = reading(event).language!;
        return {
          locale,
          outbox: out(
            c,
            command({ type: "setLocale", locale }),
            reply({ lines: [line("languageChanged")] }),
            reply(c.question ?? menuReply()),
          ),
        };
      }),
    },
  ];
  const routes: Transition[] = [
    {
      guard: ({ event }) => wants(event, "human", "human"),
      target: "#dialogue.idle",
      actions: act(({ context: c }) => ({
        question: null,
        outbox: out(
          c,
          command({ type: "releaseHolds" }),
          command({ type: "handToHuman" }),
          reply({ lines: [line("human")] }),
        ),
      })),
    },
    ...(["list", "cancel", "reschedule"] as const).map((purpose): Transition => ({
      guard: ({ event }) => wants(event, purpose === "list" ? "list_appointments" : purpose, purpose),
      target: "#dialogue.loadingAppointments",
      actions: act(({ context: c }) => ({
        purpose,
        target: null,
        outbox: out(c, command({ type: "releaseHolds" }), command({ type: "loadAppointments" })),
      })),
    })),
    {
      guard: ({ event }) => reading(event).waitlist === true,
      target: "#dialogue.loadingAppointments",
      actions: act(({ context: c }) => ({
        purpose: "waitlist",
        target: null,
        outbox: out(c, command({ type: "releaseHolds" }), command({ type: "loadAppointments" })),
      })),
    },
    {
      guard: ({ event }) => wants(event, "help", "help"),
      actions: act(({ context: c }) => ({
        outbox: out(c, reply({ lines: [line("help")] }), reply(c.question ?? menuReply())),
      })),
    },
  ];
  // Naming a doctor or a way of being seen starts (or redirects) a booking; a move keeps its own.
  const withDoctor = routeTo(
    (e, c) => (namesDoctor(reading(e)) || !!reading(e).mode) && !(c.purpose === "reschedule" && c.target),
    (c, r) => bookWithDoctor(c, r, opts.idle !== true && c.purpose === "book"),
    [command({ type: "releaseHolds" })],
  );
  const bookFresh = routeTo(
    (e) => wants(e, "book", "book") && (opts.idle === true || !!reading(e).specialtyId || menuPick(e) === "book"),
    (c, r) => startBooking(c, r),
    [command({ type: "releaseHolds" })],
  );
  const last: Transition[] = [
    {
      guard: ({ event }) => reading(event).intent === "greeting" && opts.idle === true,
      actions: act(({ context: c }) => ask(c, menuReply(), reply({ lines: [line("welcome")] }))),
    },
    {
      guard: ({ event }) => reading(event).intent === "thanks",
      actions: act(({ context: c }) => ({
        outbox: out(c, reply({ lines: [line("thanks")] }), ...(opts.idle ? [reply(menuReply())] : [])),
      })),
    },
    {
      actions: act(({ context: c }) =>
        opts.idle
          ? ask(c, menuReply(), reply({ lines: [line("welcome")] }))
          : { outbox: out(c, reply({ lines: [line("notUnderstood")] }), reply(c.question ?? menuReply())) },
      ),
    },
  ];
  return [...guards, ...(opts.early ?? []), ...routes, ...withDoctor, ...own, ...bookFresh, ...last];
}

/** One transition per possible destination of `decide`, so XState sees real targets. */
function routeTo(
  when: (e: Ev, c: Ctx) => boolean,
  decide: (c: Ctx, r: Reading) => { target: string; update: Update },
  before: Outbox = [],
): Transition[] {
  return ["askWhat", "askWhen", "ambiguous", "searching", "pickDoctor"].map((target) => ({
    guard: ({ context, event }) => when(event, context) && decide(context, reading(event)).target === target,
    target: `#dialogue.${target}`,
    actions: act(({ context, event }) => {
      const { update } = decide({ ...context, outbox: out(context, ...before) }, reading(event));
      return { outbox: out(context, ...before), ...update };
    }),
  }));
}

type Transition = {
  guard?: (a: { context: Ctx; event: Ev }) => boolean;
  target?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- XState's transition config type is not exported in a usable form.
  actions?: any;
  reenter?: boolean;
};

export const dialogueMachine = setup({
  types: {
    context: {} as DialogueContext,
    events: {} as DialogueEvent,
    input: {} as DialogueInput,
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
    outbox: [],
  }),
  initial: "idle",
  on: {
    FLUSH: { actions: assign({ outbox: [] }) },
    RECEIVED: { actions: assign({ lastReceivedAt: ({ event }) => event.at }) },
    // A reminder opens its own question whatever the conversation was doing.
    REMINDER: {
      target: ".reminder",
      actions: assign(({ context: c, event }) => {
        const step = c.step + 1;
        const r: Reply = {
          lines: [line("reminder", at(event.appointment))],
          choices: [
            { id: payloadId(step, "reminder", "confirm"), key: "reminderConfirm" },
            { id: payloadId(step, "reminder", "cancel"), key: "reminderCancel" },
            { id: payloadId(step, "reminder", "reschedule"), key: "reminderReschedule" },
          ],
        };
        return {
          step,
          target: event.appointment,
          appointments: [event.appointment],
          offered: [],
          chosen: null,
          ...ask({ ...c, step }, r, command({ type: "releaseHolds" })),
        };
      }),
    },
    // Like a reminder, a freed slot from the waiting list opens its own question.
    WAITLIST_OFFER: {
      target: ".waitlistOffer",
      actions: assign(({ context: c, event }) => ({
        waitlistOffer: event.offer,
        offered: [],
        chosen: null,
        ...ask(c, waitlistOfferReply(event.offer), command({ type: "releaseHolds" })),
      })),
    },
    // An offer's button tapped while the conversation was elsewhere: the answer, and the conversation goes on.
    WAITLIST_ANSWERED: {
      actions: assign(({ context: c, event }) => ({ outbox: out(c, reply(waitlistAnswerReply(event))) })),
    },
  },
  states: {
    idle: {
      on: { MESSAGE: handlers([], { idle: true }) },
    },
    askWhat: {
      on: {
        MESSAGE: handlers([
          ...routeTo(
            (e) => !!reading(e).specialtyId,
            (c, r) =>
              afterSpecialty({ ...c, specialtyId: r.specialtyId!, specialtyName: r.specialtyName ?? null }, r, {
                specialtyId: r.specialtyId!,
                specialtyName: r.specialtyName ?? null,
              }),
          ),
          ...routeTo(
            (e) => !!reading(e).anyDoctor && !!reading(e).fallbackSpecialty,
            (c, r) => {
              const spec = r.fallbackSpecialty!;
              // "Peu importe" also reads as "any time"; a time the patient already gave wins.
              const said = c.when && r.when?.kind === "asap" ? { ...r, when: undefined } : r;
              return afterSpecialty({ ...c, specialtyId: spec.id, specialtyName: spec.name }, said, {
                specialtyId: spec.id,
                specialtyName: spec.name,
              });
            },
          ),
          {
            guard: ({ event }) =>
              reading(event).intent === "unknown" ||
              reading(event).intent === "book" ||
              reading(event).intent === "deny",
            actions: act(({ context: c }) => ({ outbox: out(c, reply({ lines: [line("unknownSpecialty")] })) })),
          },
        ]),
      },
    },
    pickDoctor: {
      on: {
        MESSAGE: handlers([], {
          early: routeTo(
            (e, c) => pickedDoctor(c, reading(e)) !== undefined,
            (c, r) => {
              const doctor = pickedDoctor(c, r)!;
              const chosen: Update = {
                doctor,
                doctorOptions: [],
                specialtyId: doctor.specialty?.id ?? c.specialtyId,
                specialtyName: doctor.specialty?.name ?? c.specialtyName,
              };
              const next = { ...c, ...chosen, step: c.step + 1 };
              const base = { ...chosen, step: next.step };
              if (next.specialtyId) return afterSpecialty(next, r, base);
              return { target: "askWhat", update: { ...base, ...ask(next, { lines: [line("askWhat")] }) } };
            },
          ),
        }),
      },
    },
    askWhen: {
      on: {
        MESSAGE: handlers([
          {
            guard: ({ event }) => !!reading(event).ambiguousWhen?.length,
            target: "ambiguous",
            actions: act(({ context: c, event }) => askAmbiguous(c, reading(event).ambiguousWhen!).update),
          },
          {
            guard: ({ event }) => !!reading(event).when,
            target: "searching",
            actions: act(({ context: c, event }) => ({
              when: reading(event).when!,
              outbox: out(c, command(offerFor(c, reading(event).when!))),
            })),
          },
          {
            guard: ({ event }) =>
              reading(event).intent === "unknown" ||
              reading(event).intent === "book" ||
              reading(event).intent === "choice",
            actions: act(({ context: c }) => ({ outbox: out(c, reply({ lines: [line("whenNotUnderstood")] })) })),
          },
        ]),
      },
    },
    ambiguous: {
      on: {
        MESSAGE: handlers([
          {
            guard: ({ context, event }) => picked(context, event, "day", context.ambiguous.length) !== undefined,
            target: "searching",
            actions: act(({ context: c, event }) => {
              const when = c.ambiguous[picked(c, event, "day", c.ambiguous.length)!]!;
              return { step: c.step + 1, when, outbox: out(c, command(offerFor(c, when))) };
            }),
          },
          {
            guard: ({ event }) => !!reading(event).when,
            target: "searching",
            actions: act(({ context: c, event }) => ({
              when: reading(event).when!,
              outbox: out(c, command(offerFor(c, reading(event).when!))),
            })),
          },
        ]),
      },
    },
    searching: {
      on: {
        SLOTS: [
          {
            guard: ({ event }) => event.slots.length === 0,
            target: "askWhen",
            actions: assign(({ context: c }) => ask(c, { lines: [line("noSlots")] })),
          },
          {
            target: "offering",
            actions: assign(({ context: c, event }) => {
              const step = c.step + 1;
              return { step, offered: event.slots, ...ask({ ...c, step }, offerReply(c, event.slots, step, event)) };
            }),
          },
        ],
      },
    },
    offering: {
      on: {
        MESSAGE: handlers(
          [
            {
              guard: ({ context, event }) => picked(context, event, "slot", context.offered.length) !== undefined,
              target: "chosen",
              actions: act(({ context: c, event }) => ({
                step: c.step + 1,
                chosen: c.offered[picked(c, event, "slot", c.offered.length)!]!,
              })),
            },
            {
              guard: ({ context, event }) =>
                tapped(context, event, "other") !== undefined && context.offered.length > 0,
              target: "searching",
              actions: act(({ context: c }) => {
                const last = c.offered.reduce((a, b) => (a.startsAt > b.startsAt ? a : b));
                return {
                  outbox: out(c, command({ ...offerFor(c, c.when ?? { kind: "asap" }), after: last.startsAt })),
                };
              }),
            },
            {
              guard: ({ context, event }) =>
                tapped(context, event, "other") !== undefined || reading(event).intent === "deny",
              target: "askWhen",
              actions: act(({ context: c }) =>
                ask(
                  c,
                  { lines: [line("askWhen", { specialty: c.specialtyName?.[c.locale] })] },
                  command({ type: "releaseHolds" }),
                ),
              ),
            },
            {
              guard: ({ event }) => !!reading(event).when,
              target: "searching",
              actions: act(({ context: c, event }) => ({
                when: reading(event).when!,
                outbox: out(c, command(offerFor(c, reading(event).when!))),
              })),
            },
          ],
          {
            early: [
              {
                guard: ({ context, event }) => wantsWaitlistHere(context, event),
                target: "#dialogue.joiningWaitlist",
                actions: act(({ context: c }) => ({
                  question: null,
                  outbox: out(c, command({ type: "releaseHolds" }), command(joinFromOffer(c))),
                })),
              },
            ],
          },
        ),
      },
    },
    chosen: {
      always: [
        {
          guard: ({ context }) => context.purpose === "reschedule",
          target: "askConfirm",
          actions: act(({ context: c }) => {
            const step = c.step + 1;
            return { step, ...ask({ ...c, step }, yesNo(step, line("confirmReschedule", at(c.chosen!)))) };
          }),
        },
        {
          guard: ({ context }) => context.patientId !== null,
          target: "askConfirm",
          actions: act(({ context: c }) => {
            const step = c.step + 1;
            return { step, ...ask({ ...c, step }, yesNo(step, line("askConfirm", at(c.chosen!)))) };
          }),
        },
        { target: "askName", actions: act(({ context: c }) => ask(c, { lines: [line("askName")] })) },
      ],
    },
    askName: {
      on: {
        MESSAGE: handlers([
          {
            guard: ({ event }) => !!reading(event).name,
            target: "askBirthDate",
            actions: act(({ context: c, event }) => ({
              name: reading(event).name!,
              ...ask(c, { lines: [line("askBirthDate")] }),
            })),
          },
          {
            guard: ({ event }) => ["unknown", "choice", "greeting"].includes(reading(event).intent),
            actions: act(({ context: c }) => ({ outbox: out(c, reply({ lines: [line("nameNotUnderstood")] })) })),
          },
        ]),
      },
    },
    askBirthDate: {
      on: {
        MESSAGE: handlers([
          {
            guard: ({ event }) => !!reading(event).birthDate,
            target: "askConsent",
            actions: act(({ context: c, event }) => {
              const step = c.step + 1;
              return {
                step,
                birthDate: reading(event).birthDate!,
                ...ask({ ...c, step }, yesNo(step, line("askConsent"))),
              };
            }),
          },
          {
            guard: ({ event }) => ["unknown", "choice"].includes(reading(event).intent),
            actions: act(({ context: c }) => ({ outbox: out(c, reply({ lines: [line("birthDateNotUnderstood")] })) })),
          },
        ]),
      },
    },
    askConsent: {
      on: {
        MESSAGE: handlers([
          {
            guard: ({ context, event }) => saysYes(context, event),
            target: "booking",
            actions: act(({ context: c }) => ({
              question: null,
              outbox: out(
                c,
                command({
                  type: "book",
                  slot: c.chosen!,
                  newPatient: { ...c.name!, birthDate: c.birthDate!, consentLocale: c.locale },
                }),
              ),
            })),
          },
          {
            guard: ({ context, event }) => saysNo(context, event),
            target: "idle",
            actions: act(({ context: c }) => ({
              question: null,
              name: null,
              birthDate: null,
              outbox: out(c, command({ type: "releaseHolds" }), reply({ lines: [line("consentRefused")] })),
            })),
          },
        ]),
      },
    },
    askConfirm: {
      on: {
        MESSAGE: handlers([
          {
            guard: ({ context, event }) => saysYes(context, event),
            target: "booking",
            actions: act(({ context: c }) => ({
              question: null,
              outbox: out(
                c,
                command(
                  c.purpose === "reschedule"
                    ? { type: "reschedule", appointmentId: c.target!.id, slot: c.chosen! }
                    : { type: "book", slot: c.chosen! },
                ),
              ),
            })),
          },
          {
            guard: ({ context, event }) => saysNo(context, event),
            target: "idle",
            actions: act(({ context: c }) => ({
              question: null,
              outbox: out(
                c,
                command({ type: "releaseHolds" }),
                reply({ lines: [line(c.purpose === "reschedule" ? "cancelKept" : "bookingAbandoned")] }),
              ),
            })),
          },
        ]),
      },
    },
    booking: {
      on: {
        BOOKED: {
          target: "idle",
          actions: assign(({ context: c, event }) => {
            const p = { ...at(event.slot), address: event.address, link: event.teleconsultationUrl ?? undefined };
            const key =
              event.status === "requested" ? "requested" : event.teleconsultationUrl ? "bookedTele" : "booked";
            return {
              question: null,
              offered: [],
              chosen: null,
              patientId: event.patientId,
              outbox: out(c, reply({ lines: [line(key, p)] })),
            };
          }),
        },
        RESCHEDULED: {
          target: "idle",
          actions: assign(({ context: c, event }) => {
            const link = event.teleconsultationUrl ?? undefined;
            return {
              question: null,
              offered: [],
              chosen: null,
              target: null,
              outbox: out(
                c,
                reply({ lines: [line(link ? "rescheduledTele" : "rescheduled", { ...at(event.slot), link })] }),
              ),
            };
          }),
        },
        BOOK_FAILED: [
          {
            guard: ({ event }) => event.alternatives.length > 0,
            target: "searching",
            actions: assign(({ context: c }) => ({ outbox: out(c, reply({ lines: [line("slotGone")] })) })),
            // Re-entering "searching" waits for the SLOTS the engine sends with the alternatives.
          },
          {
            target: "idle",
            actions: assign(({ context: c }) => ({
              question: null,
              outbox: out(c, reply({ lines: [line("bookingFailed")] })),
            })),
          },
        ],
        REFUSED: {
          target: "idle",
          actions: assign(({ context: c, event }) => ({
            question: null,
            outbox: out(c, reply({ lines: [line("insideCutoff", { hours: event.hours, phone: event.phone })] })),
          })),
        },
      },
    },
    loadingAppointments: {
      on: {
        APPOINTMENTS: [
          {
            guard: ({ context, event }) => context.purpose === "waitlist" && event.list.length === 0,
            target: "idle",
            actions: assign(({ context: c }) => ({
              question: null,
              appointments: [],
              outbox: out(c, reply({ lines: [line("waitlistNoAppointment")] })),
            })),
          },
          {
            guard: ({ context, event }) => context.purpose === "waitlist" && event.list.length === 1,
            target: "joiningWaitlist",
            actions: assign(({ context: c, event }) => ({
              appointments: event.list,
              target: event.list[0]!,
              outbox: out(c, command({ type: "joinWaitlist", appointmentId: event.list[0]!.id })),
            })),
          },
          {
            guard: ({ event }) => event.list.length === 0,
            target: "idle",
            actions: assign(({ context: c }) => ({
              question: null,
              appointments: [],
              outbox: out(c, reply({ lines: [line("noAppointments")] })),
            })),
          },
          {
            guard: ({ context }) => context.purpose === "list",
            target: "idle",
            actions: assign(({ context: c, event }) => ({
              question: null,
              outbox: out(
                c,
                reply({ lines: [line("appointmentsList"), ...event.list.map((a) => line("appointmentLine", at(a)))] }),
              ),
            })),
          },
          {
            guard: ({ event }) => event.list.length === 1,
            target: "appointmentPicked",
            actions: assign(({ event }) => ({ appointments: event.list, target: event.list[0]! })),
          },
          {
            target: "pickAppointment",
            actions: assign(({ context: c, event }) => {
              const step = c.step + 1;
              const r: Reply = {
                lines: [line("whichAppointment")],
                choices: event.list.map((a, i) => ({
                  id: payloadId(step, "appt", i),
                  key: "appointmentLine" as const,
                  params: at(a),
                })),
              };
              return { step, appointments: event.list, ...ask({ ...c, step }, r) };
            }),
          },
        ],
      },
    },
    pickAppointment: {
      on: {
        MESSAGE: handlers([
          {
            guard: ({ context, event }) => picked(context, event, "appt", context.appointments.length) !== undefined,
            target: "appointmentPicked",
            actions: act(({ context: c, event }) => ({
              step: c.step + 1,
              target: c.appointments[picked(c, event, "appt", c.appointments.length)!]!,
            })),
          },
        ]),
      },
    },
    appointmentPicked: {
      always: [
        {
          guard: ({ context }) => context.purpose === "waitlist",
          target: "joiningWaitlist",
          actions: act(({ context: c }) => ({
            outbox: out(c, command({ type: "joinWaitlist", appointmentId: c.target!.id })),
          })),
        },
        {
          guard: ({ context }) => context.purpose === "cancel",
          target: "confirmCancel",
          actions: act(({ context: c }) => {
            const step = c.step + 1;
            return { step, ...ask({ ...c, step }, yesNo(step, line("confirmCancel", at(c.target!)))) };
          }),
        },
        {
          target: "askWhen",
          actions: act(({ context: c }) => ({
            specialtyName: null,
            ...ask(c, { lines: [line("askRescheduleWhen", at(c.target!))] }),
          })),
        },
      ],
    },
    confirmCancel: {
      on: {
        MESSAGE: handlers([
          {
            guard: ({ context, event }) => saysYes(context, event),
            target: "cancelling",
            actions: act(({ context: c }) => ({
              question: null,
              outbox: out(c, command({ type: "cancel", appointmentId: c.target!.id })),
            })),
          },
          {
            guard: ({ context, event }) => saysNo(context, event),
            target: "idle",
            actions: act(({ context: c }) => ({
              question: null,
              outbox: out(c, reply({ lines: [line("cancelKept")] })),
            })),
          },
        ]),
      },
    },
    reminder: {
      on: {
        MESSAGE: handlers(
          [
            {
              actions: act(({ context: c }) => ({
                outbox: out(c, reply({ lines: [line("reminderNotUnderstood")] }), reply(c.question!)),
              })),
            },
          ],
          {
            early: [
              {
                guard: ({ context, event }) => reminderAnswer(context, event) === "confirm",
                target: "#dialogue.confirmingAttendance",
                actions: act(({ context: c }) => ({
                  question: null,
                  outbox: out(c, command({ type: "confirmAttendance", appointmentId: c.target!.id })),
                })),
              },
              {
                guard: ({ context, event }) => reminderAnswer(context, event) === "cancel",
                target: "#dialogue.appointmentPicked",
                actions: act(({ context: c }) => ({ purpose: "cancel", step: c.step + 1 })),
              },
              {
                guard: ({ context, event }) => reminderAnswer(context, event) === "reschedule",
                target: "#dialogue.appointmentPicked",
                actions: act(({ context: c }) => ({
                  purpose: "reschedule",
                  step: c.step + 1,
                  specialtyId: null,
                  when: null,
                  ambiguous: [],
                })),
              },
            ],
          },
        ),
      },
    },
    joiningWaitlist: {
      on: {
        WAITLIST_JOINED: {
          target: "idle",
          actions: assign(({ context: c, event }) => {
            const key = event.ok
              ? "waitlistJoined"
              : event.reason === "unknown_patient"
                ? "waitlistNeedsRecord"
                : "waitlistJoinFailed";
            return {
              question: null,
              offered: [],
              target: null,
              outbox: out(c, reply({ lines: [line(key, { before: event.before })] })),
            };
          }),
        },
      },
    },
    waitlistOffer: {
      on: {
        MESSAGE: handlers(
          [
            {
              actions: act(({ context: c }) => ({
                outbox: out(
                  c,
                  reply({ lines: [line("waitlistOfferNotUnderstood")] }),
                  reply(c.question ?? menuReply()),
                ),
              })),
            },
          ],
          {
            early: [
              {
                guard: ({ context, event }) =>
                  !!context.waitlistOffer && !reading(event).payload && saysYes(context, event),
                actions: act(({ context: c }) => ({
                  outbox: out(c, command({ type: "answerWaitlistOffer", offerId: c.waitlistOffer!.id, accept: true })),
                })),
              },
              {
                guard: ({ context, event }) =>
                  !!context.waitlistOffer && !reading(event).payload && saysNo(context, event),
                actions: act(({ context: c }) => ({
                  outbox: out(c, command({ type: "answerWaitlistOffer", offerId: c.waitlistOffer!.id, accept: false })),
                })),
              },
            ],
          },
        ),
        WAITLIST_ANSWERED: {
          target: "idle",
          actions: assign(({ context: c, event }) => ({
            question: null,
            waitlistOffer: null,
            outbox: out(c, reply(waitlistAnswerReply(event))),
          })),
        },
      },
    },
    confirmingAttendance: {
      on: {
        ATTENDANCE: {
          target: "idle",
          actions: assign(({ context: c, event }) => ({
            question: null,
            outbox: out(
              c,
              reply({ lines: [event.ok ? line("attendanceConfirmed", at(c.target!)) : line("attendanceFailed")] }),
            ),
            target: null,
          })),
        },
      },
    },
    cancelling: {
      on: {
        CANCELLED: {
          target: "idle",
          actions: assign(({ context: c }) => ({
            target: null,
            outbox: out(c, reply({ lines: [line("cancelled")] })),
          })),
        },
        REFUSED: {
          target: "idle",
          actions: assign(({ context: c, event }) => ({
            outbox: out(c, reply({ lines: [line("insideCutoff", { hours: event.hours, phone: event.phone })] })),
          })),
        },
      },
    },
  },
});
