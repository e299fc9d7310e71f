import { randomBytes, timingSafeEqual } from "node:crypto";
import type { CookieOptions, NextFunction, Request, RequestHandler, Response } from "express";
import type { AppContext } from "../context.js";
import type { StaffRole } from "../domain/actor.js";
import type { StaffActor } from "../domain/staff.js";
import { pickLocale, translator } from "./i18n.js";
import { mfaRequired } from "./mfa.js";
import { renderPage, type PageLocals } from "./render.js";
import { loadSession, SESSION_COOKIE, ABSOLUTE_TIMEOUT_MS, type ConsoleSession } from "./session.js";

/** Double-submit token protecting the login form, which has no session yet. */
export const LOGIN_CSRF_COOKIE = "tabib_login_csrf";

export function parseCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A malformed cookie is ignored, not an error page.
    }
  }
  return out;
}

/** Cookie attributes: httpOnly, SameSite=Lax, Secure in production or behind an https PUBLIC_URL. */
export function cookieOptions(ctx: AppContext, maxAgeMs?: number): CookieOptions {
  const secure = ctx.config.NODE_ENV === "production" || (ctx.config.PUBLIC_URL ?? "").startsWith("https:");
  return { httpOnly: true, sameSite: "lax", secure, path: "/", ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
}

export function setSessionCookie(ctx: AppContext, res: Response, token: string): void {
  res.cookie(SESSION_COOKIE, token, cookieOptions(ctx, ABSOLUTE_TIMEOUT_MS));
}

export const newToken = (): string => randomBytes(32).toString("base64url");

/** Where a signed-in user must go next before the console proper. */
export type Stage = "mfa" | "mfa-setup" | "password" | "ready";

export function stageOf(session: ConsoleSession): Stage {
  if (!session.mfaPassed) {
    if (session.user.totpSecret) return "mfa";
    if (mfaRequired(session.user.role)) return "mfa-setup";
  }
  if (session.user.mustChangePassword) return "password";
  return "ready";
}

export const STAGE_PATH: Record<Stage, string> = {
  mfa: "/mfa",
  "mfa-setup": "/mfa/setup",
  password: "/password",
  ready: "/",
};

/** Loads the session (if any), the language and the translator into res.locals. */
export function consoleLocals(ctx: AppContext): RequestHandler {
  return async (req, res, next) => {
    try {
      const cookies = parseCookies(req);
      const token = cookies[SESSION_COOKIE];
      const session = token ? await loadSession(ctx.db, token, ctx.now()) : null;
      const locale = pickLocale(req, cookies, session?.user.consoleLocale ?? null);
      const locals: PageLocals = {
        t: translator(locale),
        locale,
        session: session ?? undefined,
        here: req.originalUrl,
      };
      Object.assign(res.locals, locals);
      next();
    } catch (err) {
      next(err);
    }
  };
}

export const sessionOf = (res: Response): ConsoleSession | undefined => (res.locals as PageLocals).session;

/** The session of a guarded route (the guard has run). */
export function mustSession(res: Response): ConsoleSession {
  const session = sessionOf(res);
  if (!session) throw new Error("console route without its guard");
  return session;
}

export function actorOf(session: ConsoleSession): StaffActor {
  return { kind: "staff", userId: session.user.id, role: session.user.role, doctorId: session.user.doctorId };
}

function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== "string" || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/** Only same-site paths: `next` must not send anyone to another origin. */
export function safeNext(value: unknown, fallback = "/"): string {
  return typeof value === "string" && /^\/(?![/\\])/.test(value) ? value : fallback;
}

/**
 * The gate in front of every console route: no session → the login page; a session still
 * owing MFA or a password change → that step; wrong role → 403; a POST without the session's
 * CSRF token (form field `_csrf` or header X-CSRF-Token) → 403.
 */
export function guard(opts: { roles?: readonly StaffRole[]; stages?: readonly Stage[] } = {}): Guard {
  const roles = opts.roles ?? ["admin", "secretary", "doctor"];
  const stages = opts.stages ?? ["ready"];
  const gate = (req: Request, res: Response, next: NextFunction): void => {
    const session = sessionOf(res);
    if (!session) {
      const target = req.method === "GET" ? `/login?next=${encodeURIComponent(req.originalUrl)}` : "/login";
      if (req.get("hx-request")) {
        res.set("HX-Redirect", target).status(401).end();
        return;
      }
      res.redirect(303, target);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      const given = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get("x-csrf-token");
      if (!csrfMatches(session.csrfToken, given)) {
        renderError(res, 403, "csrfRefused");
        return;
      }
    }
    const stage = stageOf(session);
    if (!stages.includes(stage)) {
      res.redirect(303, STAGE_PATH[stage]);
      return;
    }
    if (!roles.includes(session.user.role)) {
      renderError(res, 403, "forbidden");
      return;
    }
    next();
  };
  return Object.assign(gate, { admits: { roles, stages } });
}

/** A guard middleware; `admits` says whom it lets through, so tests can read it off the router. */
export type Guard = ((req: Request, res: Response, next: NextFunction) => void) & {
  readonly admits: { readonly roles: readonly StaffRole[]; readonly stages: readonly Stage[] };
};

export function renderError(
  res: Response,
  status: number,
  message: "forbidden" | "notFound" | "csrfRefused" | "conflict" | "serverError" | "tooLarge",
): void {
  const { t } = res.locals as PageLocals;
  renderPage(res, "error", { title: t("errorTitle"), message: t(message) }, { status });
}
