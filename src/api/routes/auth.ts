import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { StaffUser } from "../../data/generated/client.js";
import { checkSecondFactor } from "../../console/mfa.js";
import { LIMITS, type Limiter } from "../../domain/limits.js";
import {
  endAllSignIns,
  getStaffUser,
  normalizeEmail,
  prepareLoginTiming,
  twoFactorRequired,
  verifyStaffLogin,
} from "../../domain/staff.js";
import { signStaffToken } from "../../http/auth.js";
import { ApiProblem } from "../problem.js";
import type { ApiRoutes } from "../route.js";
import { isoOrNull, StaffRoleName, Timestamp } from "../schemas.js";

const LoginRequest = z
  .strictObject({
    email: z.email().max(320),
    password: z.string().min(1).max(1024),
    code: z.string().max(64).optional().meta({
      description:
        "The current 6-digit code from the authenticator app, or an unused recovery code: required for doctors, admins and every account enrolled in two-factor",
    }),
  })
  .meta({ id: "LoginRequest" });
const LoginResponse = z
  .object({
    token: z.string(),
    expiresIn: z.number().int().meta({ description: "Seconds until the token expires" }),
    role: StaffRoleName,
  })
  .meta({ id: "LoginResponse" });

export const StaffUserDto = z
  .object({
    id: z.uuid(),
    email: z.string(),
    displayName: z.string(),
    role: StaffRoleName,
    doctorId: z.uuid().nullable(),
    active: z.boolean(),
    lockedUntil: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: "StaffUser" });

export const presentStaffUser = (u: StaffUser): z.input<typeof StaffUserDto> => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  role: u.role,
  doctorId: u.doctorId,
  active: u.active,
  lockedUntil: isoOrNull(u.lockedUntil),
  createdAt: u.createdAt.toISOString(),
});

const Me = StaffUserDto.extend({ clinicId: z.uuid() }).meta({ id: "Me" });

const REFUSED = "Email or password is incorrect";
const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="tabib"' };

export function authRoutes(api: ApiRoutes, ctx: AppContext, limiter: Limiter): void {
  prepareLoginTiming();

  api.add({
    method: "post",
    path: "/auth/login",
    tag: "auth",
    summary: "Log in as staff; returns a bearer token",
    description: `Rate-limited per IP and per email (429 with Retry-After). Five wrong passwords in a row lock the account for 15 minutes. Unknown email, wrong password and locked account all get the same 401.

Two-factor: doctors and admins, and every account enrolled in it, send \`code\` too — the authenticator's current code or an unused recovery code. Without it the answer is 401 \`mfa_required\`; a wrong code is 401 \`mfa_refused\` and counts towards the same limit as the console's (5 wrong codes in 5 minutes, then 429). A doctor or admin who has not enrolled yet gets 403 \`mfa_enrolment_required\`: enrolment happens in the console (sign in there, scan the QR code), never over the API, and no token is issued until then.`,
    access: "public",
    body: LoginRequest,
    ok: { description: "Logged in", schema: LoginResponse },
    errors: { 429: "Too many attempts; retry after the Retry-After header's seconds" },
    async handler({ body, req }) {
      for (const [rule, key] of [
        [LIMITS.apiLoginPerAddress, req.ip ?? "unknown"],
        [LIMITS.apiLoginPerAccount, normalizeEmail(body.email)],
      ] as const) {
        const verdict = await limiter.take(rule, key, ctx.now());
        if (!verdict.allowed) {
          ctx.logger.warn({ ip: req.ip, limit: rule.name }, "staff login rate-limited");
          throw new ApiProblem(429, "rate_limited", "Too many login attempts; try again later", {
            "Retry-After": String(verdict.retryAfterSeconds),
          });
        }
      }
      const outcome = await verifyStaffLogin(ctx.db, { email: body.email, password: body.password, now: ctx.now() });
      if (!outcome.ok) {
        ctx.logger.info({ ip: req.ip, reason: outcome.reason }, "staff login refused");
        throw new ApiProblem(401, "unauthorized", REFUSED, CHALLENGE);
      }
      const { staff } = outcome;
      let secondFactor = false;
      if (outcome.enrolled) {
        if (!body.code)
          throw new ApiProblem(
            401,
            "mfa_required",
            "This account signs in with two-factor: send `code`, the current code from the authenticator app (or a recovery code)",
            CHALLENGE,
          );
        const account = await ctx.db.prisma.staffUser.findUniqueOrThrow({ where: { id: staff.userId } });
        const check = await checkSecondFactor(
          ctx,
          limiter,
          { id: account.id, totpSecret: account.totpSecret!, totpLastStep: account.totpLastStep },
          body.code,
        );
        if (!check.passed && check.retryAfterSeconds !== undefined)
          throw new ApiProblem(429, "rate_limited", "Too many wrong two-factor codes; try again later", {
            "Retry-After": String(check.retryAfterSeconds),
          });
        if (!check.passed)
          throw new ApiProblem(401, "mfa_refused", "The two-factor code is wrong or already used", CHALLENGE);
        secondFactor = true;
      } else if (twoFactorRequired(staff.role)) {
        throw new ApiProblem(
          403,
          "mfa_enrolment_required",
          "Doctors and admins use two-factor: sign in to the console once to enrol an authenticator app, then log in here with `code`",
        );
      }
      const { token, expiresIn } = signStaffToken(ctx, staff, {
        amr: secondFactor ? ["pwd", "otp"] : ["pwd"],
        tokenVersion: outcome.tokenVersion,
      });
      ctx.logger.info({ userId: staff.userId, role: staff.role, secondFactor }, "staff logged in");
      return { token, expiresIn, role: staff.role };
    },
  });

  api.add({
    method: "post",
    path: "/auth/logout",
    tag: "auth",
    summary: "Log out everywhere: this token, the account's other tokens and its console sessions end at once",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    ok: { status: 204, description: "Logged out" },
    async handler({ staff }) {
      await endAllSignIns(ctx.db, staff.userId);
      ctx.logger.info({ userId: staff.userId }, "staff logged out");
    },
  });

  api.add({
    method: "get",
    path: "/auth/me",
    tag: "auth",
    summary: "The logged-in staff member",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    ok: { description: "The caller's account", schema: Me },
    async handler({ staff }) {
      const user = await getStaffUser(ctx.db, staff.clinicId, staff.userId);
      return { ...presentStaffUser(user), clinicId: user.clinicId };
    },
  });
}
