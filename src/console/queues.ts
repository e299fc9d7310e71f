import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import { Queue } from "bullmq";
import type { RequestHandler, Router } from "express";
import { Redis } from "ioredis";
import { OUTBOUND_QUEUE } from "../bots/delivery/queue.js";
import type { AppContext } from "../context.js";
import { FOLLOW_UP_QUEUE } from "../jobs/follow-up-queue.js";
import { guard, sessionOf } from "./http.js";

/** Where the dashboard is served. */
export const QUEUES_PATH = "/admin/queues";

/** The queues the dashboard shows; add a queue's name here to see it there. */
export const DASHBOARD_QUEUES: readonly string[] = [OUTBOUND_QUEUE, FOLLOW_UP_QUEUE];

/**
 * Bull Board for admins, behind the console's session and role guard (and its MFA). Mounted
 * only with REDIS_URL: without Redis there are no queues to show. Job data carries row ids and
 * outbound message text, hence admins only.
 */
export function queueDashboard(router: Router, ctx: AppContext, opts: { prefix?: string } = {}): void {
  const url = ctx.config.REDIS_URL;
  if (!url) return;
  // Opened at the first request, so a console without visitors holds no Redis connection.
  const connection = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  connection.on("error", () => undefined);
  const prefix = opts.prefix ?? "tabib";
  const adapter = new ExpressAdapter().setBasePath(QUEUES_PATH);
  createBullBoard({
    queues: DASHBOARD_QUEUES.map((name) => new BullMQAdapter(new Queue(name, { connection, prefix }))),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: "Tabib queues" } },
  });
  router.use(QUEUES_PATH, sameOriginWrites(ctx), guard({ roles: ["admin"] }), adapter.getRouter());
}

/**
 * The board's own page posts its actions (retry, clean…) as JSON without the console's CSRF
 * token. A browser always sends Origin on such requests and another site cannot forge it, so a
 * write whose Origin is this console's stands in for the token; anything else meets the
 * guard's CSRF refusal.
 */
function sameOriginWrites(ctx: AppContext): RequestHandler {
  return (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      const session = sessionOf(res);
      const expected = ctx.config.PUBLIC_URL
        ? new URL(ctx.config.PUBLIC_URL).origin
        : `${req.protocol}://${req.get("host")}`;
      if (session && req.get("origin") === expected) req.headers["x-csrf-token"] = session.csrfToken;
      else delete req.headers["x-csrf-token"];
    }
    next();
  };
}
