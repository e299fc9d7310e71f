import { assign, setup } from "xstate";
import type { ChatLocale, Params, Reply } from "./locales/index.js";
import { payloadId, type Reading, type When } from "./reading.js";

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
  | { type: "offer"; specialtyId?: string; typeId?: string; doctorId?: string; when: When }
  | { type: "book"; slot: OfferedSlot; newPatient?: { firstName: string; lastName: string; birthDate: string } }
  | { type: "loadAppointments" }
  | { type: "cancel"; appointmentId: string }
  | { type: "reschedule"; appointmentId: string; slot: OfferedSlot }
  | { type: "emergency"; category: string }
  | { type: "handToHuman" }
  | { type: "setLocale"; locale: ChatLocale }
  | { type: "releaseHolds" };

export type Outbox = ({ reply: Reply } | { command: Command })[];

export interface DialogueContext {
  locale: ChatLocale;
  /** Bumped at every question with choices; a tapped choice from an older step is stale. */
  step: number;
  patientId: string | null;
  purpose: "book" | "list" | "cancel" | "reschedule";
  specialtyId: string | null;
  specialtyName: { fr: string; en: string } | null;
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
  outbox: Outbox;
}

export type DialogueEvent =
  | { type: "MESSAGE"; reading: Reading }
  | { type: "FLUSH" }
  | { type: "SLOTS"; slots: OfferedSlot[]; minutes: number; past?: boolean }
  | { type: "BOOKED"; status: "confirmed" | "requested"; patientId: string; slot: OfferedSlot; address: string; teleconsultationUrl: string | null }
  | { type: "BOOK_FAILED"; reason: "slot_taken" | "other"; alternatives: OfferedSlot[] }
  | { type: "APPOINTMENTS"; list: AppointmentSummary[] }
  | { type: "CANCELLED" }
  | { type: "REFUSED"; hours: number; phone: string }
  | { type: "RESCHEDULED"; slot: OfferedSlot };

export interface DialogueInput {
  locale: ChatLocale;
  patientId: string | null;
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
const saysYes = (c: Ctx, e: Ev) => tapped(c, e, "yes") !== undefined || reading(e).intent === "affirm" || (reading(e).intent === "choice" && reading(e).choiceIndex === 0);
const saysNo = (c: Ctx, e: Ev) => tapped(c, e, "no") !== undefined || reading(e).intent === "deny" || (reading(e).intent === "choice" && reading(e).choiceIndex === 1);
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

function offerReply(c: Ctx, slots: OfferedSlot[], step: number, minutes: number, past?: boolean): Reply {
  const spec = c.specialtyName ? c.specialtyName[c.locale] : undefined;
  return {
    lines: [...(past ? [line("pastTime")] : []), line("offer", { minutes, specialty: spec })],
    choices: [
      ...slots.map((s, i) => ({ id: payloadId(step, "slot", i), key: "slotLabel" as const, params: at(s) })),
      { id: payloadId(step, "other"), key: "otherTimes" as const },
    ],
  };
}

/** The offer command for the current draft. */
function offerFor(c: Ctx, when: When): Command {
  if (c.purpose === "reschedule" && c.target) return { type: "offer", typeId: c.target.typeId, doctorId: c.target.doctorId, when };
  return { type: "offer", specialtyId: c.specialtyId ?? undefined, when };
}

const startBooking = (c: Ctx, r: Reading): { target: string; update: Update } => {
  const base: Update = { purpose: "book", specialtyId: r.specialtyId ?? null, specialtyName: r.specialtyName ?? null, when: null, offered: [], chosen: null, target: null };
  const next = { ...c, ...base };
  if (!r.specialtyId) return { target: "askWhat", update: { ...base, ...ask(next, { lines: [line("askWhat")] }) } };
  return afterSpecialty(next, r, base);
};

function afterSpecialty(c: Ctx, r: Reading, base: Update = {}): { target: string; update: Update } {
  if (r.ambiguousWhen?.length) return askAmbiguous(c, r.ambiguousWhen, base);
  if (r.when) return { target: "searching", update: { ...base, when: r.when, outbox: out(c, command(offerFor(c, r.when))) } };
  const spec = c.specialtyName ? c.specialtyName[c.locale] : undefined;
  return { target: "askWhen", update: { ...base, ...ask(c, { lines: [line("askWhen", { specialty: spec })] }) } };
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
function handlers(own: Transition[], opts: { idle?: boolean } = {}): Transition[] {
  const first: Transition[] = [
    {
      guard: ({ event }) => reading(event).intent === "emergency",
      actions: act(({ context: c, event }) => ({
        outbox: out(
          c,
          command({ type: "emergency", category: reading(event).redFlag ?? "unknown" }),
          reply({ lines: [line("emergency"), line("emergencyFollowUp")] }),
        ),
      })),
    },
    {
      guard: ({ context, event }) => isStale(context, event),
      actions: act(({ context: c }) => ({ outbox: out(c, reply({ lines: [line("stale")] }), reply(c.question ?? menuReply())) })),
    },
    {
      guard: ({ event }) => reading(event).garbled !== undefined,
      actions: act(({ context: c, event }) => ({
        outbox: out(c, reply({ lines: [line(reading(event).garbled === "too_long" ? "tooLong" : "notUnderstood")] }), reply(c.question ?? menuReply())),
      })),
    },
    {
      guard: ({ event }) => reading(event).intent === "change_language" && !!reading(event).language,
      actions: act(({ context: c, event }) => {
        const locale = reading(event).language!;
        return { locale, outbox: out(c, command({ type: "setLocale", locale }), reply({ lines: [line("languageChanged")] }), reply(c.question ?? menuReply())) };
      }),
    },
    {
      guard: ({ event }) => wants(event, "human", "human"),
      target: "#dialogue.idle",
      actions: act(({ context: c }) => ({ question: null, outbox: out(c, command({ type: "releaseHolds" }), command({ type: "handToHuman" }), reply({ lines: [line("human")] })) })),
    },
    ...(["list", "cancel", "reschedule"] as const).map(
      (purpose): Transition => ({
        guard: ({ event }) => wants(event, purpose === "list" ? "list_appointments" : purpose, purpose),
        target: "#dialogue.loadingAppointments",
        actions: act(({ context: c }) => ({ purpose, target: null, outbox: out(c, command({ type: "releaseHolds" }), command({ type: "loadAppointments" })) })),
      }),
    ),
    {
      guard: ({ event }) => wants(event, "help", "help"),
      actions: act(({ context: c }) => ({ outbox: out(c, reply({ lines: [line("help")] }), reply(c.question ?? menuReply())) })),
    },
  ];
  const bookFresh = routeTo((e) => wants(e, "book", "book") && (opts.idle === true || !!reading(e).specialtyId || menuPick(e) === "book"), (c, r) => startBooking(c, r), [
    command({ type: "releaseHolds" }),
  ]);
  const last: Transition[] = [
    {
      guard: ({ event }) => reading(event).intent === "greeting" && opts.idle === true,
      actions: act(({ context: c }) => ask(c, menuReply(), reply({ lines: [line("welcome")] }))),
    },
    {
      guard: ({ event }) => reading(event).intent === "thanks",
      actions: act(({ context: c }) => ({ outbox: out(c, reply({ lines: [line("thanks")] }), ...(opts.idle ? [reply(menuReply())] : [])) })),
    },
    {
      actions: act(({ context: c }) =>
        opts.idle ? ask(c, menuReply(), reply({ lines: [line("welcome")] })) : { outbox: out(c, reply({ lines: [line("notUnderstood")] }), reply(c.question ?? menuReply())) },
      ),
    },
  ];
  return [...first, ...own, ...bookFresh, ...last];
}

/** One transition per possible destination of `decide`, so XState sees real targets. */
function routeTo(when: (e: Ev, c: Ctx) => boolean, decide: (c: Ctx, r: Reading) => { target: string; update: Update }, before: Outbox = []): Transition[] {
  return ["askWhat", "askWhen", "ambiguous", "searching"].map((target) => ({
    guard: ({ context, event }) => when(event, context) && decide(context, reading(event)).target === target,
    target: `#dialogue.${target}`,
    actions: act(({ context, event }) => {
      const { update } = decide({ ...context, outbox: out(context, ...before) }, reading(event));
      return { outbox: out(context, ...before), ...update };
    }),
  }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- XState's transition config type is not exported in a usable form.
type Transition = { guard?: (a: { context: Ctx; event: Ev }) => boolean; target?: string; actions?: any; reenter?: boolean };

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
    step: 0,
    patientId: input.patientId,
    purpose: "book",
    specialtyId: null,
    specialtyName: null,
    when: null,
    ambiguous: [],
    offered: [],
    chosen: null,
    name: null,
    birthDate: null,
    appointments: [],
    target: null,
    question: null,
    outbox: [],
  }),
  initial: "idle",
  on: {
    FLUSH: { actions: assign({ outbox: [] }) },
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
            (c, r) => afterSpecialty({ ...c, specialtyId: r.specialtyId!, specialtyName: r.specialtyName ?? null }, r, { specialtyId: r.specialtyId!, specialtyName: r.specialtyName ?? null }),
          ),
          {
            guard: ({ event }) => reading(event).intent === "unknown" || reading(event).intent === "book",
            actions: act(({ context: c }) => ({ outbox: out(c, reply({ lines: [line("unknownSpecialty")] })) })),
          },
        ]),
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
            actions: act(({ context: c, event }) => ({ when: reading(event).when!, outbox: out(c, command(offerFor(c, reading(event).when!))) })),
          },
          {
            guard: ({ event }) => reading(event).intent === "unknown" || reading(event).intent === "book" || reading(event).intent === "choice",
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
            actions: act(({ context: c, event }) => ({ when: reading(event).when!, outbox: out(c, command(offerFor(c, reading(event).when!))) })),
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
              return { step, offered: event.slots, ...ask({ ...c, step }, offerReply(c, event.slots, step, event.minutes, event.past)) };
            }),
          },
        ],
      },
    },
    offering: {
      on: {
        MESSAGE: handlers([
          {
            guard: ({ context, event }) => picked(context, event, "slot", context.offered.length) !== undefined,
            target: "chosen",
            actions: act(({ context: c, event }) => ({ step: c.step + 1, chosen: c.offered[picked(c, event, "slot", c.offered.length)!]! })),
          },
          {
            guard: ({ context, event }) => tapped(context, event, "other") !== undefined || reading(event).intent === "deny",
            target: "askWhen",
            actions: act(({ context: c }) => ask(c, { lines: [line("askWhen", { specialty: c.specialtyName?.[c.locale] })] }, command({ type: "releaseHolds" }))),
          },
          {
            guard: ({ event }) => !!reading(event).when,
            target: "searching",
            actions: act(({ context: c, event }) => ({ when: reading(event).when!, outbox: out(c, command(offerFor(c, reading(event).when!))) })),
          },
        ]),
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
            actions: act(({ context: c, event }) => ({ name: reading(event).name!, ...ask(c, { lines: [line("askBirthDate")] }) })),
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
              return { step, birthDate: reading(event).birthDate!, ...ask({ ...c, step }, yesNo(step, line("askConsent"))) };
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
              outbox: out(c, command({ type: "book", slot: c.chosen!, newPatient: { ...c.name!, birthDate: c.birthDate! } })),
            })),
          },
          {
            guard: ({ context, event }) => saysNo(context, event),
            target: "idle",
            actions: act(({ context: c }) => ({ question: null, name: null, birthDate: null, outbox: out(c, command({ type: "releaseHolds" }), reply({ lines: [line("consentRefused")] })) })),
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
              outbox: out(c, command(c.purpose === "reschedule" ? { type: "reschedule", appointmentId: c.target!.id, slot: c.chosen! } : { type: "book", slot: c.chosen! })),
            })),
          },
          {
            guard: ({ context, event }) => saysNo(context, event),
            target: "idle",
            actions: act(({ context: c }) => ({
              question: null,
              outbox: out(c, command({ type: "releaseHolds" }), reply({ lines: [line(c.purpose === "reschedule" ? "cancelKept" : "bookingAbandoned")] })),
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
            const key = event.status === "requested" ? "requested" : event.teleconsultationUrl ? "bookedTele" : "booked";
            return { question: null, offered: [], chosen: null, patientId: event.patientId, outbox: out(c, reply({ lines: [line(key, p)] })) };
          }),
        },
        RESCHEDULED: {
          target: "idle",
          actions: assign(({ context: c, event }) => ({ question: null, offered: [], chosen: null, target: null, outbox: out(c, reply({ lines: [line("rescheduled", at(event.slot))] })) })),
        },
        BOOK_FAILED: [
          {
            guard: ({ event }) => event.alternatives.length > 0,
            target: "searching",
            actions: assign(({ context: c }) => ({ outbox: out(c, reply({ lines: [line("slotGone")] })) })),
            // Re-entering "searching" waits for the SLOTS the engine sends with the alternatives.
          },
          { target: "idle", actions: assign(({ context: c }) => ({ question: null, outbox: out(c, reply({ lines: [line("bookingFailed")] })) })) },
        ],
        REFUSED: {
          target: "idle",
          actions: assign(({ context: c, event }) => ({ question: null, outbox: out(c, reply({ lines: [line("insideCutoff", { hours: event.hours, phone: event.phone })] })) })),
        },
      },
    },
    loadingAppointments: {
      on: {
        APPOINTMENTS: [
          {
            guard: ({ event }) => event.list.length === 0,
            target: "idle",
            actions: assign(({ context: c }) => ({ question: null, appointments: [], outbox: out(c, reply({ lines: [line("noAppointments")] })) })),
          },
          {
            guard: ({ context }) => context.purpose === "list",
            target: "idle",
            actions: assign(({ context: c, event }) => ({
              question: null,
              outbox: out(c, reply({ lines: [line("appointmentsList"), ...event.list.map((a) => line("appointmentLine", at(a)))] })),
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
              const r: Reply = { lines: [line("whichAppointment")], choices: event.list.map((a, i) => ({ id: payloadId(step, "appt", i), key: "appointmentLine" as const, params: at(a) })) };
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
            actions: act(({ context: c, event }) => ({ step: c.step + 1, target: c.appointments[picked(c, event, "appt", c.appointments.length)!]! })),
          },
        ]),
      },
    },
    appointmentPicked: {
      always: [
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
          actions: act(({ context: c }) => ({ specialtyName: null, ...ask(c, { lines: [line("askRescheduleWhen", at(c.target!))] }) })),
        },
      ],
    },
    confirmCancel: {
      on: {
        MESSAGE: handlers([
          {
            guard: ({ context, event }) => saysYes(context, event),
            target: "cancelling",
            actions: act(({ context: c }) => ({ question: null, outbox: out(c, command({ type: "cancel", appointmentId: c.target!.id })) })),
          },
          {
            guard: ({ context, event }) => saysNo(context, event),
            target: "idle",
            actions: act(({ context: c }) => ({ question: null, outbox: out(c, reply({ lines: [line("cancelKept")] })) })),
          },
        ]),
      },
    },
    cancelling: {
      on: {
        CANCELLED: { target: "idle", actions: assign(({ context: c }) => ({ target: null, outbox: out(c, reply({ lines: [line("cancelled")] })) })) },
        REFUSED: {
          target: "idle",
          actions: assign(({ context: c, event }) => ({ outbox: out(c, reply({ lines: [line("insideCutoff", { hours: event.hours, phone: event.phone })] })) })),
        },
      },
    },
  },
});
