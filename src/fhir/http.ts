import type { ErrorRequestHandler, Request, Response } from "express";
import type { Logger } from "pino";
import type { AppContext } from "../context.js";
import { DomainError } from "../domain/errors.js";
import { FhirError } from "./errors.js";
import { operationOutcome } from "./resources/operation-outcome.js";
import type { Resource } from "./resources/types.js";

export const FHIR_JSON = "application/fhir+json; charset=utf-8";

export function sendFhir(res: Response, status: number, body: Resource): void {
  res.status(status).set("Content-Type", FHIR_JSON).send(JSON.stringify(body));
}

/** Where Tabib is reached: PUBLIC_URL when set, else the request's own scheme and host. */
export function publicOrigin(ctx: AppContext, req: Request): string {
  return ctx.config.PUBLIC_URL ? ctx.config.PUBLIC_URL.replace(/\/+$/, "") : `${req.protocol}://${req.get("host")}`;
}

/** Absolute base of the FHIR endpoint for fullUrl and links. */
export function fhirBase(ctx: AppContext, req: Request): string {
  return `${publicOrigin(ctx, req)}${req.baseUrl}`;
}

const DOMAIN_STATUS: Partial<Record<DomainError["code"], number>> = { not_found: 404, invalid: 400, forbidden: 403 };

/** Every failure under /fhir answers an OperationOutcome; unexpected ones are logged without request content. */
export function fhirErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof FhirError) {
      sendFhir(res, err.status, operationOutcome("error", err.issueCode, err.message, err.expression));
      return;
    }
    if (err instanceof DomainError && DOMAIN_STATUS[err.code]) {
      sendFhir(
        res,
        DOMAIN_STATUS[err.code]!,
        operationOutcome("error", err.code === "not_found" ? "not-found" : "invalid", err.message),
      );
      return;
    }
    logger.error({ err, method: req.method, route: req.route?.path ?? req.baseUrl }, "FHIR request failed");
    sendFhir(res, 500, operationOutcome("fatal", "exception", "Something went wrong on our side"));
  };
}
