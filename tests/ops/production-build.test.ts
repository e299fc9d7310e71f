// What the Docker image runs: `npm run build`, then `node dist/main.js` with production
// dependencies only. Built and started here for real, on an empty data folder.
import { spawn, spawnSync } from "node:child_process";
import { builtinModules } from "node:module";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

const root = path.resolve(import.meta.dirname, "../..");
const scratch = await mkdtemp(path.join(tmpdir(), "tabib-build-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

beforeAll(() => {
  const build = spawnSync("npm", ["run", "build", "--silent"], { cwd: root, encoding: "utf8" });
  expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
});

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else yield full;
  }
}

describe("the production build", () => {
  it("imports only Node's own modules, its own files and production dependencies", async () => {
    const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const strays: string[] = [];
    for await (const file of files(path.join(root, "dist"))) {
      if (!file.endsWith(".js")) continue;
      const code = await readFile(file, "utf8");
      const specifiers = [
        ...code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^"']*?from\s*["']([^"']+)["']/g),
        ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
        ...code.matchAll(/(?:^|\n)\s*import\s*["']([^"']+)["']/g),
      ].map((m) => m[1]!);
      for (const spec of specifiers) {
        if (spec.startsWith(".") || builtins.has(spec) || spec.startsWith("node:")) continue;
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        if (!(name in pkg.dependencies)) strays.push(`${path.relative(root, file)} imports ${spec}`);
      }
    }
    expect(strays).toEqual([]);
  });

  it("starts with node dist/main.js on an empty data folder, serves the chat, and stops on SIGTERM", async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      PGLITE_DIR: path.join(scratch, "pglite"),
      DOCUMENTS_DIR: path.join(scratch, "documents"),
      JWT_SECRET: "a".repeat(64),
      TOTP_ENCRYPTION_KEY: "b".repeat(64),
    };
    const child = spawn(process.execPath, ["dist/main.js"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const base = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /Tabib is listening on (http:\/\/[^\s"]+)/.exec(output);
          if (m) {
            clearInterval(timer);
            resolve(m[1]!.replace(/\/$/, ""));
          }
        }, 50);
        void exited.then((code) => {
          clearInterval(timer);
          reject(new Error(`exited ${code} before listening:\n${output}`));
        });
      });
      expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: "ok" });
      expect((await fetch(`${base}/chat`)).status).toBe(200);
      expect((await fetch(`${base}/login`)).status).toBe(200);
      child.kill("SIGTERM");
      expect(await exited, output).toBe(0);
      expect(output.split("\n").filter((l) => /^\{"level":(5|6)\d/.test(l))).toEqual([]);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
