/** How an SMS travels: GSM-7 (7-bit alphabet) or UCS-2 (anything else, e.g. "ç", "ô", emoji). */
export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Parts the carrier bills and reassembles (Twilio splits and concatenates them itself). */
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
}

// GSM 03.38 basic alphabet (without ESC) and the extension table, whose characters take two septets.
const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM_EXTENDED = new Set("\f^{}\\[~]|€");

const GSM_SINGLE = 160;
const GSM_PART = 153;
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

/**
 * Counts the segments a text takes, by the GSM-7 / UCS-2 rules: one segment holds 160 septets
 * or 70 UTF-16 units; a concatenated message's parts hold 153 or 67 (the rest is the header).
 * A part never splits an escape pair or a surrogate pair, as carriers' encoders do.
 */
export function smsSegments(text: string): SmsSegments {
  const chars = [...text];
  const gsm = chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENDED.has(c));
  const widths = gsm ? chars.map((c) => (GSM_EXTENDED.has(c) ? 2 : 1)) : chars.map((c) => c.length);
  const units = widths.reduce((a, b) => a + b, 0);
  const [single, part] = gsm ? [GSM_SINGLE, GSM_PART] : [UCS2_SINGLE, UCS2_PART];
  if (units <= single) return { encoding: gsm ? "GSM-7" : "UCS-2", segments: 1, units };
  let segments = 1;
  let used = 0;
  for (const w of widths) {
    if (used + w > part) {
      segments++;
      used = 0;
    }
    used += w;
  }
  return { encoding: gsm ? "GSM-7" : "UCS-2", segments, units };
}

// Typographic look-alikes that would force a whole message into UCS-2 (70 characters a segment).
const LOOKALIKES: [RegExp, string][] = [
  [/[\u2018\u2019\u201a\u2032]/g, "'"],
  [/[\u201c\u201d\u201e\u00ab\u00bb\u2033]/g, '"'],
  [/[\u00a0\u202f\u2007\u2009]/g, " "],
  [/[\u2013\u2014\u2212]/g, "-"],
  [/\u2026/g, "..."],
];

/** Replaces typographic punctuation with plain ASCII (letters and accents are kept as they are). */
export function plainPunctuation(text: string): string {
  return LOOKALIKES.reduce((t, [re, plain]) => t.replace(re, plain), text);
}
