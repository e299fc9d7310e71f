import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { StaffUser } from "../../data/generated/client.js";
import { getStaffUser, normalizeEmail, prepareLoginTiming, verifyStaffLogin } from "../../domain/staff.js";
import { signStaffToken } from "../../http/auth.js";
import { ApiProblem } from "../problem.js";
import { SlidingWindowLimiter } from "../rate-limit.js";
import type { ApiRoutes } from "../route.js";
import { isoOrNull, StaffRoleName, Timestamp } from "../schemas.js";

const LoginRequest = z
  .strictObject({ email: z.email().max(320), password: z.string().min(1).max(1024) })
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

/** Login throttles: per address and per account, on top of the lockout after repeated failures. */
export const LOGIN_LIMITS = { perIp: { max: 10, windowMs: 60_000 }, perEmail: { max: 10, windowMs: 60_000 } } as const;

const REFUSED = "Email or password is incorrect";

export function authRoutes(api: ApiRoutes, ctx: AppContext): void {
  const byIp = new SlidingWindowLimiter(LOGIN_LIMITS.perIp.max, LOGIN_LIMITS.perIp.windowMs);
  const byEmail = new SlidingWindowLimiter(LOGIN_LIMITS.perEmail.max, LOGIN_LIMITS.perEmail.windowMs);
  prepareLoginTiming();

  api.add({
    method: "post",
    path: "/auth/login",
    tag: "auth",
    summary: "Log in as staff; returns a bearer token",
    description: `Rate-limited per IP and per email (429 with Retry-After). Five wrong passwords in a row lock the account for 15 minutes. Unknown email, wrong password and locked account all get the same 401.`,
    access: "public",
    body: LoginRequest,
    ok: { description: "Logged in", schema: LoginResponse },
    errors: { 429: "Too many attempts; retry after the Retry-After header's seconds" },
    async handler({ body, req }) {
      const now = ctx.now().getTime();
      for (const [limiter, key] of [
        [byIp, `ip:${req.ip ?? "unknown"}`],
        [byEmail, `email:${normalizeEmail(body.email)}`],
      ] as const) {
        const verdict = limiter.take(key, now);
        if (!verdict.allowed) {
          ctx.logger.warn({ ip: req.ip, limit: key.split(":")[0] }, "staff login rate-limited");
          throw new ApiProblem(429, "rate_limited", "Too many login attempts; try again later", {
            "Retry-After": String(verdict.retryAfterSeconds),
          });
        }
      }
      const outcome = await verifyStaffLogin(ctx.db, { email: body.email, password: body.password, now: ctx.now() });
      if (!outcome.ok) {
        ctx.logger.info({ ip: req.ip, reason: outcome.reason }, "staff login refused");
        throw new ApiProblem(401, "unauthorized", REFUSED, { "WWW-Authenticate": 'Bearer realm="tabib"' });
      }
      const { token, expiresIn } = signStaffToken(ctx, outcome.staff);
      ctx.logger.info({ userId: outcome.staff.userId, role: outcome.staff.role }, "staff logged in");
      return { token, expiresIn, role: outcome.staff.role };
    },
  });

  api.add({
    method: "get",
    path: "/auth/me",
    tag: "auth",
    summary: "The logged-in staff member",
    access: ["admin", "secretary", "doctor"],
    ok: { description: "The caller's account", schema: Me },
    async handler({ staff }) {
      const user = await getStaffUser(ctx.db, staff.clinicId, staff.userId);
      return { ...presentStaffUser(user), clinicId: user.clinicId };
    },
  });
}
