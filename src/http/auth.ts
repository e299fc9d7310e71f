import type { NextFunction, Request, RequestHandler, Response } from "express";
import jwt from "jsonwebtoken";
import type { AppContext } from "../context.js";
import type { Actor, StaffRole } from "../domain/actor.js";

/** The authenticated staff member behind a request. */
export interface StaffPrincipal {
  userId: string;
  clinicId: string;
  role: StaffRole;
  doctorId: string | null;
}

declare module "express-serve-static-core" {
  interface Request {
    staff?: StaffPrincipal;
  }
}

const ISSUER = "tabib";

export function jwtSecret(ctx: AppContext): string {
  if (ctx.config.JWT_SECRET) return ctx.config.JWT_SECRET;
  if (ctx.config.NODE_ENV === "production") throw new Error("JWT_SECRET must be set in production");
  return developmentSecret;
}
// Outside production a per-process secret: tokens die with the process, which is what a dev box wants.
const developmentSecret = (await import("node:crypto")).randomBytes(32).toString("hex");

export function signStaffToken(ctx: AppContext, principal: StaffPrincipal): { token: string; expiresIn: number } {
  const expiresIn = ctx.config.JWT_TTL_SECONDS;
  const token = jwt.sign(
    { clinic: principal.clinicId, role: principal.role, doctor: principal.doctorId },
    jwtSecret(ctx),
    {
      subject: principal.userId,
      issuer: ISSUER,
      expiresIn,
      algorithm: "HS256",
    },
  );
  return { token, expiresIn };
}

export function verifyStaffToken(ctx: AppContext, token: string): StaffPrincipal | null {
  try {
    const claims = jwt.verify(token, jwtSecret(ctx), { issuer: ISSUER, algorithms: ["HS256"] }) as jwt.JwtPayload;
    const role = claims.role as StaffRole;
    if (!claims.sub || !["admin", "secretary", "doctor"].includes(role)) return null;
    return {
      userId: claims.sub,
      clinicId: String(claims.clinic),
      role,
      doctorId: (claims.doctor as string | null) ?? null,
    };
  } catch {
    return null;
  }
}

/**
 * Rejects requests without a valid bearer token for an active account (401), then those
 * whose role is not listed (403). Role and doctor link are read from the account on every
 * request, so deactivating or demoting someone takes effect at once, not at token expiry.
 */
export function requireStaff(
  ctx: AppContext,
  roles: readonly StaffRole[] = ["admin", "secretary", "doctor"],
): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const header = req.get("authorization") ?? "";
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const claims = match ? verifyStaffToken(ctx, match[1]!) : null;
      const account = claims ? await currentAccount(ctx, claims.userId) : null;
      if (!claims || !account || account.clinicId !== claims.clinicId) {
        res
          .set("WWW-Authenticate", 'Bearer realm="tabib"')
          .status(401)
          .json({ error: "unauthorized", message: "A valid bearer token is required" });
        return;
      }
      const principal: StaffPrincipal = {
        userId: claims.userId,
        clinicId: account.clinicId,
        role: account.role,
        doctorId: account.doctorId,
      };
      if (!roles.includes(principal.role)) {
        res
          .status(403)
          .json({ error: "forbidden", message: `This action needs one of the roles: ${roles.join(", ")}` });
        return;
      }
      req.staff = principal;
      next();
    } catch (err) {
      next(err);
    }
  };
}

async function currentAccount(
  ctx: AppContext,
  userId: string,
): Promise<{ clinicId: string; role: StaffRole; doctorId: string | null } | null> {
  if (!/^[0-9a-f-]{36}$/i.test(userId)) return null;
  const rows = await ctx.db.sql.query<{ clinic_id: string; role: StaffRole; doctor_id: string | null }>(
    `SELECT clinic_id, role, doctor_id FROM staff_user WHERE id = $1::uuid AND active`,
    [userId],
    { prepare: true },
  );
  const row = rows[0];
  return row ? { clinicId: row.clinic_id, role: row.role, doctorId: row.doctor_id } : null;
}

export function staffActor(principal: StaffPrincipal): Actor {
  return { kind: "staff", userId: principal.userId, role: principal.role, doctorId: principal.doctorId };
}
