import { z } from "zod";
import type { AppContext } from "../../context.js";
import { clinicReport } from "../../domain/reports.js";
import { actorOf, type ApiRoutes } from "../route.js";
import { ChannelName, DateOnly } from "../schemas.js";

const Counts = {
  total: z.number().int().meta({ description: "Booked appointments: confirmed, seen, missed or cancelled" }),
  cancelled: z.number().int(),
  noShow: z.number().int(),
  completed: z.number().int(),
};
const Rate = z.number().nullable().meta({ description: "A fraction (0.125 = 12.5 %); null with nothing to divide" });
const Minor = z.number().int().meta({ description: "Integer amount in the currency's minor unit" });

const ReportDto = z
  .object({
    range: z.object({ from: DateOnly, to: DateOnly, days: z.array(DateOnly) }),
    timeZone: z.string(),
    scope: z.enum(["clinic", "doctor"]).meta({ description: "doctor: the caller's own activity only" }),
    perDay: z.array(z.object({ day: DateOnly, ...Counts })),
    perDoctor: z.array(z.object({ doctorId: z.uuid(), name: z.string(), ...Counts })),
    perSpecialty: z.array(
      z.object({
        specialtyId: z.uuid().nullable(),
        nameFr: z.string().nullable(),
        nameEn: z.string().nullable(),
        ...Counts,
      }),
    ),
    perChannel: z.array(z.object({ channel: ChannelName, ...Counts })),
    rates: z.object({
      appointments: z.number().int(),
      cancelled: z.number().int(),
      cancellationRate: Rate,
      withOutcome: z.number().int(),
      noShow: z.number().int(),
      noShowRate: Rate,
      remindersSent: z.number().int(),
      remindersConfirmed: z.number().int(),
      confirmationRate: Rate,
    }),
    utilization: z.array(
      z.object({
        doctorId: z.uuid(),
        name: z.string(),
        workingMinutes: z.number().int(),
        bookedMinutes: z.number().int(),
        rate: Rate,
      }),
    ),
    money: z
      .object({
        currency: z.string().length(3),
        revenueMinor: Minor,
        revenueByDay: z.array(z.object({ day: DateOnly, amountMinor: Minor })),
        revenueByMethod: z.array(
          z.object({
            payer: z.enum(["patient", "insurer"]),
            method: z.enum(["cash", "card", "transfer", "insurer"]),
            amountMinor: Minor,
          }),
        ),
        invoicedMinor: Minor,
        invoices: z.number().int(),
        receivables: z.object({ patientMinor: Minor, insurerMinor: Minor, totalMinor: Minor }),
      })
      .nullable()
      .meta({ description: "Null for doctors" }),
  })
  .meta({ id: "ClinicReport" });

export function reportApiRoutes(api: ApiRoutes, ctx: AppContext): void {
  api.add({
    method: "get",
    path: "/reports",
    tag: "reports",
    summary: "Activity, rates, utilization and money over local days (doctors: their own activity, no money)",
    description:
      "`from` and `to` are calendar days in the clinic's time zone, both included, at most 366 days. Only counts and sums are returned, never a patient's identity.",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    query: z.object({ from: DateOnly, to: DateOnly }),
    ok: { description: "The report", schema: ReportDto },
    async handler({ staff, query }) {
      return clinicReport(ctx.db, { clinicId: staff.clinicId, actor: actorOf(staff) }, query);
    },
  });
}
