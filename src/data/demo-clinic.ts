import { randomBytes } from "node:crypto";
import { hashPassword } from "../lib/passwords.js";
import type { Database, PrismaClient } from "./db.js";
import { seedDemoHistory } from "./demo/seed.js";

/** Specialties with the words patients use for their symptoms, as data the triage reads. */
export const DEMO_SPECIALTIES = [
  {
    code: "general",
    nameFr: "Médecine générale",
    nameEn: "General medicine",
    keywordsFr: [
      "fièvre",
      "grippe",
      "rhume",
      "toux",
      "mal de gorge",
      "fatigue",
      "mal de tête",
      "maux de tête",
      "migraine",
      "vaccin",
      "certificat",
      "ordonnance",
      "renouvellement",
      "bilan",
      "nausée",
      "vomissement",
      "diarrhée",
      "mal au ventre",
      "douleur abdominale",
      "infection urinaire",
      "généraliste",
      "médecin traitant",
      "angine",
      "sinusite",
      "courbatures",
    ],
    keywordsEn: [
      "fever",
      "flu",
      "cold",
      "cough",
      "sore throat",
      "tired",
      "fatigue",
      "headache",
      "migraine",
      "vaccine",
      "vaccination",
      "certificate",
      "prescription",
      "renewal",
      "check-up",
      "checkup",
      "nausea",
      "vomiting",
      "diarrhea",
      "stomach ache",
      "stomachache",
      "abdominal pain",
      "urinary infection",
      "gp",
      "general practitioner",
      "family doctor",
      "sinus",
    ],
  },
  {
    code: "cardiology",
    nameFr: "Cardiologie",
    nameEn: "Cardiology",
    keywordsFr: [
      "cœur",
      "coeur",
      "cardiaque",
      "palpitations",
      "tension",
      "hypertension",
      "tachycardie",
      "arythmie",
      "essoufflement",
      "électrocardiogramme",
      "ecg",
      "cholestérol",
      "cardiologue",
      "souffle au cœur",
      "jambes gonflées",
    ],
    keywordsEn: [
      "heart",
      "cardiac",
      "palpitations",
      "blood pressure",
      "hypertension",
      "tachycardia",
      "arrhythmia",
      "short of breath",
      "shortness of breath",
      "ecg",
      "ekg",
      "cholesterol",
      "cardiologist",
      "heart murmur",
      "swollen legs",
    ],
  },
  {
    code: "pediatrics",
    nameFr: "Pédiatrie",
    nameEn: "Pediatrics",
    keywordsFr: [
      "enfant",
      "bébé",
      "nourrisson",
      "pédiatre",
      "fils",
      "fille",
      "croissance",
      "vaccin bébé",
      "varicelle",
      "otite",
      "bronchiolite",
      "poussée dentaire",
    ],
    keywordsEn: [
      "child",
      "kid",
      "baby",
      "infant",
      "toddler",
      "pediatrician",
      "paediatrician",
      "son",
      "daughter",
      "growth",
      "chickenpox",
      "ear infection",
      "bronchiolitis",
      "teething",
    ],
  },
  {
    code: "dermatology",
    nameFr: "Dermatologie",
    nameEn: "Dermatology",
    keywordsFr: [
      "peau",
      "bouton",
      "boutons",
      "acné",
      "eczéma",
      "psoriasis",
      "grain de beauté",
      "démangeaisons",
      "rougeur",
      "allergie cutanée",
      "verrue",
      "cheveux",
      "chute de cheveux",
      "ongle",
      "dermatologue",
      "urticaire",
      "tache",
    ],
    keywordsEn: [
      "skin",
      "pimple",
      "pimples",
      "acne",
      "eczema",
      "psoriasis",
      "mole",
      "itching",
      "itchy",
      "rash",
      "redness",
      "wart",
      "hair loss",
      "nail",
      "dermatologist",
      "hives",
      "spot",
    ],
  },
  {
    code: "gynecology",
    nameFr: "Gynécologie",
    nameEn: "Gynecology",
    keywordsFr: [
      "gynécologue",
      "règles",
      "grossesse",
      "enceinte",
      "contraception",
      "pilule",
      "stérilet",
      "frottis",
      "ménopause",
      "sein",
    ],
    keywordsEn: [
      "gynecologist",
      "gynaecologist",
      "period",
      "periods",
      "pregnancy",
      "pregnant",
      "contraception",
      "pill",
      "iud",
      "smear",
      "pap smear",
      "menopause",
      "breast",
    ],
  },
] as const;

type SpecialtyCode = (typeof DEMO_SPECIALTIES)[number]["code"];

const DEMO_TYPES: {
  code: string;
  nameFr: string;
  nameEn: string;
  durationMinutes: number;
  priceMinor: number;
  mode: "in_person" | "teleconsultation";
  specialty: SpecialtyCode;
}[] = [
  {
    code: "gp-consult",
    nameFr: "Consultation de médecine générale",
    nameEn: "General consultation",
    durationMinutes: 20,
    priceMinor: 3000,
    mode: "in_person",
    specialty: "general",
  },
  {
    code: "gp-tele",
    nameFr: "Téléconsultation",
    nameEn: "Teleconsultation",
    durationMinutes: 15,
    priceMinor: 2500,
    mode: "teleconsultation",
    specialty: "general",
  },
  {
    code: "cardio-consult",
    nameFr: "Consultation de cardiologie",
    nameEn: "Cardiology consultation",
    durationMinutes: 30,
    priceMinor: 5000,
    mode: "in_person",
    specialty: "cardiology",
  },
  {
    code: "peds-consult",
    nameFr: "Consultation pédiatrique",
    nameEn: "Pediatric consultation",
    durationMinutes: 30,
    priceMinor: 3500,
    mode: "in_person",
    specialty: "pediatrics",
  },
  {
    code: "derm-consult",
    nameFr: "Consultation de dermatologie",
    nameEn: "Dermatology consultation",
    durationMinutes: 20,
    priceMinor: 4500,
    mode: "in_person",
    specialty: "dermatology",
  },
  {
    code: "gyn-consult",
    nameFr: "Consultation de gynécologie",
    nameEn: "Gynecology consultation",
    durationMinutes: 30,
    priceMinor: 5000,
    mode: "in_person",
    specialty: "gynecology",
  },
];

// Weekly hours as [weekday, "HH:MM", "HH:MM"]; the clinic is in Paris.
const MORNINGS_AFTERNOONS = [1, 2, 3, 4, 5].flatMap(
  (d) =>
    [
      [d, "09:00", "12:30"],
      [d, "14:00", "18:30"],
    ] as const,
);
const DEMO_DOCTORS: {
  firstName: string;
  lastName: string;
  specialties: SpecialtyCode[];
  languages: ("fr" | "en")[];
  onCall?: boolean;
  hours: readonly (readonly [number, string, string])[];
}[] = [
  {
    firstName: "Claire",
    lastName: "Martin",
    specialties: ["general"],
    languages: ["fr", "en"],
    onCall: true,
    hours: [...MORNINGS_AFTERNOONS, [6, "09:00", "12:00"]],
  },
  {
    firstName: "Youssef",
    lastName: "Benali",
    specialties: ["general"],
    languages: ["fr", "en"],
    hours: [
      [1, "08:30", "12:30"],
      [2, "13:30", "19:00"],
      [3, "08:30", "12:30"],
      [4, "13:30", "19:00"],
      [5, "08:30", "16:00"],
    ],
  },
  {
    firstName: "Hélène",
    lastName: "Dubois",
    specialties: ["cardiology"],
    languages: ["fr"],
    hours: [
      [1, "09:00", "13:00"],
      [2, "09:00", "13:00"],
      [2, "14:00", "17:00"],
      [4, "09:00", "13:00"],
      [4, "14:00", "17:00"],
    ],
  },
  {
    firstName: "Marc",
    lastName: "Lefèvre",
    specialties: ["cardiology"],
    languages: ["fr", "en"],
    hours: [
      [3, "09:00", "12:00"],
      [3, "14:00", "18:00"],
      [5, "09:00", "12:00"],
      [5, "14:00", "18:00"],
    ],
  },
  {
    firstName: "Amina",
    lastName: "Diallo",
    specialties: ["pediatrics"],
    languages: ["fr", "en"],
    hours: [...MORNINGS_AFTERNOONS.filter(([d]) => d !== 3), [3, "09:00", "12:00"]],
  },
  {
    firstName: "Thomas",
    lastName: "Moreau",
    specialties: ["dermatology"],
    languages: ["fr", "en"],
    hours: [
      [1, "14:00", "18:00"],
      [2, "09:00", "12:00"],
      [2, "14:00", "18:00"],
      [4, "09:00", "12:00"],
      [5, "14:00", "18:00"],
    ],
  },
  {
    firstName: "Sophie",
    lastName: "Laurent",
    specialties: ["gynecology"],
    languages: ["fr"],
    hours: [
      [1, "09:00", "12:30"],
      [3, "14:00", "18:30"],
      [4, "09:00", "12:30"],
    ],
  },
];

const toMinute = (hhmm: string): number => {
  const [h, m] = hhmm.split(":").map(Number);
  return h! * 60 + m!;
};

export interface SeedCredentials {
  role: "admin" | "secretary" | "doctor";
  email: string;
  password: string;
}

export interface SeedResult {
  clinicId: string;
  /** Logins created by this seed, passwords in clear so they can be shown once. Empty if nothing was seeded. */
  credentials: SeedCredentials[];
  /** What the clinic's history holds, when seedDemo gave it one. */
  history?: { from: string; to: string; patients: number; appointments: number; invoices: number };
}

const newPassword = () => randomBytes(12).toString("base64url");

/**
 * Creates the demo clinic (Paris, French-speaking, instant booking) if no clinic exists yet.
 * Idempotent: a database that already has a clinic is left as it is.
 */
export async function seedDemoClinic(
  prisma: PrismaClient,
  opts: { adminEmail?: string; adminPassword?: string } = {},
): Promise<SeedResult> {
  const existing = await prisma.clinic.findFirst({ select: { id: true } });
  if (existing) return { clinicId: existing.id, credentials: [] };

  const clinic = await prisma.clinic.create({
    data: {
      name: "Centre médical Tabib",
      address: "12 rue de la Santé, 75013 Paris",
      phone: "+33140000000",
      emergencyPhone: "+33140000099",
      nationalEmergencyNumber: "15",
      timeZone: "Europe/Paris",
      defaultLocale: "fr",
      currency: "EUR",
      cancellationCutoffHours: 24,
      minBookingNoticeMinutes: 60,
      bookingMode: "instant",
      slotStepMinutes: 10,
      teleconsultationUrl: "https://visio.example.org/tabib",
    },
  });
  const specialtyIds = new Map<string, string>();
  for (const s of DEMO_SPECIALTIES) {
    const row = await prisma.specialty.create({
      data: {
        clinicId: clinic.id,
        code: s.code,
        nameFr: s.nameFr,
        nameEn: s.nameEn,
        keywordsFr: [...s.keywordsFr],
        keywordsEn: [...s.keywordsEn],
      },
    });
    specialtyIds.set(s.code, row.id);
  }
  for (const t of DEMO_TYPES) {
    const { specialty, ...rest } = t;
    await prisma.appointmentType.create({
      data: { ...rest, clinicId: clinic.id, specialtyId: specialtyIds.get(specialty)! },
    });
  }
  const doctorIds: string[] = [];
  for (const d of DEMO_DOCTORS) {
    const doctor = await prisma.doctor.create({
      data: {
        clinicId: clinic.id,
        firstName: d.firstName,
        lastName: d.lastName,
        languages: d.languages,
        onCall: d.onCall ?? false,
        specialties: { create: d.specialties.map((code) => ({ specialtyId: specialtyIds.get(code)! })) },
        workingHours: {
          create: d.hours.map(([weekday, from, to]) => ({
            weekday,
            startMinute: toMinute(from),
            endMinute: toMinute(to),
          })),
        },
      },
    });
    doctorIds.push(doctor.id);
  }

  const credentials: SeedCredentials[] = [
    { role: "admin", email: opts.adminEmail ?? "admin@tabib.local", password: opts.adminPassword ?? newPassword() },
    { role: "secretary", email: "secretariat@tabib.local", password: newPassword() },
    { role: "doctor", email: "dr.martin@tabib.local", password: newPassword() },
  ];
  const names = { admin: "Administrateur", secretary: "Secrétariat", doctor: "Dr Claire Martin" };
  // Each hash takes a core for a while (argon2id): the three go to the thread pool together.
  const hashes = await Promise.all(credentials.map((c) => hashPassword(c.password)));
  for (const [i, c] of credentials.entries()) {
    await prisma.staffUser.create({
      data: {
        clinicId: clinic.id,
        email: c.email,
        displayName: names[c.role],
        role: c.role,
        passwordHash: hashes[i]!,
        doctorId: c.role === "doctor" ? doctorIds[0] : null,
      },
    });
  }
  return { clinicId: clinic.id, credentials };
}

export interface DemoOptions {
  adminEmail?: string;
  adminPassword?: string;
  /**
   * The clinic's eight weeks of history and three weeks of bookings around `now` (default: the
   * current time), drawn with `seed`; false for the clinic, its doctors and logins alone.
   */
  history?: false | { now?: Date; seed?: number };
}

/**
 * The demo clinic with its history (see src/data/demo/history.ts), on a database that has no
 * clinic yet; one that has is left as it is. If the history cannot be written, the clinic is
 * removed again, so the next start seeds afresh and prints the logins then.
 */
export async function seedDemo(db: Database, opts: DemoOptions = {}): Promise<SeedResult> {
  const seeded = await seedDemoClinic(db.prisma, opts);
  if (seeded.credentials.length === 0 || opts.history === false) return seeded;
  try {
    const h = await seedDemoHistory(db, seeded.clinicId, opts.history ?? {});
    return {
      ...seeded,
      history: {
        from: h.firstDay,
        to: h.lastDay,
        patients: h.patients.length,
        appointments: h.appointments.length,
        invoices: h.invoices.length,
      },
    };
  } catch (err) {
    await db.sql.query(`DELETE FROM staff_user WHERE clinic_id = $1::uuid`, [seeded.clinicId]);
    await db.sql.query(`DELETE FROM clinic WHERE id = $1::uuid`, [seeded.clinicId]);
    throw err;
  }
}
