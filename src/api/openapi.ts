import { OpenAPIRegistry, OpenApiGeneratorV3 } from "@asteasolutions/zod-to-openapi";
import { SCOPE_RESOURCES } from "../domain/access-scopes.js";

const WHAT: Record<string, string> = {
  read: "read and search",
  write: "create, update and delete",
  c: "create",
  r: "read one",
  u: "update",
  d: "delete",
  s: "search and list",
  cruds: "everything",
};

/** Every scope a route can name, with what it allows. */
const clientScopes = (): Record<string, string> =>
  Object.fromEntries(
    ["*", ...SCOPE_RESOURCES].flatMap((resource) =>
      Object.entries(WHAT).map(([letters, what]) => [
        `system/${resource}.${letters}`,
        `${what}: ${resource === "*" ? "every resource" : resource}`,
      ]),
    ),
  );

/** A registry with the staff bearer scheme; routes add themselves to it as they are declared. */
export function newApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "A staff token from POST /auth/login (with `code` for accounts that use two-factor), or a client's token from POST /oauth2/token",
  });
  registry.registerComponent("securitySchemes", "oauth2", {
    type: "oauth2",
    description:
      "Machine clients (created by an admin in the console under API clients) get a short-lived bearer token with OAuth 2.0 client credentials; each operation lists the SMART scopes that admit a client.",
    flows: { clientCredentials: { tokenUrl: "/oauth2/token", scopes: clientScopes() } },
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
