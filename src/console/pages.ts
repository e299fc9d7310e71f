import express, { type Request, type Router } from "express";
import type { AppContext } from "../context.js";
import { slotsNear } from "../domain/availability.js";
import { decideRequest, rescheduleAppointment } from "../domain/booking.js";
import { ClinicClock } from "../domain/clinic-time.js";
import {
  appointmentForStaff,
  getClinic,
  listAppointments,
  listDoctors,
  type BookedAppointment,
} from "../domain/directory.js";
import { searchPatients } from "../domain/patients.js";
import { setBookingMode } from "../domain/settings.js";
import { suggestSpecialtiesFor, type TriageSuggestion } from "../domain/triage.js";
import { refusalText } from "./clinic-forms.js";
import { ClinicFormat, doctorName, personName, STATUS_LABEL } from "./format.js";
import { actorOf, guard, mustSession } from "./http.js";
import { renderPage, type PageLocals } from "./render.js";
import type { ConsoleSession } from "./session.js";

const form = express.urlencoded({ extended: false, limit: "32kb" });
const managers = guard({ roles: ["admin", "secretary"] });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCAL_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A 404 the console's error handler renders as its own page. */
class PageNotFound extends Error {}
export const isPageNotFound = (err: unknown): boolean => err instanceof PageNotFound;

/** Names of the clinic's doctors and appointment types, for the tables. */
async function clinicNames(ctx: AppContext, clinicId: string, locale: "fr" | "en") {
  const [doctors, types] = await Promise.all([
    listDoctors(ctx.db, clinicId),
    ctx.db.prisma.appointmentType.findMany({ where: { clinicId } }),
  ]);
  return {
    doctors,
    doctor: new Map(doctors.map((d) => [d.id, doctorName(d)])),
    type: new Map(types.map((t) => [t.id, locale === "fr" ? t.nameFr : t.nameEn])),
    typeSpecialty: new Map(types.map((t) => [t.id, t.specialtyId])),
  };
}

type ClinicNames = Awaited<ReturnType<typeof clinicNames>>;

/**
 * The doctor the triage points a request to: the first active doctor of the top suggested
 * specialty who can see the request's appointment type. None when the request's doctor already
 * has that specialty, or no other doctor of it can take the type (moving keeps the type).
 */
function suggestedDoctor(a: BookedAppointment, suggestions: TriageSuggestion[], names: ClinicNames) {
  const top = suggestions[0]?.specialty.id;
  if (!top) return null;
  const ofTop = (d: ClinicNames["doctors"][number]) => d.specialties.some((sp) => sp.id === top);
  const current = names.doctors.find((d) => d.id === a.doctorId);
  if (current && ofTop(current)) return null;
  const typeSpecialty = names.typeSpecialty.get(a.typeId) ?? null;
  const doctor = names.doctors.find(
    (d) =>
      d.active &&
      d.id !== a.doctorId &&
      ofTop(d) &&
      (typeSpecialty === null || d.specialties.some((sp) => sp.id === typeSpecialty)),
  );
  return doctor ? { doctorId: doctor.id, doctor: doctorName(doctor) } : null;
}

async function clinicSetup(ctx: AppContext, session: ConsoleSession, locale: "fr" | "en") {
  const clinic = await getClinic(ctx.db, session.user.clinicId);
  return { clinic, clock: new ClinicClock(clinic.timeZone), format: new ClinicFormat(locale, clinic.timeZone) };
}

/** The console's working pages: today, the request queue, the day calendar, patient search (records: records.ts). */
export function pageRoutes(router: Router, ctx: AppContext): void {
  router.get("/", guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const { clock, format } = await clinicSetup(ctx, session, locale);
      const day = clock.dayOf(ctx.now());
      const from = new Date(clock.at(day, 0));
      const to = new Date(clock.at(clock.addDays(day, 1), 0));
      const [rows, names, pending] = await Promise.all([
        listAppointments(ctx.db, session.user.clinicId, actorOf(session), { from, to }, req.ip),
        clinicNames(ctx, session.user.clinicId, locale),
        ctx.db.prisma.appointment.count({
          where: {
            clinicId: session.user.clinicId,
            status: "requested",
            startsAt: { gte: from },
            ...(session.user.role === "doctor" ? { doctorId: session.user.doctorId ?? UUID_NONE } : {}),
          },
        }),
      ]);
      renderPage(res, "today", {
        title: session.user.role === "doctor" ? t("todayMine") : t("todayTitle"),
        day: format.dayOf(from),
        pending,
        rows: rows.map((a) => ({
          time: format.timeOf(a.startsAt),
          patientId: a.patientId,
          patient: personName(a.patient),
          doctor: names.doctor.get(a.doctorId) ?? "—",
          type: names.type.get(a.typeId) ?? "—",
          status: a.status,
          statusLabel: t(STATUS_LABEL[a.status]),
        })),
      });
    } catch (err) {
      next(err);
    }
  });

  router.get("/requests", guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const setup = await clinicSetup(ctx, session, locale);
      const names = await clinicNames(ctx, session.user.clinicId, locale);
      const items = await pendingRequests(session, setup, names, locale, req.ip);
      const done = req.query.done;
      renderPage(res, "requests", {
        title: t("requestsTitle"),
        rows: items,
        bookingMode: session.user.role === "doctor" ? null : setup.clinic.bookingMode,
        flash:
          done === "accept"
            ? t("accepted")
            : done === "decline"
              ? t("refused")
              : done === "mode"
                ? t(setup.clinic.bookingMode === "approval" ? "bookingModeNowApproval" : "bookingModeNowInstant")
                : null,
      });
    } catch (err) {
      next(err);
    }
  });

  router.post("/requests/booking-mode", form, guard({ roles: ["admin", "secretary"] }), async (req, res) => {
    const session = mustSession(res);
    const mode = (req.body as Record<string, unknown>).bookingMode === "approval" ? "approval" : "instant";
    await setBookingMode(ctx.db, actorOf(session), session.user.clinicId, mode, req.ip);
    res.redirect(303, "/requests?done=mode");
  });

  /** The pending requests from today on, as rows of the queue (reading them is audited). */
  async function pendingRequests(
    session: ConsoleSession,
    { clock, format }: { clock: ClinicClock; format: ClinicFormat },
    names: ClinicNames,
    locale: "fr" | "en",
    ip: string | undefined,
  ) {
    const from = new Date(clock.startOfDay(ctx.now()));
    const to = new Date(from.getTime() + 366 * 24 * 3600_000);
    const rows = await listAppointments(
      ctx.db,
      session.user.clinicId,
      actorOf(session),
      { from, to, status: ["requested"] },
      ip,
    );
    return Promise.all(rows.map((a) => requestItem(a, names, format, session, locale)));
  }

  // The triage reads the patient's stated reason and answers with the clinic's own specialty names.
  const suggestionsFor = (a: BookedAppointment, clinicId: string) =>
    a.reason ? suggestSpecialtiesFor(ctx.db, clinicId, a.reason) : Promise.resolve([]);

  async function requestItem(
    a: BookedAppointment,
    names: ClinicNames,
    format: ClinicFormat,
    session: ConsoleSession,
    locale: "fr" | "en",
    notes: { assigned?: string; error?: string } = {},
  ) {
    const suggestions = await suggestionsFor(a, session.user.clinicId);
    const suggestion = suggestions
      .slice(0, 2)
      .map((s) => {
        const specialty = locale === "fr" ? s.specialty.nameFr : s.specialty.nameEn;
        const doctors = names.doctors
          .filter((d) => d.active && d.specialties.some((sp) => sp.id === s.specialty.id))
          .map((d) => doctorName(d));
        return doctors.length ? `${specialty} (${doctors.join(", ")})` : specialty;
      })
      .join(" · ");
    return {
      id: a.id,
      patient: personName(a.patient),
      when: format.dateTimeOf(a.startsAt),
      doctor: names.doctor.get(a.doctorId) ?? "—",
      type: names.type.get(a.typeId) ?? "—",
      reason: a.reason,
      suggestion,
      // Moving another doctor's appointment is the front desk's job.
      assign: session.user.role === "doctor" ? null : suggestedDoctor(a, suggestions, names),
      ...notes,
    };
  }

  /**
   * One click from the triage's suggestion: the request goes to the suggested doctor at the same
   * time when they are free, else at their nearest free slot; still a request to accept. The
   * move is recorded in the appointment's history with the staff member as its author.
   */
  router.post("/requests/:id/assign", form, managers, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const id = uuidParam(req);
      const setup = await clinicSetup(ctx, session, locale);
      const { format } = setup;
      const a = await appointmentForStaff(ctx.db, session.user.clinicId, actorOf(session), id);
      const names = await clinicNames(ctx, session.user.clinicId, locale);
      const answer = async (notes: { assigned?: string; error?: string }, status: number) => {
        const row = await requestItem(a, names, format, session, locale, notes);
        if (req.get("hx-request")) return renderPage(res, "request-row", { title: "", r: row });
        const rows = await pendingRequests(session, setup, names, locale, req.ip);
        renderPage(
          res,
          "requests",
          { title: t("requestsTitle"), rows: rows.map((r) => (r.id === id ? row : r)), flash: null },
          { status },
        );
      };
      const target = a.status === "requested" ? suggestedDoctor(a, await suggestionsFor(a, a.clinicId), names) : null;
      if (!target || target.doctorId !== (req.body as Record<string, unknown>).doctorId)
        return await answer({ error: t("assignStale") }, 409);
      const [slot] = await slotsNear(ctx.db, {
        clinicId: a.clinicId,
        appointmentTypeId: a.typeId,
        doctorId: target.doctorId,
        target: a.startsAt,
        count: 1,
        now: ctx.now(),
      });
      if (!slot) return await answer({ error: t("assignNoSlot", { doctor: target.doctor }) }, 409);
      try {
        const moved = await rescheduleAppointment(ctx.db, {
          appointmentId: id,
          startsAt: slot.startsAt,
          doctorId: target.doctorId,
          actor: actorOf(session),
          reason: "triage suggestion",
          // Not yet accepted, so nothing was promised to the patient: the 24-hour rule for moving
          // an appointment does not stand in the way, and the history says it was set aside.
          override: { reason: "triage suggestion" },
          now: ctx.now(),
        });
        Object.assign(a, { doctorId: moved.doctorId, startsAt: moved.startsAt, endsAt: moved.endsAt });
      } catch (err) {
        const error = refusalText(t, err);
        if (error === null) throw err;
        return await answer({ error }, 409);
      }
      await answer({ assigned: t("assignedTo", { doctor: target.doctor, when: format.dateTimeOf(a.startsAt) }) }, 200);
    } catch (err) {
      next(err);
    }
  });

  for (const [path, decision] of [
    ["accept", "accept"],
    ["refuse", "decline"],
  ] as const) {
    router.post(`/requests/:id/${path}`, form, guard(), async (req, res, next) => {
      try {
        const session = mustSession(res);
        const { t } = res.locals as PageLocals;
        const id = uuidParam(req);
        // Another clinic's request is "not found"; another doctor's is forbidden.
        await appointmentForStaff(ctx.db, session.user.clinicId, actorOf(session), id);
        const reason = String((req.body as Record<string, unknown>).reason ?? "")
          .trim()
          .slice(0, 500);
        await decideRequest(ctx.db, {
          appointmentId: id,
          decision,
          actor: actorOf(session),
          reason: reason || undefined,
        });
        if (req.get("hx-request")) {
          renderPage(res, "request-done", {
            title: "",
            id,
            message: decision === "accept" ? t("accepted") : t("refused"),
          });
          return;
        }
        res.redirect(303, `/requests?done=${decision}`);
      } catch (err) {
        next(err);
      }
    });
  }

  router.get("/calendar", guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const { clock, format } = await clinicSetup(ctx, session, locale);
      const asked = typeof req.query.day === "string" && LOCAL_DAY.test(req.query.day) ? req.query.day : null;
      const day = asked && !Number.isNaN(Date.parse(`${asked}T00:00:00Z`)) ? asked : clock.dayOf(ctx.now());
      const from = new Date(clock.at(day, 0));
      const to = new Date(clock.at(clock.addDays(day, 1), 0));
      const [rows, names] = await Promise.all([
        listAppointments(
          ctx.db,
          session.user.clinicId,
          actorOf(session),
          { from, to, status: ["requested", "confirmed", "completed", "no_show"] },
          req.ip,
        ),
        clinicNames(ctx, session.user.clinicId, locale),
      ]);
      const doctors = names.doctors.filter((d) =>
        session.user.role === "doctor" ? d.id === session.user.doctorId : d.active,
      );
      renderPage(res, "calendar", {
        title: t("calendarTitle", { day: format.dayOf(from) }),
        prev: clock.addDays(day, -1),
        next: clock.addDays(day, 1),
        columns: doctors.map((d) => ({
          id: d.id,
          name: doctorName(d),
          rows: rows
            .filter((a) => a.doctorId === d.id)
            .map((a) => ({
              time: `${format.timeOf(a.startsAt)}–${format.timeOf(a.endsAt)}`,
              patientId: a.patientId,
              patient: personName(a.patient),
              status: a.status,
              statusLabel: t(STATUS_LABEL[a.status]),
            })),
        })),
      });
    } catch (err) {
      next(err);
    }
  });

  router.get("/patients", guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const q = typeof req.query.q === "string" ? req.query.q.trim().slice(0, 100) : "";
      const searched = q.length >= 2;
      const rows = searched
        ? await searchPatients(
            ctx.db,
            { clinicId: session.user.clinicId, actor: actorOf(session), ip: req.ip },
            { q, limit: 50 },
          )
        : [];
      const format = new ClinicFormat(locale, "UTC");
      renderPage(res, "patients", {
        title: t("patientsTitle"),
        q,
        searched,
        rows: rows.map((p) => ({
          id: p.id,
          name: `${p.lastName.toUpperCase()} ${p.firstName}`,
          birthDate: format.calendarDate(p.birthDate),
          phone: p.phone ?? "—",
        })),
      });
    } catch (err) {
      next(err);
    }
  });
}

const UUID_NONE = "00000000-0000-0000-0000-000000000000";

function uuidParam(req: Request): string {
  const id = req.params.id;
  if (typeof id !== "string" || !UUID.test(id)) throw new PageNotFound();
  return id;
}
