import { beforeAll, describe, expect, it } from "vitest";
import { demoWorld, startApi, type ApiWorld, type Client } from "./support.js";

let world: ApiWorld;
let secretary: Client;
let secretaryId: string;

beforeAll(async () => {
  world = await demoWorld();
  const api = await startApi(world.ctx);
  secretary = await api.login(world.credentials.secretary);
  secretaryId = (await secretary.get("/auth/me")).body.id;
});

const auditRows = (patientId: string) =>
  world.ctx.db.prisma.auditLog.findMany({ where: { patientId }, orderBy: { id: "asc" } });

describe("patient records", () => {
  it("a bad phone number gets 400 naming 'phone'", async () => {
    const res = await secretary.post("/patients", { firstName: "Nadia", lastName: "Haddad", phone: "06 12 34 56 78" });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid", field: "phone" });
    expect(res.body.message).toContain("E.164");
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it("a secretary registers a patient; the typed spaces in the number are dropped and the creation audited", async () => {
    const res = await secretary.post("/patients", {
      firstName: "Nadia",
      lastName: "Haddad",
      phone: "+33 6 12 34 56 78",
      birthDate: "1988-04-02",
      preferredLocale: "fr",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      firstName: "Nadia",
      lastName: "Haddad",
      phone: "+33612345678",
      birthDate: "1988-04-02",
      preferredChannel: null,
    });
    expect(res.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const audit = await auditRows(res.body.id);
    expect(audit.map((a) => [a.action, a.actorKind, a.actorId])).toEqual([["patient.create", "staff", secretaryId]]);

    const twice = await secretary.post("/patients", {
      firstName: "Autre",
      lastName: "Personne",
      phone: "+33612345678",
    });
    expect(twice.status).toBe(409);
  });

  it("reading a patient writes an audit row", async () => {
    const created = (await secretary.post("/patients", { firstName: "Louis", lastName: "Girard" })).body;
    const res = await secretary.get(`/patients/${created.id}`);
    expect(res.status).toBe(200);
    const audit = await auditRows(created.id);
    const read = audit.find((a) => a.action === "patient.read");
    expect(read).toMatchObject({
      actorKind: "staff",
      actorId: secretaryId,
      resourceType: "patient",
      resourceId: created.id,
      ip: expect.stringContaining("127.0.0.1"),
    });
    // Identifiers only: never the record's content.
    expect(JSON.stringify(audit, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain("Girard");
  });

  it("a search writes one audit row per patient returned", async () => {
    const a = (await secretary.post("/patients", { firstName: "Emma", lastName: "Rousseau", phone: "+33700000001" }))
      .body;
    const b = (await secretary.post("/patients", { firstName: "Jules", lastName: "Rousseau" })).body;
    await secretary.post("/patients", { firstName: "Emma", lastName: "Blanc" });

    const byName = await secretary.get("/patients?q=rouss");
    expect(byName.body.map((p: { id: string }) => p.id).sort()).toEqual([a.id, b.id].sort());
    const searched = await world.ctx.db.prisma.auditLog.findMany({ where: { action: "patient.search" } });
    expect(searched.map((r) => r.patientId).sort()).toEqual([a.id, b.id].sort());

    expect((await secretary.get("/patients?q=emma rous")).body.map((p: { id: string }) => p.id)).toEqual([a.id]);
    expect((await secretary.get("/patients?q=07 00 00 00 01")).body.map((p: { id: string }) => p.id)).toEqual([a.id]);
    expect((await secretary.get("/patients?q=x")).body.field).toBe("q");
  });

  it("an update is audited with the names of the fields changed, not their values", async () => {
    const created = (await secretary.post("/patients", { firstName: "Hugo", lastName: "Petit" })).body;
    const res = await secretary.patch(`/patients/${created.id}`, {
      phone: "+212612345678",
      preferredChannel: "whatsapp",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ phone: "+212612345678", preferredChannel: "whatsapp" });
    const update = (await auditRows(created.id)).find((r) => r.action === "patient.update");
    expect(update?.detail).toEqual({ fields: ["phone", "preferredChannel"] });

    expect((await secretary.patch(`/patients/${created.id}`, { phone: "12" })).body.field).toBe("phone");
    expect((await secretary.patch(`/patients/${created.id}`, { nickname: "H" })).status).toBe(400);
  });

  it("an unknown patient id gets 404 and a malformed one 400 naming 'id'", async () => {
    expect((await secretary.get("/patients/7d3e4a35-3f5f-4c1e-9f5e-0c9a6a1f1c11")).status).toBe(404);
    const bad = await secretary.get("/patients/not-a-uuid");
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("id");
  });
});
