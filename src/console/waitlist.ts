import express, { type Router } from "express";
import type { AppContext } from "../context.js";
import { ClinicClock } from "../domain/clinic-time.js";
import { getClinic, listDoctors } from "../domain/directory.js";
import { isDomainError } from "../domain/errors.js";
import { joinWaitlist, listWaitlist, withdrawFromWaitlist, type WaitlistRow } from "../domain/waitlist.js";
import { CARE_ASSET_VERSION, field, patientChoices, UUID } from "./care-assets.js";
import { ClinicFormat, doctorName, personName } from "./format.js";
import { actorOf, guard, mustSession } from "./http.js";
import type { MessageKey } from "./i18n.js";
import { renderPage, type PageLocals } from "./render.js";

const form = express.urlencoded({ extended: false, limit: "32kb" });
const LOCAL_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The waiting list page: who waits for what, the offers made to them, and a form to add someone. */
export function waitlistRoutes(router: Router, ctx: AppContext): void {
  router.get("/waitlist", guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const clinicId = session.user.clinicId;
      const clinic = await getClinic(ctx.db, clinicId);
      const format = new ClinicFormat(locale, clinic.timeZone);
      const clock = new ClinicClock(clinic.timeZone);
      const all = req.query.show === "all";
      const [rows, doctors, specialties, types, pick] = await Promise.all([
        listWaitlist(ctx.db, { clinicId, actor: actorOf(session), ip: req.ip }, all ? {} : { status: ["waiting"] }),
        listDoctors(ctx.db, clinicId, { active: true }),
        ctx.db.prisma.specialty.findMany({ where: { clinicId }, orderBy: { code: "asc" } }),
        ctx.db.prisma.appointmentType.findMany({ where: { clinicId } }),
        patientChoices(ctx, session, req),
      ]);
      const name = (s: { nameFr: string; nameEn: string }) => (locale === "fr" ? s.nameFr : s.nameEn);
      const doctorById = new Map(doctors.map((d) => [d.id, doctorName(d)]));
      const specialtyById = new Map(specialties.map((s) => [s.id, name(s)]));
      const typeById = new Map(types.map((x) => [x.id, name(x)]));
      const isDoctor = session.user.role === "doctor";
      const done = req.query.done;
      renderPage(res, "waitlist", {
        title: t("wlTitle"),
        careVersion: CARE_ASSET_VERSION,
        all,
        flash: done === "added" ? t("wlAdded") : done === "withdrawn" ? t("wlWithdrawn") : null,
        error: req.query.error === "invalid" ? t("wlInvalid") : null,
        pick,
        isDoctor,
        specialties: specialties.map((s) => ({ id: s.id, name: name(s) })),
        doctors: (isDoctor ? doctors.filter((d) => d.id === session.user.doctorId) : doctors).map((d) => ({
          id: d.id,
          name: doctorName(d),
        })),
        rows: rows.map((e) => row(e, { t, format, clock, doctorById, specialtyById, typeById })),
      });
    } catch (err) {
      next(err);
    }
  });

  router.post("/waitlist", form, guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const patientId = field(req, "patientId", 64);
      const specialtyId = field(req, "specialtyId", 64);
      const doctorId = session.user.role === "doctor" ? (session.user.doctorId ?? "") : field(req, "doctorId", 64);
      const before = field(req, "before", 10);
      const valid =
        UUID.test(patientId) &&
        (UUID.test(specialtyId) || UUID.test(doctorId)) &&
        [specialtyId, doctorId].every((v) => v === "" || UUID.test(v)) &&
        (before === "" || LOCAL_DAY.test(before));
      if (!valid) return res.redirect(303, "/waitlist?error=invalid");
      const clinic = await getClinic(ctx.db, session.user.clinicId);
      const clock = new ClinicClock(clinic.timeZone);
      try {
        await joinWaitlist(ctx.db, {
          clinicId: session.user.clinicId,
          patientId,
          channel: "console",
          specialtyId: specialtyId || null,
          doctorId: doctorId || null,
          // "No later than that day": anything before the next local midnight.
          wantedBefore: before ? new Date(clock.at(clock.addDays(before, 1), 0)) : null,
          actor: actorOf(session),
          ip: req.ip,
          now: ctx.now(),
        });
      } catch (err) {
        if (isDomainError(err, "invalid")) return res.redirect(303, "/waitlist?error=invalid");
        throw err;
      }
      res.redirect(303, "/waitlist?done=added");
    } catch (err) {
      next(err);
    }
  });

  router.post("/waitlist/:id/withdraw", form, guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const id = String(req.params.id);
      if (!UUID.test(id)) return res.redirect(303, "/waitlist");
      await withdrawFromWaitlist(ctx.db, {
        clinicId: session.user.clinicId,
        entryId: id,
        actor: actorOf(session),
        ip: req.ip,
        now: ctx.now(),
      });
      res.redirect(303, "/waitlist?done=withdrawn");
    } catch (err) {
      next(err);
    }
  });
}

/** A limit at local midnight reads as the day before ("until Friday 18 December"). */
function wantedText(before: Date, x: { t: PageLocals["t"]; format: ClinicFormat; clock: ClinicClock }): string {
  if (x.clock.startOfDay(before) !== +before) return x.format.dateTimeOf(before);
  return x.t("wlUntilDay", { day: x.format.dayOf(new Date(+before - 1)) });
}

function row(
  e: WaitlistRow,
  x: {
    t: PageLocals["t"];
    format: ClinicFormat;
    clock: ClinicClock;
    doctorById: Map<string, string>;
    specialtyById: Map<string, string>;
    typeById: Map<string, string>;
  },
) {
  const { t, format } = x;
  const wanted = [
    e.specialtyId ? x.specialtyById.get(e.specialtyId) : null,
    e.doctorId ? x.doctorById.get(e.doctorId) : null,
    e.typeId ? x.typeById.get(e.typeId) : null,
  ].filter((v): v is string => !!v);
  const latest = e.offers[0];
  const before = [
    e.appointmentStartsAt ? t("wlMove", { when: format.dateTimeOf(e.appointmentStartsAt) }) : null,
    e.wantedBefore ? wantedText(e.wantedBefore, x) : null,
  ].filter((v): v is string => !!v);
  return {
    id: e.id,
    patientId: e.patientId,
    patient: personName(e.patient),
    asked: format.dateTimeOf(e.createdAt),
    wanted: [...new Set(wanted)].join(" · "),
    before: before.length ? before.join(" · ") : t("wlAnyEarlier"),
    channel: e.channel,
    status: e.status,
    statusLabel: t(`wlStatus_${e.status}` as MessageKey),
    offer: latest
      ? t(`wlOffer_${latest.status}` as MessageKey, {
          slot: `${format.dateTimeOf(latest.startsAt)}, ${x.doctorById.get(latest.doctorId) ?? "—"}`,
          until: format.timeOf(latest.expiresAt),
        })
      : t("wlNoOffer"),
  };
}
