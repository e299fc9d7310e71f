import { afterAll, beforeAll, expect, it } from "vitest";
import { openPostgres, type Database } from "../../src/data/db.js";
import { seedDemoClinic } from "../../src/data/demo-clinic.js";
import type { EngineDeps } from "../../src/flows/engine.js";
import { freshDatabase, onRealPostgres } from "../support/database.js";
import { choicesOf, MONDAY_8AM, patient } from "./support.js";

const db = await freshDatabase();
let small: Database | undefined;
let deps: EngineDeps;

beforeAll(async () => {
  const { clinicId } = await seedDemoClinic(db.prisma, { adminPassword: "demo-password-1" });
  // A pool far smaller than the burst: each conversation's transaction holds a connection
  // while its slot search and holds need another.
  small = onRealPostgres() ? openPostgres({ url: db.url!, poolSize: 4 }) : undefined;
  deps = { db: small ?? db, clinicId, holdMinutes: 5, now: () => MONDAY_8AM };
});

afterAll(async () => {
  await small?.close();
});

it.skipIf(!onRealPostgres())(
  "twenty patients writing at the same moment, more than the database has connections, each get three times of their own",
  async () => {
    const asks = ["un généraliste demain matin", "un dermatologue mardi matin", "a cardiologist on Thursday afternoon"];
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => patient(deps, `burst-${i}`).says(`je voudrais voir ${asks[i % 3]}`)),
    );
    // Seven patients ask for the same times at once: each still gets three, none held twice.
    for (const reply of replies) expect(choicesOf(reply).filter((c) => c.id.includes(".slot."))).toHaveLength(3);
    const holds = await db.prisma.slotHold.findMany();
    expect(new Set(holds.map((h) => `${h.doctorId}|${+h.startsAt}`)).size).toBe(holds.length);
    const conversations = await db.prisma.conversation.count({ where: { senderId: { startsWith: "burst-" } } });
    expect(conversations).toBe(20);
  },
);
