import { ClinicClock, type LocalDate } from "../../domain/clinic-time.js";
import { splitTotal } from "../../domain/money.js";
import { planReminders, type ReminderSettings } from "../../domain/reminders.js";
import { consentVersion } from "../../flows/locales/index.js";
import { frenchHolidays } from "./holidays.js";
import { DEMO_INSURERS, demoPatients, type ChatChannel, type DemoPatient } from "./people.js";
import { SeededRandom } from "./random.js";
import * as words from "./texts.js";

/*
 * Eight weeks of a Paris clinic's life before "now" and three weeks of bookings after it,
 * planned in memory as the rows the domain would have written: each appointment booked at a
 * time before it (after the clinic's notice), accepted while the clinic asked for approval,
 * reminded, confirmed, cancelled outside (or, by staff, inside) the cutoff, seen or missed,
 * invoiced and paid; its history events, reminders, notices and audit rows at the times they
 * happened. Nothing here touches a database; `write.ts` stores the plan.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How far back and ahead the history goes, in local days from today. */
export const HISTORY_DAYS = 56;
export const BOOKED_AHEAD_DAYS = 20;
export const DEMO_PATIENT_COUNT = 160;
/** Appointments per working hour on a past day; later days fill less the further they are. */
const BOOKINGS_PER_HOUR = 0.55;

type Channel = ChatChannel | "console" | "api";
type Status = "requested" | "confirmed" | "declined" | "cancelled" | "completed" | "no_show";
type ActorKind = "patient" | "staff" | "doctor" | "system";

/** What the planner needs to know of the clinic the base seed created. */
export interface DemoClinicFacts {
  clinicId: string;
  timeZone: string;
  slotStepMinutes: number;
  minBookingNoticeMinutes: number;
  cancellationCutoffHours: number;
  reminderOffsetsMinutes: number[];
  quietHoursStartMinute: number;
  quietHoursEndMinute: number;
  waitlistHoldMinutes: number;
  currency: string;
  defaultLocale: "fr" | "en";
  doctors: {
    id: string;
    lastName: string;
    specialties: string[];
    hours: { weekday: number; startMinute: number; endMinute: number }[];
  }[];
  types: {
    id: string;
    code: string;
    nameFr: string;
    nameEn: string;
    durationMinutes: number;
    priceMinor: number;
    specialtyId: string | null;
    specialty: string | null;
  }[];
  staff: { adminId: string; secretaryId: string; doctorUserId: string; doctorUserDoctorId: string };
}

// ------------------------------------------------------------------ rows, as write.ts stores them

export interface AuditRow {
  at: number;
  actorKind: ActorKind;
  actorId: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  patientId: string | null;
  detail: Record<string, unknown> | null;
}

export interface PatientRow extends DemoPatient {
  insurerId: string | null;
  createdAt: number;
  updatedAt: number;
  preferredChannel: ChatChannel | null;
  consentAt: number | null;
  consentVersion: string | null;
}

export interface AppointmentRow {
  id: string;
  doctorId: string;
  patientId: string;
  typeId: string;
  startsAt: number;
  endsAt: number;
  status: Status;
  reason: string | null;
  sourceChannel: Channel;
  idempotencyKey: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface EventRow {
  appointmentId: string;
  at: number;
  actorKind: ActorKind;
  actorId: string | null;
  fromStatus: Status | null;
  toStatus: Status;
  reason: string | null;
  detail: Record<string, unknown> | null;
}

export interface ReminderRow {
  appointmentId: string;
  offsetMinutes: number;
  kind: "confirm" | "plain";
  dueAt: number;
  sendAt: number;
  status: "scheduled" | "sent" | "cancelled" | "skipped";
  channel: ChatChannel | null;
  sentAt: number | null;
  attempts: number;
  lastError: string | null;
  createdAt: number;
}

export interface NoticeRow {
  appointmentId: string;
  kind: string;
  medium: string;
  dedupeKey: string;
  status: "sent";
  sentAt: number;
  createdAt: number;
}

export interface InvoiceRow {
  id: string;
  patientId: string;
  appointmentId: string;
  number: string | null;
  status: "draft" | "issued" | "partly_paid" | "paid" | "void";
  insurerId: string | null;
  insurerShareBp: number;
  totalMinor: number;
  insurerPartMinor: number;
  patientPartMinor: number;
  issuedAt: number | null;
  voidedAt: number | null;
  voidReason: string | null;
  createdAt: number;
  updatedAt: number;
  lines: { position: number; description: string; quantity: number; unitPriceMinor: number }[];
  payments: {
    id: string;
    payer: "patient" | "insurer";
    method: "cash" | "card" | "transfer" | "insurer";
    amountMinor: number;
    receivedAt: number;
    reference: string | null;
  }[];
}

export interface DemoHistory {
  clinicId: string;
  currency: string;
  staff: DemoClinicFacts["staff"];
  /** When the clinic, its doctors and staff accounts were set up: before the history starts. */
  openedAt: number;
  /** The admin switched booking from approval to instant then; requests made before still wait. */
  instantSince: number;
  firstDay: LocalDate;
  lastDay: LocalDate;
  insurers: { id: string; code: string; name: string }[];
  patients: PatientRow[];
  identities: { patientId: string; channel: ChatChannel; externalId: string; verified: boolean; createdAt: number }[];
  exceptions: {
    id: string;
    doctorId: string | null;
    kind: "leave" | "holiday" | "blocked";
    startsAt: number;
    endsAt: number;
    reason: string;
  }[];
  appointments: AppointmentRow[];
  events: EventRow[];
  reminders: ReminderRow[];
  notices: NoticeRow[];
  invoices: InvoiceRow[];
  waitlistEntries: {
    id: string;
    patientId: string;
    specialtyId: string | null;
    doctorId: string;
    typeId: string;
    appointmentId: string | null;
    wantedBefore: number | null;
    channel: Channel;
    status: "waiting" | "booked" | "withdrawn";
    createdAt: number;
  }[];
  waitlistOffers: {
    id: string;
    entryId: string;
    doctorId: string;
    typeId: string;
    startsAt: number;
    endsAt: number;
    expiresAt: number;
    status: "accepted";
    createdAt: number;
    channel: ChatChannel;
    chatId: string;
    sentAt: number;
  }[];
  conversation: {
    id: string;
    channel: ChatChannel;
    senderId: string;
    patientId: string;
    locale: "fr" | "en";
    snapshot: unknown;
    createdAt: number;
    lastActivityAt: number;
    messages: { direction: "in" | "out"; author: "patient" | "bot"; text: string; at: number }[];
    processed: { providerMessageId: string; replies: unknown; at: number }[];
  };
  emergency: {
    id: string;
    patientId: string;
    category: string;
    raisedBy: string;
    note: string;
    createdAt: number;
    acknowledgedAt: number;
    acknowledgedByDoctorId: string;
  };
  notes: { id: string; patientId: string; appointmentId: string; body: string; at: number }[];
  diagnoses: { id: string; patientId: string; code: string; label: string; at: number }[];
  allergies: { id: string; patientId: string; substance: string; reaction: string; severity: string; at: number }[];
  prescriptions: {
    id: string;
    patientId: string;
    appointmentId: string;
    at: number;
    items: { drug: string; dosage: string; instructions: string }[];
  }[];
  audit: AuditRow[];
}

// ------------------------------------------------------------------ planning

type Doctor = DemoClinicFacts["doctors"][number];
type Type = DemoClinicFacts["types"][number];
type Kind = "completed" | "no_show" | "cancelled" | "declined" | "open" | "pending";
type Who =
  | { kind: "patient"; patientId: string }
  | { kind: "secretary" }
  | { kind: "doctor" }
  | { kind: "admin" }
  | { kind: "system" };

/** One appointment while it is being planned. */
interface Draft {
  id: string;
  doctor: Doctor;
  type: Type;
  startsAt: number;
  endsAt: number;
  patient: DemoPatient;
  byPatient: boolean;
  source: Channel;
  createdAt: number;
  kind: Kind;
  reason: string | null;
  idempotencyKey: string | null;
  /** Set by a story that fixes the cancellation (the slot a waiting patient then took). */
  cancelAt?: number;
  // Filled while its life is played out.
  status?: Status;
  closedAt?: number;
  confirmedAt?: number;
}

const PUSHABLE = new Set<string>(["whatsapp", "sms", "telegram"]);

export function planDemoHistory(clinic: DemoClinicFacts, opts: { now: Date; seed: number }): DemoHistory {
  return new Planner(clinic, opts.now, opts.seed).plan();
}

class Planner {
  private readonly r: SeededRandom;
  private readonly clock: ClinicClock;
  private readonly now: number;
  private readonly today: LocalDate;
  private readonly firstDay: LocalDate;
  private readonly lastDay: LocalDate;
  private readonly openedAt: number;
  private readonly instantSince: number;
  private readonly nextOpenDay: LocalDate;
  private readonly holidays: Map<LocalDate, string>;
  private readonly closures = new Map<string | null, [number, number][]>();
  private readonly busyDays = new Map<string, Set<LocalDate>>();
  private readonly gpOf = new Map<string, string>();
  private readonly audience = new Map<string, [DemoPatient, number][]>();
  private readonly reminderSettings: ReminderSettings;
  private readonly patients: DemoPatient[];
  private readonly drafts: Draft[] = [];
  private readonly out: DemoHistory;

  constructor(
    private readonly clinic: DemoClinicFacts,
    now: Date,
    seed: number,
  ) {
    this.r = new SeededRandom(seed);
    this.clock = new ClinicClock(clinic.timeZone);
    this.now = +now;
    this.today = this.clock.dayOf(now);
    this.firstDay = this.clock.addDays(this.today, -HISTORY_DAYS);
    this.lastDay = this.clock.addDays(this.today, BOOKED_AHEAD_DAYS);
    this.openedAt = this.clock.at(this.clock.addDays(this.firstDay, -35), 9 * 60);
    this.holidays = frenchHolidays(this.clock.addDays(this.firstDay, -1), this.lastDay);
    this.instantSince = this.switchTime();
    let next = this.clock.addDays(this.today, 1);
    while (!this.isOpenDay(next)) next = this.clock.addDays(next, 1);
    this.nextOpenDay = next;
    this.reminderSettings = {
      timeZone: clinic.timeZone,
      offsetsMinutes: clinic.reminderOffsetsMinutes,
      quiet: { startMinute: clinic.quietHoursStartMinute, endMinute: clinic.quietHoursEndMinute },
    };
    this.patients = demoPatients(this.r, DEMO_PATIENT_COUNT, this.today);
    const gps = clinic.doctors.filter((d) => d.specialties.includes("general"));
    for (const p of this.patients) if (gps.length) this.gpOf.set(p.id, this.r.pick(gps).id);
    this.out = {
      clinicId: clinic.clinicId,
      currency: clinic.currency,
      staff: clinic.staff,
      openedAt: this.openedAt,
      instantSince: this.instantSince,
      firstDay: this.firstDay,
      lastDay: this.lastDay,
      insurers: DEMO_INSURERS.map((i) => ({ id: this.r.uuid(), code: i.code, name: i.name })),
      patients: [],
      identities: [],
      exceptions: [],
      appointments: [],
      events: [],
      reminders: [],
      notices: [],
      invoices: [],
      waitlistEntries: [],
      waitlistOffers: [],
      conversation: undefined as never,
      emergency: undefined as never,
      notes: [],
      diagnoses: [],
      allergies: [],
      prescriptions: [],
      audit: [],
    };
  }

  plan(): DemoHistory {
    this.planClosures();
    this.planAppointments();
    const waitlistTaken = this.storyOfAFreedSlot();
    this.storyOfPendingRequests();
    this.storyOfForgottenVisits();
    this.storyOfWebChatPatients();
    for (const d of [...this.drafts].sort((a, b) => a.createdAt - b.createdAt)) this.live(d);
    this.out.appointments.sort((a, b) => a.startsAt - b.startsAt);
    this.planWaitlist(waitlistTaken);
    this.planInvoices();
    this.planClinicalRecords();
    this.planEmergency();
    this.planHandoff();
    this.planPatients();
    this.out.audit.push(
      this.audit(this.instantSince, { kind: "admin" }, "clinic.update", "clinic", this.clinic.clinicId, null, {
        fields: ["bookingMode"],
      }),
    );
    this.out.audit.sort((a, b) => a.at - b.at);
    return this.out;
  }

  // ---------------------------------------------------------------- time

  private isOpenDay(day: LocalDate): boolean {
    return this.clock.weekday(day) !== 7 && !this.holidays.has(day);
  }

  /** The first moment at or after `ms` when the front desk is in (weekdays 8:30–18:30, Saturday morning). */
  private office(ms: number): number {
    for (let guard = 0; guard < 20; guard++) {
      const day = this.clock.dayOf(ms);
      const open = this.clock.at(day, 8 * 60 + 30);
      const close = this.clock.at(day, this.clock.weekday(day) === 6 ? 12 * 60 + 30 : 18 * 60 + 30);
      if (!this.isOpenDay(day) || ms >= close) {
        ms = this.clock.at(this.clock.addDays(day, 1), 0);
        continue;
      }
      return ms < open ? open + this.r.int(0, 45) * MINUTE : ms;
    }
    return ms;
  }

  /** A moment of front-desk hours before `limit` (the latest open stretch ending by then). */
  private officeBefore(limit: number): number {
    let day = this.clock.dayOf(limit);
    for (let guard = 0; guard < 20; guard++, day = this.clock.addDays(day, -1)) {
      if (!this.isOpenDay(day)) continue;
      const open = this.clock.at(day, 8 * 60 + 30);
      const close = Math.min(limit, this.clock.at(day, this.clock.weekday(day) === 6 ? 12 * 60 + 30 : 18 * 60 + 30));
      if (close > open) return this.between(Math.max(open, close - 3 * HOUR), close);
    }
    return limit;
  }

  /** A moment before `limit` when people write to the clinic's chat (07:30–22:30). */
  private evenings(limit: number): number {
    const day = this.clock.dayOf(limit);
    const minute = (limit - this.clock.at(day, 0)) / MINUTE;
    if (minute >= 7 * 60 + 30) return limit - this.r.int(0, Math.min(120, minute - (7 * 60 + 30))) * MINUTE;
    return this.clock.at(this.clock.addDays(day, -1), 0) + this.r.int(19 * 60, 22 * 60 + 30) * MINUTE;
  }

  /**
   * When the admin moved the clinic from approval to instant booking: this morning before
   * opening, or the last open day's evening when that is not yet past.
   */
  private switchTime(): number {
    const morning = this.clock.at(this.today, 8 * 60 + 5);
    if (this.isOpenDay(this.today) && this.now > morning + 30 * MINUTE) return morning;
    let day = this.clock.addDays(this.today, -1);
    while (!this.isOpenDay(day)) day = this.clock.addDays(day, -1);
    return this.clock.at(day, 18 * 60 + 50);
  }

  private between(from: number, to: number): number {
    return from + Math.floor(this.r.next() * Math.max(0, to - from));
  }

  // ---------------------------------------------------------------- schedule

  private planClosures(): void {
    for (const [day, name] of this.holidays) {
      if (day < this.firstDay) continue;
      const e = {
        id: this.r.uuid(),
        doctorId: null,
        kind: "holiday" as const,
        startsAt: this.clock.at(day, 0),
        endsAt: this.clock.at(this.clock.addDays(day, 1), 0),
        reason: name,
      };
      this.out.exceptions.push(e);
      this.close(null, e.startsAt, e.endsAt);
    }
    const specialists = this.clinic.doctors.filter((d) => !d.specialties.includes("general"));
    // A week of leave five weeks ago, and a training morning in two weeks.
    const away = specialists.find((d) => d.specialties.includes("dermatology")) ?? specialists[0];
    const training = specialists.find((d) => d.specialties.includes("gynecology")) ?? specialists[1];
    if (away) {
      const monday = this.mondayOf(this.clock.addDays(this.today, -35));
      this.exception(
        away,
        "leave",
        this.clock.at(monday, 0),
        this.clock.at(this.clock.addDays(monday, 5), 0),
        "Congés",
      );
    }
    if (training) {
      const monday = this.mondayOf(this.clock.addDays(this.today, 14));
      const block = training.hours.find((h) => this.isOpenDay(this.clock.addDays(monday, h.weekday - 1)));
      if (block) {
        const day = this.clock.addDays(monday, block.weekday - 1);
        this.exception(
          training,
          "blocked",
          this.clock.at(day, block.startMinute),
          this.clock.at(day, block.endMinute),
          "Formation continue",
        );
      }
    }
  }

  private mondayOf(day: LocalDate): LocalDate {
    return this.clock.addDays(day, 1 - this.clock.weekday(day));
  }

  private exception(doctor: Doctor, kind: "leave" | "blocked", startsAt: number, endsAt: number, reason: string) {
    const id = this.r.uuid();
    this.out.exceptions.push({ id, doctorId: doctor.id, kind, startsAt, endsAt, reason });
    this.close(doctor.id, startsAt, endsAt);
    // Entered by the front desk three weeks ahead (or when the clinic opened).
    const at = this.office(Math.max(this.openedAt + DAY, startsAt - 21 * DAY));
    this.out.audit.push(
      this.audit(
        Math.min(at, this.now - HOUR),
        { kind: "secretary" },
        "doctor.exception.create",
        "schedule_exception",
        id,
        null,
        {
          doctorId: doctor.id,
          kind,
          affected: 0,
        },
      ),
    );
  }

  private close(doctorId: string | null, from: number, to: number): void {
    const list = this.closures.get(doctorId) ?? [];
    list.push([from, to]);
    this.closures.set(doctorId, list);
  }

  private isClosed(doctorId: string, from: number, to: number): boolean {
    const overlaps = ([s, e]: [number, number]) => s < to && from < e;
    return (this.closures.get(null) ?? []).some(overlaps) || (this.closures.get(doctorId) ?? []).some(overlaps);
  }

  // ---------------------------------------------------------------- appointments

  private typesOf(doctor: Doctor): Type[] {
    return this.clinic.types.filter((t) => t.specialty === null || doctor.specialties.includes(t.specialty));
  }

  private planAppointments(): void {
    const step = this.clinic.slotStepMinutes;
    for (let offset = -HISTORY_DAYS; offset <= BOOKED_AHEAD_DAYS; offset++) {
      const day = this.clock.addDays(this.today, offset);
      if (!this.isOpenDay(day)) continue;
      const weekday = this.clock.weekday(day);
      for (const doctor of this.clinic.doctors) {
        const blocks = doctor.hours.filter((h) => h.weekday === weekday);
        if (blocks.length === 0) continue;
        const hours = blocks.reduce((sum, b) => sum + (b.endMinute - b.startMinute), 0) / 60;
        const rate = BOOKINGS_PER_HOUR * (offset <= 0 ? 1 : Math.max(0.12, 1 - offset / 16));
        const wanted = Math.round(hours * rate * (0.7 + 0.6 * this.r.next()));
        const types = this.typesOf(doctor);
        const starts = blocks.flatMap((b) => {
          const out: { minute: number; end: number }[] = [];
          for (let m = b.startMinute; m < b.endMinute; m += step) out.push({ minute: m, end: b.endMinute });
          return out;
        });
        const taken: [number, number][] = [];
        for (const { minute, end } of this.r.shuffle(starts)) {
          if (taken.length >= wanted) break;
          const type = this.pickType(types);
          if (minute + type.durationMinutes > end) continue;
          const startsAt = this.clock.at(day, minute);
          const endsAt = startsAt + type.durationMinutes * MINUTE;
          if (taken.some(([s, e]) => s < endsAt && startsAt < e) || this.isClosed(doctor.id, startsAt, endsAt))
            continue;
          const patient = this.choosePatient(doctor, type, day);
          if (!patient) continue;
          taken.push([startsAt, endsAt]);
          this.drafts.push(this.draft(doctor, type, startsAt, patient));
        }
      }
    }
  }

  private pickType(types: Type[]): Type {
    const remote = types.filter((t) => t.code.endsWith("-tele"));
    const inPerson = types.filter((t) => !t.code.endsWith("-tele"));
    return remote.length && (inPerson.length === 0 || this.r.chance(0.2)) ? this.r.pick(remote) : this.r.pick(inPerson);
  }

  /** A patient this kind of doctor sees, who has nothing else that day; their own GP first. */
  private choosePatient(doctor: Doctor, type: Type, day: LocalDate, except?: string): DemoPatient | null {
    const candidates = this.patientsFor(doctor, type.specialty ?? "general").filter(
      ([p]) => p.id !== except && !this.busyDays.get(p.id)?.has(day),
    );
    if (candidates.length === 0) return null;
    const patient = this.r.weighted(candidates);
    const days = this.busyDays.get(patient.id) ?? new Set<LocalDate>();
    days.add(day);
    this.busyDays.set(patient.id, days);
    return patient;
  }

  /** Who comes to this doctor for this specialty, each weighted by how often. */
  private patientsFor(doctor: Doctor, specialty: string): [DemoPatient, number][] {
    const key = `${doctor.id}|${specialty}`;
    let list = this.audience.get(key);
    if (!list) {
      list = [];
      for (const p of this.patients) {
        let weight = p.visits;
        if (specialty === "pediatrics") weight *= p.age < 16 ? 1 : 0;
        else if (specialty === "gynecology") weight *= p.sex === "f" && p.age >= 16 ? 1 : 0;
        else if (specialty === "cardiology") weight *= p.age >= 50 ? 3 : p.age >= 30 ? 1 : 0;
        else if (specialty === "dermatology") weight *= p.age >= 3 ? 1 : 0;
        else weight *= (p.age >= 16 ? 1 : 0.08) * (this.gpOf.get(p.id) === doctor.id ? 4 : 1);
        if (weight > 0) list.push([p, weight]);
      }
      this.audience.set(key, list);
    }
    return list;
  }

  private draft(doctor: Doctor, type: Type, startsAt: number, patient: DemoPatient): Draft {
    const byPatient = patient.chat !== null && this.r.chance(0.6);
    const source: Channel = byPatient ? patient.chat! : this.r.chance(0.9) ? "console" : "api";
    const d: Draft = {
      id: this.r.uuid(),
      doctor,
      type,
      startsAt,
      endsAt: startsAt + type.durationMinutes * MINUTE,
      patient,
      byPatient,
      source,
      createdAt: 0,
      kind: "open",
      reason: null,
      idempotencyKey: null,
    };
    d.createdAt = this.bookingTime(d);
    d.reason = !byPatient && this.r.chance(0.25) ? this.r.pick(words.DESK_REASONS) : null;
    if (byPatient) d.idempotencyKey = this.chatMessageKey(d.source as ChatChannel);
    d.kind = this.kindOf(d);
    return d;
  }

  /** A chat booking is keyed by the message that made it (`<channel>:<provider message id>`). */
  private chatMessageKey(channel: ChatChannel): string {
    const id =
      channel === "whatsapp"
        ? `wamid.HBgM${this.r.digits(12)}FQIAERgS${this.r.uuid().replace(/-/g, "").slice(0, 20).toUpperCase()}`
        : channel === "sms"
          ? `SM${this.r.uuid().replace(/-/g, "")}`
          : channel === "telegram"
            ? `${this.r.int(100_000_000, 999_999_999)}`
            : this.r.uuid();
    return `${channel}:${id}`;
  }

  /** When the appointment was booked: days ahead, in the evening for chats, in office hours by the desk. */
  private bookingTime(d: Pick<Draft, "startsAt" | "byPatient">): number {
    const leadDays = this.r.weighted<[number, number]>([
      [[0.1, 2], 30],
      [[2, 10], 45],
      [[10, 28], 25],
    ]);
    let at = d.startsAt - (leadDays[0] + this.r.next() * (leadDays[1] - leadDays[0])) * DAY;
    at = d.byPatient
      ? this.clock.at(this.clock.dayOf(at), 0) +
        this.r.int(7 * 60 + 30, 22 * 60 + 30) * MINUTE +
        this.r.int(0, 59) * 1000
      : this.office(at) + this.r.int(0, 59) * 1000;
    const latest = Math.min(
      d.startsAt - (d.byPatient ? this.clinic.minBookingNoticeMinutes + 5 : 15) * MINUTE,
      this.now - 5 * MINUTE,
    );
    if (at > latest) at = d.byPatient ? this.evenings(latest) : this.officeBefore(latest);
    return Math.max(at, this.openedAt + HOUR);
  }

  private inApprovalMode(at: number): boolean {
    return at < this.instantSince;
  }

  private kindOf(d: Draft): Kind {
    const canDecline = d.byPatient && this.inApprovalMode(d.createdAt);
    // Today's and the next open day's pages always have someone coming.
    const day = this.clock.dayOf(d.startsAt);
    if (d.startsAt > this.now && (day === this.today || day === this.nextOpenDay)) return "open";
    if (d.startsAt > this.now) {
      // A freed slot of a doctor patients wait for would be offered to them: none is left free.
      if (this.waitedFor(d.doctor)) return "open";
      return this.r.weighted<Kind>([
        ["open", 94],
        ["cancelled", 4],
        [canDecline ? "declined" : "open", 2],
      ]);
    }
    if (d.endsAt > this.now) return "open";
    if (d.endsAt > this.now - 90 * MINUTE && this.clock.dayOf(d.endsAt) === this.today && this.r.chance(0.5))
      return "open";
    return this.r.weighted<Kind>([
      ["completed", 84],
      ["no_show", 5],
      ["cancelled", 9],
      [canDecline ? "declined" : "cancelled", 2],
    ]);
  }

  /** Doctors with a waiting list: the specialists. */
  private waitedFor(doctor: Doctor): boolean {
    return !doctor.specialties.includes("general") && !doctor.specialties.includes("pediatrics");
  }

  // ---------------------------------------------------------------- stories

  /**
   * A slot freed by a cancellation, offered to the patient waiting for that doctor, who took
   * it from the chat within minutes. Returns the waitlist entry's facts.
   */
  private storyOfAFreedSlot(): { entryId: string; offerId: string; taken: Draft; freedAt: number } | null {
    const from = this.clock.at(this.clock.addDays(this.today, -35), 0);
    const to = this.clock.at(this.clock.addDays(this.today, -7), 0);
    const taken = this.drafts.find(
      (d) =>
        d.kind === "completed" &&
        d.startsAt >= from &&
        d.startsAt < to &&
        this.waitedFor(d.doctor) &&
        d.patient.chat !== null &&
        PUSHABLE.has(d.patient.chat),
    );
    if (!taken) return null;
    const day = this.clock.dayOf(taken.startsAt);
    const other = this.choosePatient(taken.doctor, taken.type, day, taken.patient.id);
    if (!other) return null;
    const freedAt = taken.startsAt - this.r.int(50, 90) * HOUR;
    const cancelled = this.draft(taken.doctor, taken.type, taken.startsAt, other);
    cancelled.createdAt = Math.max(this.openedAt + HOUR, freedAt - this.r.int(3, 12) * DAY);
    cancelled.kind = "cancelled";
    cancelled.cancelAt = freedAt;
    this.drafts.push(cancelled);
    const offerId = this.r.uuid();
    Object.assign(taken, {
      byPatient: true,
      source: taken.patient.chat!,
      createdAt: freedAt + 6 * MINUTE,
      idempotencyKey: `waitlist-${offerId}`,
      reason: null,
    });
    return { entryId: this.r.uuid(), offerId, taken, freedAt };
  }

  /** Requests made in the chat while the clinic asked for approval, still waiting for a decision. */
  private storyOfPendingRequests(): void {
    const soon = this.clock.at(this.clock.addDays(this.today, 1), 0);
    const horizon = this.clock.at(this.clock.addDays(this.today, 10), 0);
    const candidates = this.drafts.filter(
      (d) => d.startsAt > soon && d.startsAt < horizon && d.patient.chat !== null && d.kind === "open",
    );
    const chosen: Draft[] = [];
    const gp = candidates.find((d) => d.type.specialty === "general" && d.patient.age >= 16);
    if (gp) chosen.push(gp);
    for (const d of this.r.shuffle(candidates)) {
      if (chosen.length >= 5) break;
      if (!chosen.includes(d) && !chosen.some((c) => c.type.specialty === d.type.specialty)) chosen.push(d);
    }
    for (const d of chosen) {
      const latest = Math.min(
        this.instantSince - 10 * MINUTE,
        d.startsAt - (this.clinic.minBookingNoticeMinutes + 5) * MINUTE,
      );
      d.byPatient = true;
      d.source = d.patient.chat!;
      d.createdAt = latest - this.r.int(0, 40 * 60) * MINUTE;
      d.idempotencyKey = this.chatMessageKey(d.source as ChatChannel);
      d.kind = "pending";
      const lang = d.patient.locale;
      d.reason =
        d === gp
          ? words.MISDIRECTED_REQUEST[lang]
          : this.r.pick(this.reasonsFor(d.type.specialty ?? "general", d.patient)[lang]);
    }
  }

  private reasonsFor(specialty: string, patient: DemoPatient): { fr: string[]; en: string[] } {
    const all = words.REQUEST_REASONS[specialty] ?? words.REQUEST_REASONS.general!;
    const list = patient.age < 16 && all.child ? all.child : all;
    return {
      fr: list.fr.length ? list.fr : words.REQUEST_REASONS.general!.fr,
      en: list.en.length ? list.en : words.REQUEST_REASONS.general!.en,
    };
  }

  /** Two visits of the last open day nobody closed: the no-show call list has something to ask. */
  private storyOfForgottenVisits(): void {
    const before = this.clock.at(this.today, 0);
    const past = this.drafts
      .filter((d) => d.kind === "completed" && d.startsAt < before)
      .sort((a, b) => b.startsAt - a.startsAt);
    const lastDay = past[0] ? this.clock.dayOf(past[0].startsAt) : null;
    for (const d of past.filter((x) => this.clock.dayOf(x.startsAt) === lastDay).slice(0, 2)) d.kind = "open";
  }

  /**
   * The web chat cannot recognise a patient the desk registered: whoever uses it came first
   * through it. One whose first booking was not theirs is a patient of the phone and the desk.
   */
  private storyOfWebChatPatients(): void {
    const first = new Map<string, Draft>();
    for (const d of this.drafts)
      if (d.patient.chat === "web" && (first.get(d.patient.id)?.createdAt ?? Infinity) > d.createdAt)
        first.set(d.patient.id, d);
    for (const d of first.values()) {
      if (d.byPatient) continue;
      if (d.createdAt <= d.startsAt - (this.clinic.minBookingNoticeMinutes + 5) * MINUTE) {
        Object.assign(d, { byPatient: true, source: "web", idempotencyKey: this.chatMessageKey("web"), reason: null });
        continue;
      }
      const patient = d.patient;
      for (const other of this.drafts.filter((x) => x.patient === patient && x.byPatient)) {
        Object.assign(other, { byPatient: false, source: "console", idempotencyKey: null });
        if (other.kind === "declined") other.kind = "cancelled";
        if (other.kind === "pending") other.kind = "open";
      }
      patient.chat = null;
      patient.chatId = null;
    }
    for (const p of this.patients)
      if (p.chat === "web" && !first.has(p.id)) {
        p.chat = null;
        p.chatId = null;
      }
  }

  // ---------------------------------------------------------------- one appointment's life

  private who(kind: Who["kind"], d: Draft): Who {
    return kind === "patient" ? { kind, patientId: d.patient.id } : ({ kind } as Who);
  }

  private actor(who: Who): { actorKind: ActorKind; actorId: string | null } {
    const { staff } = this.clinic;
    switch (who.kind) {
      case "patient":
        return { actorKind: "patient", actorId: who.patientId };
      case "secretary":
        return { actorKind: "staff", actorId: staff.secretaryId };
      case "admin":
        return { actorKind: "staff", actorId: staff.adminId };
      case "doctor":
        return { actorKind: "doctor", actorId: staff.doctorUserId };
      case "system":
        return { actorKind: "system", actorId: null };
    }
  }

  /** Whoever of the front desk or the doctor (when it is the one with a login) acts on it. */
  private staffFor(d: Draft, doctorShare: number): Who {
    return d.doctor.id === this.clinic.staff.doctorUserDoctorId && this.r.chance(doctorShare)
      ? { kind: "doctor" }
      : { kind: "secretary" };
  }

  private route(p: DemoPatient): ChatChannel {
    return p.chat && PUSHABLE.has(p.chat) ? p.chat : "sms";
  }

  private event(
    d: Draft,
    at: number,
    who: Who,
    from: Status | null,
    to: Status,
    reason: string | null = null,
    detail: Record<string, unknown> | null = null,
  ): void {
    this.out.events.push({
      appointmentId: d.id,
      at,
      ...this.actor(who),
      fromStatus: from,
      toStatus: to,
      reason,
      detail,
    });
  }

  /** The notices a change records: chat and email when staff act, email alone for the patient's own acts. */
  private notices(d: Draft, kind: string, version: number, by: Who): void {
    const media = by.kind === "patient" ? ["email"] : ["chat", "email"];
    for (const m of media) {
      if (m === "email" && !d.patient.email) continue;
      this.out.notices.push({
        appointmentId: d.id,
        kind,
        medium: m === "chat" ? this.route(d.patient) : "email",
        dedupeKey: `${kind}-${d.id}-${m}-${version}`,
        status: "sent",
        sentAt: Math.min(version + this.r.int(1, 20) * 1000, this.now),
        createdAt: version,
      });
    }
  }

  /** Plays out one appointment from its booking to now. */
  private live(d: Draft): void {
    const booker: Who = d.byPatient ? { kind: "patient", patientId: d.patient.id } : { kind: "secretary" };
    const waitsForApproval = d.byPatient && this.inApprovalMode(d.createdAt);
    let status: Status = waitsForApproval ? "requested" : "confirmed";
    let updatedAt = d.createdAt;
    this.event(d, d.createdAt, booker, null, status);
    if (status === "confirmed") this.notices(d, "confirmed", d.createdAt, booker);

    let confirmedAt = status === "confirmed" ? d.createdAt : null;
    if (waitsForApproval && d.kind !== "pending") {
      const limit = Math.min(d.startsAt - 10 * MINUTE, this.now - 2 * MINUTE, (d.cancelAt ?? Infinity) - 5 * MINUTE);
      let decidedAt = this.office(d.createdAt + this.r.int(5, 180) * MINUTE);
      if (decidedAt > limit) {
        const inHours = this.officeBefore(limit);
        decidedAt =
          inHours > d.createdAt + MINUTE ? inHours : d.createdAt + (limit - d.createdAt) * (0.2 + 0.5 * this.r.next());
      }
      const by = this.staffFor(d, 0.4);
      if (d.kind === "declined") {
        this.event(d, decidedAt, by, "requested", "declined", this.r.pick(words.DECLINE_REASONS));
        this.notices(d, "declined", decidedAt, by);
        this.finish(d, "declined", decidedAt);
        return;
      }
      this.event(d, decidedAt, by, "requested", "confirmed");
      this.notices(d, "accepted", decidedAt, by);
      status = "confirmed";
      updatedAt = confirmedAt = decidedAt;
    }
    if (d.kind === "pending" || confirmedAt === null) {
      this.finish(d, status, updatedAt);
      return;
    }
    d.confirmedAt = confirmedAt;

    // Cancellation: outside the cutoff by anyone, inside it only by staff with the override.
    let cancelAt: number | null = null;
    let cancelInside = false;
    if (d.kind === "cancelled") {
      const earliest = confirmedAt + 10 * MINUTE;
      const outside = Math.min(d.startsAt - this.clinic.cancellationCutoffHours * HOUR, this.now - MINUTE);
      const inside = Math.min(d.startsAt - 30 * MINUTE, this.now - MINUTE);
      if (d.cancelAt !== undefined) cancelAt = d.cancelAt;
      else if (outside > earliest + 10 * MINUTE) cancelAt = this.between(earliest, outside);
      else if (inside > earliest + 5 * MINUTE) {
        cancelAt = this.between(earliest, inside);
        cancelInside = true;
      } else d.kind = d.startsAt > this.now || d.endsAt > this.now ? "open" : "completed";
    }

    // Who cancels, and when: the front desk while it is open, before the deadline it kept to.
    const cancelledByPatient =
      cancelAt !== null && !cancelInside && d.patient.chat !== null && this.r.chance(d.byPatient ? 0.6 : 0.25);
    if (cancelAt !== null && !cancelledByPatient && d.cancelAt === undefined) {
      const deadline = cancelInside ? Math.min(d.startsAt - 30 * MINUTE, this.now - MINUTE) : cancelAt;
      const inHours = this.office(cancelAt);
      const before = this.officeBefore(deadline);
      if (inHours <= deadline) cancelAt = inHours;
      else if (before > confirmedAt + 10 * MINUTE) cancelAt = before;
    }

    this.reminders(d, confirmedAt, cancelAt);

    if (cancelAt !== null) {
      const byPatient = cancelledByPatient;
      const by: Who = byPatient ? { kind: "patient", patientId: d.patient.id } : this.staffFor(d, 0.2);
      const reason = byPatient ? words.CHAT_CANCEL_REASON : this.r.pick(words.STAFF_CANCEL_REASONS);
      this.event(
        d,
        cancelAt,
        by,
        "confirmed",
        "cancelled",
        cancelInside ? `${reason} — override: ${words.CUTOFF_OVERRIDE_REASON}` : reason,
        cancelInside ? { cutoffOverride: true } : null,
      );
      this.notices(d, "cancelled", cancelAt, by);
      this.finish(d, "cancelled", cancelAt);
      return;
    }

    if (d.kind === "completed" || d.kind === "no_show") {
      const closedAt =
        d.kind === "completed"
          ? d.endsAt + this.r.int(1, d.doctor.id === this.clinic.staff.doctorUserDoctorId ? 10 : 40) * MINUTE
          : this.office(d.endsAt + HOUR);
      if (closedAt < this.now) {
        const by = d.kind === "completed" ? this.staffFor(d, 1) : ({ kind: "secretary" } as Who);
        this.event(d, closedAt, by, "confirmed", d.kind);
        d.closedAt = closedAt;
        this.finish(d, d.kind, closedAt);
        return;
      }
      d.kind = "open";
    }
    this.finish(d, "confirmed", confirmedAt);
  }

  /**
   * The reminders planned when the appointment was confirmed (reminders.ts planReminders), then
   * sent at their time on the patient's channel, or cancelled with the appointment. A patient
   * who got the confirmation question answers it more often than not.
   */
  private reminders(d: Draft, plannedAt: number, cancelAt: number | null): void {
    for (const plan of planReminders(this.reminderSettings, new Date(d.startsAt), new Date(plannedAt))) {
      const row: ReminderRow = {
        appointmentId: d.id,
        offsetMinutes: plan.offsetMinutes,
        kind: plan.kind,
        dueAt: +plan.dueAt,
        sendAt: +plan.sendAt,
        status: plan.status,
        channel: null,
        sentAt: null,
        attempts: 0,
        lastError: plan.reason,
        createdAt: plannedAt,
      };
      if (row.status === "scheduled") {
        if (cancelAt !== null && row.sendAt > cancelAt) row.status = "cancelled";
        else if (row.sendAt < this.now - 1000) {
          row.status = "sent";
          row.channel = this.route(d.patient);
          row.sentAt = Math.min(row.sendAt + this.r.int(1, 30) * 1000, this.now - 1000);
          row.attempts = 1;
          const answerBy = Math.min(d.startsAt, this.now, cancelAt ?? Infinity) - MINUTE;
          if (row.kind === "confirm" && this.r.chance(0.6)) {
            const answeredAt = row.sentAt + this.r.int(2, 6 * 60) * MINUTE;
            if (answeredAt < answerBy)
              this.event(
                d,
                answeredAt,
                { kind: "patient", patientId: d.patient.id },
                "confirmed",
                "confirmed",
                "reminder confirmed",
              );
          }
        }
      }
      this.out.reminders.push(row);
    }
  }

  private finish(d: Draft, status: Status, updatedAt: number): void {
    d.status = status;
    this.out.appointments.push({
      id: d.id,
      doctorId: d.doctor.id,
      patientId: d.patient.id,
      typeId: d.type.id,
      startsAt: d.startsAt,
      endsAt: d.endsAt,
      status,
      reason: d.reason,
      sourceChannel: d.source,
      idempotencyKey: d.idempotencyKey,
      createdAt: d.createdAt,
      updatedAt,
    });
  }

  // ---------------------------------------------------------------- waiting list

  private planWaitlist(freed: ReturnType<Planner["storyOfAFreedSlot"]>): void {
    if (freed) {
      const { taken, entryId, offerId, freedAt } = freed;
      const offeredAt = freedAt + 20 * 1000;
      const sentAt = offeredAt + 5 * 1000;
      this.out.waitlistEntries.push({
        id: entryId,
        patientId: taken.patient.id,
        specialtyId: taken.type.specialtyId,
        doctorId: taken.doctor.id,
        typeId: taken.type.id,
        appointmentId: null,
        wantedBefore: null,
        channel: taken.patient.chat!,
        status: "booked",
        createdAt: Math.max(this.openedAt + DAY, freedAt - this.r.int(2, 9) * DAY),
      });
      this.out.waitlistOffers.push({
        id: offerId,
        entryId,
        doctorId: taken.doctor.id,
        typeId: taken.type.id,
        startsAt: taken.startsAt,
        endsAt: taken.endsAt,
        expiresAt: sentAt + this.clinic.waitlistHoldMinutes * MINUTE,
        status: "accepted",
        createdAt: offeredAt,
        channel: this.route(taken.patient),
        chatId: taken.patient.chat === this.route(taken.patient) ? taken.patient.chatId! : taken.patient.phone,
        sentAt,
      });
    }

    // Patients with an appointment weeks away who asked for an earlier one.
    const people = new Set<string>();
    const upcoming = this.drafts.filter(
      (d) => d.status === "confirmed" && d.startsAt > this.now + 4 * DAY && this.waitedFor(d.doctor),
    );
    for (const d of this.r.shuffle(upcoming)) {
      if (people.size >= 5) break;
      if (people.has(d.patient.id)) continue;
      people.add(d.patient.id);
      const createdAt = Math.min(this.between(d.confirmedAt! + HOUR, d.confirmedAt! + 3 * DAY), this.now - 30 * MINUTE);
      const atDesk = d.patient.chat === null || this.r.chance(0.3);
      const id = this.r.uuid();
      const joinedAt = atDesk ? this.office(createdAt) : createdAt;
      if (joinedAt >= this.now) continue;
      this.out.waitlistEntries.push({
        id,
        patientId: d.patient.id,
        specialtyId: d.type.specialtyId,
        doctorId: d.doctor.id,
        typeId: d.type.id,
        appointmentId: d.id,
        wantedBefore: people.size === 1 ? d.startsAt - 2 * DAY : null,
        channel: atDesk ? "console" : d.patient.chat!,
        status: "waiting",
        createdAt: joinedAt,
      });
      if (atDesk)
        this.out.audit.push(
          this.audit(joinedAt, { kind: "secretary" }, "waitlist.create", "waitlist_entry", id, d.patient.id),
        );
    }

    // Someone who asked for earlier, then kept their date.
    const kept = this.drafts.find(
      (d) =>
        d.status === "completed" &&
        this.waitedFor(d.doctor) &&
        !people.has(d.patient.id) &&
        d.confirmedAt! < d.startsAt - 5 * DAY,
    );
    if (kept) {
      const id = this.r.uuid();
      const joinedAt = this.office(kept.confirmedAt! + DAY);
      this.out.waitlistEntries.push({
        id,
        patientId: kept.patient.id,
        specialtyId: kept.type.specialtyId,
        doctorId: kept.doctor.id,
        typeId: kept.type.id,
        appointmentId: kept.id,
        wantedBefore: null,
        channel: "console",
        status: "withdrawn",
        createdAt: joinedAt,
      });
      this.out.audit.push(
        this.audit(joinedAt, { kind: "secretary" }, "waitlist.create", "waitlist_entry", id, kept.patient.id),
      );
      const withdrawnAt = this.office(joinedAt + 2 * DAY);
      if (withdrawnAt < Math.min(kept.startsAt, this.now))
        this.out.audit.push(
          this.audit(withdrawnAt, { kind: "secretary" }, "waitlist.withdraw", "waitlist_entry", id, kept.patient.id),
        );
    }
  }

  // ---------------------------------------------------------------- billing

  private planInvoices(): void {
    const issued: InvoiceRow[] = [];
    const seen = this.drafts.filter((d) => d.status === "completed").sort((a, b) => a.closedAt! - b.closedAt!);
    for (const d of seen) {
      const recent = this.now - d.endsAt < 4 * DAY;
      const fate = this.r.weighted<"none" | "draft" | "issued">(
        recent
          ? [
              ["none", 22],
              ["draft", 12],
              ["issued", 66],
            ]
          : [
              ["none", 3],
              ["issued", 97],
            ],
      );
      const createdAt = d.closedAt! + this.r.int(60, 720) * 1000;
      if (fate === "none" || createdAt >= this.now - MINUTE) continue;
      const invoice = this.openInvoice(d, createdAt);
      if (fate === "issued" && createdAt + 2 * MINUTE < this.now) {
        this.issue(invoice, createdAt + MINUTE);
        issued.push(invoice);
        this.payments(invoice, d);
      }
      this.out.invoices.push(invoice);
    }
    // An invoice issued for a visit the patient missed, voided at once; its number stays used.
    const missed = this.drafts
      .filter((d) => d.status === "no_show" && d.closedAt! < this.now - DAY)
      .sort((a, b) => b.closedAt! - a.closedAt!)[0];
    if (missed) {
      const invoice = this.openInvoice(missed, missed.closedAt! + 2 * MINUTE);
      this.issue(invoice, missed.closedAt! + 3 * MINUTE);
      issued.push(invoice);
      const voidedAt = missed.closedAt! + 8 * MINUTE;
      Object.assign(invoice, {
        status: "void",
        voidedAt,
        voidReason: "Rendez-vous non honoré : facture émise par erreur",
        updatedAt: voidedAt,
      });
      this.out.invoices.push(invoice);
      this.out.audit.push(
        this.audit(voidedAt, { kind: "secretary" }, "invoice.void", "invoice", invoice.id, invoice.patientId),
      );
    }
    // Numbers follow the order of issue within each local year, with no gap.
    const issueAudits = new Map(
      this.out.audit.filter((a) => a.action === "invoice.issue").map((a) => [a.resourceId!, a] as const),
    );
    const perYear = new Map<string, number>();
    for (const inv of issued.sort((a, b) => a.issuedAt! - b.issuedAt!)) {
      const year = this.clock.dayOf(inv.issuedAt!).slice(0, 4);
      const n = (perYear.get(year) ?? 0) + 1;
      perYear.set(year, n);
      inv.number = `${year}-${String(n).padStart(6, "0")}`;
      issueAudits.get(inv.id)!.detail = { number: inv.number };
    }
  }

  /** A draft for the visit: its type at the type's price, an extra act sometimes, the patient's cover. */
  private openInvoice(d: Draft, at: number): InvoiceRow {
    const lines = [
      {
        position: 1,
        description: this.clinic.defaultLocale === "en" ? d.type.nameEn : d.type.nameFr,
        quantity: 1,
        unitPriceMinor: d.type.priceMinor,
      },
    ];
    const extra =
      d.type.specialty === "cardiology" && this.r.chance(0.35)
        ? { description: "Électrocardiogramme", unitPriceMinor: 1426 }
        : d.type.specialty === "dermatology" && this.r.chance(0.2)
          ? { description: "Cryothérapie (verrue)", unitPriceMinor: 2880 }
          : null;
    const insurerId = d.patient.insurer ? this.insurerId(d.patient.insurer) : null;
    const shareBp = insurerId ? d.patient.insuranceCoverageBp : 0;
    const invoice: InvoiceRow = {
      id: this.r.uuid(),
      patientId: d.patient.id,
      appointmentId: d.id,
      number: null,
      status: "draft",
      insurerId,
      insurerShareBp: shareBp,
      totalMinor: 0,
      insurerPartMinor: 0,
      patientPartMinor: 0,
      issuedAt: null,
      voidedAt: null,
      voidReason: null,
      createdAt: at,
      updatedAt: at,
      lines,
      payments: [],
    };
    this.retotal(invoice);
    this.out.audit.push(
      this.audit(at, { kind: "secretary" }, "invoice.create", "invoice", invoice.id, d.patient.id, {
        appointmentId: d.id,
      }),
    );
    if (extra) {
      lines.push({ position: 2, quantity: 1, ...extra });
      this.retotal(invoice);
      invoice.updatedAt = at + 30 * 1000;
      this.out.audit.push(
        this.audit(at + 30 * 1000, { kind: "secretary" }, "invoice.update", "invoice", invoice.id, d.patient.id, {
          change: "line_added",
        }),
      );
    }
    return invoice;
  }

  private retotal(invoice: InvoiceRow): void {
    invoice.totalMinor = invoice.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
    const split = splitTotal(invoice.totalMinor, invoice.insurerShareBp);
    invoice.insurerPartMinor = split.insurerMinor;
    invoice.patientPartMinor = split.patientMinor;
  }

  private issue(invoice: InvoiceRow, at: number): void {
    invoice.status = invoice.totalMinor === 0 ? "paid" : "issued";
    invoice.issuedAt = at;
    invoice.updatedAt = at;
    this.out.audit.push(
      this.audit(at, { kind: "secretary" }, "invoice.issue", "invoice", invoice.id, invoice.patientId, {}),
    );
  }

  /** The patient pays their part at the desk (or later by transfer); the insurer its part weeks later. */
  private payments(invoice: InvoiceRow, d: Draft): void {
    const received: InvoiceRow["payments"] = [];
    if (invoice.patientPartMinor > 0) {
      const how = this.r.weighted<"card" | "cash" | "transfer" | "owed">([
        ["card", 55],
        ["cash", 25],
        ["transfer", 12],
        ["owed", 8],
      ]);
      if (how !== "owed") {
        const at =
          how === "transfer" ? this.office(invoice.issuedAt! + this.r.int(2, 12) * DAY) : invoice.issuedAt! + MINUTE;
        if (at < this.now)
          received.push({
            id: this.r.uuid(),
            payer: "patient",
            method: how,
            amountMinor: invoice.patientPartMinor,
            receivedAt: at,
            reference: how === "transfer" ? `VIR ${d.patient.lastName.toUpperCase()} ${this.r.digits(6)}` : null,
          });
      }
    }
    if (invoice.insurerPartMinor > 0) {
      const at = this.office(invoice.issuedAt! + this.r.int(6, 20) * DAY);
      if (at < this.now)
        received.push({
          id: this.r.uuid(),
          payer: "insurer",
          method: this.r.chance(0.7) ? "insurer" : "transfer",
          amountMinor: invoice.insurerPartMinor,
          receivedAt: at,
          reference: `${this.codeOf(invoice.insurerId)}-${this.clock.dayOf(at).replace(/-/g, "")}-${this.r.digits(5)}`,
        });
    }
    let paidMinor = 0;
    for (const p of received.sort((a, b) => a.receivedAt - b.receivedAt)) {
      paidMinor += p.amountMinor;
      invoice.payments.push(p);
      invoice.status = paidMinor === invoice.totalMinor ? "paid" : "partly_paid";
      invoice.updatedAt = p.receivedAt;
      this.out.audit.push(
        this.audit(p.receivedAt, { kind: "secretary" }, "payment.record", "invoice", invoice.id, invoice.patientId, {
          paymentId: p.id,
          payer: p.payer,
          method: p.method,
        }),
      );
    }
  }

  private insurerId(code: string): string {
    return this.out.insurers.find((i) => i.code === code)!.id;
  }

  private codeOf(insurerId: string | null): string {
    return this.out.insurers.find((i) => i.id === insurerId)?.code ?? "MUT";
  }

  // ---------------------------------------------------------------- the doctor with a login

  private planClinicalRecords(): void {
    const doctorId = this.clinic.staff.doctorUserDoctorId;
    const visits = this.r.shuffle(
      this.drafts.filter((d) => d.status === "completed" && d.doctor.id === doctorId && d.patient.age >= 16),
    );
    const noted = new Set<string>();
    let allergies = 0;
    let diagnoses = 0;
    let prescriptions = 0;
    for (const d of visits.slice(0, 24)) {
      const at = d.startsAt + Math.round((d.endsAt - d.startsAt) * 0.8);
      const noteId = this.r.uuid();
      this.out.notes.push({
        id: noteId,
        patientId: d.patient.id,
        appointmentId: d.id,
        body: this.r.pick(words.NOTES),
        at,
      });
      this.out.audit.push(this.audit(at, { kind: "doctor" }, "note.create", "clinical_note", noteId, d.patient.id));
      const first = !noted.has(d.patient.id);
      noted.add(d.patient.id);
      if (first && diagnoses < words.DIAGNOSES.length && this.r.chance(0.4)) {
        const dx = words.DIAGNOSES[diagnoses++]!;
        const id = this.r.uuid();
        this.out.diagnoses.push({ id, patientId: d.patient.id, ...dx, at: at + 30 * 1000 });
        this.out.audit.push(
          this.audit(at + 30 * 1000, { kind: "doctor" }, "diagnosis.create", "diagnosis", id, d.patient.id),
        );
      }
      if (first && allergies < words.ALLERGIES.length && this.r.chance(0.35)) {
        const allergy = words.ALLERGIES[allergies++]!;
        const id = this.r.uuid();
        this.out.allergies.push({ id, patientId: d.patient.id, ...allergy, at: at + MINUTE });
        this.out.audit.push(this.audit(at + MINUTE, { kind: "doctor" }, "allergy.create", "allergy", id, d.patient.id));
      }
      if (prescriptions < 8 && this.r.chance(0.45)) {
        prescriptions++;
        const id = this.r.uuid();
        this.out.prescriptions.push({
          id,
          patientId: d.patient.id,
          appointmentId: d.id,
          at: at + 2 * MINUTE,
          items: this.r.pick(words.PRESCRIPTIONS).map((item) => ({ ...item })),
        });
        this.out.audit.push(
          this.audit(at + 2 * MINUTE, { kind: "doctor" }, "prescription.create", "prescription", id, d.patient.id),
        );
      }
    }
  }

  // ---------------------------------------------------------------- an emergency, a handoff

  /** Raised by the front desk on the phone this morning (or the last open morning), acknowledged for the on-call doctor. */
  private planEmergency(): void {
    let day = this.today;
    while (!this.isOpenDay(day) || this.clock.weekday(day) === 6 || this.clock.at(day, 10 * 60 + 52) > this.now)
      day = this.clock.addDays(day, -1);
    const at = this.clock.at(day, 10 * 60 + 42) + 17 * 1000;
    const doctorId = this.clinic.staff.doctorUserDoctorId;
    const patient =
      this.drafts.find(
        (d) => d.doctor.id === doctorId && d.patient.age >= 40 && d.startsAt < at && d.patient.locale === "fr",
      )?.patient ?? this.patients[0]!;
    const id = this.r.uuid();
    this.out.emergency = {
      id,
      patientId: patient.id,
      category: "breathing",
      raisedBy: this.clinic.staff.secretaryId,
      note: words.EMERGENCY_NOTE,
      createdAt: at,
      acknowledgedAt: at + 4 * MINUTE,
      acknowledgedByDoctorId: doctorId,
    };
    this.out.audit.push(this.audit(at, { kind: "secretary" }, "emergency.raise", "emergency_event", id, patient.id));
    this.out.audit.push(
      this.audit(at + 4 * MINUTE, { kind: "secretary" }, "emergency.acknowledge", "emergency_event", id, patient.id),
    );
  }

  /** A patient who asked the WhatsApp bot for a person, under an hour ago (or last evening), still waiting. */
  private planHandoff(): void {
    let at = this.now - 47 * MINUTE;
    const minute = (at - this.clock.startOfDay(at)) / MINUTE;
    if (minute < 8 * 60 || minute > 20 * 60 + 30) {
      const day = minute < 8 * 60 ? this.clock.addDays(this.clock.dayOf(at), -1) : this.clock.dayOf(at);
      at = this.clock.at(day, 18 * 60 + 40);
    }
    const invoiced = new Set(this.out.invoices.map((i) => i.patientId));
    const patient =
      this.patients.find(
        (p) =>
          p.chat === "whatsapp" &&
          p.locale === "fr" &&
          p.age >= 16 &&
          invoiced.has(p.id) &&
          p.id !== this.out.emergency.patientId,
      ) ?? this.patients.find((p) => p.chat === "whatsapp" && p.locale === "fr")!;
    const first = at - 70 * 1000;
    const exchanges = words.HANDOFF_EXCHANGES.map((x, i) => ({ ...x, at: i === 0 ? first : at }));
    this.out.conversation = {
      id: this.r.uuid(),
      channel: "whatsapp",
      senderId: patient.chatId!,
      patientId: patient.id,
      locale: patient.locale,
      snapshot: idleSnapshot(patient, at),
      createdAt: first,
      lastActivityAt: at,
      messages: exchanges.flatMap((x) => [
        { direction: "in" as const, author: "patient" as const, text: x.said, at: x.at },
        ...x.replies.map((r) => ({
          direction: "out" as const,
          author: "bot" as const,
          text: [r.text, ...("choices" in r ? r.choices.map((c) => `• ${c.label}`) : [])].join("\n"),
          at: x.at,
        })),
      ]),
      processed: exchanges.map((x) => ({
        providerMessageId: `wamid.HBgM${patient.chatId}FQIAEhgU${this.r.uuid().replace(/-/g, "").slice(0, 20).toUpperCase()}`,
        replies: x.replies,
        at: x.at,
      })),
    };
  }

  // ---------------------------------------------------------------- patients

  /**
   * Each patient came first through the chat (created with their consent by the booking that
   * brought them) or at the front desk (created there, audited). The chat address proves the
   * phone where the channel can (WhatsApp's sender, a Telegram contact, an SMS answered with
   * the birth date); otherwise the desk types the phone in. The desk adds the insurance card.
   */
  private planPatients(): void {
    const consentOf = new Map<string, string>();
    const consent = (locale: "fr" | "en") => {
      if (!consentOf.has(locale)) consentOf.set(locale, consentVersion(locale, this.clinic.timeZone));
      return consentOf.get(locale)!;
    };
    const firstBooking = new Map<string, Draft>();
    for (const d of this.drafts)
      if (!firstBooking.has(d.patient.id) || d.createdAt < firstBooking.get(d.patient.id)!.createdAt)
        firstBooking.set(d.patient.id, d);
    const firstVisit = new Map<string, number>();
    for (const d of this.drafts)
      if (d.status === "completed" && (firstVisit.get(d.patient.id) ?? Infinity) > d.startsAt)
        firstVisit.set(d.patient.id, d.startsAt);
    const earliestTouch = new Map<string, number>();
    const touch = (patientId: string | null, at: number) => {
      if (patientId && at < (earliestTouch.get(patientId) ?? Infinity)) earliestTouch.set(patientId, at);
    };
    for (const e of this.out.waitlistEntries) touch(e.patientId, e.createdAt);
    touch(this.out.emergency.patientId, this.out.emergency.createdAt);
    touch(this.out.conversation.patientId, this.out.conversation.createdAt);
    const secretary: Who = { kind: "secretary" };

    for (const p of this.patients) {
      const booking = firstBooking.get(p.id);
      const touched = earliestTouch.get(p.id) ?? Infinity;
      const viaChat = !!booking?.byPatient && booking.createdAt < touched;
      const createdAt = viaChat
        ? booking!.createdAt - 20 * 1000
        : Math.min(
            booking
              ? booking.createdAt - this.r.int(1, 4) * MINUTE
              : this.office(this.between(this.openedAt + DAY, this.now - DAY)),
            touched - HOUR,
          );
      const self: Who = { kind: "patient", patientId: p.id };
      const audits: AuditRow[] = [];
      if (!viaChat) audits.push(this.audit(createdAt, secretary, "patient.create", "patient", p.id, p.id));

      let verified = false;
      let phoneByDesk = false;
      const proof =
        p.chat === "whatsapp" ? "provider_sender" : p.chat === "telegram" ? "provider_contact" : "birth_date";
      if (p.chat && viaChat) {
        if (p.chat === "whatsapp" || p.chat === "telegram") {
          verified = true;
          audits.push(
            this.audit(createdAt + 40 * 1000, self, "patient.update", "Patient", p.id, p.id, {
              channel: p.chat,
              verifiedBy: proof,
              fields: ["phone"],
            }),
          );
        } else phoneByDesk = true;
      } else if (p.chat) {
        // Registered at the desk, then wrote to the clinic from the number on file.
        verified = true;
        if (p.chat === "sms")
          audits.push(
            this.audit(
              createdAt + MINUTE,
              { kind: "system" },
              "sms_identity.challenge",
              "ChannelIdentity",
              null,
              p.id,
              {
                channel: "sms",
              },
            ),
          );
        audits.push(
          this.audit(createdAt + 2 * MINUTE, self, "channel_identity.link", "ChannelIdentity", p.id, p.id, {
            channel: p.chat,
            verifiedBy: proof,
            fields: [],
          }),
        );
      }
      const firstSeen = Math.min(firstVisit.get(p.id) ?? createdAt + DAY, this.now - MINUTE);
      if (phoneByDesk)
        audits.push(
          this.audit(firstSeen - 6 * MINUTE, secretary, "patient.update", "patient", p.id, p.id, { fields: ["phone"] }),
        );
      const insurerId = p.insurer ? this.insurerId(p.insurer) : null;
      if (insurerId)
        audits.push(
          this.audit(
            viaChat ? firstSeen - 5 * MINUTE : createdAt + MINUTE,
            secretary,
            "patient.update",
            "patient",
            p.id,
            p.id,
            {
              fields: ["insuranceCoverageBp", "insuranceNumber", "insurerId"],
            },
          ),
        );
      const kept = audits.filter((a) => a.at < this.now);
      this.out.audit.push(...kept);
      const hasIdentity = !!p.chat && !!p.chatId;
      this.out.patients.push({
        ...p,
        insurerId,
        createdAt,
        updatedAt: Math.max(createdAt, ...kept.filter((a) => a.action === "patient.update").map((a) => a.at)),
        preferredChannel: hasIdentity ? p.chat : null,
        consentAt: viaChat ? createdAt : null,
        consentVersion: viaChat ? consent(p.locale) : null,
      });
      if (hasIdentity)
        this.out.identities.push({
          patientId: p.id,
          channel: p.chat!,
          externalId: p.chatId!,
          verified,
          createdAt: viaChat ? createdAt : createdAt + 2 * MINUTE,
        });
    }
  }

  private audit(
    at: number,
    who: Who,
    action: string,
    resourceType: string,
    resourceId: string | null,
    patientId: string | null,
    detail: Record<string, unknown> | null = null,
  ): AuditRow {
    return { at, ...this.actor(who), action, resourceType, resourceId, patientId, detail };
  }
}

/** The dialogue's persisted state after handing the conversation over: back at the menu. */
function idleSnapshot(patient: DemoPatient, lastReceivedAt: number) {
  return {
    value: "idle",
    status: "active",
    context: {
      mode: null,
      name: null,
      step: 0,
      when: null,
      chosen: null,
      doctor: null,
      locale: patient.locale,
      outbox: [],
      target: null,
      offered: [],
      purpose: "book",
      question: null,
      ambiguous: [],
      birthDate: null,
      patientId: patient.id,
      specialtyId: null,
      appointments: [],
      doctorOptions: [],
      specialtyName: null,
      waitlistOffer: null,
      lastReceivedAt: new Date(lastReceivedAt).toISOString(),
    },
    children: {},
    historyValue: {},
  };
}
