import express, { type Request, type Response, type Router } from "express";
import QRCode from "qrcode";
import type { AppContext } from "../context.js";
import { LIMITS, type Limiter, type LimitRule } from "../domain/limits.js";
import { endAllSignIns, prepareLoginTiming, updateStaffUser, verifyStaffLogin } from "../domain/staff.js";
import { isDomainError } from "../domain/errors.js";
import {
  cookieOptions,
  guard,
  LOGIN_CSRF_COOKIE,
  mustSession,
  newToken,
  parseCookies,
  safeNext,
  sessionOf,
  setSessionCookie,
  STAGE_PATH,
  stageOf,
} from "./http.js";
import { isLocale, LOCALE_COOKIE } from "./i18n.js";
import { checkSecondFactor, enableTotp, mfaRequired, openTotpSecret } from "./mfa.js";
import { newRecoveryCodes, replaceRecoveryCodes } from "./recovery-codes.js";
import { renderPage, type PageLocals } from "./render.js";
import { closeSession, keepOnlySession, openSession, SESSION_COOKIE, updateSession } from "./session.js";
import { matchTotp, newTotpSecret, otpauthUri } from "./totp.js";
import { totpBox, totpContext } from "./totp-vault.js";

/** Console sign-in throttles (see domain/limits.ts); tests may tighten them. */
export interface ConsoleLimits {
  loginPerIp: LimitRule;
}

export const DEFAULT_CONSOLE_LIMITS: ConsoleLimits = { loginPerIp: LIMITS.consoleLoginPerAddress };

const YEAR_MS = 365 * 24 * 3600_000;
const form = express.urlencoded({ extended: false, limit: "32kb" });
const field = (req: Request, name: string): string => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : "";
};

/** Login, MFA enrolment and verification, forced password change, logout, language switch. */
export function authRoutes(router: Router, ctx: AppContext, limits: ConsoleLimits, limiter: Limiter): void {
  const box = totpBox(ctx.config);
  prepareLoginTiming();
  const accountSecret = (userId: string, stored: string) => openTotpSecret(ctx, userId, stored);

  function showLogin(req: Request, res: Response, opts: { status?: number; error?: string; email?: string } = {}) {
    const cookies = parseCookies(req);
    let loginCsrf = cookies[LOGIN_CSRF_COOKIE];
    if (!loginCsrf || !/^[A-Za-z0-9_-]{43}$/.test(loginCsrf)) {
      loginCsrf = newToken();
      res.cookie(LOGIN_CSRF_COOKIE, loginCsrf, cookieOptions(ctx));
    }
    const { t } = res.locals as PageLocals;
    renderPage(
      res,
      "login",
      {
        title: t("loginTitle"),
        loginCsrf,
        error: opts.error,
        email: opts.email ?? "",
        next: safeNext(req.method === "GET" ? req.query.next : field(req, "next")),
      },
      { status: opts.status },
    );
  }

  router.get("/login", (req, res) => {
    const session = sessionOf(res);
    if (session) {
      res.redirect(303, STAGE_PATH[stageOf(session)]);
      return;
    }
    showLogin(req, res);
  });

  router.post("/login", form, async (req, res, next) => {
    try {
      const { t } = res.locals as PageLocals;
      const expected = parseCookies(req)[LOGIN_CSRF_COOKIE];
      if (!expected || field(req, "_csrf") !== expected) {
        showLogin(req, res, { status: 403, error: t("csrfRefused") });
        return;
      }
      const email = field(req, "email").slice(0, 320);
      const throttle = await limiter.take(limits.loginPerIp, req.ip ?? "unknown", ctx.now());
      if (!throttle.allowed) {
        res.set("Retry-After", String(throttle.retryAfterSeconds));
        showLogin(req, res, {
          status: 429,
          email,
          error: t("loginThrottled", { seconds: throttle.retryAfterSeconds }),
        });
        return;
      }
      const outcome = await verifyStaffLogin(ctx.db, {
        email,
        password: field(req, "password").slice(0, 1024),
        now: ctx.now(),
      });
      if (!outcome.ok) {
        // Unknown account, wrong password, locked or disabled: one answer, as the API gives.
        ctx.logger.info({ reason: outcome.reason }, "console login refused");
        showLogin(req, res, { status: 401, email, error: t("loginRefused") });
        return;
      }
      const user = await ctx.db.prisma.staffUser.findUniqueOrThrow({ where: { id: outcome.staff.userId } });
      const mfaPassed = !user.totpSecret && !mfaRequired(user.role);
      const token = await openSession(ctx.db, user.id, ctx.now(), { mfaPassed });
      setSessionCookie(ctx, res, token);
      res.clearCookie(LOGIN_CSRF_COOKIE, cookieOptions(ctx));
      if (user.consoleLocale) res.cookie(LOCALE_COOKIE, user.consoleLocale, cookieOptions(ctx, YEAR_MS));
      const stage = mfaPassed
        ? user.mustChangePassword
          ? "password"
          : "ready"
        : user.totpSecret
          ? "mfa"
          : "mfa-setup";
      res.redirect(303, stage === "ready" ? safeNext(field(req, "next")) : STAGE_PATH[stage]);
    } catch (err) {
      next(err);
    }
  });

  router.post(
    "/logout",
    form,
    guard({ stages: ["mfa", "mfa-setup", "password", "ready"] }),
    async (_req, res, next) => {
      try {
        // Signing out signs the account out everywhere: other sessions and its API tokens too.
        await endAllSignIns(ctx.db, mustSession(res).user.id);
        await closeSession(ctx.db, mustSession(res).id);
        res.clearCookie(SESSION_COOKIE, cookieOptions(ctx));
        res.redirect(303, "/login");
      } catch (err) {
        next(err);
      }
    },
  );

  router.get("/mfa", guard({ stages: ["mfa"] }), (_req, res) => {
    renderPage(res, "mfa", { title: (res.locals as PageLocals).t("mfaTitle") });
  });

  router.post("/mfa", form, guard({ stages: ["mfa"] }), async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t } = res.locals as PageLocals;
      const outcome = await checkSecondFactor(
        ctx,
        limiter,
        { id: session.user.id, totpSecret: session.user.totpSecret!, totpLastStep: session.user.totpLastStep },
        field(req, "code"),
      );
      if (!outcome.passed && outcome.retryAfterSeconds !== undefined) {
        const wait = outcome.retryAfterSeconds;
        res.set("Retry-After", String(wait));
        renderPage(res, "mfa", { title: t("mfaTitle"), error: t("mfaThrottled", { seconds: wait }) }, { status: 429 });
        return;
      }
      if (!outcome.passed) {
        renderPage(res, "mfa", { title: t("mfaTitle"), error: t("mfaRefused") }, { status: 401 });
        return;
      }
      await updateSession(ctx.db, session.id, { mfaPassed: true });
      res.redirect(303, session.user.mustChangePassword ? STAGE_PATH.password : "/");
    } catch (err) {
      next(err);
    }
  });

  // Required enrolment right after the password, or optional later for a secretary without MFA.
  const enrolGuard = guard({ stages: ["mfa-setup", "ready"] });

  async function showSetup(res: Response, opts: { status?: number; error?: string } = {}) {
    const session = mustSession(res);
    const { t } = res.locals as PageLocals;
    let secret = session.pendingTotpSecret ? accountSecret(session.user.id, session.pendingTotpSecret) : null;
    if (!secret) {
      secret = newTotpSecret();
      await updateSession(ctx.db, session.id, { pendingTotpSecret: box.seal(secret, totpContext(session.user.id)) });
    }
    const uri = otpauthUri({ secret, account: session.user.email, issuer: "Tabib" });
    const qrSvg = await QRCode.toString(uri, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
    renderPage(
      res,
      "mfa-setup",
      {
        title: t("mfaSetupTitle"),
        secret: secret.replace(/(.{4})/g, "$1 ").trim(),
        uri,
        qrSvg,
        required: mfaRequired(session.user.role),
        error: opts.error,
      },
      { status: opts.status },
    );
  }

  router.get("/mfa/setup", enrolGuard, async (_req, res, next) => {
    try {
      if (mustSession(res).user.totpSecret) {
        res.redirect(303, "/");
        return;
      }
      await showSetup(res);
    } catch (err) {
      next(err);
    }
  });

  router.post("/mfa/setup", form, enrolGuard, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t } = res.locals as PageLocals;
      if (session.user.totpSecret) {
        res.redirect(303, "/");
        return;
      }
      const gate = await limiter.check(LIMITS.secondFactorFailures, session.user.id, ctx.now());
      if (!gate.allowed) {
        res.set("Retry-After", String(gate.retryAfterSeconds));
        await showSetup(res, { status: 429, error: t("mfaThrottled", { seconds: gate.retryAfterSeconds }) });
        return;
      }
      const secret = session.pendingTotpSecret ? accountSecret(session.user.id, session.pendingTotpSecret) : null;
      const step = secret ? matchTotp(secret, field(req, "code"), ctx.now(), null) : null;
      if (!secret || step === null) {
        await limiter.record(LIMITS.secondFactorFailures, session.user.id, ctx.now());
        await showSetup(res, { status: 400, error: t("mfaRefused") });
        return;
      }
      await enableTotp(ctx.db, session.user.id, box.seal(secret, totpContext(session.user.id)), step, ctx.now());
      const codes = newRecoveryCodes();
      await replaceRecoveryCodes(ctx.db, session.user.id, codes);
      await updateSession(ctx.db, session.id, { mfaPassed: true, pendingTotpSecret: null });
      ctx.logger.info({ staffUserId: session.user.id }, "console MFA enrolled");
      renderPage(res, "recovery-codes", {
        title: t("recoveryTitle"),
        codes,
        next: session.user.mustChangePassword ? STAGE_PATH.password : "/",
      });
    } catch (err) {
      next(err);
    }
  });

  const passwordGuard = guard({ stages: ["password", "ready"] });
  router.get("/password", passwordGuard, (_req, res) => {
    renderPage(res, "password", { title: (res.locals as PageLocals).t("passwordTitle") });
  });

  router.post("/password", form, passwordGuard, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t } = res.locals as PageLocals;
      const password = field(req, "password");
      if (password !== field(req, "repeat")) {
        renderPage(res, "password", { title: t("passwordTitle"), error: t("passwordMismatch") }, { status: 400 });
        return;
      }
      try {
        await updateStaffUser(ctx.db, session.user.clinicId, session.user.id, { password });
      } catch (err) {
        if (!isDomainError(err, "invalid")) throw err;
        renderPage(res, "password", { title: t("passwordTitle"), error: t("passwordTooShort") }, { status: 400 });
        return;
      }
      await ctx.db.prisma.staffUser.update({ where: { id: session.user.id }, data: { mustChangePassword: false } });
      // Anyone else holding this account's old password is signed out, API tokens included.
      await keepOnlySession(ctx.db, session.user.id, session.id);
      res.redirect(303, "/");
    } catch (err) {
      next(err);
    }
  });

  // A language preference, not a change of record: a plain link works before and after login.
  router.get("/language/:code", async (req, res, next) => {
    try {
      const code = req.params.code;
      if (isLocale(code)) {
        res.cookie(LOCALE_COOKIE, code, cookieOptions(ctx, YEAR_MS));
        const session = sessionOf(res);
        if (session)
          await ctx.db.prisma.staffUser.update({ where: { id: session.user.id }, data: { consoleLocale: code } });
      }
      res.redirect(303, safeNext(req.query.next));
    } catch (err) {
      next(err);
    }
  });
}
