import { readFileSync } from "node:fs";
import express, { type NextFunction, type Request, type Response } from "express";
import type { AppContext } from "../context.js";
import { requireStaff, staffActor } from "../http/auth.js";
import { FhirError } from "./errors.js";
import { appointmentHandler } from "./handlers/appointment.js";
import type { ResourceHandler } from "./handlers/handler.js";
import { patientHandler } from "./handlers/patient.js";
import { practitionerHandler } from "./handlers/practitioner.js";
import { scheduleHandler } from "./handlers/schedule.js";
import { slotHandler } from "./handlers/slot.js";
import { fhirBase, fhirErrorHandler, sendFhir } from "./http.js";
import { searchsetBundle } from "./resources/bundle.js";
import { capabilityStatement } from "./resources/capability-statement.js";
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
 * Appointment, plus the CapabilityStatement at /metadata (the only route open without a token).
 */
export function fhirRouter(ctx: AppContext): express.Router {
  const router = express.Router();
  const handlers = new Map(FHIR_HANDLERS.map((h) => [h.type, h]));

  router.get("/metadata", (req, res) => {
    sendFhir(
      res,
      200,
      capabilityStatement({ base: fhirBase(ctx, req), now: ctx.now(), softwareVersion, resources: [...FHIR_HANDLERS] }),
    );
  });

  router.use(requireStaff(ctx));

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const staff = req.staff!;
    const clinic = await ctx.db.prisma.clinic.findUnique({
      where: { id: staff.clinicId },
      select: { id: true, name: true, timeZone: true, defaultLocale: true },
    });
    if (!clinic) throw new FhirError(403, "forbidden", "The token's clinic does not exist");
    const scope: FhirScope = {
      ctx,
      staff,
      actor: staffActor(staff),
      clinic: { id: clinic.id, name: clinic.name, timeZone: clinic.timeZone, locale: clinic.defaultLocale },
      now: ctx.now(),
      ...(req.ip ? { ip: req.ip } : {}),
    };
    res.locals.fhirScope = scope;
    next();
  });

  const handlerFor = (type: string): ResourceHandler => {
    const h = handlers.get(type);
    if (!h) throw new FhirError(404, "not-supported", `Resource type ${type} is not supported here`);
    return h;
  };

  router.get("/:type", async (req, res) => {
    const handler = handlerFor(req.params.type!);
    const scope = res.locals.fhirScope as FhirScope;
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
    const handler = handlerFor(req.params.type!);
    const resource = await handler.read(res.locals.fhirScope as FhirScope, req.params.id!);
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
