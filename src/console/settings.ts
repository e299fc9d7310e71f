import express, { type Request, type Response, type Router } from "express";
import type { AppContext } from "../context.js";
import { listAppointmentTypes, listSpecialties } from "../domain/directory.js";
import { DomainError, invalid } from "../domain/errors.js";
import {
  parseKeywords,
  saveAppointmentType,
  saveClinicSettings,
  saveSpecialty,
  settingsOf,
  SLOT_STEPS,
  type ClinicSettings,
} from "../domain/settings.js";
import { field, idParam, localMinute, minuteText, optionalUuid } from "./clinic-forms.js";
import { actorOf, guard } from "./http.js";
import type { MessageKey, Translate } from "./i18n.js";
import { pageContext, RECORDS_ASSET_VERSION } from "./record-kit.js";
import { renderPage } from "./render.js";

const form = express.urlencoded({ extended: false, limit: "64kb" });
const adminOnly = guard({ roles: ["admin"] });

const SETTING_LABEL: Record<keyof ClinicSettings, MessageKey> = {
  name: "setName",
  address: "setAddress",
  phone: "phone",
  emergencyPhone: "setEmergencyPhone",
  nationalEmergencyNumber: "setNationalEmergency",
  timeZone: "setTimeZone",
  defaultLocale: "setDefaultLocale",
  cancellationCutoffHours: "setCutoff",
  minBookingNoticeMinutes: "setNotice",
  bookingMode: "setBookingMode",
  slotStepMinutes: "setSlotStep",
  reminderOffsetsMinutes: "setReminders",
  quietHoursStartMinute: "setQuietFrom",
  quietHoursEndMinute: "setQuietTo",
  confirmationDeadlineHours: "setConfirmDeadline",
  emergencyAckMinutes: "setEmergencyAck",
  agendaMinute: "setAgenda",
  waitlistHoldMinutes: "setWaitlistHold",
  teleconsultationUrl: "setTeleUrl",
};
const TYPE_FIELD_LABEL: Record<string, MessageKey> = {
  code: "setCode",
  nameFr: "setNameFr",
  nameEn: "setNameEn",
  durationMinutes: "setDuration",
  priceMinor: "setPrice",
  specialtyId: "setSpecialty",
};

function refusal(t: Translate, err: unknown): string | null {
  if (!(err instanceof DomainError)) return null;
  if (err.code === "conflict") return t("setCodeTaken");
  if (err.code !== "invalid") return null;
  const name = String(err.details.field ?? "");
  const key = SETTING_LABEL[name as keyof ClinicSettings] ?? TYPE_FIELD_LABEL[name];
  return t("recCheckField", { field: key ? t(key) : name });
}

const tabs = (t: Translate, here: string) =>
  [
    { href: "/admin/clinic", label: t("setClinicTab") },
    { href: "/admin/clinic/specialties", label: t("setSpecialtiesTab") },
    { href: "/admin/clinic/types", label: t("setTypesTab") },
  ].map((tab) => ({ ...tab, current: tab.href === here }));

const integer = (body: unknown, name: string): number => {
  const text = field(body, name, 12);
  const n = Number(text);
  if (text === "" || !Number.isInteger(n)) throw invalid(name, "a whole number");
  return n;
};

/** Digits after the decimal point in a currency (EUR 2, JPY 0). */
const minorDigits = (currency: string): number =>
  new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** Clinic settings, specialties with their triage keywords, appointment types and prices (admins). */
export function settingsRoutes(router: Router, ctx: AppContext): void {
  async function showClinic(
    req: Request,
    res: Response,
    opts: { status?: number; error?: string; flash?: string } = {},
  ) {
    const { t, clinic } = await pageContext(ctx, res);
    const s = settingsOf(clinic);
    const posted = opts.error ? (req.body as Record<string, string>) : null;
    const v = (name: string, stored: string) => (posted ? field(posted, name, 500) : stored);
    renderPage(
      res,
      "settings-clinic",
      {
        title: t("setTitle"),
        recordsVersion: RECORDS_ASSET_VERSION,
        tabs: tabs(t, "/admin/clinic"),
        error: opts.error,
        flash: opts.flash,
        v: {
          name: v("name", s.name),
          address: v("address", s.address),
          phone: v("phone", s.phone),
          emergencyPhone: v("emergencyPhone", s.emergencyPhone),
          nationalEmergencyNumber: v("nationalEmergencyNumber", s.nationalEmergencyNumber),
          timeZone: v("timeZone", s.timeZone),
          defaultLocale: v("defaultLocale", s.defaultLocale),
          cancellationCutoffHours: v("cancellationCutoffHours", String(s.cancellationCutoffHours)),
          minBookingNoticeMinutes: v("minBookingNoticeMinutes", String(s.minBookingNoticeMinutes)),
          bookingMode: v("bookingMode", s.bookingMode),
          slotStepMinutes: v("slotStepMinutes", String(s.slotStepMinutes)),
          reminderOffsetsMinutes: v("reminderOffsetsMinutes", s.reminderOffsetsMinutes.join(", ")),
          quietFrom: v("quietFrom", minuteText(s.quietHoursStartMinute)),
          quietTo: v("quietTo", minuteText(s.quietHoursEndMinute)),
          confirmationDeadlineHours: v("confirmationDeadlineHours", String(s.confirmationDeadlineHours)),
          emergencyAckMinutes: v("emergencyAckMinutes", String(s.emergencyAckMinutes)),
          agenda: v("agenda", s.agendaMinute === null ? "" : minuteText(s.agendaMinute)),
          waitlistHoldMinutes: v("waitlistHoldMinutes", String(s.waitlistHoldMinutes)),
          teleconsultationUrl: v("teleconsultationUrl", s.teleconsultationUrl ?? ""),
        },
        timeZones: Intl.supportedValuesOf("timeZone"),
        slotSteps: SLOT_STEPS,
      },
      { status: opts.status },
    );
  }

  router.get("/admin/clinic", adminOnly, async (req, res, next) => {
    try {
      const { t } = await pageContext(ctx, res);
      await showClinic(req, res, { flash: req.query.done === "saved" ? t("recSaved") : undefined });
    } catch (err) {
      next(err);
    }
  });

  router.post("/admin/clinic", form, adminOnly, async (req, res, next) => {
    try {
      const { session, t } = await pageContext(ctx, res);
      try {
        await saveClinicSettings(
          ctx.db,
          actorOf(session),
          session.user.clinicId,
          clinicForm(req.body),
          req.ip,
          ctx.now(),
        );
      } catch (err) {
        const text = refusal(t, err);
        if (text === null) throw err;
        return await showClinic(req, res, { status: 400, error: text });
      }
      res.redirect(303, "/admin/clinic?done=saved");
    } catch (err) {
      next(err);
    }
  });

  // ---------------------------------------------------------------- specialties

  async function showSpecialties(res: Response, opts: { status?: number; error?: string; flash?: string } = {}) {
    const { session, t } = await pageContext(ctx, res);
    const rows = await listSpecialties(ctx.db, session.user.clinicId);
    renderPage(
      res,
      "settings-specialties",
      {
        title: t("setSpecialtiesTitle"),
        recordsVersion: RECORDS_ASSET_VERSION,
        tabs: tabs(t, "/admin/clinic/specialties"),
        error: opts.error,
        flash: opts.flash,
        rows: rows.map((s) => ({
          id: s.id,
          code: s.code,
          nameFr: s.nameFr,
          nameEn: s.nameEn,
          keywordsFr: s.keywordsFr.join(", "),
          keywordsEn: s.keywordsEn.join(", "),
        })),
      },
      { status: opts.status },
    );
  }

  router.get("/admin/clinic/specialties", adminOnly, async (req, res, next) => {
    try {
      const { t } = await pageContext(ctx, res);
      await showSpecialties(res, { flash: req.query.done === "saved" ? t("recSaved") : undefined });
    } catch (err) {
      next(err);
    }
  });

  for (const path of ["/admin/clinic/specialties", "/admin/clinic/specialties/:id"]) {
    router.post(path, form, adminOnly, async (req, res, next) => {
      try {
        const { session, t } = await pageContext(ctx, res);
        const id = req.params.id === undefined ? null : idParam(req);
        try {
          await saveSpecialty(
            ctx.db,
            actorOf(session),
            session.user.clinicId,
            id,
            {
              code: field(req.body, "code", 41).toLowerCase(),
              nameFr: field(req.body, "nameFr", 121),
              nameEn: field(req.body, "nameEn", 121),
              keywordsFr: parseKeywords(field(req.body, "keywordsFr", 20_000)),
              keywordsEn: parseKeywords(field(req.body, "keywordsEn", 20_000)),
            },
            req.ip,
          );
        } catch (err) {
          const text = refusal(t, err);
          if (text === null) throw err;
          return await showSpecialties(res, { status: 400, error: text });
        }
        res.redirect(303, "/admin/clinic/specialties?done=saved");
      } catch (err) {
        next(err);
      }
    });
  }

  // ---------------------------------------------------------------- appointment types

  async function showTypes(res: Response, opts: { status?: number; error?: string; flash?: string } = {}) {
    const { session, t, locale, clinic } = await pageContext(ctx, res);
    const [types, specialties] = await Promise.all([
      listAppointmentTypes(ctx.db, session.user.clinicId),
      listSpecialties(ctx.db, session.user.clinicId),
    ]);
    const digits = minorDigits(clinic.currency);
    renderPage(
      res,
      "settings-types",
      {
        title: t("setTypesTitle"),
        recordsVersion: RECORDS_ASSET_VERSION,
        tabs: tabs(t, "/admin/clinic/types"),
        error: opts.error,
        flash: opts.flash,
        currency: clinic.currency,
        step: digits === 0 ? "1" : (1 / 10 ** digits).toFixed(digits),
        specialties: specialties.map((s) => ({ id: s.id, name: locale === "fr" ? s.nameFr : s.nameEn })),
        rows: types.map((x) => ({
          id: x.id,
          code: x.code,
          nameFr: x.nameFr,
          nameEn: x.nameEn,
          durationMinutes: x.durationMinutes,
          price: (x.priceMinor / 10 ** digits).toFixed(digits),
          mode: x.mode,
          specialtyId: x.specialtyId ?? "",
          active: x.active,
        })),
      },
      { status: opts.status },
    );
  }

  router.get("/admin/clinic/types", adminOnly, async (req, res, next) => {
    try {
      const { t } = await pageContext(ctx, res);
      await showTypes(res, { flash: req.query.done === "saved" ? t("recSaved") : undefined });
    } catch (err) {
      next(err);
    }
  });

  for (const path of ["/admin/clinic/types", "/admin/clinic/types/:id"]) {
    router.post(path, form, adminOnly, async (req, res, next) => {
      try {
        const { session, t, clinic } = await pageContext(ctx, res);
        const id = req.params.id === undefined ? null : idParam(req);
        try {
          const priceText = field(req.body, "price", 20).replace(",", ".");
          const price = Number(priceText);
          if (priceText === "" || !Number.isFinite(price) || price < 0) throw invalid("priceMinor", "an amount");
          await saveAppointmentType(
            ctx.db,
            actorOf(session),
            session.user.clinicId,
            id,
            {
              code: field(req.body, "code", 41).toLowerCase(),
              nameFr: field(req.body, "nameFr", 121),
              nameEn: field(req.body, "nameEn", 121),
              durationMinutes: integer(req.body, "durationMinutes"),
              priceMinor: Math.round(price * 10 ** minorDigits(clinic.currency)),
              mode: field(req.body, "mode", 20) === "teleconsultation" ? "teleconsultation" : "in_person",
              specialtyId: optionalUuid(field(req.body, "specialtyId", 40)) ?? null,
              active: field(req.body, "active", 3) === "1",
            },
            req.ip,
          );
        } catch (err) {
          const text = refusal(t, err);
          if (text === null) throw err;
          return await showTypes(res, { status: 400, error: text });
        }
        res.redirect(303, "/admin/clinic/types?done=saved");
      } catch (err) {
        next(err);
      }
    });
  }
}

/** The settings form, read into the domain's shape (the domain checks the ranges). */
function clinicForm(body: unknown): ClinicSettings {
  const time = (name: string, key: keyof ClinicSettings): number => {
    const m = localMinute(field(body, name, 5));
    if (m === null) throw invalid(key, "HH:MM");
    return m;
  };
  const agendaText = field(body, "agenda", 5);
  const agenda = agendaText ? localMinute(agendaText) : null;
  if (agendaText && agenda === null) throw invalid("agendaMinute", "HH:MM");
  const offsets = field(body, "reminderOffsetsMinutes", 200)
    .split(/[,;\s]+/)
    .filter(Boolean)
    .map(Number);
  if (offsets.some((n) => !Number.isInteger(n))) throw invalid("reminderOffsetsMinutes", "whole minutes");
  return {
    name: field(body, "name", 201),
    address: field(body, "address", 301),
    phone: field(body, "phone", 40),
    emergencyPhone: field(body, "emergencyPhone", 40),
    nationalEmergencyNumber: field(body, "nationalEmergencyNumber", 40),
    timeZone: field(body, "timeZone", 64),
    defaultLocale: field(body, "defaultLocale", 2) === "en" ? "en" : "fr",
    cancellationCutoffHours: integer(body, "cancellationCutoffHours"),
    minBookingNoticeMinutes: integer(body, "minBookingNoticeMinutes"),
    bookingMode: field(body, "bookingMode", 10) === "approval" ? "approval" : "instant",
    slotStepMinutes: integer(body, "slotStepMinutes"),
    reminderOffsetsMinutes: offsets,
    quietHoursStartMinute: time("quietFrom", "quietHoursStartMinute"),
    quietHoursEndMinute: time("quietTo", "quietHoursEndMinute"),
    confirmationDeadlineHours: integer(body, "confirmationDeadlineHours"),
    emergencyAckMinutes: integer(body, "emergencyAckMinutes"),
    agendaMinute: agenda,
    waitlistHoldMinutes: integer(body, "waitlistHoldMinutes"),
    teleconsultationUrl: field(body, "teleconsultationUrl", 500) || null,
  };
}
