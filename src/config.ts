import { z } from "zod";
import { isIP } from "node:net";
import { parseKey } from "./lib/secret-box.js";

/** Every setting Tabib reads from the environment. The README's configuration table mirrors this. */
const ConfigSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().default("./.data/pglite"),
  REDIS_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  JWT_SECRET: z.string().min(32).optional(),
  /** AES-256 key sealing staff TOTP secrets at rest: 64 hex digits or base64 of 32 bytes. */
  TOTP_ENCRYPTION_KEY: z
    .string()
    .refine((v) => parseKey(v) !== null, "64 hex digits or base64 of 32 random bytes")
    .optional(),
  /** Uploaded patient documents live here, outside anything served over HTTP. */
  DOCUMENTS_DIR: z.string().default("./.data/documents"),
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 3600),
  /** Lifetime of an access token from POST /oauth2/token (client credentials). */
  OAUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  /**
   * Express's "trust proxy": which hops may say who the client is (X-Forwarded-For). A hop count,
   * or a comma-separated list of loopback, linklocal, uniquelocal, addresses and CIDRs. Unset: none.
   */
  TRUST_PROXY: z
    .string()
    .refine(
      (v) => trustProxySetting(v) !== undefined,
      "a hop count (1), or addresses/CIDRs/loopback/linklocal/uniquelocal separated by commas",
    )
    .optional(),
  HOLD_MINUTES: z.coerce.number().positive().default(5),
  CONVERSATION_IDLE_MINUTES: z.coerce.number().positive().default(30),
  /** auto: the demo clinic with eight weeks of history into an empty database; empty: the clinic without history. */
  SEED_DEMO: z.enum(["auto", "empty", "never"]).default("auto"),
  SEED_ADMIN_EMAIL: z.string().email().default("admin@tabib.local"),
  SEED_ADMIN_PASSWORD: z.string().min(8).optional(),
  /** An API client created at start when both are set and it does not exist yet, with read access (system/*.read). */
  SEED_API_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._~-]{3,100}$/, "3–100 of A-Z a-z 0-9 . _ ~ -")
    .optional(),
  SEED_API_CLIENT_SECRET: z.string().min(32, "at least 32 random characters").max(512).optional(),
  PUBLIC_URL: z.string().url().optional(),
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[A-Za-z0-9_-]+$/, "looks like 123456:ABC-…")
    .optional(),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, "1–256 of A-Z a-z 0-9 _ -")
    .optional(),
  TELEGRAM_API_ROOT: z.string().url().default("https://api.telegram.org"),
  TELEGRAM_MODE: z.enum(["webhook", "polling"]).default("webhook"),
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, "AC followed by 32 hex digits")
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  TWILIO_FROM_NUMBER: z
    .string()
    .regex(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, "an E.164 number or a Messaging Service SID")
    .optional(),
  TWILIO_API_BASE: z.string().url().default("https://api.twilio.com"),
  WHATSAPP_ACCESS_TOKEN: z.string().min(20).optional(),
  WHATSAPP_PHONE_NUMBER_ID: z.string().regex(/^\d+$/, "digits (Meta app > WhatsApp > API setup)").optional(),
  WHATSAPP_APP_SECRET: z.string().min(16).optional(),
  WHATSAPP_VERIFY_TOKEN: z.string().min(8).optional(),
  WHATSAPP_GRAPH_BASE: z.string().url().default("https://graph.facebook.com"),
  WHATSAPP_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default("v21.0"),
  /** WhatsApp through the clinic's own number in a headless browser (whatsapp-web.js); exclusive with the Cloud API. */
  WHATSAPP_WEB_ENABLED: z.enum(["true", "false"]).default("false"),
  /** The linked-device session lives here, so a restart needs no new QR scan. */
  WHATSAPP_WEB_SESSION_DIR: z.string().default("./.data/whatsapp-web"),
  /** The system's Chromium (puppeteer's own download is never used). */
  WHATSAPP_WEB_CHROMIUM: z.string().default("/usr/bin/chromium"),
  /** Whether the web process also runs background jobs (queued replies, reminders, notices); off when a separate worker runs. */
  INLINE_WORKER: z.enum(["true", "false"]).default("true"),
  /** How often the reminder sweeper looks for due reminders and pending notices in Postgres. */
  REMINDER_SWEEP_SECONDS: z.coerce.number().positive().max(3600).default(30),
  /** SMTP server for notice emails, e.g. smtp://user:pass@mail.example.org:587; unset: no email. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "smtp://… or smtps://…")
    .optional(),
  MAIL_FROM: z.string().min(3).default("Tabib <no-reply@tabib.local>"),
  /** Approved WhatsApp templates for messages outside the 24-hour window. */
  WHATSAPP_REMINDER_TEMPLATE: z.string().min(1).default("appointment_reminder"),
  WHATSAPP_NOTICE_TEMPLATE: z.string().min(1).default("appointment_update"),
});

export type Config = z.infer<typeof ConfigSchema>;

const TRUST_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/** TRUST_PROXY as Express takes it (a hop count, or the list), or undefined when it is not one of those. */
export function trustProxySetting(value: string): number | string | undefined {
  if (/^\d{1,2}$/.test(value.trim())) return Number(value.trim());
  const parts = value.split(",").map((p) => p.trim());
  const valid = parts.every((p) => {
    if (TRUST_NAMES.has(p)) return true;
    const [address, bits, ...rest] = p.split("/");
    const family = isIP(address ?? "");
    if (!family || rest.length > 0) return false;
    return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
  return valid && parts.length > 0 ? parts.join(",") : undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  // An unverifiable webhook would let anyone post updates in a patient's name.
  if (c.TELEGRAM_BOT_TOKEN && c.TELEGRAM_MODE === "webhook" && !c.TELEGRAM_WEBHOOK_SECRET)
    throw new Error(
      "Invalid configuration: TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_BOT_TOKEN in webhook mode",
    );
  // One WhatsApp number, one transport: two would answer each patient twice, from two senders.
  const cloud = [
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
  ] as const;
  if (c.WHATSAPP_WEB_ENABLED === "true" && cloud.some((k) => c[k]))
    throw new Error(
      `Invalid configuration: WHATSAPP_WEB_ENABLED=true and the Cloud API's ${cloud.filter((k) => c[k]).join(", ")} are both set; choose one WhatsApp transport`,
    );
  if (Boolean(c.SEED_API_CLIENT_ID) !== Boolean(c.SEED_API_CLIENT_SECRET))
    throw new Error("Invalid configuration: set both SEED_API_CLIENT_ID and SEED_API_CLIENT_SECRET, or neither");
  return parsed.data;
}
