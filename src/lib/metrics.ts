import type { Request, RequestHandler } from "express";
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** Prometheus registry of the process: Node's default metrics plus HTTP timings. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const httpDuration = new Histogram({
  name: "http_request_duration_seconds",
  help: "Time from receiving an HTTP request to finishing its response, by matched route.",
  labelNames: ["method", "route", "status"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

// Mount paths are real URL prefixes, not patterns; a router mounted under a parameter
// (`/doctors/:id/...`) would put the id in req.baseUrl, so id-like segments are masked.
const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f-]{27}|[0-9A-Za-z_-]{20,}|c[0-9a-z]{24})$/i;
const maskIds = (prefix: string): string =>
  prefix
    .split("/")
    .map((s) => (ID_SEGMENT.test(s) ? ":id" : s))
    .join("/");

/**
 * The route pattern that handled a request ("/api/appointments/:id"), never the raw URL:
 * URLs carry patient and appointment ids, which would leak into labels and explode cardinality.
 */
export function routeLabel(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  if (!route) return "unmatched";
  const path = typeof route.path === "string" ? route.path : String(route.path);
  return `${maskIds(req.baseUrl)}${path === "/" && req.baseUrl ? "" : path}` || "/";
}

/** Records every request's duration once its response is finished (or aborted). */
export const metricsMiddleware: RequestHandler = (req, res, next) => {
  const end = httpDuration.startTimer();
  res.once("close", () => {
    end({ method: req.method, route: routeLabel(req), status: String(res.statusCode) });
  });
  next();
};

/** GET /metrics: the Prometheus text exposition format. */
export const metricsHandler: RequestHandler = async (_req, res, next) => {
  try {
    res.set("Content-Type", metricsRegistry.contentType).send(await metricsRegistry.metrics());
  } catch (err) {
    next(err);
  }
};
