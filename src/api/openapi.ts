import { OpenAPIRegistry, OpenApiGeneratorV3 } from "@asteasolutions/zod-to-openapi";

/** A registry with the staff bearer scheme; routes add themselves to it as they are declared. */
export function newApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "Token from POST /auth/login",
  });
  return registry;
}

export type OpenApiDocument = ReturnType<OpenApiGeneratorV3["generateDocument"]>;

/** The OpenAPI 3.0 document for everything registered, served relative to the API root. */
export function buildOpenApiDocument(registry: OpenAPIRegistry): OpenApiDocument {
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: "3.0.3",
    info: {
      title: "Tabib staff API",
      version: "1",
      description:
        "JSON API for clinic staff and integrations: directory, schedules, patients, availability and appointments. " +
        "Timestamps are ISO 8601; instants sent in must carry an offset. Errors are `{error, message}`; a 400 names the bad `field`.",
      license: { name: "AGPL-3.0-or-later" },
    },
    servers: [{ url: "/api" }],
  });
}
