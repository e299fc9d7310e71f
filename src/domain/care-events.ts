import { afterCommit, baseOf, type Database } from "../data/db.js";

/** A stretch of a doctor's time given back: an appointment cancelled, declined or moved away. */
export interface FreedSlot {
  clinicId: string;
  doctorId: string;
  startsAt: Date;
  endsAt: Date;
  /** The appointment that held it, when the slot was freed by a change (not by a waitlist chain moving on). */
  appointmentId?: string;
}

/** What domain services tell the background services (waitlist offers, doctor alerts) after a change is saved. */
export type CareEvent = { kind: "slotFreed"; slot: FreedSlot } | { kind: "emergencyRaised"; eventId: string };

type Listener = (event: CareEvent) => void;

// Per database: tests open many, and a service listens only to the one it serves.
const listeners = new WeakMap<Database, Set<Listener>>();

/**
 * Subscribes to the care events of one database. A listener starts its own work and handles
 * its own errors: it must not throw, and the change that emitted the event is already saved.
 * Returns the unsubscribe function.
 */
export function onCareEvent(db: Database, listener: Listener): () => void {
  let set = listeners.get(baseOf(db));
  if (!set) listeners.set(baseOf(db), (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

/**
 * Tells the listeners of `db` once the change is committed (never, if it rolls back); with none
 * (a test, a script), nothing happens.
 */
export function emitCareEvent(db: Database, event: CareEvent): void {
  afterCommit(db, () => {
    for (const listener of listeners.get(baseOf(db)) ?? []) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the domain change stands.
      }
    }
  });
}
