import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Request, type Response } from "express";
import { z } from "zod";
import { LIMITS, processLimiter, type Limiter } from "../../domain/limits.js";
import { zodProblem } from "../../http/errors.js";
import type { ChatEngine } from "../chat-engine.js";
import { pageCopy, pickLocale } from "./copy.js";

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "public");
const SESSION_COOKIE = "tabib_chat";
const SESSION_PATTERN = /^[A-Za-z0-9_-]{32}$/;

const WebMessage = z
  .strictObject({
    text: z.string().max(10_000).optional(),
    payload: z.string().max(200).optional(),
    /** Chosen by the page per message and reused on retry, so a retried send is answered once. */
    clientMessageId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "8–64 letters, digits, - or _"),
  })
  .refine((m) => m.text !== undefined || m.payload !== undefined, {
    path: ["text"],
    message: "text or payload is required",
  });

/**
 * The web chat: a page at /chat and its JSON endpoint. The patient's web identity is a
 * random id in an httpOnly cookie; what they write travels only in request bodies.
 */
export function webChatRouter(
  engine: ChatEngine,
  /** limiter: the instances' shared one (main.ts); a router served alone counts in its own memory. */
  opts: { secureCookies: boolean; emergencyNumber: string; now?: () => Date; limiter?: Limiter },
): express.Router {
  const router = express.Router();
  const now = opts.now ?? (() => new Date());
  const limiter = opts.limiter ?? processLimiter();
  let template: string | undefined;

  router.use("/chat/assets", express.static(PUBLIC_DIR, { maxAge: "1h", index: false }));

  router.get("/chat", async (req: Request, res: Response) => {
    sessionOf(req, res, opts.secureCookies);
    const locale = pickLocale(req.get("accept-language"));
    template ??= await readFile(path.join(PUBLIC_DIR, "chat.html"), "utf8");
    const copy = pageCopy[locale];
    const text = (key: string) =>
      key === "lang" ? locale : (copy[key as keyof typeof copy] ?? "").replace("{emergency}", opts.emergencyNumber);
    const html = template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => escapeHtml(text(key)));
    res.type("html").set("Cache-Control", "no-store").send(html);
  });

  router.post("/chat/messages", express.json({ limit: "64kb" }), async (req: Request, res: Response, next) => {
    try {
      if (!req.is("application/json")) {
        res
          .status(415)
          .json({ error: "unsupported_media_type", message: "Send JSON (Content-Type: application/json)" });
        return;
      }
      const parsed = WebMessage.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json(zodProblem(parsed.error));
        return;
      }
      const session = sessionOf(req, res, opts.secureCookies);
      const verdict = await limiter.take(LIMITS.webChatPerSession, session, new Date());
      if (!verdict.allowed) {
        res
          .status(429)
          .set("Retry-After", String(verdict.retryAfterSeconds))
          .json({ error: "rate_limited", message: "Too many messages; wait a minute" });
        return;
      }
      const replies = await engine({
        channel: "web",
        senderId: session,
        text: parsed.data.text,
        payload: parsed.data.payload,
        providerMessageId: `${session}:${parsed.data.clientMessageId}`,
        receivedAt: now(),
      });
      res.set("Cache-Control", "no-store").json({ replies });
    } catch (err) {
      next(err);
    }
  });

  return router;
}

function sessionOf(req: Request, res: Response, secure: boolean): string {
  const existing = parseCookie(req.get("cookie"), SESSION_COOKIE);
  if (existing && SESSION_PATTERN.test(existing)) return existing;
  const id = randomBytes(24).toString("base64url");
  res.cookie(SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: "lax",
    secure,
    path: "/chat",
    maxAge: 30 * 24 * 3600 * 1000,
  });
  // Later middleware in this request must see the same id.
  req.headers.cookie = `${req.get("cookie") ? `${req.get("cookie")}; ` : ""}${SESSION_COOKIE}=${id}`;
  return id;
}

function parseCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
