import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Response } from "express";
import { Eta } from "eta";
import type { StaffRole } from "../domain/actor.js";
import type { ConsoleLocale, MessageKey, Translate } from "./i18n.js";
import type { ConsoleSession } from "./session.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const PUBLIC_DIR = path.join(here, "public");
export const HTMX_FILE = createRequire(import.meta.url).resolve("htmx.org/dist/htmx.min.js");

// Assets are cached for a year; the query string changes whenever one of them does.
export const ASSET_VERSION = createHash("sha256")
  .update(readFileSync(path.join(PUBLIC_DIR, "console.css")))
  .update(readFileSync(path.join(PUBLIC_DIR, "console.js")))
  .update(readFileSync(HTMX_FILE))
  .digest("hex")
  .slice(0, 10);

// Escaping is on by default: `<%= %>` escapes, only `<%~ %>` (trusted markup) does not.
const eta = new Eta({ views: path.join(here, "views"), cache: true, autoEscape: true });

interface NavItem {
  href: string;
  label: MessageKey;
  roles: readonly StaffRole[];
}

const NAV: readonly NavItem[] = [
  { href: "/", label: "navToday", roles: ["admin", "secretary", "doctor"] },
  { href: "/requests", label: "navRequests", roles: ["admin", "secretary", "doctor"] },
  { href: "/calendar", label: "navCalendar", roles: ["admin", "secretary", "doctor"] },
  { href: "/schedule", label: "navSchedule", roles: ["admin", "secretary", "doctor"] },
  { href: "/inbox", label: "navInbox", roles: ["admin", "secretary"] },
  { href: "/unconfirmed", label: "navUnconfirmed", roles: ["admin", "secretary", "doctor"] },
  { href: "/appointments/no-shows", label: "navNoShows", roles: ["admin", "secretary"] },
  { href: "/patients", label: "navPatients", roles: ["admin", "secretary", "doctor"] },
  { href: "/waitlist", label: "navWaitlist", roles: ["admin", "secretary", "doctor"] },
  { href: "/emergencies", label: "navEmergencies", roles: ["admin", "secretary", "doctor"] },
  { href: "/deliveries", label: "navDeliveries", roles: ["admin", "secretary"] },
  { href: "/billing", label: "navBilling", roles: ["admin", "secretary"] },
  { href: "/reports", label: "navReports", roles: ["admin", "secretary", "doctor"] },
  { href: "/admin/staff", label: "navStaff", roles: ["admin"] },
  { href: "/admin/clients", label: "navClients", roles: ["admin"] },
  { href: "/admin/clinic", label: "navSettings", roles: ["admin"] },
  { href: "/admin/audit", label: "navAudit", roles: ["admin"] },
];

/** What every page's template can rely on, besides its own data. */
export interface PageLocals {
  t: Translate;
  locale: ConsoleLocale;
  session?: ConsoleSession;
  /** Path and query of the current page, for the language switch to come back to. */
  here: string;
}

export function renderPage(
  res: Response,
  view: string,
  data: Record<string, unknown> & { title: string },
  opts: { status?: number } = {},
): void {
  const locals = res.locals as PageLocals;
  const session = locals.session;
  const ready = session && session.mfaPassed && !session.user.mustChangePassword;
  const it = {
    ...data,
    t: locals.t,
    locale: locals.locale,
    here: locals.here,
    user: session?.user,
    csrf: session?.csrfToken,
    nav: ready
      ? NAV.filter((n) => n.roles.includes(session.user.role)).map((n) => ({
          href: n.href,
          label: locals.t(n.label),
          current: n.href === "/" ? locals.here.split("?")[0] === "/" : locals.here.startsWith(n.href),
        }))
      : [],
    assetVersion: ASSET_VERSION,
  };
  const html = eta.render(`./${view}`, it);
  // Pages carry patient data: never kept by the browser or a proxy.
  res
    .status(opts.status ?? 200)
    .set("Cache-Control", "no-store")
    .type("html")
    .send(html);
}
