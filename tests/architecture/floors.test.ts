import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/*
 * The floors of src/ (docs/architecture.md), lowest first: a file imports from its own folder and
 * from the floors below, never from above; folders sharing a floor do not import each other.
 * Above the dialogue, bots, jobs and the staff doors are stacked in that order: jobs send
 * through the channel adapters, and staff pages show the jobs' queues and the deliveries.
 */
const FLOORS: { floor: string; folders: string[]; oneUnit?: true }[] = [
  { floor: "lib", folders: ["lib"] },
  { floor: "config", folders: ["config.ts"] },
  // The configuration and the logger, loaded first by a starting process.
  { floor: "boot", folders: ["boot.ts"] },
  { floor: "data", folders: ["data"] },
  { floor: "domain", folders: ["domain"] },
  { floor: "flows", folders: ["flows"] },
  // The demo clinic is planned with the domain's rules and the chat's wording, then written in bulk.
  { floor: "demo", folders: ["data/demo", "data/demo-clinic.ts"], oneUnit: true },
  // What every adapter is handed (AppContext), and the Express plumbing the HTTP adapters share.
  { floor: "context", folders: ["context.ts"] },
  { floor: "http", folders: ["http"] },
  { floor: "bots", folders: ["bots"] },
  { floor: "jobs", folders: ["jobs"] },
  { floor: "doors", folders: ["api", "fhir", "console"] },
  // The Express application, the web process's service, then the processes' entry points.
  { floor: "app", folders: ["app.ts"] },
  { floor: "server", folders: ["server.ts"] },
  { floor: "processes", folders: ["main.ts", "worker.ts"] },
];

/**
 * Imports that break the floors and are known, each with who moves it (issue 15). The API's
 * two-factor login checks codes with the console's mfa.ts, which belongs in the domain.
 */
const KNOWN_EXCEPTIONS = new Set<string>(["api/routes/auth.ts -> console/mfa.ts"]);

const SRC = path.resolve(import.meta.dirname, "../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "public" ? [] : sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** Every relative import of every file of src/, type-only and dynamic ones included, as paths under src/. */
function importGraph(): { from: string; to: string }[] {
  return sourceFiles(SRC).flatMap((file) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    return importedFiles
      .filter((i) => i.fileName.startsWith("."))
      .map((i) => ({
        from: path.relative(SRC, file),
        to: path.relative(SRC, path.resolve(path.dirname(file), i.fileName.replace(/\.js$/, ".ts"))),
      }));
  });
}

/** The folder (or top-level file) of src/ a path belongs to, the most specific one listed, and its floor's rank. */
function placeOf(file: string): { folder: string; rank: number } {
  const parts = file.split(path.sep);
  for (let n = parts.length; n > 0; n--) {
    const folder = parts.slice(0, n).join("/");
    const rank = FLOORS.findIndex((f) => f.folders.includes(folder));
    if (rank >= 0) return { folder, rank };
  }
  return { folder: parts[0]!, rank: -1 };
}

describe("the floors of src/", () => {
  const graph = importGraph();

  it("place every folder and top-level file of src/ on a floor", () => {
    const unplaced = [...new Set(graph.flatMap((e) => [e.from, e.to]).filter((f) => placeOf(f).rank < 0))];
    expect(unplaced).toEqual([]);
  });

  it("are only crossed downwards: no file imports from a floor above its own, or from a sibling folder on its floor", () => {
    const wrongWay = graph
      .filter(({ from, to }) => {
        const [a, b] = [placeOf(from), placeOf(to)];
        if (a.folder === b.folder || (a.rank === b.rank && FLOORS[a.rank]!.oneUnit)) return false;
        return b.rank >= a.rank;
      })
      .map(({ from, to }) => `${from} -> ${to}`)
      .filter((edge) => !KNOWN_EXCEPTIONS.has(edge));
    expect(wrongWay).toEqual([]);
  });

  it("hold no import cycle between files (Prisma's generated client aside)", () => {
    const ours = graph.filter(({ from }) => !from.startsWith(path.join("data", "generated")));
    expect(cyclesOf(ours)).toEqual([]);
  });

  it("list no exception that no longer happens", () => {
    const edges = new Set(graph.map(({ from, to }) => `${from} -> ${to}`));
    expect([...KNOWN_EXCEPTIONS].filter((e) => !edges.has(e))).toEqual([]);
  });
});

/** The groups of files that import each other in a circle (Tarjan's strongly connected components). */
function cyclesOf(edges: { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    for (const to of next.get(file) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(file, Math.min(low.get(file)!, low.get(to)!));
      } else if (stack.includes(to)) low.set(file, Math.min(low.get(file)!, index.get(to)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const group = stack.splice(stack.indexOf(file));
    if (group.length > 1) cycles.push(group.sort());
  };
  for (const file of next.keys()) if (!index.has(file)) visit(file);
  return cycles;
}
