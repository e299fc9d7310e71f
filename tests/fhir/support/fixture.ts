import { seedDemoClinic } from "../../../src/data/demo-clinic.js";
import type { Database } from "../../../src/data/db.js";
import type { StaffPrincipal } from "../../../src/http/auth.js";
import { paris } from "../../support/clinic.js";

/** Monday 30 November 2026, 08:00 in Paris: the suite's "now". */
export const NOW = paris("2026-11-30T08:00");

export interface FhirFixture {
  clinicId: string;
  doctors: { martin: string; benali: string; dubois: string };
  types: Record<string, string>;
  patients: { alice: string; bob: string; chloe: string };
  appointments: {
    /** Alice with Dr Martin, Tue 1 Dec 09:00 Paris, confirmed. */
    aliceMartin: string;
    /** Alice with Dr Dubois, Tue 1 Dec 23:30 Paris (22:30 UTC), requested. */
    aliceDuboisLate: string;
    /** Bob with Dr Benali, Wed 2 Dec 00:15 Paris — still 1 Dec in UTC — cancelled by Bob. */
    bobBenaliMidnight: string;
    /** Chloé with Dr Benali, Mon 30 Nov 10:00 Paris, completed. */
    chloeBenaliPast: string;
    /** Chloé with Dr Dubois, Thu 3 Dec 10:00 Paris, declined by the clinic. */
    chloeDuboisDeclined: string;
  };
  staff: { secretary: StaffPrincipal; admin: StaffPrincipal; martin: StaffPrincipal; benali: StaffPrincipal };
}

/** The demo clinic plus three patients and five appointments chosen to probe time zones, roles and statuses. */
export async function seedFhirFixture(db: Database): Promise<FhirFixture> {
  const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "fhir-tests-admin" });
  const doctorId = async (lastName: string) =>
    (await db.prisma.doctor.findFirstOrThrow({ where: { clinicId, lastName } })).id;
  const doctors = {
    martin: await doctorId("Martin"),
    benali: await doctorId("Benali"),
    dubois: await doctorId("Dubois"),
  };
  const types = Object.fromEntries(
    (await db.prisma.appointmentType.findMany({ where: { clinicId } })).map((t) => [t.code, t.id]),
  );
  const patient = (firstName: string, lastName: string, birthDate: string, phone: string, email?: string) =>
    db.prisma.patient.create({
      data: {
        clinicId,
        firstName,
        lastName,
        birthDate: new Date(`${birthDate}T00:00:00Z`),
        phone,
        ...(email ? { email } : {}),
      },
    });
  const alice = await patient("Alice", "Durand", "1980-05-17", "+33611111111", "alice.durand@example.org");
  const bob = await patient("Bob", "Petit", "1975-01-02", "+33622222222");
  const chloe = await patient("Chloé", "Roux", "2001-12-01", "+33633333333");
  const appointment = async (
    patientId: string,
    doctor: string,
    type: string,
    local: string,
    minutes: number,
    status: "requested" | "confirmed" | "declined" | "cancelled" | "completed",
    reason?: string,
  ) => {
    const startsAt = paris(local);
    const row = await db.prisma.appointment.create({
      data: {
        clinicId,
        patientId,
        doctorId: doctor,
        typeId: types[type]!,
        startsAt,
        endsAt: new Date(+startsAt + minutes * 60_000),
        status,
        sourceChannel: "telegram",
        ...(reason ? { reason } : {}),
      },
    });
    return row.id;
  };
  const appointments = {
    aliceMartin: await appointment(
      alice.id,
      doctors.martin,
      "gp-consult",
      "2026-12-01T09:00",
      20,
      "confirmed",
      "Fièvre depuis trois jours",
    ),
    aliceDuboisLate: await appointment(alice.id, doctors.dubois, "cardio-consult", "2026-12-01T23:30", 30, "requested"),
    bobBenaliMidnight: await appointment(bob.id, doctors.benali, "gp-consult", "2026-12-02T00:15", 20, "cancelled"),
    chloeBenaliPast: await appointment(chloe.id, doctors.benali, "gp-consult", "2026-11-30T10:00", 20, "completed"),
    chloeDuboisDeclined: await appointment(
      chloe.id,
      doctors.dubois,
      "cardio-consult",
      "2026-12-03T10:00",
      30,
      "declined",
    ),
  };
  await db.prisma.appointmentEvent.create({
    data: {
      appointmentId: appointments.bobBenaliMidnight,
      actorKind: "patient",
      actorId: bob.id,
      fromStatus: "confirmed",
      toStatus: "cancelled",
    },
  });
  await db.prisma.appointmentEvent.create({
    data: {
      appointmentId: appointments.chloeDuboisDeclined,
      actorKind: "doctor",
      fromStatus: "requested",
      toStatus: "declined",
      reason: "Please see your GP first",
    },
  });
  const staffUser = async (email: string) => (await db.prisma.staffUser.findFirstOrThrow({ where: { email } })).id;
  const staff = {
    secretary: {
      userId: await staffUser("secretariat@tabib.local"),
      clinicId,
      role: "secretary" as const,
      doctorId: null,
    },
    admin: { userId: await staffUser("admin@tabib.local"), clinicId, role: "admin" as const, doctorId: null },
    martin: {
      userId: await staffUser("dr.martin@tabib.local"),
      clinicId,
      role: "doctor" as const,
      doctorId: doctors.martin,
    },
    // No login is seeded for Dr Benali; a token is all the router looks at.
    benali: {
      userId: "00000000-0000-4000-8000-00000000b3a1",
      clinicId,
      role: "doctor" as const,
      doctorId: doctors.benali,
    },
  };
  return { clinicId, doctors, types, patients: { alice: alice.id, bob: bob.id, chloe: chloe.id }, appointments, staff };
}
