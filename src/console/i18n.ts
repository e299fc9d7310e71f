import type { Request } from "express";
import { en } from "./locales/en.js";
import { fr, type Messages } from "./locales/fr.js";

export type ConsoleLocale = "fr" | "en";
export type MessageKey = keyof Messages;
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export const LOCALE_COOKIE = "tabib_lang";
const CATALOGS: Record<ConsoleLocale, Messages> = { fr, en };

export const isLocale = (value: unknown): value is ConsoleLocale => value === "fr" || value === "en";

/** The cookie's choice, then the account's, then the browser's first supported language, else French. */
export function pickLocale(
  req: Request,
  cookies: Record<string, string>,
  preferred: ConsoleLocale | null,
): ConsoleLocale {
  const fromCookie = cookies[LOCALE_COOKIE];
  if (isLocale(fromCookie)) return fromCookie;
  if (preferred) return preferred;
  const header = req.get("accept-language") ?? "";
  const ranked = header
    .split(",")
    .map((part) => {
      const [tag, ...params] = part.trim().split(";");
      const q = Number(params.find((p) => p.trim().startsWith("q="))?.split("=")[1] ?? 1);
      return { lang: (tag ?? "").toLowerCase().slice(0, 2), q: Number.isFinite(q) ? q : 0 };
    })
    .sort((a, b) => b.q - a.q);
  return ranked.map((r) => r.lang).find(isLocale) ?? "fr";
}

export function translator(locale: ConsoleLocale): Translate {
  const catalog = CATALOGS[locale];
  return (key, vars) => {
    const text = catalog[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
  };
}
