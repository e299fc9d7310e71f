import type { Database } from "../../src/data/db.js";

export interface TestClinic {
  clinicId: string;
  specialtyId: string;
  typeId: string;
  doctorIds: string[];
  patientIds: string[];
}

/**
 * A small Paris clinic: `doctors` general practitioners working Monday–Friday 09:00–12:00
 * (30-minute consultations on a 30-minute grid), no notice period unless given.
 */
export async function createTestClinic(
  db: Database,
  opts: {
    doctors?: number;
    patients?: number;
    minNoticeMinutes?: number;
    cutoffHours?: number;
    bookingMode?: "instant" | "approval";
    timeZone?: string;
    hours?: [number, number, number][];
  } = {},
): Promise<TestClinic> {
  const clinic = await db.prisma.clinic.create({
    data: {
      name: "Test clinic",
      address: "1 rue du Test, Paris",
      phone: "+33100000000",
      emergencyPhone: "+33100000099",
      timeZone: opts.timeZone ?? "Europe/Paris",
      minBookingNoticeMinutes: opts.minNoticeMinutes ?? 0,
      cancellationCutoffHours: opts.cutoffHours ?? 24,
      bookingMode: opts.bookingMode ?? "instant",
      slotStepMinutes: 30,
    },
  });
  const specialty = await db.prisma.specialty.create({
    data: {
      clinicId: clinic.id,
      code: "general",
      nameFr: "Médecine générale",
      nameEn: "General medicine",
      keywordsFr: ["fièvre"],
      keywordsEn: ["fever"],
    },
  });
  const type = await db.prisma.appointmentType.create({
    data: {
      clinicId: clinic.id,
      specialtyId: specialty.id,
      code: "consult",
      nameFr: "Consultation",
      nameEn: "Consultation",
      durationMinutes: 30,
      priceMinor: 3000,
    },
  });
  const hours = opts.hours ?? [1, 2, 3, 4, 5].map((d) => [d, 9 * 60, 12 * 60] as [number, number, number]);
  const doctorIds: string[] = [];
  for (let i = 0; i < (opts.doctors ?? 1); i++) {
    const d = await db.prisma.doctor.create({
      data: {
        clinicId: clinic.id,
        firstName: `Doc${i}`,
        lastName: `Tor${i}`,
        languages: ["fr"],
        specialties: { create: [{ specialtyId: specialty.id }] },
        workingHours: {
          create: hours.map(([weekday, startMinute, endMinute]) => ({ weekday, startMinute, endMinute })),
        },
      },
    });
    doctorIds.push(d.id);
  }
  const patientIds: string[] = [];
  for (let i = 0; i < (opts.patients ?? 2); i++) {
    const p = await db.prisma.patient.create({
      data: {
        clinicId: clinic.id,
        firstName: `Pat${i}`,
        lastName: `Ient${i}`,
        phone: `+3361000${String(i).padStart(4, "0")}`,
      },
    });
    patientIds.push(p.id);
  }
  return { clinicId: clinic.id, specialtyId: specialty.id, typeId: type.id, doctorIds, patientIds };
}

/** Writes an appointment straight into the table (30 minutes, confirmed, first patient unless told). */
export function seedAppointment(
  db: Database,
  clinic: TestClinic,
  at: {
    doctorId: string;
    startsAt: Date;
    status?: "requested" | "confirmed" | "cancelled" | "declined";
    patientId?: string;
  },
) {
  return db.prisma.appointment.create({
    data: {
      clinicId: clinic.clinicId,
      doctorId: at.doctorId,
      patientId: at.patientId ?? clinic.patientIds[0]!,
      typeId: clinic.typeId,
      startsAt: at.startsAt,
      endsAt: new Date(+at.startsAt + 30 * 60_000),
      status: at.status ?? "confirmed",
      sourceChannel: "api",
    },
  });
}

/** An instant given as Paris wall-clock time, e.g. paris("2026-12-01T09:00"). */
export function paris(local: string): Date {
  const probe = new Date(`${local}:00Z`);
  const offsetMinutes = (() => {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: "Europe/Paris",
      timeZoneName: "longOffset",
    }).formatToParts(probe);
    const name = parts.find((p) => p.type === "timeZoneName")?.value ?? "GMT+00:00";
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  })();
  return new Date(+probe - offsetMinutes * 60_000);
}

/**
 * A patient the front desk registered (with a phone, no chat address yet) and booked with the
 * clinic's first doctor and appointment type: someone who calls the clinic, then writes on a channel.
 */
export async function seedBookedPatient(
  db: Database,
  clinicId: string,
  patient: { firstName: string; lastName: string; phone: string; birthDate?: Date },
  startsAt: Date,
) {
  const created = await db.prisma.patient.create({ data: { clinicId, ...patient } });
  const doctor = await db.prisma.doctor.findFirstOrThrow({ where: { clinicId } });
  const type = await db.prisma.appointmentType.findFirstOrThrow({ where: { clinicId } });
  await db.prisma.appointment.create({
    data: {
      clinicId,
      patientId: created.id,
      doctorId: doctor.id,
      typeId: type.id,
      startsAt,
      endsAt: new Date(+startsAt + 30 * 60_000),
      status: "confirmed",
      sourceChannel: "api",
    },
  });
  return created;
}
