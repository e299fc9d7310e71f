import { beforeAll, describe, expect, it } from "vitest";
import { demoWorld, MONDAY_9AM_PARIS, startApi, type ApiWorld, type Client } from "./support.js";

let world: ApiWorld;
let api: Client;

beforeAll(async () => {
  world = await demoWorld();
  api = await startApi(world.ctx);
});

describe("staff login", () => {
  it("a secretary who logs in gets a token that opens the doctor list", async () => {
    const { email, password } = world.credentials.secretary;
    const login = await api.post("/auth/login", { email, password });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({
      token: expect.any(String),
      expiresIn: world.ctx.config.JWT_TTL_SECONDS,
      role: "secretary",
    });

    const doctors = await api.as(login.body.token).get("/doctors");
    expect(doctors.status).toBe(200);
    expect(doctors.body).toHaveLength(7);
    expect(doctors.body[0]).toMatchObject({
      lastName: expect.any(String),
      specialties: [expect.objectContaining({ code: expect.any(String) })],
    });
  });

  it("the email is matched whatever its case", async () => {
    const { email, password, code } = world.credentials.admin;
    expect((await api.post("/auth/login", { email: email.toUpperCase(), password, code: await code!() })).status).toBe(
      200,
    );
  });

  it("a logged-in doctor sees who they are", async () => {
    const doctor = await api.login(world.credentials.doctor);
    const me = await doctor.get("/auth/me");
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      email: world.credentials.doctor.email,
      role: "doctor",
      doctorId: expect.any(String),
      clinicId: world.clinicId,
    });
    expect(me.body).not.toHaveProperty("passwordHash");
  });

  it("wrong password and unknown email get the same 401", async () => {
    const wrong = await api.post("/auth/login", { email: world.credentials.admin.email, password: "not-the-password" });
    const unknown = await api.post("/auth/login", { email: "nobody@tabib.local", password: "not-the-password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    // A wrong password resets on the next good login.
    await api.login(world.credentials.admin);
  });

  it("a login without a password gets 400 naming 'password'", async () => {
    const res = await api.post("/auth/login", { email: world.credentials.admin.email });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("password");
  });

  it("a forged or expired token gets 401", async () => {
    expect((await api.as("not.a.jwt").get("/auth/me")).status).toBe(401);
  });
});

describe("lockout and rate limits", () => {
  it("five wrong passwords lock the account, even against the right password, for 15 minutes", async () => {
    const fresh = await startApi(world.ctx);
    const { email, password } = world.credentials.doctor;
    for (let i = 0; i < 5; i++)
      expect((await fresh.post("/auth/login", { email, password: `wrong-${i}` })).status).toBe(401);

    const locked = await fresh.post("/auth/login", { email, password });
    expect(locked.status).toBe(401);
    const row = await world.ctx.db.prisma.staffUser.findUniqueOrThrow({ where: { email } });
    expect(row.failedLogins).toBe(5);
    expect(row.lockedUntil?.getTime()).toBe(MONDAY_9AM_PARIS.getTime() + 15 * 60_000);

    world.setNow(new Date(MONDAY_9AM_PARIS.getTime() + 16 * 60_000));
    try {
      const again = await startApi(world.ctx);
      expect(
        (await again.post("/auth/login", { email, password, code: await world.credentials.doctor.code!() })).status,
      ).toBe(200);
      const after = await world.ctx.db.prisma.staffUser.findUniqueOrThrow({ where: { email } });
      expect(after).toMatchObject({ failedLogins: 0, lockedUntil: null });
    } finally {
      world.setNow(MONDAY_9AM_PARIS);
    }
  });

  it("an admin can unlock a locked account", async () => {
    const fresh = await startApi(world.ctx);
    const { email, password } = world.credentials.secretary;
    for (let i = 0; i < 5; i++) await fresh.post("/auth/login", { email, password: `wrong-${i}` });
    expect((await fresh.post("/auth/login", { email, password })).status).toBe(401);

    const admin = await fresh.login(world.credentials.admin);
    const user = await world.ctx.db.prisma.staffUser.findUniqueOrThrow({ where: { email } });
    const unlocked = await admin.patch(`/staff/${user.id}`, { unlock: true });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.lockedUntil).toBeNull();
    expect((await fresh.post("/auth/login", { email, password })).status).toBe(200);
  });

  it("login is rate-limited per address, with Retry-After", async () => {
    const fresh = await startApi(world.ctx);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await fresh.post("/auth/login", { email: `guess${i}@example.org`, password: "guess" })).status);
    expect(statuses).toEqual(Array(10).fill(401));
    const limited = await fresh.post("/auth/login", { email: "guess@example.org", password: "guess" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.body.error).toBe("rate_limited");
  });
});
