import { randomUUID } from "node:crypto";
import express from "express";
import { beforeAll, describe, expect, it } from "vitest";
import type { StaffRole } from "../../src/domain/actor.js";
import { clinicalRoutes } from "../../src/console/clinical.js";
import type { Guard } from "../../src/console/http.js";
import { CONSOLE_PREFIXES, consoleRouter } from "../../src/console/router.js";
import { totpCode, totpStep } from "../../src/console/totp.js";
import type { AppContext } from "../../src/context.js";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { csrfOf, signIn, startConsole, Visitor } from "./support.js";

/*
 * The console's routes are read off its Express router, not listed by hand: a route added
 * tomorrow is checked by these tests the day it is added.
 */

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: unknown }[] };
  rawPath?: unknown;
  handle: unknown;
}

interface Served {
  method: string;
  path: string;
  /** Whom the route's guard lets through; null when it has none. */
  admits: Guard["admits"] | null;
}

const guardOf = (handle: unknown): Guard["admits"] | null =>
  typeof handle === "function" && "admits" in handle ? (handle as Guard).admits : null;

const key = (r: Served) => `${r.method} ${r.path}`;

/** Every method+path a router serves, with its guard; a guarded mount (the queue board) as GET and POST of its path. */
function servedBy(router: express.Router): Served[] {
  const stack = (router as unknown as { stack: Layer[] }).stack;
  const routes = stack
    .filter((layer) => layer.route)
    .flatMap(({ route }) => {
      const admits = route!.stack.map((s) => guardOf(s.handle)).find((g) => g) ?? null;
      return Object.keys(route!.methods).map((m) => ({ method: m.toUpperCase(), path: route!.path, admits }));
    });
  const mounts = stack
    .filter((layer) => !layer.route && guardOf(layer.handle) && typeof layer.rawPath === "string")
    .flatMap((layer) =>
      ["GET", "POST"].map((method) => ({ method, path: layer.rawPath as string, admits: guardOf(layer.handle) })),
    );
  // "GET /" is registered twice: the session loader first, then the page behind its guard.
  const byKey = new Map<string, Served>();
  for (const r of [...routes, ...mounts]) {
    const seen = byKey.get(key(r));
    byKey.set(key(r), { ...r, admits: seen?.admits ?? r.admits });
  }
  return [...byKey.values()];
}

/** The routes open to anyone, by design. */
const PUBLIC = [
  "GET /assets/htmx.min.js",
  "GET /login",
  "POST /login",
  "GET /language/:code",
  "GET /assets/chart.umd.min.js",
  "GET /assets/fullcalendar.js",
  "GET /assets/fullcalendar-fr.js",
];

let world: ApiWorld;
let ctx: AppContext;
let base: string;
let served: Served[];
const real = { appointment: "", patient: "" };

beforeAll(async () => {
  world = await demoWorld();
  // With Redis configured, the queue board is mounted and checked like the rest.
  ctx = { ...world.ctx, config: { ...world.ctx.config, REDIS_URL: process.env.REDIS_URL } };
  base = await startConsole(ctx);
  served = servedBy(consoleRouter(ctx));
  const prisma = ctx.db.prisma;
  const doctor = await prisma.doctor.findFirstOrThrow({ where: { clinicId: world.clinicId } });
  const type = await prisma.appointmentType.findFirstOrThrow({ where: { clinicId: world.clinicId } });
  const patient = await prisma.patient.create({
    data: { clinicId: world.clinicId, firstName: "Claire", lastName: "Dupont", phone: "+33611111111" },
  });
  const startsAt = new Date("2026-12-07T14:00:00Z");
  const appointment = await prisma.appointment.create({
    data: {
      clinicId: world.clinicId,
      doctorId: doctor.id,
      patientId: patient.id,
      typeId: type.id,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 30 * 60_000),
      status: "requested",
      sourceChannel: "sms",
    },
  });
  real.appointment = appointment.id;
  real.patient = patient.id;
});

/** A concrete URL for a route: real ids of this clinic where the path names an appointment or a patient. */
function urlOf(path: string): string {
  return path
    .replace(/^\/(requests|appointments)\/:id/, `/$1/${real.appointment}`)
    .replace(/^\/patients\/:id/, `/patients/${real.patient}`)
    .replace(/:code/, "en")
    .replace(/:\w+/g, () => randomUUID());
}

describe("the console's routes, read from its router", () => {
  it("the only routes without a guard are the login form, the language switch and the static scripts", () => {
    expect(served.length).toBeGreaterThan(80);
    expect(served.filter((r) => !r.admits).map(key)).toEqual(PUBLIC);
    expect(served.find((r) => key(r) === "GET /")?.admits?.roles).toEqual(["admin", "secretary", "doctor"]);
  });

  it("every guarded route sits under a path where the console loads the session", () => {
    const underPrefix = (path: string) =>
      path === "/" || CONSOLE_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
    expect(served.filter((r) => r.admits && !underPrefix(r.path)).map(key)).toEqual([]);
  });

  it("a logged-out visitor gets the login page for every console route, and nothing they post is carried out", async () => {
    const v = new Visitor(base);
    const auditBefore = await ctx.db.prisma.auditLog.count();
    for (const route of served.filter((r) => r.admits)) {
      const url = urlOf(route.path);
      if (route.method === "GET") {
        const answer = await v.get(url);
        expect(answer.status, key(route)).toBe(303);
        expect(answer.location, key(route)).toBe(`/login?next=${encodeURIComponent(url)}`);
        const login = await v.follow(answer);
        expect(login.html, key(route)).toContain('action="/login"');
      } else {
        const answer = await v.post(url, { reason: "test", note: "test" });
        expect(answer.status, key(route)).toBe(303);
        expect(answer.location, key(route)).toBe("/login");
        // htmx asks for the redirect in a header instead of following a 303 in place.
        const htmx = await v.post(url, {}, { "hx-request": "true" });
        expect(htmx.status, key(route)).toBe(401);
        expect(htmx.location, key(route)).toBeNull();
      }
    }
    expect(await ctx.db.prisma.auditLog.count()).toBe(auditBefore);
    const appointment = await ctx.db.prisma.appointment.findUniqueOrThrow({ where: { id: real.appointment } });
    expect(appointment.status).toBe("requested");
    expect(await ctx.db.prisma.patient.count({ where: { id: real.patient, erasedAt: null } })).toBe(1);
  });
});

describe("the console's roles, read from its router", () => {
  const visitors = {} as Record<StaffRole, { v: Visitor; csrf: string }>;

  beforeAll(async () => {
    for (const role of ["secretary", "doctor", "admin"] as const) {
      const v = new Visitor(base);
      const answer = await signIn(v, world.credentials[role].email, world.credentials[role].password);
      let page = await v.follow(answer);
      if (answer.location === "/mfa/setup") {
        const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(page.html)![1]!.replace(/ /g, "");
        page = await v.post("/mfa/setup", { _csrf: csrfOf(page.html), code: totpCode(secret, totpStep(ctx.now())) });
      }
      expect(page.status, role).toBe(200);
      visitors[role] = { v, csrf: csrfOf(page.html) };
    }
  });

  it("every clinical-record route admits doctors only", () => {
    const clinical = express.Router();
    clinicalRoutes(clinical, ctx);
    const routes = servedBy(clinical);
    expect(routes.length).toBeGreaterThan(5);
    for (const route of routes) expect(route.admits?.roles, key(route)).toEqual(["doctor"]);
    // …and the console serves each of them with that same guard.
    for (const route of routes) expect(served.find((r) => key(r) === key(route))?.admits?.roles).toEqual(["doctor"]);
  });

  it("every /admin route admits admins only", () => {
    const admin = served.filter((r) => r.path.startsWith("/admin/"));
    expect(admin.length).toBeGreaterThan(10);
    expect(admin.filter((r) => r.admits?.roles.join() !== "admin").map(key)).toEqual([]);
  });

  it("each route refuses, with its CSRF token valid, every role its guard does not admit", async () => {
    const auditBefore = await ctx.db.prisma.auditLog.count({ where: { action: { not: { startsWith: "staff." } } } });
    let refusals = 0;
    for (const route of served.filter((r) => r.admits?.stages.includes("ready"))) {
      for (const role of (["secretary", "doctor", "admin"] as const).filter((r) => !route.admits!.roles.includes(r))) {
        const { v, csrf } = visitors[role];
        const url = urlOf(route.path);
        const answer =
          route.method === "GET"
            ? await v.get(url)
            : await v.post(url, { _csrf: csrf, reason: "test" }, { "x-csrf-token": csrf, origin: base });
        expect(answer.status, `${role} ${key(route)}`).toBe(403);
        expect(answer.html, `${role} ${key(route)}`).toContain("avez pas accès à cette page ou à ce dossier.");
        refusals++;
      }
    }
    expect(refusals).toBeGreaterThan(60);
    expect(await ctx.db.prisma.auditLog.count({ where: { action: { not: { startsWith: "staff." } } } })).toBe(
      auditBefore,
    );
  });
});
