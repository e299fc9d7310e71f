import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import express, { type Request, type Response, type Router } from "express";
import type { AppContext } from "../context.js";
import { recordAudit } from "../domain/audit.js";
import {
  calendarClosures,
  calendarDoctors,
  calendarEntries,
  calendarSpecialties,
  clinicTimeZone,
  MAX_CALENDAR_DAYS,
} from "../domain/calendar.js";
import { ClinicClock } from "../domain/clinic-time.js";
import {
  createException,
  deleteException,
  getClinic,
  getDoctor,
  getException,
  getWorkingWeek,
  listAppointmentTypes,
  listDoctors,
  listExceptions,
  replaceWorkingWeek,
  updateDoctor,
  type WorkingBlock,
} from "../domain/directory.js";
import { DomainError } from "../domain/errors.js";
import {
  field,
  idParam,
  localDay,
  localMinute,
  minuteText,
  optionalUuid,
  wallClock,
  wallClockInstant,
} from "./clinic-forms.js";
import { ClinicFormat, doctorName, STATUS_LABEL } from "./format.js";
import { actorOf, guard, mustSession } from "./http.js";
import type { MessageKey } from "./i18n.js";
import { PUBLIC_DIR, renderPage, type PageLocals } from "./render.js";
import type { ConsoleSession } from "./session.js";

const require = createRequire(import.meta.url);
// The browser bundles are not in the packages' exports: reach them from their package.json.
const FULLCALENDAR_FILE = path.join(path.dirname(require.resolve("fullcalendar/package.json")), "index.global.min.js");
const FULLCALENDAR_FR_FILE = path.join(
  path.dirname(require.resolve("@fullcalendar/core/package.json")),
  "locales/fr.global.min.js",
);

/** Cache-busting version of the schedule pages' own assets (served for a year like the rest). */
export const SCHEDULE_ASSET_VERSION = createHash("sha256")
  .update(readFileSync(path.join(PUBLIC_DIR, "schedule.css")))
  .update(readFileSync(path.join(PUBLIC_DIR, "schedule.js")))
  .update(readFileSync(FULLCALENDAR_FILE))
  .update(readFileSync(FULLCALENDAR_FR_FILE))
  .digest("hex")
  .slice(0, 10);

const ASSET_CACHE = { maxAge: "365d", immutable: true } as const;
const form = express.urlencoded({ extended: false, limit: "64kb" });
const managers = guard({ roles: ["admin", "secretary"] });
const VIEWS = { day: "timeGridDay", week: "timeGridWeek", month: "dayGridMonth" } as const;
const WEEKDAYS: MessageKey[] = ["schMon", "schTue", "schWed", "schThu", "schFri", "schSat", "schSun"];
const EXCEPTION_KINDS = ["leave", "holiday", "blocked"] as const;
const EXCEPTION_LABEL: Record<(typeof EXCEPTION_KINDS)[number], MessageKey> = {
  leave: "schLeave",
  holiday: "schHoliday",
  blocked: "schBlocked",
};
/** Empty rows offered under a doctor's blocks for adding new ones. */
const SPARE_ROWS = 3;

// Clocks memoize local days and midnights: one per time zone serves every request.
const clocks = new Map<string, ClinicClock>();

async function calendarClock(ctx: AppContext, session: ConsoleSession): Promise<ClinicClock> {
  const zone = await clinicTimeZone(ctx.db, session.user.clinicId);
  let clock = clocks.get(zone);
  if (!clock) clocks.set(zone, (clock = new ClinicClock(zone)));
  return clock;
}

export const canManageSchedules = (session: ConsoleSession): boolean => session.user.role !== "doctor";

async function clinicOf(ctx: AppContext, session: ConsoleSession) {
  const clinic = await getClinic(ctx.db, session.user.clinicId);
  return { clinic, clock: new ClinicClock(clinic.timeZone) };
}

/** A doctor always looks at their own book; others pick a doctor (or none) from the query. */
function doctorFilter(session: ConsoleSession, asked: unknown): string | undefined {
  if (session.user.role === "doctor") return session.user.doctorId ?? "00000000-0000-0000-0000-000000000000";
  return optionalUuid(asked);
}

/**
 * The clinic calendar (FullCalendar, day / week / month, per doctor and specialty, drag to
 * move), doctors' presence, and each doctor's weekly hours, leave and exceptions.
 */
export function scheduleRoutes(router: Router, ctx: AppContext): void {
  router.get("/assets/fullcalendar.js", (_req, res) => res.sendFile(FULLCALENDAR_FILE, ASSET_CACHE));
  router.get("/assets/fullcalendar-fr.js", (_req, res) => res.sendFile(FULLCALENDAR_FR_FILE, ASSET_CACHE));

  router.get("/schedule", guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const clock = await calendarClock(ctx, session);
      const view = req.query.view === "day" || req.query.view === "month" ? req.query.view : "week";
      const date = localDay(req.query.date) ?? clock.dayOf(ctx.now());
      const doctorId = doctorFilter(session, req.query.doctor);
      const specialtyId = session.user.role === "doctor" ? undefined : optionalUuid(req.query.specialty);
      const [allDoctors, specialties] = await Promise.all([
        calendarDoctors(ctx.db, session.user.clinicId),
        calendarSpecialties(ctx.db, session.user.clinicId),
      ]);
      const doctors = allDoctors.filter((d) => d.active);
      const businessHours = doctorId ? await businessHoursOf(ctx, session.user.clinicId, doctorId) : [];
      renderPage(res, "schedule", {
        title: t("schTitle"),
        scheduleVersion: SCHEDULE_ASSET_VERSION,
        view,
        fcView: VIEWS[view],
        date,
        doctorId: doctorId ?? "",
        specialtyId: specialtyId ?? "",
        isDoctor: session.user.role === "doctor",
        canManage: canManageSchedules(session),
        doctors: doctors.map((d) => ({ id: d.id, name: doctorName(d) })),
        specialties: specialties.map((s) => ({ id: s.id, name: locale === "fr" ? s.nameFr : s.nameEn })),
        businessHours: JSON.stringify(businessHours),
      });
    } catch (err) {
      next(err);
    }
  });

  router.get("/schedule/events", guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t } = res.locals as PageLocals;
      const clock = await calendarClock(ctx, session);
      const fromDay = localDay(String(req.query.start ?? "").slice(0, 10));
      const toDay = localDay(String(req.query.end ?? "").slice(0, 10));
      if (!fromDay || !toDay || toDay <= fromDay) {
        res.status(400).json({ error: t("schRefusedInvalid") });
        return;
      }
      const from = new Date(clock.at(fromDay, 0));
      const to = new Date(clock.at(toDay, 0));
      if (+to - +from > MAX_CALENDAR_DAYS * 86_400_000) {
        res.status(400).json({ error: t("schRefusedInvalid") });
        return;
      }
      const doctorId = doctorFilter(session, req.query.doctor);
      const specialtyId = session.user.role === "doctor" ? undefined : optionalUuid(req.query.specialty);
      const [entries, doctors, exceptions] = await Promise.all([
        calendarEntries(ctx.db, session.user.clinicId, actorOf(session), { from, to, doctorId, specialtyId }, req.ip),
        calendarDoctors(ctx.db, session.user.clinicId),
        // Without a doctor filter only clinic-wide closures: one doctor's leave would shade everyone's calendar.
        calendarClosures(ctx.db, session.user.clinicId, { from, to, doctorId }),
      ]);
      const doctorShort = new Map(doctors.map((d) => [d.id, `${d.title} ${d.lastName}`]));
      const editable = canManageSchedules(session);
      const statusLabel = Object.fromEntries(
        Object.entries(STATUS_LABEL).map(([status, key]) => [status, t(key)]),
      ) as Record<string, string>;
      const overbooked = t("schOverbooked");
      const events: object[] = entries.map((a) => {
        let title = `${a.patientFirstName} ${a.patientLastName}`;
        if (!doctorId) title += ` · ${doctorShort.get(a.doctorId) ?? ""}`;
        if (a.status !== "confirmed") title += ` (${statusLabel[a.status]})`;
        if (a.overbooked) title += ` · ${overbooked}`;
        return {
          id: a.id,
          title,
          start: a.start,
          end: a.end,
          url: `/appointments/${a.id}`,
          classNames: [`ev-${a.status}`],
          editable: editable && (a.status === "requested" || a.status === "confirmed"),
        };
      });
      for (const e of exceptions)
        events.push({
          id: `off-${e.id}`,
          title: t(EXCEPTION_LABEL[e.kind]),
          start: wallClock(clock, e.startsAt),
          end: wallClock(clock, e.endsAt),
          display: "background",
          classNames: ["ev-off"],
        });
      res.set("Cache-Control", "no-store").json(events);
    } catch (err) {
      if (err instanceof DomainError && err.code === "forbidden") {
        res.status(403).json({ error: (res.locals as PageLocals).t("forbidden") });
        return;
      }
      next(err);
    }
  });

  router.get("/schedule/doctors", guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const doctors = await listDoctors(ctx.db, session.user.clinicId, { active: true });
      const mine = session.user.role === "doctor";
      renderPage(res, "schedule-doctors", {
        title: t("schDoctorsTitle"),
        scheduleVersion: SCHEDULE_ASSET_VERSION,
        canManage: canManageSchedules(session),
        flash: req.query.done === "presence" ? t("schPresenceSaved") : null,
        rows: doctors
          .filter((d) => !mine || d.id === session.user.doctorId)
          .map((d) => ({
            id: d.id,
            name: doctorName(d),
            specialties: d.specialties.map((s) => (locale === "fr" ? s.nameFr : s.nameEn)).join(", "),
            busy: d.presence === "busy",
            presence: t(d.presence === "busy" ? "schBusy" : "schFree"),
          })),
      });
    } catch (err) {
      next(err);
    }
  });

  router.post("/schedule/doctors/:id/presence", form, guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const id = idParam(req);
      if (session.user.role === "doctor" && session.user.doctorId !== id)
        throw new DomainError("forbidden", "Doctors set only their own presence");
      const presence = field(req.body, "presence") === "busy" ? "busy" : "free";
      await updateDoctor(ctx.db, session.user.clinicId, id, { presence });
      await recordAudit(ctx.db, {
        actor: actorOf(session),
        action: "doctor.presence",
        resourceType: "doctor",
        resourceId: id,
        ip: req.ip,
        detail: { presence },
      });
      res.redirect(303, "/schedule/doctors?done=presence");
    } catch (err) {
      next(err);
    }
  });

  router.get("/schedule/doctors/:id/hours", managers, async (req, res, next) => {
    try {
      await renderHours(req, res, {});
    } catch (err) {
      next(err);
    }
  });

  router.post("/schedule/doctors/:id/hours", form, managers, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t } = res.locals as PageLocals;
      const id = idParam(req);
      const parsed = parseBlocks(req.body);
      if (typeof parsed === "string") return renderHours(req, res, { hoursError: t(parsed), status: 400 });
      try {
        await replaceWorkingWeek(ctx.db, session.user.clinicId, id, parsed);
      } catch (err) {
        if (err instanceof DomainError && err.code === "invalid")
          return renderHours(req, res, { hoursError: t("schHoursInvalid"), status: 400 });
        throw err;
      }
      await recordAudit(ctx.db, {
        actor: actorOf(session),
        action: "doctor.hours.replace",
        resourceType: "doctor",
        resourceId: id,
        ip: req.ip,
        detail: { blocks: parsed.length },
      });
      res.redirect(303, `/schedule/doctors/${id}/hours?done=hours`);
    } catch (err) {
      next(err);
    }
  });

  router.post("/schedule/doctors/:id/exceptions", form, managers, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t } = res.locals as PageLocals;
      const id = idParam(req);
      const { clock } = await clinicOf(ctx, session);
      const kind = EXCEPTION_KINDS.find((k) => k === field(req.body, "kind")) ?? null;
      const body = req.body as Record<string, unknown>;
      const startsAt = wallClockInstant(clock, body.fromDay, body.fromTime || "00:00");
      const toDay = localDay(body.toDay);
      // An end date without a time means the whole of that day.
      const end = body.toTime
        ? wallClockInstant(clock, body.toDay, body.toTime)
        : toDay && new Date(clock.at(clock.addDays(toDay, 1), 0));
      if (!kind || !startsAt || !end || end <= startsAt)
        return renderHours(req, res, { exceptionError: t("schExceptionInvalid"), status: 400 });
      const { exception, affectedAppointmentIds } = await createException(ctx.db, session.user.clinicId, {
        doctorId: id,
        kind,
        startsAt,
        endsAt: end,
        reason: field(req.body, "reason", 200) || null,
      });
      await recordAudit(ctx.db, {
        actor: actorOf(session),
        action: "doctor.exception.create",
        resourceType: "schedule_exception",
        resourceId: exception.id,
        ip: req.ip,
        detail: { doctorId: id, kind, affected: affectedAppointmentIds.length },
      });
      return renderHours(req, res, { affected: affectedAppointmentIds, exceptionSaved: true });
    } catch (err) {
      next(err);
    }
  });

  router.post("/schedule/doctors/:id/exceptions/:exceptionId/delete", form, managers, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const id = idParam(req);
      const exceptionId = idParam(req, "exceptionId");
      const exception = await getException(ctx.db, session.user.clinicId, exceptionId);
      if (exception.doctorId !== id) throw new DomainError("not_found", "exception not found");
      await deleteException(ctx.db, session.user.clinicId, exceptionId);
      await recordAudit(ctx.db, {
        actor: actorOf(session),
        action: "doctor.exception.delete",
        resourceType: "schedule_exception",
        resourceId: exceptionId,
        ip: req.ip,
        detail: { doctorId: id },
      });
      res.redirect(303, `/schedule/doctors/${id}/hours?done=exception-deleted`);
    } catch (err) {
      next(err);
    }
  });

  async function businessHoursOf(ctx: AppContext, clinicId: string, doctorId: string) {
    const week = await getWorkingWeek(ctx.db, clinicId, doctorId).catch((err) => {
      if (err instanceof DomainError && err.code === "not_found") return [];
      throw err;
    });
    const today = new Date(ctx.now().toISOString().slice(0, 10));
    return week
      .filter((w) => !w.validUntil || w.validUntil >= today)
      .map((w) => ({
        daysOfWeek: [w.weekday % 7],
        startTime: minuteText(w.startMinute),
        endTime: minuteText(w.endMinute),
      }));
  }

  async function renderHours(
    req: Request,
    res: Response,
    state: {
      hoursError?: string;
      exceptionError?: string;
      exceptionSaved?: boolean;
      affected?: string[];
      status?: number;
    },
  ): Promise<void> {
    const session = mustSession(res);
    const { t, locale } = res.locals as PageLocals;
    const id = idParam(req);
    const { clinic, clock } = await clinicOf(ctx, session);
    const format = new ClinicFormat(locale, clinic.timeZone);
    const doctor = await getDoctor(ctx.db, session.user.clinicId, id);
    const now = ctx.now();
    const [week, types, exceptions, affected] = await Promise.all([
      getWorkingWeek(ctx.db, session.user.clinicId, id),
      listAppointmentTypes(ctx.db, session.user.clinicId, { active: true }),
      listExceptions(ctx.db, session.user.clinicId, {
        from: new Date(clock.startOfDay(now)),
        to: new Date(+now + 400 * 86_400_000),
        doctorId: id,
        includeClinicWide: true,
      }),
      state.affected?.length
        ? ctx.db.prisma.appointment.findMany({
            where: { id: { in: state.affected }, clinicId: session.user.clinicId },
            select: { id: true, startsAt: true },
            orderBy: { startsAt: "asc" },
          })
        : Promise.resolve([]),
    ]);
    const doctorTypes = types.filter(
      (ty) => !ty.specialtyId || doctor.specialties.some((s) => s.id === ty.specialtyId),
    );
    const submitted = state.hoursError ? (req.body as Record<string, unknown>) : null;
    const blocks = submitted
      ? rowsFromBody(submitted)
      : week.map((w) => ({
          weekday: String(w.weekday),
          start: minuteText(w.startMinute),
          end: minuteText(w.endMinute),
          from: w.validFrom ? w.validFrom.toISOString().slice(0, 10) : "",
          until: w.validUntil ? w.validUntil.toISOString().slice(0, 10) : "",
          types: w.appointmentTypeIds,
        }));
    const spare = { weekday: "", start: "", end: "", from: "", until: "", types: [] as string[] };
    const done = req.query.done;
    renderPage(
      res,
      "schedule-hours",
      {
        title: t("schHoursTitle", { name: doctorName(doctor) }),
        scheduleVersion: SCHEDULE_ASSET_VERSION,
        doctorId: id,
        weekdays: WEEKDAYS.map((key, i) => ({ value: String(i + 1), label: t(key) })),
        types: doctorTypes.map((ty) => ({ id: ty.id, name: locale === "fr" ? ty.nameFr : ty.nameEn })),
        blocks: [...blocks, ...Array.from({ length: SPARE_ROWS }, () => spare)],
        hoursError: state.hoursError ?? null,
        exceptionError: state.exceptionError ?? null,
        flash:
          done === "hours"
            ? t("schHoursSaved")
            : done === "exception-deleted"
              ? t("schExceptionDeleted")
              : state.exceptionSaved
                ? t("schExceptionSaved")
                : null,
        affected: affected.map((a) => ({ id: a.id, when: format.dateTimeOf(a.startsAt) })),
        kinds: EXCEPTION_KINDS.map((k) => ({ value: k, label: t(EXCEPTION_LABEL[k]) })),
        exceptions: exceptions.map((e) => ({
          id: e.id,
          mine: e.doctorId === id,
          kind: t(EXCEPTION_LABEL[e.kind]),
          from: format.dateTimeOf(e.startsAt),
          to: format.dateTimeOf(e.endsAt),
          reason: e.reason ?? "",
        })),
        today: clock.dayOf(now),
      },
      { status: state.status },
    );
  }
}

interface BlockRow {
  weekday: string;
  start: string;
  end: string;
  from: string;
  until: string;
  types: string[];
}

function rowsFromBody(body: Record<string, unknown>): BlockRow[] {
  const rows: BlockRow[] = [];
  const count = Math.min(Number(body.rows ?? 0) || 0, 100);
  for (let i = 0; i < count; i++) {
    if (body[`remove-${i}`]) continue;
    const row = {
      weekday: String(body[`weekday-${i}`] ?? ""),
      start: String(body[`start-${i}`] ?? ""),
      end: String(body[`end-${i}`] ?? ""),
      from: String(body[`from-${i}`] ?? ""),
      until: String(body[`until-${i}`] ?? ""),
      types: ([] as unknown[]).concat(body[`types-${i}`] ?? []).map(String),
    };
    if (!row.weekday && !row.start && !row.end) continue;
    rows.push(row);
  }
  return rows;
}

/** The week as submitted (empty and removed rows dropped), or the message key of what is wrong. */
function parseBlocks(body: unknown): WorkingBlock[] | MessageKey {
  const blocks: WorkingBlock[] = [];
  for (const row of rowsFromBody(body as Record<string, unknown>)) {
    const weekday = Number(row.weekday);
    const start = localMinute(row.start);
    const end = row.end === "24:00" ? 1440 : localMinute(row.end);
    if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7 || start === null || end === null)
      return "schHoursInvalid";
    if (end <= start) return "schHoursOrder";
    const from = row.from ? localDay(row.from) : null;
    const until = row.until ? localDay(row.until) : null;
    if ((row.from && !from) || (row.until && !until)) return "schHoursInvalid";
    blocks.push({
      weekday,
      startMinute: start,
      endMinute: end,
      validFrom: from ? new Date(`${from}T00:00:00Z`) : null,
      validUntil: until ? new Date(`${until}T00:00:00Z`) : null,
      appointmentTypeIds: row.types.filter((x) => optionalUuid(x)),
    });
  }
  return blocks;
}
