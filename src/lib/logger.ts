import { createRequire } from "node:module";
import { pino, type DestinationStream, type Logger } from "pino";

/** What the logger is made from; the process's Config carries these two settings (LOG_LEVEL, NODE_ENV). */
export interface LoggerSettings {
  LOG_LEVEL: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  NODE_ENV: "development" | "test" | "production";
}

/**
 * Paths whose values never reach a log line. Request/response objects are logged by
 * serializers, so headers are covered both top-level and nested one level down.
 */
export const REDACTED_PATHS = [
  "authorization",
  "cookie",
  "password",
  "token",
  "secret",
  "*.authorization",
  "*.cookie",
  "*.password",
  "*.token",
  "*.secret",
  "*.passwordHash",
  "*.accessToken",
  "*.refreshToken",
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  // Postgres puts row values in an error's detail ("Key (phone)=(+336…) already exists"),
  // and Prisma's driver adapters nest the driver error as a cause.
  "err.detail",
  "err.cause.detail",
  "err.cause.cause.detail",
  "err.meta",
  "err.cause.meta",
];

/**
 * pino-pretty is a devDependency: production images do not have it, and piping to a file
 * or a collector wants JSON anyway. So it is only used on a terminal in development.
 */
function prettyStream(config: Pick<LoggerSettings, "NODE_ENV">): DestinationStream | undefined {
  if (config.NODE_ENV !== "development" || !process.stdout.isTTY) return undefined;
  try {
    const require = createRequire(import.meta.url);
    const pretty = require("pino-pretty") as (opts: object) => DestinationStream;
    return pretty({ colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" });
  } catch {
    return undefined;
  }
}

/** The process-wide logger: JSON lines on stdout, secrets redacted. */
export function createLogger(config: LoggerSettings, destination?: DestinationStream): Logger {
  const options = {
    level: config.LOG_LEVEL,
    base: { service: "tabib" },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  const stream = destination ?? prettyStream(config);
  return stream ? pino(options, stream) : pino(options);
}
