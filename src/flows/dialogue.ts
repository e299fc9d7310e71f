import { initialTransition, transition, type SnapshotFrom } from "xstate";
import type { Reply } from "./locales/index.js";
import {
  dialogueMachine,
  effectsOf,
  type Command,
  type DialogueContext,
  type DialogueEvent,
  type DialogueInput,
} from "./machine.js";

/*
 * Running the dialogue: a conversation's state restored from what was saved (or started afresh),
 * events applied with XState's pure transition(), and the commands among the effects carried out
 * by whoever runs it — the engine against the domain, a test against a few lines of its own.
 */

export type DialogueSnapshot = SnapshotFrom<typeof dialogueMachine>;

/** A snapshot as the conversation store keeps it: what getPersistedSnapshot wrote, as JSON. */
type Saved = { value?: unknown; context?: Partial<DialogueContext> & { outbox?: unknown } } | null;

/** Carries out one command; returns the events that report its result. */
export type CarryOut = (command: Command) => Promise<DialogueEvent[]>;

export const startDialogue = (input: DialogueInput): DialogueSnapshot => initialTransition(dialogueMachine, input)[0];

/** The state to save: plain JSON, restored by resumeDialogue. */
export const savedForm = (snapshot: DialogueSnapshot): unknown => dialogueMachine.getPersistedSnapshot(snapshot);

const isState = (value: unknown): value is keyof typeof dialogueMachine.states =>
  typeof value === "string" && value in dialogueMachine.states;

/**
 * A conversation's dialogue where it was left, unless it was left longer than `idleMs` ago (a
 * reminder's question stays open until the appointment, however long the patient takes): then
 * from the start, with `expired`. Button ids carry the step; a fresh start continues the count
 * so last week's buttons stay old.
 */
export function resumeDialogue(
  saved: unknown,
  at: { input: Omit<DialogueInput, "step">; lastActivityAt: Date; idleMs: number; now: Date },
): { snapshot: DialogueSnapshot; expired: boolean; left: { value: unknown; lastReceivedAt: string | null } | null } {
  const s = saved as Saved;
  const context = s?.context;
  const awaitsReminder = s?.value === "reminder" && !!context?.target && +new Date(context.target.startsAt) > +at.now;
  const expired = !!s && !awaitsReminder && +at.now - +at.lastActivityAt > at.idleMs;
  const left = s ? { value: s.value, lastReceivedAt: context?.lastReceivedAt ?? null } : null;
  if (s && !expired && isState(s.value) && context) {
    // Snapshots saved before commands became actions carry an empty `outbox`.
    const { outbox: _, ...kept } = context;
    return {
      snapshot: dialogueMachine.resolveState({ value: s.value, context: kept as DialogueContext }),
      expired,
      left,
    };
  }
  const step = typeof context?.step === "number" ? context.step + 1 : 0;
  return { snapshot: startDialogue({ ...at.input, step }), expired, left };
}

/** How many events one message may lead to: far more than any exchange needs, so a loop is a fault. */
const MAX_EVENTS = 20;

/**
 * Applies `first` and the events its commands report, in order; returns the state reached and
 * the replies said on the way.
 */
export async function converse(
  from: DialogueSnapshot,
  first: DialogueEvent,
  carryOut: CarryOut,
): Promise<{ snapshot: DialogueSnapshot; replies: Reply[] }> {
  let snapshot = from;
  const replies: Reply[] = [];
  const events = [first];
  for (let handled = 0; events.length > 0; handled++) {
    if (handled === MAX_EVENTS) throw new Error(`the dialogue did not settle after ${MAX_EVENTS} events`);
    const [next, actions] = transition(dialogueMachine, snapshot, events.shift()!);
    snapshot = next;
    for (const effect of effectsOf(actions)) {
      if (effect.type === "say") replies.push(effect.params);
      else events.push(...(await carryOut(effect)));
    }
  }
  return { snapshot, replies };
}
