import { z } from "zod";
import type { AppContext } from "../../context.js";
import {
  createDoctor,
  getDoctor,
  getWorkingWeek,
  listDoctors,
  replaceWorkingWeek,
  updateDoctor,
  type DoctorWithSpecialties,
  type WorkingHoursWithTypes,
} from "../../domain/directory.js";
import { DomainError } from "../../domain/errors.js";
import type { ApiRoutes } from "../route.js";
import { CalendarDate, dateOnly, DateOnly, E164, IdParams, Locale, QueryBool } from "../schemas.js";

const Presence = z.enum(["free", "busy"]);

const DoctorDto = z
  .object({
    id: z.uuid(),
    title: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    languages: z.array(Locale),
    phone: z.string().nullable(),
    telegramChatId: z.string().nullable(),
    whatsappPhone: z.string().nullable(),
    onCall: z.boolean(),
    presence: Presence,
    active: z.boolean(),
    specialties: z.array(z.object({ id: z.uuid(), code: z.string(), nameFr: z.string(), nameEn: z.string() })),
  })
  .meta({ id: "Doctor" });

const DoctorFields = z.strictObject({
  title: z.string().trim().min(1).max(20).default("Dr"),
  firstName: z.string().trim().min(1).max(100),
  lastName: z.string().trim().min(1).max(100),
  languages: z.array(Locale).min(1).default(["fr"]),
  phone: E164.nullable().default(null),
  telegramChatId: z.string().max(64).nullable().default(null),
  whatsappPhone: E164.nullable().default(null),
  onCall: z.boolean().default(false),
  presence: Presence.default("free"),
  active: z.boolean().default(true),
  specialtyIds: z.array(z.uuid()).default([]),
});
const NewDoctor = DoctorFields.meta({ id: "NewDoctor" });
const DoctorChanges = z
  .strictObject({
    title: z.string().trim().min(1).max(20),
    firstName: z.string().trim().min(1).max(100),
    lastName: z.string().trim().min(1).max(100),
    languages: z.array(Locale).min(1),
    phone: E164.nullable(),
    telegramChatId: z.string().max(64).nullable(),
    whatsappPhone: E164.nullable(),
    onCall: z.boolean(),
    presence: Presence,
    active: z.boolean(),
    specialtyIds: z.array(z.uuid()).meta({ description: "Replaces the doctor's whole list" }),
  })
  .partial()
  .meta({
    id: "DoctorChanges",
    description: "Admins change anything; secretaries presence and onCall; a doctor their own presence.",
  });

const presentDoctor = (d: DoctorWithSpecialties): z.input<typeof DoctorDto> => ({
  id: d.id,
  title: d.title,
  firstName: d.firstName,
  lastName: d.lastName,
  languages: d.languages,
  phone: d.phone,
  telegramChatId: d.telegramChatId,
  whatsappPhone: d.whatsappPhone,
  onCall: d.onCall,
  presence: d.presence,
  active: d.active,
  specialties: d.specialties.map((s) => ({ id: s.id, code: s.code, nameFr: s.nameFr, nameEn: s.nameEn })),
});

// "HH:MM" in the clinic's time zone; 24:00 closes a block at midnight.
const WallClock = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, "must be HH:MM")
  .transform((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3)));
const toWallClock = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

const WorkingBlockDto = z
  .object({
    weekday: z.number().int().min(1).max(7).meta({ description: "ISO weekday: 1 Monday … 7 Sunday" }),
    start: z.string().meta({ description: "HH:MM, clinic local time" }),
    end: z.string().meta({ description: "HH:MM, clinic local time" }),
    validFrom: DateOnly.nullable(),
    validUntil: DateOnly.nullable(),
    appointmentTypeIds: z.array(z.uuid()).meta({ description: "Empty: every type the doctor offers" }),
  })
  .meta({ id: "WorkingBlock" });
const WorkingWeekDto = z.object({ doctorId: z.uuid(), blocks: z.array(WorkingBlockDto) }).meta({ id: "WorkingWeek" });
const WorkingWeekReplacement = z
  .strictObject({
    blocks: z
      .array(
        z.strictObject({
          weekday: z.number().int().min(1).max(7),
          start: WallClock,
          end: WallClock,
          validFrom: CalendarDate.nullable().default(null),
          validUntil: CalendarDate.nullable().default(null),
          appointmentTypeIds: z.array(z.uuid()).default([]),
        }),
      )
      .max(100),
  })
  .meta({ id: "WorkingWeekReplacement" });

const presentWeek = (doctorId: string, rows: WorkingHoursWithTypes[]): z.input<typeof WorkingWeekDto> => ({
  doctorId,
  blocks: rows.map((r) => ({
    weekday: r.weekday,
    start: toWallClock(r.startMinute),
    end: toWallClock(r.endMinute),
    validFrom: dateOnly(r.validFrom),
    validUntil: dateOnly(r.validUntil),
    appointmentTypeIds: r.appointmentTypeIds,
  })),
});

const DoctorQuery = z.object({ specialtyId: z.uuid().optional(), active: QueryBool.optional() });

export function doctorRoutes(api: ApiRoutes, ctx: AppContext): void {
  api.add({
    method: "get",
    path: "/doctors",
    tag: "directory",
    summary: "Doctors with their specialties",
    access: ["admin", "secretary", "doctor"],
    scope: "Practitioner.s",
    query: DoctorQuery,
    ok: { description: "Doctors", schema: z.array(DoctorDto) },
    async handler({ caller, query }) {
      return (await listDoctors(ctx.db, caller.clinicId, query)).map(presentDoctor);
    },
  });

  api.add({
    method: "get",
    path: "/doctors/:id",
    tag: "directory",
    summary: "One doctor",
    access: ["admin", "secretary", "doctor"],
    scope: "Practitioner.r",
    params: IdParams,
    ok: { description: "The doctor", schema: DoctorDto },
    errors: { 404: "No such doctor" },
    async handler({ caller, params }) {
      return presentDoctor(await getDoctor(ctx.db, caller.clinicId, params.id));
    },
  });

  api.add({
    method: "post",
    path: "/doctors",
    tag: "directory",
    summary: "Add a doctor",
    access: ["admin"],
    scope: "staff-only",
    body: NewDoctor,
    ok: { status: 201, description: "Created", schema: DoctorDto },
    async handler({ staff, body }) {
      return presentDoctor(await createDoctor(ctx.db, staff.clinicId, body));
    },
  });

  api.add({
    method: "patch",
    path: "/doctors/:id",
    tag: "directory",
    summary: "Change a doctor, including presence (free/busy) and on-call",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    params: IdParams,
    body: DoctorChanges,
    ok: { description: "Updated", schema: DoctorDto },
    errors: { 404: "No such doctor" },
    async handler({ staff, params, body }) {
      const fields = Object.keys(body);
      const allowed =
        staff.role === "admin" ? null : staff.role === "secretary" ? ["presence", "onCall"] : ["presence"];
      if (staff.role === "doctor" && staff.doctorId !== params.id)
        throw new DomainError("forbidden", "Doctors change only their own presence");
      const refused = allowed ? fields.filter((f) => !allowed.includes(f)) : [];
      if (refused.length)
        throw new DomainError("forbidden", `Your role cannot change: ${refused.join(", ")}`, { fields: refused });
      return presentDoctor(await updateDoctor(ctx.db, staff.clinicId, params.id, body));
    },
  });

  api.add({
    method: "get",
    path: "/doctors/:id/working-hours",
    tag: "schedule",
    summary: "A doctor's weekly working hours",
    access: ["admin", "secretary", "doctor"],
    scope: "Schedule.r",
    params: IdParams,
    ok: { description: "The week", schema: WorkingWeekDto },
    errors: { 404: "No such doctor" },
    async handler({ caller, params }) {
      return presentWeek(params.id, await getWorkingWeek(ctx.db, caller.clinicId, params.id));
    },
  });

  api.add({
    method: "put",
    path: "/doctors/:id/working-hours",
    tag: "schedule",
    summary: "Replace a doctor's whole week of working hours",
    access: ["admin", "secretary"],
    scope: "staff-only",
    params: IdParams,
    body: WorkingWeekReplacement,
    ok: { description: "The new week", schema: WorkingWeekDto },
    errors: { 404: "No such doctor" },
    async handler({ staff, params, body }) {
      const blocks = body.blocks.map(({ start, end, ...b }) => ({ ...b, startMinute: start, endMinute: end }));
      const week = await replaceWorkingWeek(ctx.db, staff.clinicId, params.id, blocks);
      ctx.logger.info({ by: staff.userId, doctorId: params.id, blocks: blocks.length }, "working hours replaced");
      return presentWeek(params.id, week);
    },
  });
}
