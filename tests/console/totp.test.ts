import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, matchTotp, totpCode, totpStep } from "../../src/console/totp.js";

// RFC 6238 appendix B, SHA-1 secret "12345678901234567890" (8-digit codes; ours keep the last 6).
const SECRET = base32Encode(Buffer.from("12345678901234567890"));

describe("TOTP", () => {
  it("matches the RFC 6238 test vectors", () => {
    expect(totpCode(SECRET, totpStep(59_000))).toBe("287082");
    expect(totpCode(SECRET, totpStep(1_111_111_109_000))).toBe("081804");
    expect(totpCode(SECRET, totpStep(1_234_567_890_000))).toBe("005924");
    expect(totpCode(SECRET, totpStep(20_000_000_000_000))).toBe("353130");
  });

  it("base32 round-trips", () => {
    expect(base32Decode(SECRET).toString()).toBe("12345678901234567890");
  });

  it("accepts one step of drift and never the same step twice", () => {
    const at = new Date(1_234_567_890_000);
    const step = totpStep(at);
    expect(matchTotp(SECRET, totpCode(SECRET, step - 1), at, null)).toBe(step - 1);
    expect(matchTotp(SECRET, totpCode(SECRET, step - 2), at, null)).toBeNull();
    expect(matchTotp(SECRET, totpCode(SECRET, step), at, step)).toBeNull();
    expect(matchTotp(SECRET, "12345", at, null)).toBeNull();
  });
});
