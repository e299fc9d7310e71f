import type { AddressInfo } from "node:net";
import express from "express";

/**
 * Serves an app, or a router mounted at its root, on a free port of 127.0.0.1, where the
 * tests' fake providers and clients reach it; `close` stops it.
 */
export async function serveLocally(
  handler: express.Express | express.Router,
): Promise<{ base: string; close: () => Promise<void> }> {
  const app = typeof (handler as express.Express).listen === "function" ? (handler as express.Express) : express();
  if (app !== handler) app.use(handler);
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
