import type { OutboundMessage } from "../messages.js";
import { en, type Copy, type CopyKey, type Params } from "./en.js";
import { formatterFor } from "./format.js";
import { fr } from "./fr.js";

export type { CopyKey, Params } from "./en.js";
export type ChatLocale = "fr" | "en";

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
