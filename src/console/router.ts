import express, { type ErrorRequestHandler, type Router } from "express";
import type { AppContext } from "../context.js";
import { DomainError } from "../domain/errors.js";
import { sharedLimiter, type Limiter } from "../domain/limits.js";
import { isBodyTooLarge } from "../http/errors.js";
import { adminRoutes } from "./admin.js";
import { apiClientRoutes } from "./api-clients.js";
import { appointmentRoutes } from "./appointments.js";
import { auditViewerRoutes } from "./audit-viewer.js";
import { authRoutes, DEFAULT_CONSOLE_LIMITS, type ConsoleLimits } from "./auth-routes.js";
import { billingRoutes } from "./billing.js";
import { clinicalRoutes } from "./clinical.js";
import { deliveryRoutes } from "./deliveries.js";
import { emergencyRoutes } from "./emergencies.js";
import { consoleLocals, renderError } from "./http.js";
import { inboxRoutes } from "./inbox.js";
import { noShowRoutes } from "./no-shows.js";
import { isPageNotFound, pageRoutes } from "./pages.js";
import { queueDashboard } from "./queues.js";
import { recordRoutes } from "./records.js";
import { reportRoutes } from "./reports.js";
import { HTMX_FILE, PUBLIC_DIR, type PageLocals } from "./render.js";
import { settingsRoutes } from "./settings.js";
import { staffAccountRoutes } from "./staff-accounts.js";
import { whatsappRoutes } from "./whatsapp.js";
import { scheduleRoutes } from "./schedule.js";
import { unconfirmedRoutes } from "./unconfirmed.js";
import { waitlistRoutes } from "./waitlist.js";

/** Path prefixes the console answers (besides "/" itself and /assets). */
export const CONSOLE_PREFIXES = [
  "/login",
  "/logout",
  "/mfa",
  "/password",
  "/language",
  "/requests",
  "/calendar",
  "/patients",
  "/admin",
  "/waitlist",
  "/emergencies",
  "/deliveries",
  "/schedule",
  "/appointments",
  "/inbox",
  "/unconfirmed",
  "/billing",
  "/reports",
] as const;

const ASSET_CACHE = { maxAge: "365d", immutable: true } as const;

/**
 * The staff console, mounted at "/": server-rendered pages with server-side sessions (cookie
 * `tabib_session`), CSRF tokens, TOTP MFA for doctors and admins. Requests outside its paths
 * (/api, /fhir, /health…) pass through untouched, without a session lookup.
 */
export function consoleRouter(
  ctx: AppContext,
  opts: { limits?: Partial<ConsoleLimits>; limiter?: Limiter } = {},
): Router {
  const router = express.Router();
  const limits = { ...DEFAULT_CONSOLE_LIMITS, ...opts.limits };
  const limiter = opts.limiter ?? sharedLimiter(ctx);

  router.get("/assets/htmx.min.js", (_req, res) => res.sendFile(HTMX_FILE, ASSET_CACHE));
  router.use("/assets", express.static(PUBLIC_DIR, { ...ASSET_CACHE, index: false, redirect: false }));

  const locals = consoleLocals(ctx);
  router.get("/", locals);
  router.use([...CONSOLE_PREFIXES], locals);

  authRoutes(router, ctx, limits, limiter);
  pageRoutes(router, ctx);
  adminRoutes(router, ctx);
  waitlistRoutes(router, ctx);
  emergencyRoutes(router, ctx);
  billingRoutes(router, ctx);
  reportRoutes(router, ctx);
  recordRoutes(router, ctx);
  clinicalRoutes(router, ctx);
  settingsRoutes(router, ctx);
  staffAccountRoutes(router, ctx);
  apiClientRoutes(router, ctx);
  auditViewerRoutes(router, ctx);
  deliveryRoutes(router, ctx);
  whatsappRoutes(router, ctx);
  queueDashboard(router, ctx);
  scheduleRoutes(router, ctx);
  noShowRoutes(router, ctx); // before appointmentRoutes: /appointments/no-shows is not an appointment id
  appointmentRoutes(router, ctx);
  inboxRoutes(router, ctx);
  unconfirmedRoutes(router, ctx);
  router.use(consoleErrors(ctx));
  return router;
}

function consoleErrors(ctx: AppContext): ErrorRequestHandler {
  return (err, req, res, next) => {
    // Only the console's own pages (those that went through its locals) answer in HTML.
    if (res.headersSent || !(res.locals as Partial<PageLocals>).t) {
      next(err);
      return;
    }
    if (isPageNotFound(err)) return renderError(res, 404, "notFound");
    if (err instanceof DomainError) {
      if (err.code === "not_found") return renderError(res, 404, "notFound");
      if (err.code === "forbidden") return renderError(res, 403, "forbidden");
      return renderError(res, 409, "conflict");
    }
    if (isBodyTooLarge(err)) return renderError(res, 413, "tooLarge");
    const status = typeof err?.status === "number" && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) ctx.logger.error({ err, method: req.method, route: req.route?.path }, "console error");
    renderError(res, status === 404 ? 404 : status === 500 ? 500 : 409, status === 500 ? "serverError" : "conflict");
  };
}
