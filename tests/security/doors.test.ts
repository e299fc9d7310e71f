// Issue 13 from outside: every door (console, API, FHIR, the token endpoint) of a real Tabib
// process asks for what the account or client must show, and forgets it when it must.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { totpCode, totpStep } from "../../src/console/totp.js";
import { csrfOf, hiddenFields, signIn, Visitor } from "../console/support.js";
import {
  ADMIN,
  call,
  emptyStore,
  enrolInConsole,
  SEEDED_CLIENT,
  startTabib,
  tokenRequest,
  type RunningTabib,
} from "./support.js";

vi.setConfig({ testTimeout: 180_000, hookTimeout: 240_000 });

let tabib: RunningTabib;
let enrolled: Awaited<ReturnType<typeof enrolInConsole>>;
/** An admin API token from a login with the second factor. */
let adminToken = "";

beforeAll(async () => {
  tabib = await startTabib(await emptyStore());
  enrolled = await enrolInConsole(tabib.base, ADMIN);
});
afterAll(async () => tabib?.stop());

const api = (method: string, path: string, opts?: Parameters<typeof call>[3]) =>
  call(tabib.base, method, `/api${path}`, opts);

describe("two-factor on every door", () => {
  it("an admin enrolled in two-factor gets no API token from the password alone", async () => {
    const login = await api("POST", "/auth/login", { body: ADMIN });
    expect(login.status).toBe(401);
    expect(login.body).toMatchObject({ error: "mfa_required" });
    expect(login.body).not.toHaveProperty("token");

    const wrong = await api("POST", "/auth/login", { body: { ...ADMIN, code: "000000" } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: "mfa_refused" });
  });

  it("with the authenticator's code the admin gets a token that reads patients over the API and FHIR", async () => {
    // The enrolment spent the current step; the authenticator's next code is within the drift allowed.
    const code = totpCode(enrolled.secret, totpStep(new Date()) + 1);
    const login = await api("POST", "/auth/login", { body: { ...ADMIN, code } });
    expect(login.status).toBe(200);
    adminToken = login.body.token;
    expect((await api("GET", "/patients?q=ma", { token: adminToken })).status).toBe(200);
    expect((await call(tabib.base, "GET", "/fhir/Patient", { token: adminToken })).status).toBe(200);
    // The same code twice is refused: it was seen once.
    expect((await api("POST", "/auth/login", { body: { ...ADMIN, code } })).status).toBe(401);
  });

  it("a recovery code opens the API once", async () => {
    const code = enrolled.recoveryCodes[0]!;
    expect((await api("POST", "/auth/login", { body: { ...ADMIN, code } })).status).toBe(200);
    expect((await api("POST", "/auth/login", { body: { ...ADMIN, code } })).body).toMatchObject({
      error: "mfa_refused",
    });
  });

  it("a doctor who has not enrolled yet gets no token, and is told to enrol in the console", async () => {
    const staff = await api("GET", "/staff", { token: adminToken });
    const doctor = (staff.body as { id: string; email: string; role: string }[]).find((u) => u.role === "doctor")!;
    const reset = await api("PATCH", `/staff/${doctor.id}`, {
      token: adminToken,
      body: { password: "a-doctor-password-for-tests" },
    });
    expect(reset.status).toBe(200);
    const login = await api("POST", "/auth/login", {
      body: { email: doctor.email, password: "a-doctor-password-for-tests" },
    });
    expect(login.status).toBe(403);
    expect(login.body).toMatchObject({ error: "mfa_enrolment_required" });
  });
});

describe("machine clients with OAuth 2.0 client credentials", () => {
  it("the seeded read-only client reads FHIR and the API, and cannot write", async () => {
    const token = await tokenRequest(tabib.base, { grant_type: "client_credentials" }, SEEDED_CLIENT);
    expect(token.status).toBe(200);
    expect(token.headers.get("cache-control")).toBe("no-store");
    expect(token.body).toMatchObject({ token_type: "Bearer", scope: "system/*.read", expires_in: 900 });
    const bearer = token.body.access_token as string;

    const patients = await call(tabib.base, "GET", "/fhir/Patient", { token: bearer });
    expect(patients.status).toBe(200);
    expect(patients.body.resourceType).toBe("Bundle");
    expect((await api("GET", "/doctors", { token: bearer })).status).toBe(200);
    expect((await api("GET", "/patients?q=ma", { token: bearer })).status).toBe(200);

    const write = await api("POST", "/patients", {
      token: bearer,
      body: { firstName: "Read", lastName: "Only" },
    });
    expect(write.status).toBe(403);
    // Accounts are for people: no scope reaches them.
    expect((await api("GET", "/staff", { token: bearer })).status).toBe(403);
  });

  it("the token endpoint answers in RFC 6749's terms", async () => {
    const wrongSecret = await tokenRequest(
      tabib.base,
      { grant_type: "client_credentials" },
      { id: SEEDED_CLIENT.id, secret: "not-the-secret" },
    );
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.error).toBe("invalid_client");
    expect(wrongSecret.headers.get("www-authenticate")).toMatch(/^Basic/);

    const post = { client_id: SEEDED_CLIENT.id, client_secret: SEEDED_CLIENT.secret };
    expect((await tokenRequest(tabib.base, { ...post, grant_type: "password" })).body.error).toBe(
      "unsupported_grant_type",
    );
    const tooMuch = await tokenRequest(tabib.base, {
      ...post,
      grant_type: "client_credentials",
      scope: "system/Patient.cruds",
    });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error).toBe("invalid_scope");
    const narrower = await tokenRequest(tabib.base, {
      ...post,
      grant_type: "client_credentials",
      scope: "system/Practitioner.rs",
    });
    expect(narrower.body.scope).toBe("system/Practitioner.rs");
    expect((await call(tabib.base, "GET", "/fhir/Patient", { token: narrower.body.access_token })).status).toBe(403);
    expect((await call(tabib.base, "GET", "/fhir/Practitioner", { token: narrower.body.access_token })).status).toBe(
      200,
    );
  });

  it("discovery documents describe the token endpoint and the scopes", async () => {
    const smart = await call(tabib.base, "GET", "/fhir/.well-known/smart-configuration");
    expect(smart.body).toMatchObject({
      token_endpoint: `${tabib.base}/oauth2/token`,
      grant_types_supported: ["client_credentials"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      capabilities: expect.arrayContaining(["client-confidential-symmetric"]),
      scopes_supported: expect.arrayContaining(["system/Patient.read", "system/*.read"]),
    });
    const metadata = await call(tabib.base, "GET", "/fhir/metadata");
    expect(JSON.stringify(metadata.body.rest[0].security)).toContain(`${tabib.base}/oauth2/token`);
    const openapi = await api("GET", "/openapi.json");
    expect(openapi.body.components.securitySchemes.oauth2.flows.clientCredentials.tokenUrl).toBe("/oauth2/token");
  });

  it("a client an admin creates in the console without Patient scope gets 403 on patients; revoked, it gets 401", async () => {
    const admin = new Visitor(tabib.base);
    await signIn(admin, ADMIN.email, ADMIN.password);
    const mfa = await admin.get("/mfa");
    await admin.post("/mfa", { _csrf: csrfOf(mfa.html), code: enrolled.recoveryCodes[1]! });
    const page = await admin.get("/admin/clients");
    expect(page.status).toBe(200);
    const created = await admin.post("/admin/clients/new", {
      ...hiddenFields(page.html),
      name: "Booking website",
      scopes: "system/Appointment.rs system/Practitioner.read",
    });
    expect(created.status).toBe(200);
    const clientId = /id="client-id">([^<]+)</.exec(created.html)![1]!;
    const secret = /id="client-secret">([^<]+)</.exec(created.html)![1]!;

    const token = await tokenRequest(tabib.base, {
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: secret,
    });
    expect(token.status).toBe(200);
    const bearer = token.body.access_token as string;
    expect((await call(tabib.base, "GET", "/fhir/Patient", { token: bearer })).status).toBe(403);
    expect((await api("GET", "/patients?q=ma", { token: bearer })).status).toBe(403);
    expect((await call(tabib.base, "GET", "/fhir/Appointment", { token: bearer })).status).toBe(200);

    const list = await admin.get("/admin/clients");
    const row = new RegExp(`<code>${clientId}</code>[\\s\\S]*?action="/admin/clients/([0-9a-f-]{36})/revoke"`).exec(
      list.html,
    )!;
    const revoked = await admin.post(`/admin/clients/${row[1]}/revoke`, { _csrf: csrfOf(list.html) });
    expect(revoked.status).toBe(303);
    expect((await call(tabib.base, "GET", "/fhir/Appointment", { token: bearer })).status).toBe(401);
  });
});

describe("revocation", () => {
  it("a password reset ends a secretary's API token at once", async () => {
    const staff = await api("GET", "/staff", { token: adminToken });
    const secretary = (staff.body as { id: string; email: string; role: string }[]).find(
      (u) => u.role === "secretary",
    )!;
    const setPassword = (password: string) =>
      api("PATCH", `/staff/${secretary.id}`, { token: adminToken, body: { password } });
    expect((await setPassword("a-secretary-password-1")).status).toBe(200);
    const login = await api("POST", "/auth/login", {
      body: { email: secretary.email, password: "a-secretary-password-1" },
    });
    expect(login.status).toBe(200);
    expect((await api("GET", "/auth/me", { token: login.body.token })).status).toBe(200);
    expect((await setPassword("a-secretary-password-2")).status).toBe(200);
    expect((await api("GET", "/auth/me", { token: login.body.token })).status).toBe(401);
  });

  it("a password change ends the account's API tokens at once", async () => {
    expect((await api("GET", "/auth/me", { token: adminToken })).status).toBe(200);
    const v = new Visitor(tabib.base);
    await signIn(v, ADMIN.email, ADMIN.password);
    const mfa = await v.get("/mfa");
    await v.post("/mfa", { _csrf: csrfOf(mfa.html), code: enrolled.recoveryCodes[2]! });
    const form = await v.get("/password");
    const changed = await v.post("/password", {
      _csrf: csrfOf(form.html),
      password: "a-brand-new-admin-password",
      repeat: "a-brand-new-admin-password",
    });
    expect(changed.status).toBe(303);
    expect((await api("GET", "/auth/me", { token: adminToken })).status).toBe(401);
    expect((await call(tabib.base, "GET", "/fhir/Patient", { token: adminToken })).status).toBe(401);
    // The session that changed the password goes on.
    expect((await v.get("/")).status).toBe(200);
  });
});

describe("oversize bodies", () => {
  const big = "x".repeat(2 * 1024 * 1024);

  it("answer 413 with a clear message on the console, the API, FHIR and the chat", async () => {
    const consoleForm = await fetch(`${tabib.base}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `email=${"a".repeat(40_000)}`,
      redirect: "manual",
    });
    expect(consoleForm.status).toBe(413);

    const json = await api("POST", "/patients", { body: { firstName: big } });
    expect(json.status).toBe(413);
    expect(json.body).toMatchObject({ error: "payload_too_large" });

    const fhir = await call(tabib.base, "POST", "/fhir/Patient", { body: { note: big } });
    expect(fhir.status).toBe(413);
    expect(fhir.body.resourceType).toBe("OperationOutcome");

    const chat = await call(tabib.base, "POST", "/chat/messages", {
      body: { text: big, clientMessageId: "oversize-1" },
    });
    expect(chat.status).toBe(413);
    expect(chat.body).toMatchObject({ error: "payload_too_large" });
  });
});

describe("client addresses", () => {
  it("without TRUST_PROXY, X-Forwarded-For is ignored: every request counts against the proxy's address", async () => {
    for (let i = 0; i < 10; i++)
      await api("POST", "/auth/login", {
        body: { email: `nobody${i}@tabib.local`, password: "wrong" },
        headers: { "x-forwarded-for": "203.0.113.7" },
      });
    const other = await api("POST", "/auth/login", {
      body: { email: "someone@tabib.local", password: "wrong" },
      headers: { "x-forwarded-for": "198.51.100.9" },
    });
    expect(other.status).toBe(429);
  });
});

describe("behind a trusted proxy (TRUST_PROXY=loopback)", () => {
  it("login limits count per real client, and the audit log records the client's address", async () => {
    const proxied = await startTabib(await emptyStore(), { TRUST_PROXY: "loopback" });
    try {
      let n = 0;
      const attempt = (address: string) =>
        call(proxied.base, "POST", "/api/auth/login", {
          body: { email: `nobody${n++}@tabib.local`, password: "wrong" },
          headers: { "x-forwarded-for": address },
        });
      for (let i = 0; i < 10; i++) expect((await attempt("203.0.113.7")).status).toBe(401);
      expect((await attempt("203.0.113.7")).status).toBe(429);
      expect((await attempt("198.51.100.9")).status).toBe(401);

      const token = await fetch(`${proxied.base}/oauth2/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-forwarded-for": "192.0.2.44",
        },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: SEEDED_CLIENT.id,
          client_secret: SEEDED_CLIENT.secret,
        }).toString(),
      });
      expect(token.status).toBe(200);
      const admin = await enrolInConsole(proxied.base, ADMIN);
      const audit = await admin.visitor.get("/admin/audit?action=api_client.token");
      expect(audit.status).toBe(200);
      expect(audit.html).toContain("192.0.2.44");
    } finally {
      await proxied.stop();
    }
  });
});
