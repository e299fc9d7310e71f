import express from "express";
import helmet from "helmet";
import { trustProxySetting } from "./config.js";
import type { AppContext } from "./context.js";
import { bodyTooLarge, errorHandler, isBodyTooLarge } from "./http/errors.js";
import { healthHandler } from "./lib/health.js";
import { metricsHandler, metricsMiddleware } from "./lib/metrics.js";

/** A router and the path it is mounted on. */
export interface MountedRouter {
  path: string;
  router: express.Router;
}

/**
 * The HTTP application: security headers, JSON bodies, metrics, /health, /metrics, then the
 * given routers, then JSON 404s for the API namespaces and the error handler.
 */
export function createApp(ctx: AppContext, extra: { routers?: MountedRouter[] } = {}): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // Behind a reverse proxy, req.ip (rate limits, the audit log) is the client the trusted hops
  // name in X-Forwarded-For; without TRUST_PROXY that header is ignored, as anyone can send it.
  if (ctx.config.TRUST_PROXY) app.set("trust proxy", trustProxySetting(ctx.config.TRUST_PROXY));

  // The console and chat pages are server-rendered and load only their own scripts and
  // styles: nothing from a CDN, no inline scripts. Swagger UI needs inline styles and data: images.
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          "default-src": ["'self'"],
          "base-uri": ["'self'"],
          "script-src": ["'self'"],
          "style-src": ["'self'", "'unsafe-inline'"],
          "img-src": ["'self'", "data:"],
          "font-src": ["'self'", "data:"],
          "connect-src": ["'self'"],
          "form-action": ["'self'"],
          "frame-ancestors": ["'none'"],
          "object-src": ["'none'"],
          "script-src-attr": ["'none'"],
          // Not upgrade-insecure-requests: on plain-HTTP localhost it would break every asset.
        },
      },
    }),
  );
  app.use(metricsMiddleware);
  // Webhook signatures (WhatsApp's X-Hub-Signature-256) cover the exact bytes received.
  app.use(
    express.json({
      limit: "1mb",
      verify: (req, _res, buf) => {
        (req as typeof req & { rawBody?: Buffer }).rawBody = buf;
      },
    }),
  );

  app.get("/health", healthHandler(ctx));
  // Browsers ask for it on every page; there is no icon yet, and a 404 would fill their consoles.
  app.get("/favicon.ico", (_req, res) => res.status(204).end());
  app.get("/metrics", metricsHandler);

  for (const { path, router } of extra.routers ?? []) app.use(path, router);

  app.use("/api", (req, res) => {
    res.status(404).json({ error: "not_found", message: `No API route for ${req.method} ${req.baseUrl}${req.path}` });
  });
  const outcome = (code: string, diagnostics: string) => ({
    resourceType: "OperationOutcome",
    issue: [{ severity: "error", code, diagnostics }],
  });
  app.use("/fhir", (req, res) => {
    res
      .status(404)
      .type("application/fhir+json")
      .json(outcome("not-found", `No FHIR route for ${req.method} ${req.baseUrl}${req.path}`));
  });
  // A body refused before reaching the FHIR router still gets a FHIR answer.
  app.use("/fhir", ((err, _req, res, next) => {
    if (res.headersSent || !isBodyTooLarge(err)) return next(err);
    res
      .status(413)
      .type("application/fhir+json")
      .json(outcome("too-long", bodyTooLarge(err).message));
  }) as express.ErrorRequestHandler);

  app.use(errorHandler(ctx.logger));
  return app;
}
