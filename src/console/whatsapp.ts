import type { Response, Router } from "express";
import QRCode from "qrcode";
import type { AppContext, LinkedDeviceState } from "../context.js";
import { getClinic } from "../domain/directory.js";
import { ClinicFormat } from "./format.js";
import { guard, mustSession } from "./http.js";
import type { Translate } from "./i18n.js";
import { renderPage, type PageLocals } from "./render.js";

const adminOnly = guard({ roles: ["admin"] });

/**
 * The WhatsApp Web login page for admins: the session's state and, while it waits for a scan,
 * its QR code (a PNG data URL, drawn on the server), refreshed by htmx polling until connected.
 * Scanning links the scanner's WhatsApp account to this server, so only admins see it.
 */
export function whatsappRoutes(router: Router, ctx: AppContext): void {
  const state = async (res: Response) => {
    const session = mustSession(res);
    const { t, locale } = res.locals as PageLocals;
    const clinic = await getClinic(ctx.db, session.user.clinicId);
    return describe(ctx.whatsappWeb?.state ?? null, t, new ClinicFormat(locale, clinic.timeZone));
  };

  router.get("/admin/whatsapp", adminOnly, async (_req, res, next) => {
    try {
      const { t } = res.locals as PageLocals;
      renderPage(res, "whatsapp", { title: t("waTitle"), state: await state(res) });
    } catch (err) {
      next(err);
    }
  });

  router.get("/admin/whatsapp/state", adminOnly, async (_req, res, next) => {
    try {
      renderPage(res, "whatsapp-state", { title: "", state: await state(res) });
    } catch (err) {
      next(err);
    }
  });
}

interface StateView {
  enabled: boolean;
  status?: LinkedDeviceState["status"];
  message: string;
  since?: string;
  qrImage?: string;
  poll: boolean;
}

async function describe(s: LinkedDeviceState | null, t: Translate, format: ClinicFormat): Promise<StateView> {
  if (!s) return { enabled: false, message: t("waDisabled"), poll: false };
  const reason = s.reason ?? "—";
  const message = {
    starting: t("waStarting"),
    qr: t("waQr"),
    authenticated: t("waAuthenticated"),
    ready: t("waReady"),
    disconnected: t("waDisconnected", { reason }),
    failed: t("waFailed", { reason }),
  }[s.status];
  const qrImage =
    s.status === "qr" && s.qr
      ? await QRCode.toDataURL(s.qr, { errorCorrectionLevel: "M", margin: 2, width: 288 })
      : undefined;
  return {
    enabled: true,
    status: s.status,
    message,
    since: t("waSince", { time: format.dateTimeOf(s.since) }),
    qrImage,
    poll: s.status !== "ready",
  };
}
