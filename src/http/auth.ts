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
  const token = jwt.sign({ clinic: principal.clinicId, role: principal.role, doctor: principal.doctorId }, jwtSecret(ctx), {
    subject: principal.userId,
    issuer: ISSUER,
    expiresIn,
    algorithm: "HS256",
  });
  return { token, expiresIn };
}

export function verifyStaffToken(ctx: AppContext, token: string): StaffPrincipal | null {
  try {
    const claims = jwt.verify(token, jwtSecret(ctx), { issuer: ISSUER, algorithms: ["HS256"] }) as jwt.JwtPayload;
    const role = claims.role as StaffRole;
    if (!claims.sub || !["admin", "secretary", "doctor"].includes(role)) return null;
    return { userId: claims.sub, clinicId: String(claims.clinic), role, doctorId: (claims.doctor as string | null) ?? null };
  } catch {
    return null;
  }
}

/** Rejects requests without a valid bearer token (401), then those whose role is not listed (403). */
export function requireStaff(ctx: AppContext, roles: readonly StaffRole[] = ["admin", "secretary", "doctor"]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.get("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match ? verifyStaffToken(ctx, match[1]!) : null;
    if (!principal) {
      res.set("WWW-Authenticate", 'Bearer realm="tabib"').status(401).json({ error: "unauthorized", message: "A valid bearer token is required" });
      return;
    }
    if (!roles.includes(principal.role)) {
      res.status(403).json({ error: "forbidden", message: `This action needs one of the roles: ${roles.join(", ")}` });
      return;
    }
    req.staff = principal;
    next();
  };
}

export function staffActor(principal: StaffPrincipal): Actor {
  return { kind: "staff", userId: principal.userId, role: principal.role, doctorId: principal.doctorId };
}
