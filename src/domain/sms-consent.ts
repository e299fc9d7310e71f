import type { Database } from "../data/db.js";

/** What a whole SMS asks of the channel itself rather than of the dialogue. */
export type SmsKeyword = { kind: "stop" | "start" | "help"; locale: "fr" | "en" };

// Whole-message keywords only, so "stop, je voudrais annuler" stays a dialogue message.
// CANCEL and YES, on Twilio's default lists, are left out: here they answer reminders
// ("cancel" my appointment, "yes" I'll come). Disable them in Twilio's Advanced Opt-Out too.
const KEYWORDS: Record<string, SmsKeyword> = {
  stop: { kind: "stop", locale: "fr" },
  arret: { kind: "stop", locale: "fr" },
  arreter: { kind: "stop", locale: "fr" },
  "stop sms": { kind: "stop", locale: "fr" },
  stopall: { kind: "stop", locale: "en" },
  "stop all": { kind: "stop", locale: "en" },
  unsubscribe: { kind: "stop", locale: "en" },
  end: { kind: "stop", locale: "en" },
  quit: { kind: "stop", locale: "en" },
  optout: { kind: "stop", locale: "en" },
  revoke: { kind: "stop", locale: "en" },
  start: { kind: "start", locale: "fr" },
  demarrer: { kind: "start", locale: "fr" },
  unstop: { kind: "start", locale: "en" },
  aide: { kind: "help", locale: "fr" },
  help: { kind: "help", locale: "en" },
  info: { kind: "help", locale: "fr" },
};

/** Reads STOP / ARRÊT / START / HELP / AIDE… sent as the whole message (any case, accents, trailing punctuation). */
export function readSmsKeyword(text: string): SmsKeyword | null {
  const key = text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[\s.!?]+$/u, "")
    .replace(/^\s+/u, "")
    .replace(/\s+/gu, " ");
  return KEYWORDS[key] ?? null;
}

/** Records that `phone` (E.164) asked for no more SMS. Idempotent; a later STOP keeps the first date. */
export async function optOutOfSms(db: Database, phone: string, at: Date): Promise<void> {
  await db.sql.query(
    `INSERT INTO sms_opt_out (phone, opted_out_at) VALUES ($1, $2)
     ON CONFLICT (phone) DO UPDATE SET opted_out_at = CASE WHEN sms_opt_out.opted_in_at IS NULL
       THEN sms_opt_out.opted_out_at ELSE EXCLUDED.opted_out_at END, opted_in_at = NULL`,
    [phone, at],
  );
}

/** Records that `phone` texted START: SMS may be sent to it again. */
export async function optInToSms(db: Database, phone: string, at: Date): Promise<void> {
  await db.sql.query(`UPDATE sms_opt_out SET opted_in_at = $2 WHERE phone = $1 AND opted_in_at IS NULL`, [phone, at]);
}

/** Whether `phone` (E.164) has opted out of SMS. Reminders and every SMS send check this. */
export async function isOptedOut(db: Database, phone: string): Promise<boolean> {
  const rows = await db.sql.query<{ phone: string }>(
    `SELECT phone FROM sms_opt_out WHERE phone = $1 AND opted_in_at IS NULL`,
    [phone],
  );
  return rows.length > 0;
}
