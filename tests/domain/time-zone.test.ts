import { DateTime, IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import { clinicZone } from "../../src/domain/time-zone.js";

const ZONES = [
  "Europe/Paris",
  "America/New_York",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Australia/Lord_Howe",
  "Africa/Casablanca",
];

describe("clinic time zones", () => {
  it.each(ZONES)("%s: remembered offsets agree with Intl every 7 minutes through 2026's clock changes", (name) => {
    const zone = clinicZone(name);
    const intl = IANAZone.create(name);
    const from = Date.UTC(2026, 0, 1);
    const to = Date.UTC(2027, 0, 1);
    const wrong: string[] = [];
    // Twice over the same range: the second pass answers from memory.
    for (let pass = 0; pass < 2; pass++)
      for (let ts = from; ts < to; ts += 7 * 60_000 + 13_000)
        if (zone.offset(ts) !== intl.offset(ts)) wrong.push(new Date(ts).toISOString());
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it("a wall-clock time on the night Paris moves its clocks back reads the same as with Luxon's own zone", () => {
    const fields = { year: 2026, month: 10, day: 25, hour: 2, minute: 30 };
    const ours = DateTime.fromObject(fields, { zone: clinicZone("Europe/Paris") });
    const luxon = DateTime.fromObject(fields, { zone: "Europe/Paris" });
    expect(ours.toMillis()).toBe(luxon.toMillis());
    expect(ours.zone.equals(luxon.zone)).toBe(true);
    expect(luxon.zone.equals(ours.zone)).toBe(true);
  });

  it("an unknown zone stays invalid instead of being guessed", () => {
    expect(clinicZone("Mars/Olympus_Mons").isValid).toBe(false);
    expect(DateTime.now().setZone(clinicZone("Mars/Olympus_Mons")).isValid).toBe(false);
  });
});
