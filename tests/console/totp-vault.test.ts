import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode, totpStep, newTotpSecret } from "../../src/console/totp.js";
import { resolveTotpKey, sealPlaintextTotpSecrets, totpBox, totpContext } from "../../src/console/totp-vault.js";
import { loadConfig } from "../../src/config.js";
import { parseKey, SecretBox } from "../../src/lib/secret-box.js";
import { hashPassword } from "../../src/lib/passwords.js";
import { demoWorld, type ApiWorld } from "../api/support.js";
import { csrfOf, signIn, startConsole, Visitor } from "./support.js";

const KEY = "0123456789abcdef".repeat(4);

describe("sealed secrets", () => {
  const box = new SecretBox(parseKey(KEY)!);

  it("open what they seal, and only for the same context", () => {
    const sealed = box.seal("JBSWY3DPEHPK3PXP", "totp:a");
    expect(sealed).toMatch(/^enc:v1:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("JBSWY3DPEHPK3PXP");
    expect(box.seal("JBSWY3DPEHPK3PXP", "totp:a")).not.toBe(sealed);
    expect(box.open(sealed, "totp:a")).toBe("JBSWY3DPEHPK3PXP");
    expect(() => box.open(sealed, "totp:b")).toThrow();
    expect(() => new SecretBox(parseKey("f".repeat(64))!).open(sealed, "totp:a")).toThrow();
  });

  it("refuse a tampered value and pass a never-sealed one through", () => {
    const sealed = box.seal("secret", "c");
    const raw = Buffer.from(sealed.slice("enc:v1:".length), "base64url");
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    expect(() => box.open(`enc:v1:${raw.toString("base64url")}`, "c")).toThrow();
    expect(box.open("JBSWY3DPEHPK3PXP", "c")).toBe("JBSWY3DPEHPK3PXP");
  });

  it("take 64 hex digits or base64 of 32 bytes as a key, nothing else", () => {
    expect(parseKey(KEY)?.length).toBe(32);
    expect(parseKey(Buffer.alloc(32, 7).toString("base64"))?.length).toBe(32);
    expect(parseKey(Buffer.alloc(32, 7).toString("base64url"))?.length).toBe(32);
    expect(parseKey("change-me")).toBeNull();
    expect(parseKey("ab".repeat(31))).toBeNull();
    expect(() => loadConfig({ TOTP_ENCRYPTION_KEY: "change-me" })).toThrow(/TOTP_ENCRYPTION_KEY/);
  });
});

describe("the TOTP encryption key", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "tabib-key-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("is required in production", async () => {
    await expect(resolveTotpKey({ NODE_ENV: "production" }, path.join(dir, "k"))).rejects.toThrow(
      /TOTP_ENCRYPTION_KEY must be set in production/,
    );
    expect(() => totpBox({ NODE_ENV: "production" })).toThrow(/TOTP_ENCRYPTION_KEY/);
  });

  it("is generated once into the data folder of a development machine, readable by its owner only", async () => {
    const file = path.join(dir, "data", "totp-encryption.key");
    const first = await resolveTotpKey({ NODE_ENV: "development" }, file);
    expect(first.generated).toBe(true);
    expect(parseKey(first.key)).not.toBeNull();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await resolveTotpKey({ NODE_ENV: "development" }, file);
    expect(again).toEqual({ key: first.key, generated: false });
    expect((await readFile(file, "utf8")).trim()).toBe(first.key);
    expect(await resolveTotpKey({ NODE_ENV: "development", TOTP_ENCRYPTION_KEY: KEY }, file)).toEqual({
      key: KEY,
      generated: false,
    });
  });
});

describe("TOTP secrets at rest", () => {
  let world: ApiWorld;
  let base: string;

  beforeAll(async () => {
    world = await demoWorld();
    base = await startConsole(world.ctx);
  });

  it("a doctor's enrolment stores the secret sealed, never in clear", async () => {
    const v = new Visitor(base);
    await signIn(v, world.credentials.doctor.email, world.credentials.doctor.password);
    const setup = await v.get("/mfa/setup");
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(setup.html)![1]!.replace(/ /g, "");
    const pending = await world.ctx.db.sql.query<{ pending_totp_secret: string }>(
      `SELECT pending_totp_secret FROM console_session WHERE pending_totp_secret IS NOT NULL`,
    );
    expect(pending[0]!.pending_totp_secret).toMatch(/^enc:v1:/);
    // Reloading the page shows the same secret (the pending one opens again).
    expect((await v.get("/mfa/setup")).html).toContain(secret.slice(0, 4));
    const done = await v.post("/mfa/setup", {
      _csrf: csrfOf(setup.html),
      code: totpCode(secret, totpStep(world.ctx.now())),
    });
    expect(done.status).toBe(200);
    const user = await world.ctx.db.prisma.staffUser.findUniqueOrThrow({
      where: { email: world.credentials.doctor.email },
    });
    expect(user.totpSecret).toMatch(/^enc:v1:/);
    expect(user.totpSecret).not.toContain(secret);
    expect(totpBox(world.ctx.config).open(user.totpSecret!, totpContext(user.id))).toBe(secret);
  });

  it("a secret stored in clear before encryption at rest is sealed at start and still signs the doctor in", async () => {
    const secret = newTotpSecret();
    const user = await world.ctx.db.prisma.staffUser.create({
      data: {
        clinicId: world.clinicId,
        email: "ancien@tabib.local",
        displayName: "Ancien compte",
        role: "admin",
        passwordHash: await hashPassword("an-old-enough-password"),
        totpSecret: secret,
        totpEnabledAt: world.ctx.now(),
      },
    });
    const box = totpBox(world.ctx.config);
    expect(await sealPlaintextTotpSecrets(world.ctx.db, box)).toBe(1);
    expect(await sealPlaintextTotpSecrets(world.ctx.db, box)).toBe(0);
    const stored = (await world.ctx.db.prisma.staffUser.findUniqueOrThrow({ where: { id: user.id } })).totpSecret!;
    expect(stored).toMatch(/^enc:v1:/);

    world.setNow(new Date(world.ctx.now().getTime() + 120_000));
    const v = new Visitor(base);
    expect((await signIn(v, "ancien@tabib.local", "an-old-enough-password")).location).toBe("/mfa");
    const form = await v.get("/mfa");
    const ok = await v.post("/mfa", { _csrf: csrfOf(form.html), code: totpCode(secret, totpStep(world.ctx.now())) });
    expect(ok.status).toBe(303);
    expect((await v.get("/")).status).toBe(200);
  });

  it("a sealed secret copied onto another account does not open there", async () => {
    const doctor = await world.ctx.db.prisma.staffUser.findUniqueOrThrow({
      where: { email: world.credentials.doctor.email },
    });
    const box = totpBox(world.ctx.config);
    expect(() => box.open(doctor.totpSecret!, totpContext("00000000-0000-0000-0000-000000000000"))).toThrow();
  });
});
