import type { AgendaToSend } from "../domain/doctor-agenda.js";
import type { ReachableDoctor } from "../domain/doctor-reach.js";
import type { RequestToAnnounce } from "../domain/doctor-requests.js";
import { ALL_DOCTORS, type AlertToSend } from "../domain/emergencies.js";
import { formatterFor } from "../flows/locales/format.js";
import type { OutboundJob } from "./delivery/outbound.js";
import { DOCTOR_COPY } from "./doctor-copy.js";

/*
 * Messages to doctors as outbound jobs. Ids are deterministic (one per alert, request, agenda
 * day), so a retried pass queues nothing twice. Button ids `dr.<action>.<id>` come back as
 * taps the channels hand to doctor-actions.ts rather than to the patient dialogue.
 */

/** Button ids of doctors' messages: acknowledge an alert, accept or refuse a request. */
export const DOCTOR_ACTION = /^dr\.(ack|acc|ref)\.([0-9a-f-]{36})$/;

const fullName = (p: { firstName: string; lastName: string }) => `${p.firstName} ${p.lastName}`;

export function alertJob(alert: AlertToSend): OutboundJob {
  const copy = DOCTOR_COPY[alert.doctor.locale];
  const f = formatterFor(alert.doctor.locale, alert.doctor.timeZone);
  return {
    id: `alert-${alert.alertId}`,
    channel: alert.doctor.channel,
    chatId: alert.doctor.address,
    message: {
      text: copy.alert({
        category: alert.category,
        patient: alert.patient ? fullName(alert.patient) : null,
        phone: alert.patient?.phone ?? null,
        at: f.time(alert.raisedAt.toISOString()),
        note: alert.note,
        escalatedFrom: alert.escalatedFrom,
        everyone: alert.level === ALL_DOCTORS,
      }),
      choices: [{ id: `dr.ack.${alert.alertId}`, label: copy.acknowledge }],
    },
  };
}

/** Tells a doctor alerted earlier that a colleague took the emergency. */
export function takenJob(doctor: ReachableDoctor, eventId: string, by: string, category: string): OutboundJob {
  return {
    id: `taken-${eventId}-${doctor.id}`,
    channel: doctor.channel,
    chatId: doctor.address,
    message: { text: DOCTOR_COPY[doctor.locale].takenBy(by, category) },
  };
}

export function requestJob(request: RequestToAnnounce): OutboundJob {
  const { doctor } = request;
  const copy = DOCTOR_COPY[doctor.locale];
  const f = formatterFor(doctor.locale, doctor.timeZone);
  return {
    id: `request-${request.appointmentId}`,
    channel: doctor.channel,
    chatId: doctor.address,
    message: {
      text: copy.request({
        patient: fullName(request.patient),
        at: f.dateTime(request.startsAt.toISOString()),
        type: request.type[doctor.locale],
        reason: request.reason ? request.reason.slice(0, 300) : null,
      }),
      choices: [
        { id: `dr.acc.${request.appointmentId}`, label: copy.accept },
        { id: `dr.ref.${request.appointmentId}`, label: copy.refuse },
      ],
    },
  };
}

export function agendaJob(agenda: AgendaToSend): OutboundJob {
  const { doctor } = agenda;
  const copy = DOCTOR_COPY[doctor.locale];
  const f = formatterFor(doctor.locale, doctor.timeZone);
  const first = agenda.appointments[0]!.startsAt.toISOString();
  return {
    id: `agenda-${doctor.id}-${agenda.day}`,
    channel: doctor.channel,
    chatId: doctor.address,
    message: {
      text: copy.agenda({
        day: f.day(first),
        lines: agenda.appointments.map((a) =>
          copy.agendaLine({
            time: f.time(a.startsAt.toISOString()),
            patient: fullName(a.patient),
            type: a.type[doctor.locale],
            requested: a.status === "requested",
          }),
        ),
      }),
    },
  };
}
