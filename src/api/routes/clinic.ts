import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { Clinic } from "../../data/generated/client.js";
import { getClinic, isCurrencyCode, isIanaTimeZone, updateClinicSettings } from "../../domain/directory.js";
import type { ApiRoutes } from "../route.js";
import { E164, Locale } from "../schemas.js";

const BookingMode = z.enum(["instant", "approval"]);

const ClinicDto = z
  .object({
    id: z.uuid(),
    name: z.string(),
    address: z.string(),
    phone: z.string(),
    emergencyPhone: z.string(),
    nationalEmergencyNumber: z.string(),
    timeZone: z.string().meta({ description: "IANA time zone, e.g. Europe/Paris" }),
    defaultLocale: Locale,
    currency: z.string().meta({ description: "ISO 4217" }),
    cancellationCutoffHours: z.number().int(),
    minBookingNoticeMinutes: z.number().int(),
    bookingMode: BookingMode,
    slotStepMinutes: z.number().int(),
    teleconsultationUrl: z.string().nullable(),
  })
  .meta({ id: "Clinic" });

const ClinicSettingsChanges = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    address: z.string().trim().min(1).max(500),
    phone: E164,
    emergencyPhone: E164,
    nationalEmergencyNumber: z.string().regex(/^\d{2,6}$/, "must be a short emergency number such as 15 or 112"),
    timeZone: z.string().refine(isIanaTimeZone, "must be an IANA time zone such as Europe/Paris"),
    defaultLocale: Locale,
    currency: z.string().refine(isCurrencyCode, "must be an ISO 4217 currency code such as EUR"),
    cancellationCutoffHours: z
      .number()
      .int()
      .min(0)
      .max(24 * 14),
    minBookingNoticeMinutes: z
      .number()
      .int()
      .min(0)
      .max(60 * 24 * 30),
    bookingMode: BookingMode,
    slotStepMinutes: z.number().int().min(5).max(120),
    teleconsultationUrl: z.url().nullable(),
  })
  .partial()
  .meta({ id: "ClinicSettingsChanges" });

const presentClinic = (c: Clinic): z.input<typeof ClinicDto> => ({
  id: c.id,
  name: c.name,
  address: c.address,
  phone: c.phone,
  emergencyPhone: c.emergencyPhone,
  nationalEmergencyNumber: c.nationalEmergencyNumber,
  timeZone: c.timeZone,
  defaultLocale: c.defaultLocale,
  currency: c.currency,
  cancellationCutoffHours: c.cancellationCutoffHours,
  minBookingNoticeMinutes: c.minBookingNoticeMinutes,
  bookingMode: c.bookingMode,
  slotStepMinutes: c.slotStepMinutes,
  teleconsultationUrl: c.teleconsultationUrl,
});

export function clinicRoutes(api: ApiRoutes, ctx: AppContext): void {
  api.add({
    method: "get",
    path: "/clinic",
    tag: "clinic",
    summary: "The clinic and its booking rules",
    access: ["admin", "secretary", "doctor"],
    scope: "Organization.r",
    ok: { description: "Clinic settings", schema: ClinicDto },
    async handler({ caller }) {
      return presentClinic(await getClinic(ctx.db, caller.clinicId));
    },
  });

  api.add({
    method: "patch",
    path: "/clinic",
    tag: "clinic",
    summary: "Change clinic settings (cutoff, notice, booking mode, emergency phone, time zone, locale, currency)",
    access: ["admin"],
    scope: "staff-only",
    body: ClinicSettingsChanges,
    ok: { description: "Updated settings", schema: ClinicDto },
    async handler({ staff, body }) {
      const clinic = await updateClinicSettings(ctx.db, staff.clinicId, body);
      ctx.logger.info({ by: staff.userId, fields: Object.keys(body) }, "clinic settings changed");
      return presentClinic(clinic);
    },
  });
}
