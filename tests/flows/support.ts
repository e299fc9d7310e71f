import { handleInbound, type EngineDeps } from "../../src/flows/engine.js";
import type { Database } from "../../src/data/db.js";
import type { ChatChannel, OutboundMessage } from "../../src/domain/channels.js";
import { paris } from "../support/clinic.js";

/** Monday 30 November 2026, 08:00 in Paris: every conversation test starts here. */
export const MONDAY_8AM = paris("2026-11-30T08:00");

let counter = 0;

/** A patient on one channel, talking to an engine; every message gets a fresh provider id unless given. */
export function patient(deps: EngineDeps, senderId: string, channel: ChatChannel = "web") {
  const send = (
    input: { text?: string; payload?: string; id?: string },
    engine: EngineDeps = deps,
  ): Promise<OutboundMessage[]> =>
    handleInbound(engine, {
      channel,
      senderId,
      text: input.text,
      payload: input.payload,
      providerMessageId: input.id ?? `m${++counter}`,
      receivedAt: deps.now(),
    });
  return {
    says: (text: string, opts: { id?: string; engine?: EngineDeps } = {}) => send({ text, id: opts.id }, opts.engine),
    taps: (payload: string, opts: { id?: string; engine?: EngineDeps } = {}) =>
      send({ payload, id: opts.id }, opts.engine),
  };
}

/** All reply texts joined, for matching. */
export const textOf = (replies: OutboundMessage[]): string => replies.map((r) => r.text).join("\n");
export const choicesOf = (replies: OutboundMessage[]) => replies.flatMap((r) => r.choices ?? []);

/**
 * A patient the demo clinic knows, reachable on the web chat as `senderId`, with one confirmed
 * appointment with Dr Martin at `startsAt` (a general consultation unless `typeCode` says otherwise).
 */
export async function knownPatientWith(
  db: Database,
  clinicId: string,
  senderId: string,
  startsAt: Date,
  opts: { locale?: "fr" | "en"; typeCode?: string } = {},
) {
  const doctor = await db.prisma.doctor.findFirstOrThrow({ where: { clinicId, lastName: "Martin" } });
  const type = await db.prisma.appointmentType.findFirstOrThrow({
    where: { clinicId, code: opts.typeCode ?? "gp-consult" },
  });
  const p = await db.prisma.patient.create({
    data: {
      clinicId,
      firstName: "Known",
      lastName: senderId,
      preferredLocale: opts.locale ?? "fr",
      identities: { create: [{ channel: "web", externalId: senderId }] },
    },
  });
  const appointment = await db.prisma.appointment.create({
    data: {
      clinicId,
      doctorId: doctor.id,
      patientId: p.id,
      typeId: type.id,
      startsAt,
      endsAt: new Date(+startsAt + type.durationMinutes * 60_000),
      status: "confirmed",
      sourceChannel: "web",
    },
  });
  return { patientId: p.id, appointmentId: appointment.id };
}
