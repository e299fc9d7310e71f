// The Node.js version the README and package.json promise is one every installed package accepts.
import { readFileSync } from "node:fs";
import path from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => JSON.parse(readFileSync(path.join(root, file), "utf8"));

describe("the Node.js version Tabib states", () => {
  const stated: string = read("package.json").engines.node;
  const oldest = semver.minVersion(stated)!.version;

  it("is accepted by every package of the lockfile, development tools included", () => {
    const packages = read("package-lock.json").packages as Record<string, { engines?: { node?: string } }>;
    const refusing = Object.entries(packages)
      .filter(([name, p]) => name && typeof p.engines?.node === "string")
      .filter(([, p]) => !semver.satisfies(oldest, p.engines!.node!, { includePrerelease: true }))
      .map(([name, p]) => `${name} wants node ${p.engines!.node}`);
    expect(refusing).toEqual([]);
  });

  it("is the one the README names and the one running the tests can satisfy", () => {
    expect(readFileSync(path.join(root, "README.md"), "utf8")).toContain(`Node.js ≥ ${oldest.replace(/\.0$/, "")}`);
    expect(semver.satisfies(process.version, stated)).toBe(true);
  });
});
