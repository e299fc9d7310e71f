import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import { ZodError } from "zod";
import { DomainError, type DomainErrorCode } from "../domain/errors.js";

const STATUS: Record<DomainErrorCode, number> = {
  not_found: 404,
  invalid: 400,
  slot_taken: 409,
  slot_unavailable: 409,
  in_the_past: 422,
  notice_too_short: 422,
  inside_cutoff: 422,
  invalid_transition: 409,
  forbidden: 403,
  conflict: 409,
};

/** Maps a zod failure to a 400 that names the first bad field. */
export function zodProblem(err: ZodError): {
  error: "invalid";
  message: string;
  field: string;
  issues: { field: string; message: string }[];
} {
  const issues = err.issues.map((i) => ({ field: i.path.join(".") || "(body)", message: i.message }));
  const first = issues[0] ?? { field: "(body)", message: "invalid" };
  return { error: "invalid", message: `${first.field}: ${first.message}`, field: first.field, issues };
}

/** body-parser's refusal of a body over the route's limit (type entity.too.large, status 413). */
export function isBodyTooLarge(err: unknown): boolean {
  const e = err as { type?: unknown; status?: unknown } | null;
  return e?.type === "entity.too.large" || e?.status === 413;
}

/** The answer to an oversize body, on every door that answers JSON. */
export function bodyTooLarge(err: unknown): { error: "payload_too_large"; message: string } {
  const limit = (err as { limit?: unknown }).limit;
  return {
    error: "payload_too_large",
    message: `The request body is too large${typeof limit === "number" ? `: at most ${limit} bytes are accepted here` : ""}`,
  };
}

/** Last middleware: domain errors become their status, anything else a bare 500 — never a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof ZodError) {
      res.status(400).json(zodProblem(err));
      return;
    }
    if (err instanceof DomainError) {
      res.status(STATUS[err.code]).json({ error: err.code, message: err.message, ...err.details });
      return;
    }
    if (isBodyTooLarge(err)) {
      res.status(413).json(bodyTooLarge(err));
      return;
    }
    // Other body-parser failures (malformed JSON, a charset it cannot read) carry their own 4xx status.
    const status = typeof err?.status === "number" && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status < 500) {
      res.status(status).json({
        error: err.type ?? "bad_request",
        message: "Malformed request body",
      });
      return;
    }
    logger.error({ err, method: req.method, route: req.route?.path ?? req.baseUrl }, "unhandled error");
    res.status(500).json({ error: "internal", message: "Something went wrong on our side" });
  };
}
