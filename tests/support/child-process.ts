import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const running = new Set<ChildProcess>();
// Whatever a failed test left running dies with the file.
afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
});

/** Polls `check` until it holds; throws `<what>: not met in time` after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  for (const end = Date.now() + ms; !(await check());) {
    if (Date.now() > end) throw new Error(`${what}: not met in time`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Starts a TypeScript entry point of this repository as `node --import tsx <entry>` (as the Docker
 * image does, so signals reach it directly) and resolves once its output contains `ready`.
 */
export async function startTsProcess(entry: string, env: NodeJS.ProcessEnv, ready: string, ms = 90_000) {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  /** "code <n>" or the signal that ended it. */
  const exited = new Promise<string>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve(signal ?? `code ${code}`);
    }),
  );
  await Promise.race([
    until(() => output.includes(ready), ms, `${entry} started`),
    exited.then((how) => Promise.reject(new Error(`${entry} exited (${how}) before starting:\n${output}`))),
  ]);
  return {
    exited,
    output: () => output,
    kill: () => child.kill("SIGKILL"),
    stop: () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}
