import express, { type ErrorRequestHandler, type Router } from "express";
import type { AppContext } from "../context.js";
import { DomainError } from "../domain/errors.js";
import { adminRoutes } from "./admin.js";
import { authRoutes, DEFAULT_CONSOLE_LIMITS, type ConsoleLimits } from "./auth-routes.js";
import { consoleLocals, renderError } from "./http.js";
import { isPageNotFound, pageRoutes } from "./pages.js";
import { HTMX_FILE, PUBLIC_DIR, type PageLocals } from "./render.js";

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
] as const;

const ASSET_CACHE = { maxAge: "365d", immutable: true } as const;

/**
 * The staff console, mounted at "/": server-rendered pages with server-side sessions (cookie
 * `tabib_session`), CSRF tokens, TOTP MFA for doctors and admins. Requests outside its paths
 * (/api, /fhir, /health…) pass through untouched, without a session lookup.
 */
export function consoleRouter(ctx: AppContext, opts: { limits?: Partial<ConsoleLimits> } = {}): Router {
  const router = express.Router();
  const limits = { ...DEFAULT_CONSOLE_LIMITS, ...opts.limits };

  router.get("/assets/htmx.min.js", (_req, res) => res.sendFile(HTMX_FILE, ASSET_CACHE));
  router.use("/assets", express.static(PUBLIC_DIR, { ...ASSET_CACHE, index: false, redirect: false }));

  const locals = consoleLocals(ctx);
  router.get("/", locals);
  router.use([...CONSOLE_PREFIXES], locals);

  authRoutes(router, ctx, limits);
  pageRoutes(router, ctx);
  adminRoutes(router, ctx);
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
    const status = typeof err?.status === "number" && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) ctx.logger.error({ err, method: req.method, route: req.route?.path }, "console error");
    renderError(res, status === 404 ? 404 : status === 500 ? 500 : 409, status === 500 ? "serverError" : "conflict");
  };
}
