import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Checks `X-Hub-Signature-256: sha256=<hex>`: Meta's HMAC-SHA256 of the exact request bytes
 * with the app secret. Any re-serialised body would differ (Meta escapes non-ASCII and "/").
 */
export function validHubSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header?.trim() ?? "");
  if (!match) return false;
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(match[1]!, "hex"), expected);
}

/** Compares the handshake's hub.verify_token with ours without leaking it through timing. */
export function sameVerifyToken(given: unknown, expected: string): boolean {
  if (typeof given !== "string") return false;
  // Hashing first gives equal lengths, so the comparison time says nothing about the token.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
