// What every start needs first and fast: the configuration (refused at once when it is wrong)
// and the logger. The rest of the service is loaded after the first line is printed.
import dotenv from "dotenv";
import { loadConfig, type Config } from "./config.js";
import { createLogger } from "./lib/logger.js";

dotenv.config({ quiet: true });

let loaded: Config;
try {
  loaded = loadConfig();
  // A forgeable staff token is a way into patient records: production refuses to start
  // without a real secret, including the placeholder from .env.example.
  if (loaded.NODE_ENV === "production" && (!loaded.JWT_SECRET || loaded.JWT_SECRET.startsWith("change-me"))) {
    throw new Error(
      "JWT_SECRET must be set to 32+ random characters in production, e.g. the output of: node -e \"console.log(require('crypto').randomBytes(32).toString('hex'))\"",
    );
  }
  // A readable TOTP secret is a second factor handed out: production seals them with a real key.
  if (loaded.NODE_ENV === "production" && !loaded.TOTP_ENCRYPTION_KEY) {
    throw new Error(
      "TOTP_ENCRYPTION_KEY must be set in production (64 hex digits), e.g. the output of: node -e \"console.log(require('crypto').randomBytes(32).toString('hex'))\"",
    );
  }
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

export const config: Config = loaded;
export const logger = createLogger(config);
