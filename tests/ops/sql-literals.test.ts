import pg from "pg";
import { describe, expect, it } from "vitest";
import { literal } from "../../src/data/db.js";
import { freshDatabase } from "../support/database.js";

// Closed after the file by freshDatabase itself.
const db = await freshDatabase({ poolSize: 2 });

const AWKWARD = [
  "",
  "l'appel d'hier",
  "C:\\Users\\patient\\ordonnance.pdf",
  "\\'; DROP TABLE patient; --",
  "''''\\\\\\",
  "émoji 🫀 et guillemets « » “ ”",
  "$1 $2 $$ $tag$",
];

// Random text from an alphabet rich in what needs escaping.
const randomText = (seed: number): string => {
  const alphabet = ["'", "\\", "a", "é", " ", "$", "\n", "🫀", '"', "E"];
  let x = seed;
  let out = "";
  for (let i = 0; i < 40; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out += alphabet[x % alphabet.length];
  }
  return out;
};

describe("values written into SQL text", () => {
  it("are quoted exactly as pg's own escapeLiteral quotes them", () => {
    const texts = [...AWKWARD, ...Array.from({ length: 500 }, (_, i) => randomText(i + 1))];
    for (const text of texts) expect(literal(text), text).toBe(pg.escapeLiteral(text));
  });

  it("a patient's text full of quotes and backslashes comes back unchanged from a transaction's batched statements", async () => {
    for (const text of AWKWARD) {
      const [row] = await db.sql.transaction((tx) => tx.commitWith<{ t: string }>("SELECT $1::text AS t", [text]));
      expect(row!.t).toBe(text);
    }
  });
});
