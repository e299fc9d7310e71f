import { z } from "zod";
import type { AppContext } from "../../context.js";
import {
  joinWaitlist,
  listWaitlist,
  readWaitlistEntry,
  withdrawFromWaitlist,
  type WaitlistRow,
} from "../../domain/waitlist.js";
import { actorOf, type ApiRoutes } from "../route.js";
import { ChannelName, IdParams, Instant, iso, isoOrNull, Timestamp } from "../schemas.js";

const Status = z.enum(["waiting", "booked", "withdrawn"]);

const WaitlistOfferDto = z
  .object({
    id: z.uuid(),
    doctorId: z.uuid(),
    startsAt: Timestamp,
    expiresAt: Timestamp,
    status: z.string().meta({ description: "offered, accepted, declined, expired, or gone (someone else took it)" }),
    createdAt: Timestamp,
  })
  .meta({ id: "WaitlistOffer" });

const WaitlistEntryDto = z
  .object({
    id: z.uuid(),
    patientId: z.uuid(),
    patient: z.object({ firstName: z.string(), lastName: z.string() }),
    status: Status,
    channel: ChannelName.meta({ description: "Where the patient asked: a chat channel, or console / api" }),
    specialtyId: z.uuid().nullable(),
    doctorId: z.uuid().nullable(),
    typeId: z.uuid().nullable(),
    appointmentId: z.uuid().nullable().meta({ description: "The appointment the patient would move earlier" }),
    appointmentStartsAt: Timestamp.nullable(),
    wantedBefore: Timestamp.nullable(),
    createdAt: Timestamp,
    offers: z.array(WaitlistOfferDto).meta({ description: "Latest first" }),
  })
  .meta({ id: "WaitlistEntry" });

const NewWaitlistEntry = z
  .strictObject({
    patientId: z.uuid(),
    specialtyId: z.uuid().nullable().default(null),
    doctorId: z.uuid().nullable().default(null),
    typeId: z.uuid().nullable().default(null),
    appointmentId: z.uuid().nullable().default(null),
    wantedBefore: Instant.nullable().default(null),
  })
  .meta({ id: "NewWaitlistEntry" });

const NoFields = z.strictObject({}).meta({ description: "Nothing to send: the body may be empty" });

const present = (e: WaitlistRow): z.input<typeof WaitlistEntryDto> => ({
  id: e.id,
  patientId: e.patientId,
  patient: e.patient,
  status: e.status,
  channel: e.channel,
  specialtyId: e.specialtyId,
  doctorId: e.doctorId,
  typeId: e.typeId,
  appointmentId: e.appointmentId,
  appointmentStartsAt: isoOrNull(e.appointmentStartsAt),
  wantedBefore: isoOrNull(e.wantedBefore),
  createdAt: iso(e.createdAt),
  offers: e.offers.map((o) => ({
    id: o.id,
    doctorId: o.doctorId,
    startsAt: iso(o.startsAt),
    expiresAt: iso(o.expiresAt),
    status: o.status,
    createdAt: iso(o.createdAt),
  })),
});

/** The waiting list: patients who asked for an earlier slot, and the freed slots offered to them. */
export function waitlistRoutes(api: ApiRoutes, ctx: AppContext): void {
  api.add({
    method: "get",
    path: "/waitlist",
    tag: "waitlist",
    summary: "The waiting list, oldest request first (doctors: the patients waiting for them)",
    description: "Each patient listed is recorded in the audit log.",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    query: z.object({ status: z.enum(["waiting", "booked", "withdrawn", "all"]).default("waiting") }),
    ok: { description: "Entries with their latest offers", schema: z.array(WaitlistEntryDto) },
    async handler({ staff, query, req }) {
      const rows = await listWaitlist(
        ctx.db,
        { clinicId: staff.clinicId, actor: actorOf(staff), ip: req.ip },
        query.status === "all" ? {} : { status: [query.status] },
      );
      return rows.map(present);
    },
  });

  api.add({
    method: "get",
    path: "/waitlist/:id",
    tag: "waitlist",
    summary: "One waiting-list entry and its offers (audited)",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    params: IdParams,
    ok: { description: "The entry", schema: WaitlistEntryDto },
    errors: { 404: "No such entry (or not one of this doctor's)" },
    async handler({ staff, params, req }) {
      return present(
        await readWaitlistEntry(ctx.db, { clinicId: staff.clinicId, actor: actorOf(staff), ip: req.ip }, params.id),
      );
    },
  });

  api.add({
    method: "post",
    path: "/waitlist",
    tag: "waitlist",
    summary: "Put a patient on the waiting list (a phone call, the front desk)",
    description:
      "Name a specialty, a doctor, an appointment type, or the patient's appointment to move earlier. The same request twice updates the first entry. Freed slots are then offered to the patient in their chat.",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    body: NewWaitlistEntry,
    ok: { status: 201, description: "The entry", schema: WaitlistEntryDto },
    errors: { 404: "No such patient, doctor, type or appointment", 409: "The appointment is not an upcoming one" },
    async handler({ staff, body, req }) {
      const access = { clinicId: staff.clinicId, actor: actorOf(staff), ip: req.ip };
      const entry = await joinWaitlist(ctx.db, { ...body, ...access, channel: "api", now: ctx.now() });
      return present(await readWaitlistEntry(ctx.db, access, entry.id));
    },
  });

  api.add({
    method: "post",
    path: "/waitlist/:id/withdraw",
    tag: "waitlist",
    summary: "Take a patient off the waiting list; a slot they were being offered goes to the next patient",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    params: IdParams,
    body: NoFields,
    ok: { description: "The entry, withdrawn", schema: WaitlistEntryDto },
    errors: { 404: "No such entry" },
    async handler({ staff, params, req }) {
      const access = { clinicId: staff.clinicId, actor: actorOf(staff), ip: req.ip };
      await withdrawFromWaitlist(ctx.db, { ...access, entryId: params.id, now: ctx.now() });
      return present(await readWaitlistEntry(ctx.db, access, params.id));
    },
  });
}
