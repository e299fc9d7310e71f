import express, { type Request, type Response } from "express";
import type { AppContext } from "../context.js";
import { covers, parseScopes } from "../domain/access-scopes.js";
import { authenticateApiClient } from "../domain/api-clients.js";
import { recordAudit } from "../domain/audit.js";
import { LIMITS, type Limiter } from "../domain/limits.js";
import { signClientToken } from "../http/auth.js";

/*
 * POST /oauth2/token: OAuth 2.0 client credentials (RFC 6749 §4.4) for API clients, with the
 * secret in HTTP Basic (client_secret_basic) or in the form (client_secret_post). Errors are
 * RFC 6749 §5.2's JSON; the token is a short-lived bearer accepted by /api and /fhir within the
 * scopes granted here (those asked for, which must be among the client's; all of them by default).
 */

type OAuthError = "invalid_request" | "invalid_client" | "unsupported_grant_type" | "invalid_scope";

class TokenRefusal extends Error {
  constructor(
    readonly error: OAuthError,
    readonly description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

const form = express.urlencoded({ extended: false, limit: "8kb", parameterLimit: 20 });

/** The credentials a request presents, from the Authorization header or the form (never both). */
function credentials(req: Request, body: Record<string, unknown>): { id: string; secret: string; basic: boolean } {
  const header = req.get("authorization");
  const inForm = typeof body.client_secret === "string";
  if (header) {
    if (inForm)
      throw new TokenRefusal("invalid_request", "Authenticate the client one way: Basic or the form, not both");
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    const decoded = m ? Buffer.from(m[1]!, "base64").toString("utf8") : "";
    const colon = decoded.indexOf(":");
    if (colon < 0) throw new TokenRefusal("invalid_client", "Malformed Basic credentials", 401, BASIC);
    try {
      // RFC 6749 §2.3.1: both halves are form-urlencoded before Basic encoding.
      const id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " "));
      const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " "));
      return { id, secret, basic: true };
    } catch {
      throw new TokenRefusal("invalid_client", "Malformed Basic credentials", 401, BASIC);
    }
  }
  if (typeof body.client_id !== "string" || !inForm)
    throw new TokenRefusal(
      "invalid_client",
      "Client authentication is required (Basic, or client_id and client_secret)",
      401,
      BASIC,
    );
  return { id: body.client_id, secret: body.client_secret as string, basic: false };
}

const BASIC = { "WWW-Authenticate": 'Basic realm="tabib"' };

export function oauthTokenRouter(ctx: AppContext, limiter: Limiter): express.Router {
  const router = express.Router();

  router.post("/oauth2/token", form, async (req: Request, res: Response, next) => {
    res.set({ "Cache-Control": "no-store", Pragma: "no-cache" });
    try {
      const address = await limiter.take(LIMITS.tokenRequestsPerAddress, req.ip ?? "unknown", ctx.now());
      if (!address.allowed) {
        res.set("Retry-After", String(address.retryAfterSeconds));
        res.status(429).json({ error: "slow_down", error_description: "Too many token requests; try again later" });
        return;
      }
      if (!req.is("application/x-www-form-urlencoded"))
        throw new TokenRefusal("invalid_request", "Send the request as application/x-www-form-urlencoded");
      const body = (req.body ?? {}) as Record<string, unknown>;
      const client = credentials(req, body);
      const tried = await limiter.check(LIMITS.tokenFailuresPerClient, client.id, ctx.now());
      if (!tried.allowed) {
        res.set("Retry-After", String(tried.retryAfterSeconds));
        res.status(429).json({ error: "slow_down", error_description: "Too many failed attempts for this client" });
        return;
      }
      const found = await authenticateApiClient(ctx.db, client.id, client.secret);
      if (!found) {
        await limiter.record(LIMITS.tokenFailuresPerClient, client.id, ctx.now());
        ctx.logger.info({ ip: req.ip }, "API client authentication refused");
        throw new TokenRefusal(
          "invalid_client",
          "Unknown client, wrong secret, or revoked client",
          401,
          client.basic ? BASIC : { "WWW-Authenticate": 'Bearer realm="tabib"' },
        );
      }
      if (typeof body.grant_type !== "string") throw new TokenRefusal("invalid_request", "grant_type is required");
      if (body.grant_type !== "client_credentials")
        throw new TokenRefusal("unsupported_grant_type", "Only grant_type=client_credentials is supported");
      const granted = parseScopes(found.scopes).grants;
      let scope = found.scopes;
      if (typeof body.scope === "string" && body.scope.trim() !== "") {
        const asked = parseScopes(body.scope.trim());
        if (asked.unknown.length > 0)
          throw new TokenRefusal("invalid_scope", `Unknown scope: ${asked.unknown.slice(0, 3).join(" ")}`);
        if (!covers(granted, asked.grants))
          throw new TokenRefusal("invalid_scope", "The scope asked for is more than this client was granted");
        scope = [...new Set(body.scope.trim().split(" ").filter(Boolean))].join(" ");
      }
      const { token, expiresIn } = signClientToken(ctx, found, scope);
      await recordAudit(ctx.db, {
        actor: { kind: "client", clientId: found.id },
        action: "api_client.token",
        resourceType: "api_client",
        resourceId: found.id,
        ip: req.ip ?? null,
        detail: { scope },
      });
      res.json({ access_token: token, token_type: "Bearer", expires_in: expiresIn, scope });
    } catch (err) {
      if (!(err instanceof TokenRefusal)) return next(err);
      res.set(err.headers).status(err.status).json({ error: err.error, error_description: err.description });
    }
  });

  return router;
}
