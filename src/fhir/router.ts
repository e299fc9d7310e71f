import { readFileSync } from "node:fs";
import express, { type NextFunction, type Request, type Response } from "express";
import type { AppContext } from "../context.js";
import type { Interaction } from "../domain/access-scopes.js";
import { callerActor, challenge, forbiddenReason, identify, isRefusal } from "../http/auth.js";
import { FhirError } from "./errors.js";
import { appointmentHandler } from "./handlers/appointment.js";
import { INTERACTION_SCOPE, type ResourceHandler } from "./handlers/handler.js";
import { patientHandler } from "./handlers/patient.js";
import { practitionerHandler } from "./handlers/practitioner.js";
import { scheduleHandler } from "./handlers/schedule.js";
import { slotHandler } from "./handlers/slot.js";
import { fhirBase, fhirErrorHandler, publicOrigin, sendFhir } from "./http.js";
import { searchsetBundle } from "./resources/bundle.js";
import { capabilityStatement, smartConfiguration } from "./resources/capability-statement.js";
import { operationOutcome } from "./resources/operation-outcome.js";
import type { BundleLink, OperationOutcomeIssue } from "./resources/types.js";
import { SearchRequest } from "./search/params.js";
import type { FhirScope } from "./scope.js";

export const FHIR_HANDLERS: readonly ResourceHandler[] = [
  patientHandler,
  practitionerHandler,
  scheduleHandler,
  slotHandler,
  appointmentHandler,
];

const softwareVersion = (() => {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
      .version;
  } catch {
    return "unknown";
  }
})();

/**
 * The FHIR R4 facade: read and search-type for Patient, Practitioner, Schedule, Slot and
 * Appointment, for staff tokens and API clients' tokens (SMART system scopes); the
 * CapabilityStatement at /metadata and the SMART configuration are open without a token.
 */
export function fhirRouter(ctx: AppContext): express.Router {
  const router = express.Router();
  const handlers = new Map(FHIR_HANDLERS.map((h) => [h.type, h]));

  router.get("/metadata", (req, res) => {
    sendFhir(
      res,
      200,
      capabilityStatement({
        base: fhirBase(ctx, req),
        tokenEndpoint: `${publicOrigin(ctx, req)}/oauth2/token`,
        now: ctx.now(),
        softwareVersion,
        resources: [...FHIR_HANDLERS],
      }),
    );
  });

  router.get("/.well-known/smart-configuration", (req, res) => {
    res.set("Cache-Control", "max-age=3600").json(smartConfiguration(`${publicOrigin(ctx, req)}/oauth2/token`));
  });

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const caller = await identify(ctx, req);
    if (isRefusal(caller)) {
      res.set("WWW-Authenticate", challenge(caller));
      throw new FhirError(401, caller.error === "mfa_required" ? "security" : "login", caller.message);
    }
    const clinic = await ctx.db.prisma.clinic.findUnique({
      where: { id: caller.clinicId },
      select: { id: true, name: true, timeZone: true, defaultLocale: true },
    });
    if (!clinic) throw new FhirError(403, "forbidden", "The token's clinic does not exist");
    const scope: FhirScope = {
      ctx,
      caller,
      actor: callerActor(caller),
      clinic: { id: clinic.id, name: clinic.name, timeZone: clinic.timeZone, locale: clinic.defaultLocale },
      now: ctx.now(),
      ...(req.ip ? { ip: req.ip } : {}),
    };
    res.locals.fhirScope = scope;
    next();
  });

  /** The handler for a type, once the caller is admitted to this interaction on it (role-free for staff). */
  const handlerFor = (type: string, interaction: Interaction, scope: FhirScope): ResourceHandler => {
    const h = handlers.get(type as ResourceHandler["type"]);
    if (!h) throw new FhirError(404, "not-supported", `Resource type ${type} is not supported here`);
    const refused = forbiddenReason(scope.caller, {
      roles: ["admin", "secretary", "doctor"],
      scope: { resource: h.type, interaction },
    });
    if (refused) throw new FhirError(403, "forbidden", refused);
    return h;
  };

  router.get("/:type", async (req, res) => {
    const scope = res.locals.fhirScope as FhirScope;
    const handler = handlerFor(req.params.type!, INTERACTION_SCOPE["search-type"], scope);
    const at = req.originalUrl.indexOf("?");
    const query = new URLSearchParams(at >= 0 ? req.originalUrl.slice(at + 1) : "");
    const strict = /(^|[;,\s])handling\s*=\s*strict\b/i.test(req.get("prefer") ?? "");
    const q = new SearchRequest(query, handler.searchParams, { strict });
    const result = await handler.search(scope, q);
    const issues: OperationOutcomeIssue[] = [...(result.issues ?? [])];
    if (q.ignored.length > 0) {
      issues.push({
        severity: "information",
        code: "not-supported",
        diagnostics: `Ignored unknown search parameters: ${q.ignored.join(", ")}`,
        expression: q.ignored,
      });
    }
    const base = fhirBase(ctx, req);
    const url = (offset: number) => `${base}/${handler.type}?${q.pageQuery(offset)}`;
    const links: BundleLink[] = [
      { relation: "self", url: url(q.offset) },
      { relation: "first", url: url(0) },
    ];
    if (q.offset > 0 && q.count > 0) links.push({ relation: "previous", url: url(Math.max(0, q.offset - q.count)) });
    if (q.count > 0 && q.offset + q.count < result.total)
      links.push({ relation: "next", url: url(q.offset + q.count) });
    sendFhir(
      res,
      200,
      searchsetBundle({
        base,
        total: result.total,
        resources: result.resources,
        links,
        now: scope.now,
        ...(issues.length > 0 ? { outcome: { resourceType: "OperationOutcome", issue: issues } } : {}),
      }),
    );
  });

  router.get("/:type/:id", async (req, res) => {
    const scope = res.locals.fhirScope as FhirScope;
    const handler = handlerFor(req.params.type!, INTERACTION_SCOPE.read, scope);
    const resource = await handler.read(scope, req.params.id!);
    if (!resource) throw new FhirError(404, "not-found", `${handler.type}/${req.params.id} is not known`);
    sendFhir(res, 200, resource);
  });

  // Writes, history and operations are not offered: say so in FHIR terms rather than with HTML.
  router.all("/{*rest}", (req, res) => {
    const status = req.method === "GET" || req.method === "HEAD" ? 404 : 405;
    sendFhir(
      res,
      status,
      operationOutcome(
        "error",
        "not-supported",
        `${req.method} ${req.baseUrl}${req.path} is not supported by this read-only endpoint`,
      ),
    );
  });

  router.use(fhirErrorHandler(ctx.logger));
  return router;
}
