import { afterCommit, baseOf, type Database } from "../data/db.js";
import type { Actor } from "./actor.js";
import { recordNotices, type NoticeKind, type NoticeMedium } from "./notices.js";
import { replanClinicReminders, syncReminders, type ScheduledReminder } from "./reminders.js";

/** What just happened to an appointment, as booking's services report it. */
export type AppointmentChange = "booked" | "moved" | "cancelled" | "accepted" | "declined" | "closed";

/** The follow-up work a change created: reminders now scheduled, notices to send. */
export interface FollowUps {
  reminders: ScheduledReminder[];
  notices: string[];
}

type Listener = (work: FollowUps) => void;
const listeners = new WeakMap<Database, Set<Listener>>();

/**
 * Lets the job runner of this process hear of new follow-ups at once (to queue them without
 * waiting for the next sweep). The rows are the truth; a process without a listener loses
 * nothing, the sweeper finds the work later. Returns the unsubscribe function.
 */
export function onFollowUps(db: Database, listener: Listener): () => void {
  let set = listeners.get(baseOf(db));
  if (!set) listeners.set(baseOf(db), (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

const NOTICE: Partial<Record<AppointmentChange, NoticeKind>> = {
  moved: "changed",
  cancelled: "cancelled",
  accepted: "accepted",
  declined: "declined",
};

/**
 * Runs after every change booking makes (API, console, chat alike): the appointment's
 * reminders follow it (scheduled, moved, cancelled) and the patient's notices are recorded.
 * A patient acting in the chat already has the answer there, so they get only the email.
 */
export async function followAppointmentChange(
  db: Database,
  change: {
    appointment: { id: string; clinicId: string; status: string; startsAt: Date; updatedAt: Date };
    change: AppointmentChange;
    actor: Actor;
    now: Date;
  },
): Promise<FollowUps> {
  const { appointment, actor, now } = change;
  const reminders = await syncReminders(db, appointment, now);
  const kind =
    change.change === "booked" ? (appointment.status === "confirmed" ? "confirmed" : null) : NOTICE[change.change];
  const media: NoticeMedium[] = actor.kind === "system" ? [] : actor.kind === "patient" ? ["email"] : ["chat", "email"];
  const notices = kind
    ? await recordNotices(db, { appointmentId: appointment.id, kind, version: appointment.updatedAt, media })
    : [];
  return announce(db, { reminders, notices });
}

/**
 * Runs after the clinic's reminder offsets, quiet hours or time zone changed: the reminders
 * still to send of its upcoming appointments follow the new settings (see replanClinicReminders).
 */
export async function followSettingsChange(db: Database, clinicId: string, now: Date): Promise<FollowUps> {
  return announce(db, { reminders: await replanClinicReminders(db, clinicId, now), notices: [] });
}

/** Tells this process's job runner of new work once it is committed; returns it. */
function announce(db: Database, work: FollowUps): FollowUps {
  if (work.reminders.length + work.notices.length > 0)
    afterCommit(db, () => {
      for (const listener of listeners.get(baseOf(db)) ?? []) {
        try {
          listener(work);
        } catch {
          // A listener only speeds things up; the sweeper will find the work anyway.
        }
      }
    });
  return work;
}
