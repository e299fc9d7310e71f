// The unit of work every write path builds on: all of it is saved, or none of it.
import { beforeAll, describe, expect, it } from "vitest";
import { afterCommit, inTransaction } from "../../src/data/db.js";
import { freshDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase({ poolSize: 4 });
  await db.sql.exec(`CREATE TABLE ledger (n int PRIMARY KEY)`);
});

const count = async () => (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger`))[0]!.n;
const write = (n: number) => (on: { sql: typeof db.sql }) => on.sql.query(`INSERT INTO ledger VALUES ($1)`, [n]);

describe("a unit of work", () => {
  it("saves everything it wrote when it ends well, and nothing when it throws", async () => {
    await inTransaction(db, async (tx) => {
      await write(1)(tx);
      await write(2)(tx);
    });
    expect(await count()).toBe(2);
    await expect(
      inTransaction(db, async (tx) => {
        await write(3)(tx);
        throw new Error("refused halfway");
      }),
    ).rejects.toThrow("refused halfway");
    expect(await count()).toBe(2);
  });

  it("nested in another, undoes only its own work when it fails, and the outer one carries on", async () => {
    await inTransaction(db, async (outer) => {
      await write(10)(outer);
      await expect(
        inTransaction(outer, async (inner) => {
          await write(11)(inner);
          await write(10)(inner); // duplicate key: the database refuses the statement
        }),
      ).rejects.toMatchObject({ code: "23505" });
      await write(12)(outer);
    });
    const rows = await db.sql.query<{ n: number }>(`SELECT n FROM ledger WHERE n >= 10 ORDER BY n`);
    expect(rows.map((r) => r.n)).toEqual([10, 12]);
  });

  it("tells listeners after the commit, and never about work that was rolled back", async () => {
    const heard: string[] = [];
    await inTransaction(db, async (tx) => {
      await write(20)(tx);
      afterCommit(tx, () => heard.push("outer"));
      await inTransaction(tx, async (inner) => {
        afterCommit(inner, () => heard.push("kept inner"));
      });
      await inTransaction(tx, async (inner) => {
        afterCommit(inner, () => heard.push("undone inner"));
        throw new Error("undone");
      }).catch(() => undefined);
      expect(heard).toEqual([]);
    });
    expect(heard).toEqual(["outer", "kept inner"]);
    await inTransaction(db, async (tx) => {
      afterCommit(tx, () => heard.push("rolled back"));
      throw new Error("no");
    }).catch(() => undefined);
    expect(heard).toEqual(["outer", "kept inner"]);
  });

  it("refuses Prisma inside, which would run outside the transaction", async () => {
    await expect(inTransaction(db, async (tx) => tx.prisma.patient.count())).rejects.toThrow(/inside a transaction/);
  });
});
