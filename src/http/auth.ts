import { randomBytes } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import jwt from "jsonwebtoken";
import type { AppContext } from "../context.js";
import type { Actor, StaffRole } from "../domain/actor.js";
import { allows, covers, parseScopes, type ScopeGrant, type ScopeNeed } from "../domain/access-scopes.js";
import { currentApiClient } from "../domain/api-clients.js";
import { twoFactorRequired } from "../domain/staff.js";

/** How a staff member proved who they are (RFC 8176 values): a password, then a one-time code. */
export type AuthMethod = "pwd" | "otp";

/** The authenticated staff member behind a request. */
export interface StaffPrincipal {
  kind?: "staff";
  userId: string;
  clinicId: string;
  role: StaffRole;
  doctorId: string | null;
}

/** A machine client (OAuth 2.0 client credentials) acting for its clinic within its scopes. */
export interface ClientPrincipal {
  kind: "client";
  /** The api_client row's id (not the client_id it presents). */
  clientId: string;
  clinicId: string;
  grants: readonly ScopeGrant[];
}

/** Whoever holds the bearer token of a request. */
export type Caller = StaffPrincipal | ClientPrincipal;

declare module "express-serve-static-core" {
  interface Request {
    caller?: Caller;
  }
}

const ISSUER = "tabib";

export function jwtSecret(ctx: AppContext): string {
  if (ctx.config.JWT_SECRET) return ctx.config.JWT_SECRET;
  if (ctx.config.NODE_ENV === "production") throw new Error("JWT_SECRET must be set in production");
  return developmentSecret;
}
// Outside production a per-process secret: tokens die with the process, which is what a dev box wants.
const developmentSecret = randomBytes(32).toString("hex");

/**
 * A staff bearer token. `amr` says how the holder signed in and `ver` which of the account's
 * token versions it belongs to: both are checked against the account on every request.
 */
export function signStaffToken(
  ctx: AppContext,
  principal: StaffPrincipal,
  how: { amr: readonly AuthMethod[]; tokenVersion: number },
): { token: string; expiresIn: number } {
  const expiresIn = ctx.config.JWT_TTL_SECONDS;
  const token = jwt.sign(
    {
      typ: "staff",
      clinic: principal.clinicId,
      role: principal.role,
      doctor: principal.doctorId,
      amr: how.amr,
      ver: how.tokenVersion,
    },
    jwtSecret(ctx),
    { subject: principal.userId, issuer: ISSUER, expiresIn, algorithm: "HS256" },
  );
  return { token, expiresIn };
}

/** A client's access token: short-lived, for the scopes it was granted at the token endpoint. */
export function signClientToken(
  ctx: AppContext,
  client: { id: string; clinicId: string; tokenVersion: number },
  scope: string,
): { token: string; expiresIn: number } {
  const expiresIn = ctx.config.OAUTH_TOKEN_TTL_SECONDS;
  const token = jwt.sign({ typ: "client", clinic: client.clinicId, scope, ver: client.tokenVersion }, jwtSecret(ctx), {
    subject: client.id,
    issuer: ISSUER,
    expiresIn,
    algorithm: "HS256",
  });
  return { token, expiresIn };
}

type Claims = jwt.JwtPayload & { typ?: unknown; clinic?: unknown; amr?: unknown; ver?: unknown; scope?: unknown };

function verifyToken(ctx: AppContext, token: string): Claims | null {
  try {
    return jwt.verify(token, jwtSecret(ctx), { issuer: ISSUER, algorithms: ["HS256"] }) as Claims;
  } catch {
    return null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why a bearer token does not let its holder in (401). */
export interface Refusal {
  error: "unauthorized" | "mfa_required";
  message: string;
}

/**
 * The caller behind a bearer token, checked against the database on every request: a staff
 * account must be active, at the token's version (a password change, reset, role change,
 * deactivation or logout raises it) and, when it must use two-factor or has enrolled, the token
 * must say a code was given; a client must not be revoked or rotated since.
 */
export async function identify(ctx: AppContext, req: Request): Promise<Caller | Refusal> {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "");
  const claims = match ? verifyToken(ctx, match[1]!) : null;
  const invalid: Refusal = { error: "unauthorized", message: "A valid bearer token is required" };
  if (!claims?.sub || !UUID.test(claims.sub) || typeof claims.ver !== "number") return invalid;
  if (claims.typ === "client") {
    const client = await currentApiClient(ctx.db, claims.sub);
    if (!client || client.clinicId !== claims.clinic || client.tokenVersion !== claims.ver) return invalid;
    const { grants } = parseScopes(typeof claims.scope === "string" ? claims.scope : "");
    // Granted scopes only ever shrink a token: one that outgrew its client is refused.
    if (!covers(parseScopes(client.scopes).grants, grants)) return invalid;
    return { kind: "client", clientId: client.id, clinicId: client.clinicId, grants };
  }
  if (claims.typ !== "staff") return invalid;
  const rows = await ctx.db.sql.query<{
    clinic_id: string;
    role: StaffRole;
    doctor_id: string | null;
    token_version: number;
    enrolled: boolean;
  }>(
    `SELECT clinic_id, role, doctor_id, token_version, totp_secret IS NOT NULL AS enrolled
       FROM staff_user WHERE id = $1::uuid AND active`,
    [claims.sub],
    { prepare: true },
  );
  const account = rows[0];
  if (!account || account.clinic_id !== claims.clinic || account.token_version !== claims.ver) return invalid;
  const amr = Array.isArray(claims.amr) ? claims.amr : [];
  if ((twoFactorRequired(account.role) || account.enrolled) && !amr.includes("otp"))
    return {
      error: "mfa_required",
      message: "This account signs in with a two-factor code: log in again with `code` (POST /api/auth/login)",
    };
  return {
    kind: "staff",
    userId: claims.sub,
    clinicId: account.clinic_id,
    role: account.role,
    doctorId: account.doctor_id,
  };
}

export const isRefusal = (v: Caller | Refusal): v is Refusal => "error" in v;

/** The WWW-Authenticate challenge for a refusal (RFC 6750; RFC 9470 for a missing second factor). */
export function challenge(refusal: Refusal): string {
  return refusal.error === "mfa_required"
    ? `Bearer realm="tabib", error="insufficient_user_authentication", error_description="two-factor code required"`
    : `Bearer realm="tabib"`;
}

/** Who may pass a door: staff holding one of the roles, and clients whose scopes allow `scope` (null: none). */
export interface DoorRule {
  roles: readonly StaffRole[];
  scope: ScopeNeed | null;
}

/** Null when the caller may pass; otherwise the 403 message. */
export function forbiddenReason(caller: Caller, rule: DoorRule): string | null {
  if (caller.kind === "client") {
    if (!rule.scope) return "This action is for staff accounts only, not API clients";
    if (!allows(caller.grants, rule.scope))
      return `This action needs the scope system/${rule.scope.resource}.${rule.scope.interaction} (or .read/.write)`;
    return null;
  }
  return rule.roles.includes(caller.role) ? null : `This action needs one of the roles: ${rule.roles.join(", ")}`;
}

/**
 * Rejects requests without a valid bearer token (401), then callers the rule does not admit
 * (403); leaves the caller in req.caller. Role and doctor link are read from the account on every
 * request, so deactivating or demoting someone takes effect at once, not at token expiry.
 */
export function requireCaller(ctx: AppContext, rule: DoorRule): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const caller = await identify(ctx, req);
      if (isRefusal(caller)) {
        res.set("WWW-Authenticate", challenge(caller)).status(401).json(caller);
        return;
      }
      const reason = forbiddenReason(caller, rule);
      if (reason) {
        res.status(403).json({ error: "forbidden", message: reason });
        return;
      }
      req.caller = caller;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** The caller as the audit log and appointment history record it. */
export function callerActor(caller: Caller): Extract<Actor, { kind: "staff" | "client" }> {
  return caller.kind === "client"
    ? { kind: "client", clientId: caller.clientId }
    : { kind: "staff", userId: caller.userId, role: caller.role, doctorId: caller.doctorId };
}
