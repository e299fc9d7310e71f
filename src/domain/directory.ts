import { forgetClinicFacts } from "./recent-facts.js";
import type { Database } from "../data/db.js";
import type {
  Appointment,
  AppointmentType,
  Clinic,
  Doctor,
  Patient,
  ScheduleException,
  Specialty,
  WorkingHours,
} from "../data/generated/client.js";
import { auditAppointmentList, recordAudit } from "./audit.js";
import { DomainError, invalid, notFound } from "./errors.js";
import type { ClientActor } from "./actor.js";
import { uniqueViolationAsConflict, type StaffActor } from "./staff.js";

/*
 * The clinic's directory and schedule book: settings, specialties, doctors, weekly hours,
 * exceptions, appointment types, and staff reads of the appointment book.
 * Every function is scoped to one clinic; ids from another clinic are "not found".
 */

// ---------------------------------------------------------------------------- clinic

/** True for IANA zone names ("Europe/Paris", "UTC") that this runtime's Intl knows. */
export function isIanaTimeZone(name: string): boolean {
  // Intl also accepts raw offsets ("+01:00"), which have no DST rules: not a place.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** True for ISO 4217 codes this runtime's Intl knows. */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && Intl.supportedValuesOf("currency").includes(code);
}

export async function getClinic(db: Database, clinicId: string): Promise<Clinic> {
  const clinic = await db.prisma.clinic.findUnique({ where: { id: clinicId } });
  if (!clinic) throw notFound("clinic", clinicId);
  return clinic;
}

export interface ClinicSettingsChanges {
  name?: string;
  address?: string;
  phone?: string;
  emergencyPhone?: string;
  nationalEmergencyNumber?: string;
  timeZone?: string;
  defaultLocale?: "fr" | "en";
  currency?: string;
  cancellationCutoffHours?: number;
  minBookingNoticeMinutes?: number;
  bookingMode?: "instant" | "approval";
  slotStepMinutes?: number;
  teleconsultationUrl?: string | null;
}

export async function updateClinicSettings(
  db: Database,
  clinicId: string,
  changes: ClinicSettingsChanges,
): Promise<Clinic> {
  if (changes.timeZone !== undefined && !isIanaTimeZone(changes.timeZone))
    throw invalid("timeZone", "not an IANA time zone");
  if (changes.currency !== undefined && !isCurrencyCode(changes.currency))
    throw invalid("currency", "not an ISO 4217 currency code");
  await getClinic(db, clinicId);
  const result = await db.prisma.clinic.update({ where: { id: clinicId }, data: changes });
  forgetClinicFacts();
  return result;
}

// ------------------------------------------------------------------------ specialties

export interface SpecialtyFields {
  code: string;
  nameFr: string;
  nameEn: string;
  keywordsFr: string[];
  keywordsEn: string[];
}

export async function listSpecialties(db: Database, clinicId: string): Promise<Specialty[]> {
  return db.prisma.specialty.findMany({ where: { clinicId }, orderBy: { code: "asc" } });
}

export async function createSpecialty(db: Database, clinicId: string, fields: SpecialtyFields): Promise<Specialty> {
  try {
    const created = await db.prisma.specialty.create({ data: { clinicId, ...fields } });
    forgetClinicFacts();
    return created;
  } catch (err) {
    throw uniqueViolationAsConflict(err, `a specialty with code "${fields.code}" already exists`);
  }
}

export async function updateSpecialty(
  db: Database,
  clinicId: string,
  id: string,
  changes: Partial<SpecialtyFields>,
): Promise<Specialty> {
  await ensureInClinic(db, "specialty", clinicId, id);
  try {
    const result = await db.prisma.specialty.update({ where: { id }, data: changes });
    forgetClinicFacts();
    return result;
  } catch (err) {
    throw uniqueViolationAsConflict(err, `a specialty with code "${changes.code}" already exists`);
  }
}

// ---------------------------------------------------------------------------- doctors

export type DoctorWithSpecialties = Doctor & { specialties: Specialty[] };

export interface DoctorFields {
  title: string;
  firstName: string;
  lastName: string;
  languages: ("fr" | "en")[];
  phone: string | null;
  telegramChatId: string | null;
  whatsappPhone: string | null;
  onCall: boolean;
  presence: "free" | "busy";
  active: boolean;
  specialtyIds: string[];
}

const withSpecialties = { specialties: { include: { specialty: true } } } as const;
type DoctorRow = Doctor & { specialties: { specialty: Specialty }[] };
const flattenDoctor = ({ specialties, ...doctor }: DoctorRow): DoctorWithSpecialties => ({
  ...doctor,
  specialties: specialties.map((s) => s.specialty).sort((a, b) => a.code.localeCompare(b.code)),
});

export async function listDoctors(
  db: Database,
  clinicId: string,
  filter: { specialtyId?: string; active?: boolean } = {},
): Promise<DoctorWithSpecialties[]> {
  const rows = await db.prisma.doctor.findMany({
    where: {
      clinicId,
      ...(filter.active !== undefined ? { active: filter.active } : {}),
      ...(filter.specialtyId ? { specialties: { some: { specialtyId: filter.specialtyId } } } : {}),
    },
    include: withSpecialties,
    orderBy: [{ lastName: "asc" }, { firstName: "asc" }],
  });
  return rows.map(flattenDoctor);
}

export async function getDoctor(db: Database, clinicId: string, id: string): Promise<DoctorWithSpecialties> {
  const row = await db.prisma.doctor.findFirst({ where: { id, clinicId }, include: withSpecialties });
  if (!row) throw notFound("doctor", id);
  return flattenDoctor(row);
}

export async function createDoctor(
  db: Database,
  clinicId: string,
  fields: DoctorFields,
): Promise<DoctorWithSpecialties> {
  const { specialtyIds, ...data } = fields;
  await ensureSpecialties(db, clinicId, specialtyIds);
  const row = await db.prisma.doctor.create({
    data: { ...data, clinicId, specialties: { create: specialtyIds.map((specialtyId) => ({ specialtyId })) } },
    include: withSpecialties,
  });
  forgetClinicFacts();
  return flattenDoctor(row);
}

/** Partial update; `specialtyIds`, when given, replaces the doctor's whole list. */
export async function updateDoctor(
  db: Database,
  clinicId: string,
  id: string,
  changes: Partial<DoctorFields>,
): Promise<DoctorWithSpecialties> {
  await ensureInClinic(db, "doctor", clinicId, id);
  const { specialtyIds, ...data } = changes;
  if (specialtyIds) await ensureSpecialties(db, clinicId, specialtyIds);
  const row = await db.prisma.doctor.update({
    where: { id },
    data: {
      ...data,
      ...(specialtyIds
        ? { specialties: { deleteMany: {}, create: specialtyIds.map((specialtyId) => ({ specialtyId })) } }
        : {}),
    },
    include: withSpecialties,
  });
  forgetClinicFacts();
  return flattenDoctor(row);
}

async function ensureSpecialties(db: Database, clinicId: string, ids: string[]): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length !== ids.length) throw invalid("specialtyIds", "lists a specialty twice");
  const found = await db.prisma.specialty.count({ where: { clinicId, id: { in: unique } } });
  if (found !== unique.length) throw invalid("specialtyIds", "names a specialty this clinic does not have");
}

// ---------------------------------------------------------------------- working hours

/** One weekly block, minutes from local midnight (clinic time zone). */
export interface WorkingBlock {
  weekday: number;
  startMinute: number;
  endMinute: number;
  validFrom: Date | null;
  validUntil: Date | null;
  /** Empty: every type the doctor offers. */
  appointmentTypeIds: string[];
}

export type WorkingHoursWithTypes = WorkingHours & { appointmentTypeIds: string[] };

export async function getWorkingWeek(
  db: Database,
  clinicId: string,
  doctorId: string,
): Promise<WorkingHoursWithTypes[]> {
  await ensureInClinic(db, "doctor", clinicId, doctorId);
  const rows = await db.prisma.workingHours.findMany({
    where: { doctorId },
    include: { appointmentTypes: { select: { appointmentTypeId: true } } },
    orderBy: [{ weekday: "asc" }, { startMinute: "asc" }],
  });
  return rows.map(({ appointmentTypes, ...row }) => ({
    ...row,
    appointmentTypeIds: appointmentTypes.map((t) => t.appointmentTypeId).sort(),
  }));
}

/** Replaces the doctor's whole week in one transaction; overlapping blocks are refused. */
export async function replaceWorkingWeek(
  db: Database,
  clinicId: string,
  doctorId: string,
  blocks: WorkingBlock[],
): Promise<WorkingHoursWithTypes[]> {
  await ensureInClinic(db, "doctor", clinicId, doctorId);
  blocks.forEach((b, i) => {
    if (!Number.isInteger(b.weekday) || b.weekday < 1 || b.weekday > 7)
      throw invalid(`blocks.${i}.weekday`, "must be 1 (Monday) to 7 (Sunday)");
    if (b.startMinute < 0 || b.endMinute > 1440 || b.endMinute <= b.startMinute)
      throw invalid(`blocks.${i}.end`, "must be after start, within the day");
    if (b.validFrom && b.validUntil && b.validUntil < b.validFrom)
      throw invalid(`blocks.${i}.validUntil`, "must not be before validFrom");
  });
  blocks.forEach((a, i) =>
    blocks.slice(i + 1).forEach((b, k) => {
      const sameDay = a.weekday === b.weekday && a.startMinute < b.endMinute && b.startMinute < a.endMinute;
      const periodsMeet =
        (a.validFrom ?? -Infinity) <= (b.validUntil ?? Infinity) &&
        (b.validFrom ?? -Infinity) <= (a.validUntil ?? Infinity);
      if (sameDay && periodsMeet) throw invalid(`blocks.${i + 1 + k}`, `overlaps block ${i}`);
    }),
  );
  const typeIds = [...new Set(blocks.flatMap((b) => b.appointmentTypeIds))];
  const types = await db.prisma.appointmentType.count({ where: { clinicId, id: { in: typeIds } } });
  if (types !== typeIds.length)
    throw invalid("blocks.appointmentTypeIds", "names an appointment type this clinic does not have");

  await db.prisma.$transaction([
    db.prisma.workingHours.deleteMany({ where: { doctorId } }),
    ...blocks.map((b) =>
      db.prisma.workingHours.create({
        data: {
          doctorId,
          weekday: b.weekday,
          startMinute: b.startMinute,
          endMinute: b.endMinute,
          validFrom: b.validFrom,
          validUntil: b.validUntil,
          appointmentTypes: {
            create: [...new Set(b.appointmentTypeIds)].map((appointmentTypeId) => ({ appointmentTypeId })),
          },
        },
      }),
    ),
  ]);
  const result = await getWorkingWeek(db, clinicId, doctorId);
  forgetClinicFacts();
  return result;
}

// ---------------------------------------------------------------- schedule exceptions

export interface ExceptionFilter {
  from: Date;
  to: Date;
  /** Only this doctor's exceptions (plus clinic-wide ones when `includeClinicWide`). */
  doctorId?: string;
  includeClinicWide?: boolean;
}

export async function listExceptions(
  db: Database,
  clinicId: string,
  filter: ExceptionFilter,
): Promise<ScheduleException[]> {
  if (filter.to <= filter.from) throw invalid("to", "must be after from");
  const who = filter.doctorId
    ? { OR: [{ doctorId: filter.doctorId }, ...(filter.includeClinicWide ? [{ doctorId: null }] : [])] }
    : {};
  return db.prisma.scheduleException.findMany({
    where: { clinicId, startsAt: { lt: filter.to }, endsAt: { gt: filter.from }, ...who },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
  });
}

export async function getException(db: Database, clinicId: string, id: string): Promise<ScheduleException> {
  const row = await db.prisma.scheduleException.findFirst({ where: { id, clinicId } });
  if (!row) throw notFound("schedule exception", id);
  return row;
}

export interface NewException {
  /** Null: the whole clinic (a public holiday). */
  doctorId: string | null;
  kind: "leave" | "holiday" | "blocked";
  startsAt: Date;
  endsAt: Date;
  reason?: string | null;
}

/**
 * Records leave, a holiday or blocked time. Appointments already booked inside it are left
 * as they are (moving patients is a human decision) and returned so staff can act on them.
 */
export async function createException(
  db: Database,
  clinicId: string,
  input: NewException,
): Promise<{ exception: ScheduleException; affectedAppointmentIds: string[] }> {
  if (input.endsAt <= input.startsAt) throw invalid("endsAt", "must be after startsAt");
  if (input.doctorId) await ensureInClinic(db, "doctor", clinicId, input.doctorId);
  const exception = await db.prisma.scheduleException.create({
    data: { clinicId, ...input, reason: input.reason ?? null },
  });
  const affected = await db.prisma.appointment.findMany({
    where: {
      clinicId,
      ...(input.doctorId ? { doctorId: input.doctorId } : {}),
      status: { in: ["requested", "confirmed"] },
      startsAt: { lt: input.endsAt },
      endsAt: { gt: input.startsAt },
    },
    select: { id: true },
    orderBy: { startsAt: "asc" },
  });
  return { exception, affectedAppointmentIds: affected.map((a) => a.id) };
}

export async function deleteException(db: Database, clinicId: string, id: string): Promise<void> {
  await getException(db, clinicId, id);
  await db.prisma.scheduleException.delete({ where: { id } });
}

// ------------------------------------------------------------------ appointment types

export interface AppointmentTypeFields {
  code: string;
  nameFr: string;
  nameEn: string;
  durationMinutes: number;
  priceMinor: number;
  mode: "in_person" | "teleconsultation";
  specialtyId: string | null;
  active: boolean;
}

export async function listAppointmentTypes(
  db: Database,
  clinicId: string,
  filter: { specialtyId?: string; active?: boolean } = {},
): Promise<AppointmentType[]> {
  return db.prisma.appointmentType.findMany({
    where: {
      clinicId,
      ...(filter.specialtyId ? { specialtyId: filter.specialtyId } : {}),
      ...(filter.active !== undefined ? { active: filter.active } : {}),
    },
    orderBy: { code: "asc" },
  });
}

export async function createAppointmentType(
  db: Database,
  clinicId: string,
  fields: AppointmentTypeFields,
): Promise<AppointmentType> {
  if (fields.specialtyId) await ensureSpecialties(db, clinicId, [fields.specialtyId]);
  try {
    const result = await db.prisma.appointmentType.create({ data: { clinicId, ...fields } });
    forgetClinicFacts();
    return result;
  } catch (err) {
    throw uniqueViolationAsConflict(err, `an appointment type with code "${fields.code}" already exists`);
  }
}

export async function updateAppointmentType(
  db: Database,
  clinicId: string,
  id: string,
  changes: Partial<AppointmentTypeFields>,
): Promise<AppointmentType> {
  await ensureInClinic(db, "appointmentType", clinicId, id);
  if (changes.specialtyId) await ensureSpecialties(db, clinicId, [changes.specialtyId]);
  try {
    const result = await db.prisma.appointmentType.update({ where: { id }, data: changes });
    forgetClinicFacts();
    return result;
  } catch (err) {
    throw uniqueViolationAsConflict(err, `an appointment type with code "${changes.code}" already exists`);
  }
}

// ----------------------------------------------------------------- appointment book

export type PatientSummary = Pick<Patient, "id" | "firstName" | "lastName">;
export type BookedAppointment = Appointment & { patient: PatientSummary };

export interface AppointmentFilter {
  from: Date;
  to: Date;
  doctorId?: string;
  patientId?: string;
  status?: Appointment["status"][];
  limit?: number;
}

const patientSummary = { patient: { select: { id: true, firstName: true, lastName: true } } } as const;

/**
 * Appointments starting in [from, to). A doctor only ever sees their own book; each
 * appointment returned is audited as a read of its patient's data.
 */
export async function listAppointments(
  db: Database,
  clinicId: string,
  actor: StaffActor | ClientActor,
  filter: AppointmentFilter,
  ip?: string | null,
): Promise<BookedAppointment[]> {
  if (filter.to <= filter.from) throw invalid("to", "must be after from");
  if (actor.kind === "staff" && actor.role === "doctor" && filter.doctorId && filter.doctorId !== actor.doctorId) {
    throw new DomainError("forbidden", "Doctors see only their own appointments");
  }
  const doctorId =
    actor.kind === "staff" && actor.role === "doctor"
      ? (actor.doctorId ?? "00000000-0000-0000-0000-000000000000")
      : filter.doctorId;
  const rows = await db.prisma.appointment.findMany({
    where: {
      clinicId,
      startsAt: { gte: filter.from, lt: filter.to },
      ...(doctorId ? { doctorId } : {}),
      ...(filter.patientId ? { patientId: filter.patientId } : {}),
      ...(filter.status?.length ? { status: { in: filter.status } } : {}),
    },
    include: patientSummary,
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    take: filter.limit ?? 500,
  });
  await auditAppointmentList(
    db,
    { actor, ip },
    rows.map((a) => ({ appointmentId: a.id, patientId: a.patientId })),
  );
  return rows;
}

/**
 * An appointment of this clinic that this staff member may act on: doctors only their own
 * (forbidden otherwise). Not audited: the change that follows is recorded in its history.
 */
export async function appointmentForStaff(
  db: Database,
  clinicId: string,
  actor: StaffActor | ClientActor,
  id: string,
): Promise<BookedAppointment> {
  const appointment = await db.prisma.appointment.findFirst({ where: { id, clinicId }, include: patientSummary });
  if (!appointment) throw notFound("appointment", id);
  if (actor.kind === "staff" && actor.role === "doctor" && appointment.doctorId !== actor.doctorId) {
    throw new DomainError("forbidden", "Doctors see only their own appointments");
  }
  return appointment;
}

/** One appointment for a staff member, audited as a read of the patient's data. */
export async function readAppointment(
  db: Database,
  clinicId: string,
  actor: StaffActor | ClientActor,
  id: string,
  ip?: string | null,
  action = "appointment.read",
): Promise<BookedAppointment> {
  const appointment = await appointmentForStaff(db, clinicId, actor, id);
  await recordAudit(db, {
    actor,
    action,
    resourceType: "appointment",
    resourceId: id,
    patientId: appointment.patientId,
    ip,
  });
  return appointment;
}

// -------------------------------------------------------------------------- helpers

type ClinicScoped = "doctor" | "specialty" | "appointmentType" | "patient";

/** Not-found unless the row exists in this clinic. */
export async function ensureInClinic(db: Database, kind: ClinicScoped, clinicId: string, id: string): Promise<void> {
  const where = { where: { id, clinicId }, select: { id: true } } as const;
  const row =
    kind === "doctor"
      ? await db.prisma.doctor.findFirst(where)
      : kind === "specialty"
        ? await db.prisma.specialty.findFirst(where)
        : kind === "appointmentType"
          ? await db.prisma.appointmentType.findFirst(where)
          : await db.prisma.patient.findFirst(where);
  if (!row) throw notFound(kind === "appointmentType" ? "appointment type" : kind, id);
}
