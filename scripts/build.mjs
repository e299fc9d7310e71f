/* global process, console */
// `npm run build`: the TypeScript sources compiled to dist/, with the files they read beside
// them (console views and styles, the web chat's page), so `node dist/main.js` starts without
// compiling anything.
import { spawnSync } from "node:child_process";
import { cp, rm } from "node:fs/promises";

await rm("dist", { recursive: true, force: true });
const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
  stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
await cp("src", "dist", { recursive: true, filter: (from) => !from.endsWith(".ts") });
console.log("built dist/: start it with `node dist/main.js` (or `npm run serve`)");
