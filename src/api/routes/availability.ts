import { z } from "zod";
import type { AppContext } from "../../context.js";
import { earliestSlot, findSlots, slotsNear, type Slot } from "../../domain/availability.js";
import type { ApiRoutes } from "../route.js";
import { Instant, iso, Timestamp } from "../schemas.js";

export const SlotDto = z.object({ doctorId: z.uuid(), startsAt: Timestamp, endsAt: Timestamp }).meta({ id: "Slot" });
export const presentSlot = (s: Slot): z.input<typeof SlotDto> => ({
  doctorId: s.doctorId,
  startsAt: iso(s.startsAt),
  endsAt: iso(s.endsAt),
});

/** Longest range one availability call may scan, to keep the answer quick. */
const MAX_RANGE_DAYS = 31;

const Who = {
  typeId: z.uuid().meta({ description: "Appointment type" }),
  doctorId: z.uuid().optional().meta({ description: "One doctor; otherwise every doctor offering the type" }),
  specialtyId: z.uuid().optional(),
};

const RangeQuery = z
  .object({ ...Who, from: Instant, to: Instant, limit: z.coerce.number().int().min(1).max(1000).default(200) })
  .refine((q) => q.to > q.from, { path: ["to"], message: "must be after from" })
  .refine((q) => +q.to - +q.from <= MAX_RANGE_DAYS * 86_400_000, {
    path: ["to"],
    message: `range longer than ${MAX_RANGE_DAYS} days`,
  });

const EarliestQuery = z.object({ ...Who, after: Instant.optional().meta({ description: "Default: now" }) });

const NearQuery = z.object({
  ...Who,
  target: Instant.meta({ description: 'The wished time, e.g. "Tuesday around 10:00"' }),
  count: z.coerce.number().int().min(1).max(20).default(3),
});

export function availabilityRoutes(api: ApiRoutes, ctx: AppContext): void {
  const anyStaff = ["admin", "secretary", "doctor"] as const;

  api.add({
    method: "get",
    path: "/availability",
    tag: "availability",
    summary: `Free slots for an appointment type over a range (at most ${MAX_RANGE_DAYS} days)`,
    access: anyStaff,
    scope: "Slot.s",
    query: RangeQuery,
    ok: { description: "Free slots, earliest first", schema: z.array(SlotDto) },
    errors: { 404: "No such appointment type or doctor" },
    async handler({ caller, query }) {
      const slots = await findSlots(ctx.db, {
        clinicId: caller.clinicId,
        appointmentTypeId: query.typeId,
        doctorId: query.doctorId,
        specialtyId: query.specialtyId,
        from: query.from,
        to: query.to,
        limit: query.limit,
        now: ctx.now(),
      });
      return slots.map(presentSlot);
    },
  });

  api.add({
    method: "get",
    path: "/availability/earliest",
    tag: "availability",
    summary: "The earliest free slot (least-loaded doctor when several are free)",
    access: anyStaff,
    scope: "Slot.s",
    query: EarliestQuery,
    ok: {
      description: "The slot, or null when nothing is free within the horizon",
      schema: z.object({ slot: SlotDto.nullable() }),
    },
    errors: { 404: "No such appointment type or doctor" },
    async handler({ caller, query }) {
      const now = ctx.now();
      const slot = await earliestSlot(ctx.db, {
        clinicId: caller.clinicId,
        appointmentTypeId: query.typeId,
        doctorId: query.doctorId,
        specialtyId: query.specialtyId,
        from: query.after ?? now,
        now,
      });
      return { slot: slot ? presentSlot(slot) : null };
    },
  });

  api.add({
    method: "get",
    path: "/availability/near",
    tag: "availability",
    summary: "Free slots closest to a wished time, nearest first (one doctor per time when none is chosen)",
    access: anyStaff,
    scope: "Slot.s",
    query: NearQuery,
    ok: { description: "Up to `count` slots, nearest first", schema: z.array(SlotDto) },
    errors: { 404: "No such appointment type or doctor" },
    async handler({ caller, query }) {
      const slots = await slotsNear(ctx.db, {
        clinicId: caller.clinicId,
        appointmentTypeId: query.typeId,
        doctorId: query.doctorId,
        specialtyId: query.specialtyId,
        target: query.target,
        count: query.count,
        now: ctx.now(),
      });
      return slots.map(presentSlot);
    },
  });
}
