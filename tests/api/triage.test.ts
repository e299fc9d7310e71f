import { beforeAll, describe, expect, it } from "vitest";
import { demoWorld, startApi, type ApiWorld, type Client } from "./support.js";

let world: ApiWorld;
let secretary: Client;
let admin: Client;

beforeAll(async () => {
  world = await demoWorld();
  const api = await startApi(world.ctx);
  secretary = await api.login(world.credentials.secretary);
  admin = await api.login(world.credentials.admin);
});

const codes = (body: { specialty: { code: string } }[]) => body.map((s) => s.specialty.code);

describe("triage of a patient's symptoms", () => {
  it("a secretary triaging 'palpitations et essoufflement' is pointed to cardiology first", async () => {
    const res = await secretary.post("/triage", { text: "palpitations et essoufflement depuis hier" });
    expect(res.status).toBe(200);
    expect(codes(res.body)[0]).toBe("cardiology");
  });

  it("English symptoms work too: a rash that itches suggests dermatology", async () => {
    const res = await secretary.post("/triage", { text: "my son has an itchy rash on his arms" });
    expect(codes(res.body)).toContain("dermatology");
  });

  it("words the clinic added to a new specialty are used at once", async () => {
    expect(codes((await secretary.post("/triage", { text: "j'ai des acouphènes la nuit" })).body)).not.toContain("ent");
    const created = await admin.post("/specialties", {
      code: "ent",
      nameFr: "ORL",
      nameEn: "ENT",
      keywordsFr: ["acouphènes", "oreille"],
      keywordsEn: ["tinnitus"],
    });
    expect(created.status).toBe(201);
    expect(codes((await secretary.post("/triage", { text: "j'ai des acouphenes la nuit" })).body)[0]).toBe("ent");
    expect(codes((await secretary.post("/triage", { text: "ringing in my ears, tinnitus" })).body)[0]).toBe("ent");
  });

  it("text about nothing medical suggests nothing", async () => {
    const res = await secretary.post("/triage", { text: "bonjour, quelle heure est-il ?" });
    expect(res.body).toEqual([]);
  });

  it("an empty text gets a 400 naming the field", async () => {
    const res = await secretary.post("/triage", { text: "   " });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("text");
  });
});
