import { beforeAll, describe, expect, it } from "vitest";
import { totpCode, totpStep } from "../../src/console/totp.js";
import type { AppContext } from "../../src/context.js";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { csrfOf, signIn, startConsole, Visitor } from "./support.js";

// The dashboard exists only with Redis (REDIS_URL): without queues there is nothing to show.
const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn("console/queues.test.ts skipped: set REDIS_URL to run it");

describe.skipIf(!REDIS_URL)("the queue dashboard (Bull Board)", () => {
  let world: ApiWorld;
  let ctx: AppContext;
  let base: string;
  let admin: Visitor;

  beforeAll(async () => {
    world = await demoWorld();
    ctx = { ...world.ctx, config: { ...world.ctx.config, REDIS_URL } };
    base = await startConsole(ctx);
    admin = await signedInAdmin();
  });

  async function signedInAdmin(): Promise<Visitor> {
    const v = new Visitor(base);
    await signIn(v, world.credentials.admin.email, world.credentials.admin.password);
    const setup = await v.get("/mfa/setup");
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.html)![1]!.replace(/ /g, "");
    await v.post("/mfa/setup", { _csrf: csrfOf(setup.html), code: totpCode(secret, totpStep(ctx.now())) });
    return v;
  }

  it("a visitor without a session is sent to the login page", async () => {
    const page = await new Visitor(base).get("/admin/queues");
    expect(page.status).toBe(303);
    expect(page.location).toBe("/login?next=%2Fadmin%2Fqueues");
  });

  it("a secretary is refused", async () => {
    const v = new Visitor(base);
    await signIn(v, world.credentials.secretary.email, world.credentials.secretary.password);
    expect((await v.get("/admin/queues")).status).toBe(403);
    expect((await v.get("/admin/queues/api/queues")).status).toBe(403);
  });

  it("an admin sees the board and its queues: outbound replies and follow-ups", async () => {
    const v = admin;
    const page = await v.get("/admin/queues");
    expect(page.status).toBe(200);
    expect(page.html).toContain('<base href="/admin/queues/"');
    const api = await v.get("/admin/queues/api/queues?activeQueue=follow-ups");
    expect(api.status).toBe(200);
    const names = (JSON.parse(api.html) as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
    expect(names).toEqual(["follow-ups", "outbound"]);
  });

  it("an action without the console's own Origin is refused as cross-site", async () => {
    const put = (path: string, origin: string) =>
      fetch(base + path, {
        method: "PUT",
        headers: {
          origin,
          "content-type": "application/json",
          cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        },
        body: "{}",
      });
    expect((await put("/admin/queues/api/queues/outbound/pause", "https://evil.example")).status).toBe(403);
    expect((await put("/admin/queues/api/queues/follow-ups/resume", base)).status).toBe(200);
  });
});
