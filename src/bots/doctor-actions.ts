import type { Database } from "../data/db.js";
import type { StaffActor } from "../domain/staff.js";
import { decideRequest } from "../domain/booking.js";
import { doctorAt, type DoctorChannels } from "../domain/doctor-reach.js";
import { acknowledgeAlert, otherAlertedDoctors } from "../domain/emergencies.js";
import { isDomainError } from "../domain/errors.js";
import { formatterFor } from "../flows/locales/format.js";
import type { OutboundMessage } from "../domain/channels.js";
import type { OutboundJob } from "./delivery/outbound.js";
import { DOCTOR_COPY } from "./doctor-copy.js";
import { DOCTOR_ACTION, takenJob } from "./doctor-messages.js";

export interface DoctorActionDeps {
  db: Database;
  now: () => Date;
  /** The doctor channels this service sends on (to tell colleagues an emergency is taken). */
  channels: DoctorChannels;
}

/** What a doctor's tap led to. */
export interface DoctorActionResult {
  /** The answer in the doctor's chat. */
  reply: OutboundMessage;
  /** The same, short, for a button's toast (Telegram). */
  toast: string;
  /** Messages to other doctors: a colleague took the emergency. */
  others: OutboundJob[];
  /** The tapped message's buttons are spent (acknowledged, decided, or gone). */
  done: boolean;
}

const say = (text: string, done: boolean, others: OutboundJob[] = []): DoctorActionResult => ({
  reply: { text },
  toast: text.length > 190 ? `${text.slice(0, 189)}…` : text,
  others,
  done,
});

/**
 * Handles a button a doctor tapped in a message the service sent them (`dr.ack.<alert>`,
 * `dr.acc.<appointment>`, `dr.refuse…`), whatever the channel. Null for any other payload, which
 * then belongs to the patient dialogue. Taps are honoured only from the chat address on the
 * doctor's record, and drive the same domain services as the console.
 */
export async function handleDoctorAction(
  deps: DoctorActionDeps,
  tap: { channel: "telegram" | "whatsapp"; senderId: string; payload: string },
): Promise<DoctorActionResult | null> {
  const match = DOCTOR_ACTION.exec(tap.payload);
  if (!match) return null;
  const [, action, id] = match as unknown as [string, "ack" | "acc" | "ref", string];
  const doctor = await doctorAt(deps.db, tap.channel, tap.senderId);
  if (!doctor) return say(DOCTOR_COPY.fr.notADoctor, false);
  const copy = DOCTOR_COPY[doctor.locale];
  const f = formatterFor(doctor.locale, doctor.timeZone);
  const now = deps.now();

  if (action === "ack") {
    try {
      const ack = await acknowledgeAlert(deps.db, { alertId: id, doctorId: doctor.id, now });
      if (!ack.first) {
        const [by] = await deps.db.sql.query<{ name: string }>(
          `SELECT doctor_name(d) AS name FROM doctor d WHERE d.id = $1::uuid`,
          [ack.acknowledgedByDoctorId],
        );
        return say(copy.alreadyAcknowledged(by?.name ?? null, f.time(ack.acknowledgedAt.toISOString())), true);
      }
      const [event] = await deps.db.sql.query<{ category: string }>(
        `SELECT category FROM emergency_event WHERE id = $1::uuid`,
        [ack.eventId],
      );
      const colleagues = await otherAlertedDoctors(deps.db, ack.eventId, doctor.id, deps.channels);
      const category = event?.category ?? "other";
      return say(
        copy.acknowledged,
        true,
        colleagues.map((c) => takenJob(c, ack.eventId, doctor.name, category)),
      );
    } catch (err) {
      if (isDomainError(err, "not_found")) return say(copy.notFound, true);
      if (isDomainError(err, "forbidden")) return say(copy.notADoctor, false);
      throw err;
    }
  }

  const actor: StaffActor = {
    kind: "staff",
    // A doctor without a console account is recorded under their doctor id.
    userId: doctor.staffUserId ?? doctor.id,
    role: "doctor",
    doctorId: doctor.id,
  };
  try {
    const decided = await decideRequest(deps.db, {
      appointmentId: id,
      decision: action === "acc" ? "accept" : "decline",
      actor,
      reason: `decided in ${tap.channel}`,
      now,
    });
    const [patient] = await deps.db.sql.query<{ name: string }>(
      `SELECT first_name || ' ' || last_name AS name FROM patient WHERE id = $1::uuid`,
      [decided.patientId],
    );
    const p = { patient: patient?.name ?? "", at: f.dateTime(decided.startsAt.toISOString()) };
    return say(action === "acc" ? copy.accepted(p) : copy.refused(p), true);
  } catch (err) {
    if (isDomainError(err, "invalid_transition")) {
      const [row] = await deps.db.sql.query<{ status: string }>(
        `SELECT status::text AS status FROM appointment WHERE id = $1::uuid`,
        [id],
      );
      return say(copy.alreadyDecided(row?.status ?? ""), true);
    }
    if (isDomainError(err, "forbidden")) return say(copy.notYours, false);
    if (isDomainError(err, "not_found")) return say(copy.notFound, true);
    throw err;
  }
}
