import { triageRoutes } from "./routes/triage.js";
import express from "express";
import swaggerUi from "swagger-ui-express";
import type { AppContext } from "../context.js";
import { sharedLimiter, type Limiter } from "../domain/limits.js";
import { buildOpenApiDocument, newApiRegistry, type OpenApiDocument } from "./openapi.js";
import { ApiRoutes } from "./route.js";
import { appointmentTypeRoutes } from "./routes/appointment-types.js";
import { appointmentRoutes } from "./routes/appointments.js";
import { authRoutes } from "./routes/auth.js";
import { availabilityRoutes } from "./routes/availability.js";
import { clinicRoutes } from "./routes/clinic.js";
import { deliveryRoutes } from "./routes/deliveries.js";
import { doctorRoutes } from "./routes/doctors.js";
import { emergencyRoutes } from "./routes/emergencies.js";
import { exceptionRoutes } from "./routes/exceptions.js";
import { invoiceRoutes } from "./routes/invoices.js";
import { followUpRoutes } from "./routes/follow-ups.js";
import { patientRoutes } from "./routes/patients.js";
import { recordRoutes } from "./routes/records.js";
import { reportApiRoutes } from "./routes/reports.js";
import { specialtyRoutes } from "./routes/specialties.js";
import { staffRoutes } from "./routes/staff.js";
import { waitlistRoutes } from "./routes/waitlist.js";

/**
 * Tabib's staff and integration API, to be mounted at /api after `express.json()` and
 * followed by the app's errorHandler. Also serves its OpenAPI document and Swagger UI.
 */
export function apiRouter(ctx: AppContext, opts: { limiter?: Limiter } = {}): express.Router {
  const router = express.Router();
  const registry = newApiRegistry();
  const api = new ApiRoutes(ctx, router, registry);

  authRoutes(api, ctx, opts.limiter ?? sharedLimiter(ctx));
  staffRoutes(api, ctx);
  clinicRoutes(api, ctx);
  specialtyRoutes(api, ctx);
  doctorRoutes(api, ctx);
  exceptionRoutes(api, ctx);
  appointmentTypeRoutes(api, ctx);
  patientRoutes(api, ctx);
  recordRoutes(api, ctx);
  availabilityRoutes(api, ctx);
  appointmentRoutes(api, ctx);
  triageRoutes(api, ctx);
  waitlistRoutes(api, ctx);
  emergencyRoutes(api, ctx);
  invoiceRoutes(api, ctx);
  reportApiRoutes(api, ctx);
  deliveryRoutes(api, ctx);
  followUpRoutes(api, ctx);

  const document: OpenApiDocument = buildOpenApiDocument(registry);
  router.get("/openapi.json", (_req, res) => {
    res.json(document);
  });
  // The page loads its assets by relative URL, so it must be addressed as /docs/.
  router.get("/docs", (req, res, next) => {
    const [path, query] = req.originalUrl.split("?");
    if (path!.endsWith("/")) return next();
    res.redirect(301, `${path}/${query !== undefined ? `?${query}` : ""}`);
  });
  // swagger-ui-dist's own files, served from node_modules: the docs work offline and under a strict CSP.
  router.use("/docs", swaggerUi.serveFiles(document), swaggerUi.setup(document, { customSiteTitle: "Tabib API" }));

  return router;
}
