import { createHash } from "node:crypto";
import type { ChatLocale, OutboundMessage } from "../../domain/channels.js";
import { en, type Copy, type CopyKey, type Params } from "./en.js";
import { formatterFor } from "./format.js";
import { fr } from "./fr.js";

export type { CopyKey, Params } from "./en.js";
export type { ChatLocale } from "../../domain/channels.js";

export const COPY: Readonly<Record<ChatLocale, Copy>> = { fr, en };

/** A reply as the machine decides it: which sentences, with which values. Worded only when sent. */
export interface Reply {
  lines: { key: CopyKey; params?: Params }[];
  choices?: { id: string; key: CopyKey; params?: Params }[];
}

/** Words a reply in the patient's language, dates in the clinic's time zone. */
/** `facts` are clinic values any sentence may use (emergency numbers). */
export function render(reply: Reply, locale: ChatLocale, timeZone: string, facts: Params = {}): OutboundMessage {
  const copy = COPY[locale];
  const f = formatterFor(locale, timeZone);
  const text = reply.lines.map((l) => copy[l.key]({ ...facts, ...l.params }, f)).join("\n");
  const out: OutboundMessage = { text };
  if (reply.choices?.length)
    out.choices = reply.choices.map((c) => ({ id: c.id, label: copy[c.key](c.params ?? {}, f) }));
  return out;
}

/**
 * The version of a consent wording as stored with the patient's consent: the language and a
 * short hash of the very text, so any change to the wording makes a new version by itself and
 * the stored version always names the sentence the patient agreed to.
 */
export const wordingVersion = (locale: ChatLocale, text: string): string =>
  `chat-consent-${locale}-${createHash("sha256").update(text).digest("hex").slice(0, 12)}`;

/** The version of the consent question as the chat asks it in `locale` now. */
export function consentVersion(locale: ChatLocale, timeZone = "Europe/Paris"): string {
  return wordingVersion(locale, render({ lines: [{ key: "askConsent" }] }, locale, timeZone).text);
}
