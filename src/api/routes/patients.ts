import type { Request } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { Patient } from "../../data/generated/client.js";
import { createPatient, readPatient, searchPatients, updatePatient, type CallerAccess } from "../../domain/patients.js";
import { callerActor, type Caller } from "../../http/auth.js";
import type { ApiRoutes } from "../route.js";
import {
  CalendarDate,
  ChannelName,
  dateOnly,
  DateOnly,
  E164,
  IdParams,
  iso,
  isoOrNull,
  Locale,
  Timestamp,
} from "../schemas.js";

const PatientDto = z
  .object({
    id: z.uuid(),
    firstName: z.string(),
    lastName: z.string(),
    birthDate: DateOnly.nullable(),
    phone: z.string().nullable().meta({ description: "E.164" }),
    email: z.string().nullable(),
    preferredLocale: Locale,
    preferredChannel: ChannelName.nullable(),
    consentAt: Timestamp.nullable(),
    erasedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "Patient" });

const Fields = {
  firstName: z.string().trim().min(1).max(100),
  lastName: z.string().trim().min(1).max(100),
  birthDate: CalendarDate.nullable(),
  phone: E164.nullable(),
  email: z.email().max(320).nullable(),
  preferredLocale: Locale,
  preferredChannel: ChannelName.nullable(),
};
const NewPatient = z
  .strictObject({
    ...Fields,
    birthDate: Fields.birthDate.default(null),
    phone: Fields.phone.default(null),
    email: Fields.email.default(null),
    preferredLocale: Locale.default("fr"),
    preferredChannel: Fields.preferredChannel.default(null),
  })
  .meta({ id: "NewPatient" });
const PatientChanges = z.strictObject(Fields).partial().meta({ id: "PatientChanges" });

export const presentPatient = (p: Patient): z.input<typeof PatientDto> => ({
  id: p.id,
  firstName: p.firstName,
  lastName: p.lastName,
  birthDate: dateOnly(p.birthDate),
  phone: p.phone,
  email: p.email,
  preferredLocale: p.preferredLocale,
  preferredChannel: p.preferredChannel,
  consentAt: isoOrNull(p.consentAt),
  erasedAt: isoOrNull(p.erasedAt),
  createdAt: iso(p.createdAt),
  updatedAt: iso(p.updatedAt),
});

const access = (caller: Caller, req: Request): CallerAccess => ({
  clinicId: caller.clinicId,
  actor: callerActor(caller),
  ip: req.ip ?? null,
});

export function patientRoutes(api: ApiRoutes, ctx: AppContext): void {
  api.add({
    method: "get",
    path: "/patients",
    tag: "patients",
    summary: "Search patients by name fragments or phone digits (doctors: their own patients)",
    description: "Each patient returned is recorded in the audit log.",
    access: ["admin", "secretary", "doctor"],
    scope: "Patient.s",
    query: z.object({
      q: z.string().trim().min(2).max(100),
      limit: z.coerce.number().int().min(1).max(100).default(20),
    }),
    ok: { description: "Matching patients", schema: z.array(PatientDto) },
    async handler({ caller, query, req }) {
      return (await searchPatients(ctx.db, access(caller, req), query)).map(presentPatient);
    },
  });

  api.add({
    method: "get",
    path: "/patients/:id",
    tag: "patients",
    summary: "One patient (audited)",
    access: ["admin", "secretary", "doctor"],
    scope: "Patient.r",
    params: IdParams,
    ok: { description: "The patient", schema: PatientDto },
    errors: { 404: "No such patient" },
    async handler({ caller, params, req }) {
      return presentPatient(await readPatient(ctx.db, access(caller, req), params.id));
    },
  });

  api.add({
    method: "post",
    path: "/patients",
    tag: "patients",
    summary: "Register a patient",
    access: ["admin", "secretary"],
    scope: "Patient.c",
    body: NewPatient,
    ok: { status: 201, description: "Created", schema: PatientDto },
    errors: { 409: "A patient with this phone already exists" },
    async handler({ caller, body, req }) {
      return presentPatient(await createPatient(ctx.db, access(caller, req), body));
    },
  });

  api.add({
    method: "patch",
    path: "/patients/:id",
    tag: "patients",
    summary: "Change a patient's demographics (audited, field names only)",
    access: ["admin", "secretary"],
    scope: "Patient.u",
    params: IdParams,
    body: PatientChanges,
    ok: { description: "Updated", schema: PatientDto },
    errors: { 404: "No such patient", 409: "Phone already used, or the record was erased" },
    async handler({ caller, params, body, req }) {
      return presentPatient(await updatePatient(ctx.db, access(caller, req), params.id, body));
    },
  });
}
