import { describe, expect, it } from "vitest";
import { editDistance } from "../../../src/domain/language/edit-distance.js";

// The textbook optimal-string-alignment distance, with nothing reused and no early exit.
function reference(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

describe("typo distance", () => {
  it("counts the slips patients make: a missing, extra, wrong or swapped letter", () => {
    expect(editDistance("cardiologue", "cardiologue")).toBe(0);
    expect(editDistance("cardilogue", "cardiologue")).toBe(1);
    expect(editDistance("cradiologue", "cardiologue")).toBe(1);
    expect(editDistance("pediatre", "pédiatre")).toBe(1);
    expect(editDistance("rendez", "rdv")).toBe(4);
  });

  it("agrees with the textbook computation on random words, long ones included, however calls interleave", () => {
    let x = 7;
    const letters = "aeiourstlnmcdpé";
    const word = () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      let w = "";
      for (let k = 0; k < 1 + (x % 12); k++) {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        w += letters[x % letters.length];
      }
      return x % 50 === 0 ? w.repeat(8) : w;
    };
    for (let n = 0; n < 3000; n++) {
      const a = word();
      const b = word();
      const exact = reference(a, b);
      expect(editDistance(a, b), `${a} ~ ${b}`).toBe(exact);
      // With a ceiling, anything beyond it reads as "more than the ceiling".
      expect(Math.min(editDistance(a, b, 2), 3), `${a} ~ ${b} within 2`).toBe(Math.min(exact, 3));
      // The start of a word against a prefix, without copying it.
      const k = Math.min(a.length, b.length);
      expect(editDistance(a, b, Infinity, k), `${a.slice(0, k)} ~ ${b}`).toBe(reference(a.slice(0, k), b));
    }
  });
});
