import express, { type Request, type Response, type Router } from "express";
import type { AppContext } from "../context.js";
import type { Slot } from "../domain/availability.js";
import {
  appointmentHistory,
  bookUrgent,
  bookUrgentForNewPatient,
  cancelAppointment,
  rescheduleAppointment,
} from "../domain/booking.js";
import { ClinicClock } from "../domain/clinic-time.js";
import {
  appointmentForStaff,
  getClinic,
  listAppointmentTypes,
  listDoctors,
  readAppointment,
} from "../domain/directory.js";
import { DomainError, isDomainError } from "../domain/errors.js";
import { readPatient, searchPatients, type PatientAccess } from "../domain/patients.js";
import {
  channelLabel,
  field,
  idParam,
  localDay,
  localMinute,
  minuteText,
  optionalUuid,
  refusalText,
  wallClock,
  wallClockInstant,
} from "./clinic-forms.js";
import { ClinicFormat, doctorName, personName, STATUS_LABEL } from "./format.js";
import { actorOf, guard, mustSession } from "./http.js";
import type { Translate } from "./i18n.js";
import { renderPage, type PageLocals } from "./render.js";
import { SCHEDULE_ASSET_VERSION } from "./schedule.js";
import type { ConsoleSession } from "./session.js";

const form = express.urlencoded({ extended: false, limit: "32kb" });
const managers = guard({ roles: ["admin", "secretary"] });
const ACTOR_LABEL = {
  patient: "apptByPatient",
  staff: "apptByStaff",
  doctor: "apptByDoctor",
  system: "apptBySystem",
  client: "apptByClient",
} as const;

async function clinicOf(ctx: AppContext, session: ConsoleSession, locale: "fr" | "en") {
  const clinic = await getClinic(ctx.db, session.user.clinicId);
  return { clinic, clock: new ClinicClock(clinic.timeZone), format: new ClinicFormat(locale, clinic.timeZone) };
}

const wantsJson = (req: Request): boolean => Boolean(req.is("application/json"));

/** The booking rule's refusal plus, when it offered some, the nearest free slots. */
function refusalOf(t: Translate, err: unknown, format: ClinicFormat): { error: string; alternatives: string[] } | null {
  const error = refusalText(t, err);
  if (error === null) return null;
  const slots = (err as DomainError).details?.alternatives;
  const alternatives = Array.isArray(slots)
    ? (slots as Slot[]).map((s) => format.dateTimeOf(new Date(s.startsAt)))
    : [];
  return { error, alternatives };
}

/**
 * One appointment for staff: its page (audited read), moving it (form or calendar drag),
 * cancelling it with a reason (a cutoff override is recorded), and urgent bookings.
 */
export function appointmentRoutes(router: Router, ctx: AppContext): void {
  router.get("/appointments/urgent", managers, async (req, res, next) => {
    try {
      await renderUrgent(req, res, {});
    } catch (err) {
      next(err);
    }
  });

  router.post("/appointments/urgent", form, managers, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const { clock, format } = await clinicOf(ctx, session, locale);
      const body = req.body as Record<string, unknown>;
      const access = { clinicId: session.user.clinicId, actor: actorOf(session), ip: req.ip };
      const doctorId = optionalUuid(body.doctorId);
      const typeId = optionalUuid(body.typeId);
      const startsAt = wallClockInstant(clock, body.day, body.time);
      const overbook = body.overbook ? { reason: field(body, "overbookReason") } : undefined;
      const patientId = optionalUuid(body.patientId);
      const newPatient = { firstName: field(body, "firstName", 100), lastName: field(body, "lastName", 100) };
      if (!doctorId || !typeId || !startsAt) return renderUrgent(req, res, { error: t("apptUrgentIncomplete") }, 400);
      if (!patientId && (!newPatient.firstName || !newPatient.lastName))
        return renderUrgent(req, res, { error: t("apptUrgentNoPatient") }, 400);
      if (overbook && !overbook.reason) return renderUrgent(req, res, { error: t("apptOverbookReason") }, 400);
      const phone = field(body, "phone", 20).replace(/[\s.\-()]/g, "");
      if (!patientId && phone && !/^\+\d{8,15}$/.test(phone))
        return renderUrgent(req, res, { error: t("apptPhoneInvalid") }, 400);
      try {
        const booking = {
          appointmentTypeId: typeId,
          doctorId,
          startsAt,
          reason: field(body, "reason") || null,
          sourceChannel: "console" as const,
          actor: actorOf(session),
          overbook,
          now: ctx.now(),
        };
        const appointment = patientId
          ? await bookUrgent(ctx.db, { ...booking, clinicId: session.user.clinicId, patientId })
          : await bookUrgentForNewPatient(
              ctx.db,
              access,
              {
                ...newPatient,
                birthDate: null,
                phone: phone || null,
                email: null,
                preferredLocale: locale,
                preferredChannel: null,
              },
              booking,
            );
        res.redirect(303, `/appointments/${appointment.id}?done=urgent`);
      } catch (err) {
        if (err instanceof DomainError && err.code === "conflict")
          return renderUrgent(req, res, { error: t("apptPhoneTaken") }, 409);
        const refusal = refusalOf(t, err, format);
        if (!refusal) throw err;
        return renderUrgent(req, res, refusal, 409);
      }
    } catch (err) {
      next(err);
    }
  });

  router.get("/appointments/:id", guard(), async (req, res, next) => {
    try {
      await renderAppointment(req, res, {});
    } catch (err) {
      next(err);
    }
  });

  router.post("/appointments/:id/move", form, managers, async (req, res, next) => {
    const { t, locale } = res.locals as PageLocals;
    try {
      const session = mustSession(res);
      const id = idParam(req);
      const { clock, format } = await clinicOf(ctx, session, locale);
      // Another clinic's appointment is "not found", whatever the rules would say.
      await appointmentForStaff(ctx.db, session.user.clinicId, actorOf(session), id);
      const body = req.body as Record<string, unknown>;
      const start = typeof body.start === "string" ? body.start : "";
      const startsAt = wantsJson(req)
        ? wallClockInstant(clock, start.slice(0, 10), start.slice(11, 16))
        : wallClockInstant(clock, body.day, body.time);
      const reason = field(body, "reason");
      const override = body.override ? { reason } : undefined;
      const fail = (status: number, error: string, alternatives: string[] = []) =>
        wantsJson(req)
          ? void res.status(status).json({ error, alternatives })
          : renderAppointment(req, res, { moveError: error, alternatives }, status);
      if (!startsAt) return fail(400, t("schRefusedInvalid"));
      if (override && !reason) return fail(400, t("apptOverrideReason"));
      try {
        const moved = await rescheduleAppointment(ctx.db, {
          appointmentId: id,
          startsAt,
          doctorId: optionalUuid(body.doctorId),
          actor: actorOf(session),
          reason: reason || undefined,
          override,
          now: ctx.now(),
        });
        const message = t("schMovedTo", { when: format.dateTimeOf(moved.startsAt) });
        if (wantsJson(req)) {
          res.json({ ok: true, message, start: wallClock(clock, moved.startsAt) });
          return;
        }
        res.redirect(303, `/appointments/${id}?done=moved`);
      } catch (err) {
        const refusal = refusalOf(t, err, format);
        if (!refusal) throw err;
        const cutoff = err instanceof DomainError && err.code === "inside_cutoff";
        return fail(
          409,
          cutoff && wantsJson(req) ? `${refusal.error} ${t("apptUseForm")}` : refusal.error,
          refusal.alternatives,
        );
      }
    } catch (err) {
      if (wantsJson(req) && err instanceof DomainError) {
        const status = err.code === "forbidden" ? 403 : err.code === "not_found" ? 404 : 409;
        res.status(status).json({ error: refusalText(t, err) ?? t("conflict") });
        return;
      }
      next(err);
    }
  });

  router.post("/appointments/:id/cancel", form, managers, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t } = res.locals as PageLocals;
      const id = idParam(req);
      await appointmentForStaff(ctx.db, session.user.clinicId, actorOf(session), id);
      const body = req.body as Record<string, unknown>;
      const reason = field(body, "reason");
      if (!reason) return renderAppointment(req, res, { cancelError: t("apptCancelReason") }, 400);
      try {
        await cancelAppointment(ctx.db, {
          appointmentId: id,
          actor: actorOf(session),
          reason,
          override: body.override ? { reason } : undefined,
          now: ctx.now(),
        });
      } catch (err) {
        const error = refusalText(t, err);
        if (error === null) throw err;
        return renderAppointment(req, res, { cancelError: error }, 409);
      }
      res.redirect(303, `/appointments/${id}?done=cancelled`);
    } catch (err) {
      next(err);
    }
  });

  async function renderAppointment(
    req: Request,
    res: Response,
    state: { moveError?: string; cancelError?: string; alternatives?: string[] },
    status = 200,
  ): Promise<void> {
    const session = mustSession(res);
    const { t, locale } = res.locals as PageLocals;
    const id = idParam(req);
    const { clinic, clock, format } = await clinicOf(ctx, session, locale);
    // Audited as a read of the patient's data; a doctor reaches only their own appointments.
    const a = await readAppointment(ctx.db, session.user.clinicId, actorOf(session), id, req.ip);
    const [doctors, types, history] = await Promise.all([
      listDoctors(ctx.db, session.user.clinicId, { active: true }),
      listAppointmentTypes(ctx.db, session.user.clinicId),
      appointmentHistory(ctx.db, id),
    ]);
    const type = types.find((ty) => ty.id === a.typeId);
    const doctor = doctors.find((d) => d.id === a.doctorId);
    const now = ctx.now();
    const active = a.status === "requested" || a.status === "confirmed";
    const insideCutoff = active && +a.startsAt - +now < clinic.cancellationCutoffHours * 3_600_000;
    const body = status === 200 ? {} : (req.body as Record<string, unknown>);
    const local = wallClock(clock, a.startsAt);
    const done = req.query.done;
    renderPage(
      res,
      "appointment",
      {
        title: t("apptTitle", { patient: personName(a.patient), when: format.dateTimeOf(a.startsAt) }),
        scheduleVersion: SCHEDULE_ASSET_VERSION,
        a: {
          id: a.id,
          patientId: a.patientId,
          patient: personName(a.patient),
          doctor: doctor ? doctorName(doctor) : "—",
          type: type ? (locale === "fr" ? type.nameFr : type.nameEn) : "—",
          when: `${format.dateTimeOf(a.startsAt)} – ${format.timeOf(a.endsAt)}`,
          status: a.status,
          statusLabel: t(STATUS_LABEL[a.status]),
          reason: a.reason ?? "",
          overbooked: a.overbooked,
          channel: channelLabel(t, a.sourceChannel),
        },
        flash:
          done === "moved"
            ? t("schMoved")
            : done === "cancelled"
              ? t("apptCancelled")
              : done === "urgent"
                ? t("apptBooked")
                : null,
        canManage: session.user.role !== "doctor" && active,
        insideCutoff,
        cutoffHours: clinic.cancellationCutoffHours,
        move: {
          day: localDay(body.day) ?? local.slice(0, 10),
          time: localMinute(body.time) !== null ? String(body.time) : local.slice(11, 16),
          doctorId: optionalUuid(body.doctorId) ?? a.doctorId,
          reason: status === 200 ? "" : field(body, "reason"),
        },
        doctors: doctors
          .filter((d) => !type?.specialtyId || d.specialties.some((s) => s.id === type.specialtyId))
          .map((d) => ({ id: d.id, name: doctorName(d) })),
        moveError: state.moveError ?? null,
        cancelError: state.cancelError ?? null,
        alternatives: state.alternatives ?? [],
        history: history.map((e) => ({
          at: format.dateTimeOf(e.at),
          who: t(ACTOR_LABEL[e.actorKind]),
          what:
            e.fromStatus === e.toStatus || (e.detail && typeof e.detail === "object" && "to" in e.detail)
              ? movedText(t, format, e.detail) || t(STATUS_LABEL[e.toStatus])
              : `${e.fromStatus ? `${t(STATUS_LABEL[e.fromStatus])} → ` : ""}${t(STATUS_LABEL[e.toStatus])}`,
          reason: e.reason ?? "",
        })),
      },
      { status },
    );
  }

  /** The patient picked on the urgent form, read like any patient record (audited); none if gone. */
  async function chosenPatientOf(access: PatientAccess, id: string) {
    try {
      const patient = await readPatient(ctx.db, access, id);
      return patient.erasedAt ? null : patient;
    } catch (err) {
      if (isDomainError(err, "not_found")) return null;
      throw err;
    }
  }

  async function renderUrgent(
    req: Request,
    res: Response,
    state: { error?: string; alternatives?: string[] },
    status = 200,
  ): Promise<void> {
    const session = mustSession(res);
    const { t, locale } = res.locals as PageLocals;
    const { clock } = await clinicOf(ctx, session, locale);
    const source = (req.method === "POST" ? req.body : req.query) as Record<string, unknown>;
    const q = typeof req.query.q === "string" ? req.query.q.trim().slice(0, 100) : "";
    const access = { clinicId: session.user.clinicId, actor: actorOf(session), ip: req.ip };
    const chosen = optionalUuid(source.patientId);
    const [doctors, types, found, chosenPatient] = await Promise.all([
      listDoctors(ctx.db, session.user.clinicId, { active: true }),
      listAppointmentTypes(ctx.db, session.user.clinicId, { active: true }),
      q.length >= 2 ? searchPatients(ctx.db, access, { q, limit: 20 }) : Promise.resolve([]),
      chosen ? chosenPatientOf(access, chosen) : Promise.resolve(null),
    ]);
    const patients = found.map((p) => ({ id: p.id, name: personName(p), phone: p.phone ?? "" }));
    if (chosenPatient && !patients.some((p) => p.id === chosenPatient.id))
      patients.unshift({ id: chosenPatient.id, name: personName(chosenPatient), phone: chosenPatient.phone ?? "" });
    const now = ctx.now();
    // Today's next quarter-hour, as a starting suggestion.
    const nextQuarter = Math.ceil((+now - clock.startOfDay(now)) / 900_000) * 15;
    renderPage(
      res,
      "urgent",
      {
        title: t("apptUrgentTitle"),
        scheduleVersion: SCHEDULE_ASSET_VERSION,
        q,
        searched: q.length >= 2,
        patients,
        chosen: chosenPatient?.id ?? "",
        doctors: doctors.map((d) => ({ id: d.id, name: doctorName(d) })),
        types: types.map((ty) => ({ id: ty.id, name: locale === "fr" ? ty.nameFr : ty.nameEn })),
        v: {
          doctorId: optionalUuid(source.doctorId) ?? "",
          typeId: optionalUuid(source.typeId) ?? "",
          day: localDay(source.day) ?? clock.dayOf(now),
          time:
            localMinute(source.time) !== null ? String(source.time) : minuteText(Math.min(nextQuarter, 23 * 60 + 45)),
          reason: field(source, "reason"),
          overbook: Boolean(source.overbook),
          overbookReason: field(source, "overbookReason"),
          firstName: chosenPatient ? "" : field(source, "firstName", 100),
          lastName: chosenPatient ? "" : field(source, "lastName", 100),
          phone: chosenPatient ? "" : field(source, "phone", 20),
        },
        error: state.error ?? null,
        alternatives: state.alternatives ?? [],
      },
      { status },
    );
  }
}

function movedText(t: Translate, format: ClinicFormat, detail: unknown): string | null {
  const d = detail as { from?: { startsAt?: string }; to?: { startsAt?: string } } | null;
  if (!d?.from?.startsAt || !d.to?.startsAt) return null;
  return t("apptMovedFromTo", {
    from: format.dateTimeOf(new Date(d.from.startsAt)),
    to: format.dateTimeOf(new Date(d.to.startsAt)),
  });
}
