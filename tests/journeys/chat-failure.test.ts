// A newcomer's booking that fails inside the database, seen from outside: the web chat of a
// service just started with `npm start` answers with an apology (not a 500), keeps nothing of
// the failed step, and books when the patient sends the answer again. The fault is a real one,
// raised by the database the service uses, which a test can reach only on Postgres (the
// embedded database belongs to the service's process; tests/flows/all-or-none.test.ts covers it).
import pg from "pg";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ChatPatient } from "./support/people.js";
import { startService, type RunningService } from "./support/service.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

describe.skipIf(!process.env.DATABASE_URL)("a chat step that fails, on a first start (postgres database)", () => {
  let tabib: RunningService;
  let database: pg.Client;

  beforeAll(async () => {
    tabib = await startService("postgres");
    database = new pg.Client({ connectionString: tabib.where });
    await database.connect();
    return () => database.end();
  });

  const count = async (sql: string, params: unknown[]) =>
    Number((await database.query<{ n: string }>(sql, params)).rows[0]!.n);

  it("answers the patient with an apology, leaves no patient behind, and books when the answer is sent again", async () => {
    const ada = new ChatPatient(tabib.base, "fr");
    await ada.open();
    await ada.say("bonjour, je voudrais voir un généraliste au plus vite");
    await ada.tap(new RegExp(escape(ada.offeredTimes()[0]!)));
    await ada.say("Ada Byron");
    await ada.say("10/12/1985");
    expect(ada.transcript()).toMatch(/RGPD/);

    await database.query(`CREATE FUNCTION refuse_reminder() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'reminders are down'; END $$;
      CREATE TRIGGER refuse_reminder BEFORE INSERT OR UPDATE ON reminder FOR EACH ROW EXECUTE FUNCTION refuse_reminder()`);
    try {
      await ada.tap(/^Oui$/);
    } finally {
      await database.query(`DROP TRIGGER refuse_reminder ON reminder; DROP FUNCTION refuse_reminder()`);
    }
    expect(ada.transcript()).toMatch(/renvoyer/);
    expect(await count(`SELECT count(*) AS n FROM patient WHERE last_name = $1`, ["Byron"])).toBe(0);

    await ada.say("oui");
    expect(ada.transcript()).toMatch(/Votre rendez-vous est confirmé/);
    await ada.say("mes rendez-vous");
    expect(ada.transcript()).toMatch(/Vos prochains rendez-vous :\n• /);
    expect(
      await count(
        `SELECT count(*) AS n FROM audit_log l JOIN patient p ON p.id = l.patient_id
          WHERE p.last_name = $1 AND l.action = 'patient.create' AND l.actor_kind = 'patient'`,
        ["Byron"],
      ),
    ).toBe(1);
  });

  it("logged the failure once, at error level, and nothing else", () => {
    expect(tabib.errorLines().map((l) => l.msg)).toEqual([
      "chat message not handled; the patient was asked to send it again",
    ]);
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
