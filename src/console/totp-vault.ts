import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Config } from "../config.js";
import type { Database } from "../data/db.js";
import { parseKey, SecretBox } from "../lib/secret-box.js";

/*
 * Staff TOTP secrets (staff_user.totp_secret, console_session.pending_totp_secret) are sealed
 * with AES-256-GCM under TOTP_ENCRYPTION_KEY, bound to the account's id: a leaked table or
 * backup does not hand out second factors, and a secret pasted onto another account is dead.
 */

/** The additional data a staff member's TOTP secret is sealed with. */
export const totpContext = (staffUserId: string): string => `totp:${staffUserId}`;

const boxes = new Map<string, SecretBox>();
// Tests and scripts without a configured key: sealed values live as long as the process.
const processKey = randomBytes(32).toString("hex");

/** The box for this configuration's key; production without a key is refused at start (main.ts). */
export function totpBox(config: Pick<Config, "TOTP_ENCRYPTION_KEY" | "NODE_ENV">): SecretBox {
  if (!config.TOTP_ENCRYPTION_KEY && config.NODE_ENV === "production")
    throw new Error("TOTP_ENCRYPTION_KEY must be set in production");
  const text = config.TOTP_ENCRYPTION_KEY ?? processKey;
  let box = boxes.get(text);
  if (!box) {
    const key = parseKey(text);
    if (!key) throw new Error("TOTP_ENCRYPTION_KEY: 64 hex digits or base64 of 32 random bytes");
    boxes.set(text, (box = new SecretBox(key)));
  }
  return box;
}

/**
 * The key to use: the configured one, or in development a key generated once into `keyFile`
 * (mode 0600), so enrolments survive restarts of a dev box. Production must configure one.
 */
export async function resolveTotpKey(
  config: Pick<Config, "TOTP_ENCRYPTION_KEY" | "NODE_ENV">,
  keyFile: string,
): Promise<{ key: string; generated: boolean }> {
  if (config.TOTP_ENCRYPTION_KEY) return { key: config.TOTP_ENCRYPTION_KEY, generated: false };
  if (config.NODE_ENV === "production")
    throw new Error(
      "TOTP_ENCRYPTION_KEY must be set in production (64 hex digits), e.g. the output of: node -e \"console.log(require('crypto').randomBytes(32).toString('hex'))\"",
    );
  try {
    const existing = (await readFile(keyFile, "utf8")).trim();
    if (parseKey(existing)) return { key: existing, generated: false };
    throw new Error(`${keyFile} does not hold a valid key; remove it or set TOTP_ENCRYPTION_KEY`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const key = randomBytes(32).toString("hex");
  await mkdir(path.dirname(keyFile), { recursive: true });
  await writeFile(keyFile, `${key}\n`, { mode: 0o600, flag: "wx" });
  await chmod(keyFile, 0o600);
  return { key, generated: true };
}

/**
 * Seals every TOTP secret still stored in plain text (rows written before encryption at rest);
 * returns how many were sealed. Idempotent: sealed rows are left alone.
 */
export async function sealPlaintextTotpSecrets(db: Database, box: SecretBox): Promise<number> {
  let sealed = 0;
  const users = await db.sql.query<{ id: string; totp_secret: string }>(
    `SELECT id, totp_secret FROM staff_user WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'enc:%'`,
  );
  for (const u of users) {
    const rows = await db.sql.query(
      `UPDATE staff_user SET totp_secret = $2 WHERE id = $1::uuid AND totp_secret = $3 RETURNING id`,
      [u.id, box.seal(u.totp_secret, totpContext(u.id)), u.totp_secret],
    );
    sealed += rows.length;
  }
  const sessions = await db.sql.query<{ id: string; staff_user_id: string; pending_totp_secret: string }>(
    `SELECT id, staff_user_id, pending_totp_secret FROM console_session
      WHERE pending_totp_secret IS NOT NULL AND pending_totp_secret NOT LIKE 'enc:%'`,
  );
  for (const s of sessions) {
    const rows = await db.sql.query(
      `UPDATE console_session SET pending_totp_secret = $2 WHERE id = $1 AND pending_totp_secret = $3 RETURNING id`,
      [s.id, box.seal(s.pending_totp_secret, totpContext(s.staff_user_id)), s.pending_totp_secret],
    );
    sealed += rows.length;
  }
  return sealed;
}
