import { expect } from "vitest";
import { totpCode, totpStep } from "../../src/console/totp.js";
import type { ApiWorld } from "../api/support.js";
import { csrfOf, signIn, Visitor } from "./support.js";

const signedIn = new WeakMap<ApiWorld, Map<string, Visitor>>();

/**
 * A signed-in console visitor, one per role and language for each world; doctors and admins
 * enrol in TOTP at their first sign-in, as the console requires (a TOTP code serves only once).
 */
export async function staffVisitor(
  world: ApiWorld,
  base: string,
  role: "admin" | "secretary" | "doctor",
  language = "fr",
): Promise<Visitor> {
  const cache = signedIn.get(world) ?? new Map<string, Visitor>();
  signedIn.set(world, cache);
  const key = `${base}|${role}|${language}`;
  const known = cache.get(key);
  if (known) return known;
  const v = new Visitor(base, language);
  cache.set(key, v);
  const who = world.credentials[role];
  const answer = await signIn(v, who.email, who.password);
  if (answer.location === "/mfa/setup") {
    const setup = await v.get("/mfa/setup");
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.html)![1]!.replace(/ /g, "");
    const done = await v.post("/mfa/setup", {
      _csrf: csrfOf(setup.html),
      code: totpCode(secret, totpStep(world.ctx.now())),
    });
    expect(done.status).toBe(200);
  } else {
    expect(answer.location).toBe("/");
  }
  return v;
}

/** Posts JSON with the page's CSRF token in the header, as the calendar's script does. */
export async function postJson(
  v: Visitor,
  base: string,
  path: string,
  csrf: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const cookie = [...v.cookies].map(([k, val]) => `${k}=${val}`).join("; ");
  const res = await fetch(new URL(path, base), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf, cookie },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith("{") ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Paris wall-clock "YYYY-MM-DDTHH:MM" in December (UTC+1) as an instant. */
export const parisDecember = (local: string): Date => new Date(`${local}:00+01:00`);
