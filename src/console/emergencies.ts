import express, { type Router } from "express";
import type { AppContext } from "../context.js";
import { getClinic, listDoctors } from "../domain/directory.js";
import {
  acknowledgeEmergency,
  ALL_DOCTORS,
  EMERGENCY_CATEGORIES,
  listEmergencies,
  raiseEmergency,
  resolveEmergency,
  type EmergencyCategory,
  type EmergencyView,
} from "../domain/emergencies.js";
import { CARE_ASSET_VERSION, field, patientChoices, UUID } from "./care-assets.js";
import { ClinicFormat, doctorName, personName } from "./format.js";
import { actorOf, guard, mustSession } from "./http.js";
import type { MessageKey, Translate } from "./i18n.js";
import { renderPage, type PageLocals } from "./render.js";

const form = express.urlencoded({ extended: false, limit: "32kb" });
const CHANNEL_NAME: Record<string, string> = { telegram: "Telegram", whatsapp: "WhatsApp", sms: "SMS", web: "web" };

/** The emergencies board: every event with its timestamped steps; staff raise, acknowledge and close them. */
export function emergencyRoutes(router: Router, ctx: AppContext): void {
  router.get("/emergencies", guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t, locale } = res.locals as PageLocals;
      const clinicId = session.user.clinicId;
      const clinic = await getClinic(ctx.db, clinicId);
      const format = new ClinicFormat(locale, clinic.timeZone);
      const closed = req.query.show === "all";
      const [events, doctors, pick] = await Promise.all([
        listEmergencies(ctx.db, { clinicId, actor: actorOf(session), ip: req.ip }, { openOnly: !closed, limit: 100 }),
        listDoctors(ctx.db, clinicId, { active: true }),
        patientChoices(ctx, session, req),
      ]);
      const done = req.query.done;
      const flash: Record<string, MessageKey> = {
        raised: "emRaised",
        acknowledged: "emAcknowledgedFlash",
        resolved: "emResolvedFlash",
      };
      renderPage(res, "emergencies", {
        title: t("emTitle"),
        careVersion: CARE_ASSET_VERSION,
        intro: t("emIntro", { minutes: clinic.emergencyAckMinutes }),
        closed,
        flash: typeof done === "string" && flash[done] ? t(flash[done]) : null,
        pick,
        isDoctor: session.user.role === "doctor",
        categories: EMERGENCY_CATEGORIES.map((c) => ({ id: c, name: t(`emCat_${c}` as MessageKey) })),
        doctors: doctors.map((d) => ({ id: d.id, name: doctorName(d) })),
        events: events.map((e) => card(e, t, format, ctx.now())),
      });
    } catch (err) {
      next(err);
    }
  });

  router.post("/emergencies", form, guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const category = field(req, "category", 32) as EmergencyCategory;
      const patientId = field(req, "patientId", 64);
      if (!EMERGENCY_CATEGORIES.includes(category) || (patientId && !UUID.test(patientId)))
        return res.redirect(303, "/emergencies");
      await raiseEmergency(ctx.db, {
        clinicId: session.user.clinicId,
        actor: actorOf(session),
        category,
        patientId: patientId || null,
        note: field(req, "note", 500) || null,
        ip: req.ip,
        now: ctx.now(),
      });
      res.redirect(303, "/emergencies?done=raised");
    } catch (err) {
      next(err);
    }
  });

  router.post("/emergencies/:id/acknowledge", form, guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const id = String(req.params.id);
      const doctorId = field(req, "doctorId", 64);
      if (!UUID.test(id) || (doctorId && !UUID.test(doctorId))) return res.redirect(303, "/emergencies");
      await acknowledgeEmergency(ctx.db, {
        clinicId: session.user.clinicId,
        eventId: id,
        actor: actorOf(session),
        doctorId: session.user.role === "doctor" ? null : doctorId || null,
        ip: req.ip,
        now: ctx.now(),
      });
      res.redirect(303, "/emergencies?done=acknowledged");
    } catch (err) {
      next(err);
    }
  });

  router.post("/emergencies/:id/resolve", form, guard(), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const id = String(req.params.id);
      if (!UUID.test(id)) return res.redirect(303, "/emergencies");
      await resolveEmergency(ctx.db, {
        clinicId: session.user.clinicId,
        eventId: id,
        actor: actorOf(session),
        ip: req.ip,
        now: ctx.now(),
      });
      res.redirect(303, "/emergencies?done=resolved");
    } catch (err) {
      next(err);
    }
  });
}

/** One event as the board shows it: what, who, where it stands, and every step with its time. */
function card(e: EmergencyView, t: Translate, format: ClinicFormat, now: Date) {
  const state = e.resolvedAt ? "resolved" : e.acknowledgedAt ? "acknowledged" : "open";
  const level = (l: number): string => t(l === 0 ? "emLevelOnCall" : l === ALL_DOCTORS ? "emLevelAll" : "emLevelNext");
  const steps: { at: Date; text: string }[] = [
    { at: e.createdAt, text: t("emStepRaised") },
    ...e.alerts.map((a) => ({
      at: a.sentAt,
      text: t("emStepAlerted", {
        doctor: a.doctorName,
        channel: CHANNEL_NAME[a.channel] ?? a.channel,
        level: level(a.level),
      }),
    })),
    ...(e.acknowledgedAt
      ? [
          {
            at: e.acknowledgedAt,
            text: e.acknowledgedByName
              ? t("emStepAcknowledged", { by: e.acknowledgedByName })
              : t("emStepAcknowledgedDesk"),
          },
        ]
      : []),
    ...(e.resolvedAt ? [{ at: e.resolvedAt, text: t("emStepResolved") }] : []),
  ].sort((a, b) => +a.at - +b.at);
  return {
    id: e.id,
    category: t(`emCat_${e.category}` as MessageKey),
    patient: e.patient ? personName(e.patient) : t("careNoPatient"),
    patientId: e.patientId,
    phone: e.patient?.phone ?? null,
    source: e.raisedByName
      ? t("emRaisedBy", { name: e.raisedByName })
      : e.conversationChannel
        ? t("emFromChat", { channel: CHANNEL_NAME[e.conversationChannel] ?? e.conversationChannel })
        : null,
    note: e.note,
    raisedAt: format.dateTimeOf(e.createdAt),
    state,
    stateLabel: t(`emState_${state}` as MessageKey),
    // The first alert goes out within seconds; after a minute without one, nobody could be reached.
    noDoctor: state === "open" && e.alerts.length === 0 && +now - +e.createdAt > 60_000,
    steps: steps.map((s) => ({ time: format.timeOf(s.at), iso: s.at.toISOString(), text: s.text })),
  };
}
