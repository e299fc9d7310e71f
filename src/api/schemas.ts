import { z } from "zod";

/** Building blocks shared by every route's request and response schemas. */

export const Uuid = z.uuid();

export const IdParams = z.object({ id: z.uuid() });

/** An instant with an explicit offset ("2026-12-01T09:00:00+01:00" or "…Z"): local times without one are ambiguous. */
export const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

/** A calendar date, "YYYY-MM-DD", stored as a Postgres date (UTC midnight in JS). */
export const CalendarDate = z.iso.date().transform((s) => new Date(`${s}T00:00:00.000Z`));

/** Timestamps in responses: ISO 8601 strings in UTC. */
export const Timestamp = z.iso.datetime();
export const DateOnly = z.iso.date();

export const iso = (d: Date): string => d.toISOString();
export const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);
export const dateOnly = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);

/** Query-string booleans: only the words, so "?active=0" is a 400 rather than a surprise. */
export const QueryBool = z.enum(["true", "false"]).transform((v) => v === "true");

/** E.164 after dropping the spaces, dots, dashes and brackets people type. */
export const E164 = z.preprocess(
  (v) => (typeof v === "string" ? v.replace(/[\s.\-()]/g, "") : v),
  z.string().regex(/^\+[1-9]\d{6,14}$/, "must be an international number in E.164 form, e.g. +33612345678"),
);

export const Locale = z.enum(["fr", "en"]);
export const ChannelName = z.enum(["telegram", "whatsapp", "sms", "web", "console", "api"]);
export const StaffRoleName = z.enum(["admin", "secretary", "doctor"]);
export const AppointmentStatusName = z.enum([
  "requested",
  "confirmed",
  "declined",
  "cancelled",
  "completed",
  "no_show",
]);

export const Problem = z
  .object({
    error: z.string().meta({ description: "Machine-readable code, e.g. invalid, forbidden, slot_taken" }),
    message: z.string(),
    field: z.string().optional().meta({ description: "First bad field of a 400" }),
    issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    alternatives: z
      .array(z.object({ doctorId: z.uuid(), startsAt: Timestamp, endsAt: Timestamp }))
      .optional()
      .meta({ description: "Free slots offered instead of a taken one (409 slot_taken)" }),
  })
  .meta({ id: "Problem" });
