import express, { type Request, type Router } from "express";
import type { AppContext } from "../context.js";
import { decideRequest } from "../domain/booking.js";
import { ClinicClock } from "../domain/clinic-time.js";
import {
  appointmentForStaff,
  getClinic,
  listAppointments,
  listDoctors,
  type BookedAppointment,
} from "../domain/directory.js";
import { searchPatients } from "../domain/patients.js";
import { suggestSpecialtiesFor } from "../domain/triage.js";
import { ClinicFormat, doctorName, personName, STATUS_LABEL } from "./format.js";
import { actorOf, guard, mustSession } from "./http.js";
import { renderPage, type PageLocals } from "./render.js";
import type { ConsoleSession } from "./session.js";

const form = express.urlencoded({ extended: false, limit: "32kb" });
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
  };
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
      const { clock, format } = await clinicSetup(ctx, session, locale);
      const from = new Date(clock.startOfDay(ctx.now()));
      const to = new Date(from.getTime() + 366 * 24 * 3600_000);
      const [rows, names] = await Promise.all([
        listAppointments(ctx.db, session.user.clinicId, actorOf(session), { from, to, status: ["requested"] }, req.ip),
        clinicNames(ctx, session.user.clinicId, locale),
      ]);
      const items = await Promise.all(rows.map((a) => requestItem(a, names, format, session, locale)));
      const done = req.query.done;
      renderPage(res, "requests", {
        title: t("requestsTitle"),
        rows: items,
        flash: done === "accept" ? t("accepted") : done === "decline" ? t("refused") : null,
      });
    } catch (err) {
      next(err);
    }
  });

  async function requestItem(
    a: BookedAppointment,
    names: Awaited<ReturnType<typeof clinicNames>>,
    format: ClinicFormat,
    session: ConsoleSession,
    locale: "fr" | "en",
  ) {
    // The triage reads the patient's stated reason and answers with the clinic's own specialty names.
    const suggestions = a.reason ? await suggestSpecialtiesFor(ctx.db, session.user.clinicId, a.reason) : [];
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
    };
  }

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
