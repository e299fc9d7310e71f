import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Request } from "express";
import type { AppContext } from "../context.js";
import { searchPatients } from "../domain/patients.js";
import { actorOf } from "./http.js";
import { PUBLIC_DIR } from "./render.js";
import type { ConsoleSession } from "./session.js";

/** Cache-busting version of care.css (assets are cached for a year). */
export const CARE_ASSET_VERSION = createHash("sha256")
  .update(readFileSync(path.join(PUBLIC_DIR, "care.css")))
  .digest("hex")
  .slice(0, 10);

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A form field as a trimmed string ("" when absent). */
export const field = (req: Request, name: string, max = 500): string =>
  String((req.body as Record<string, unknown> | undefined)?.[name] ?? "")
    .trim()
    .slice(0, max);

/**
 * The patients matching the page's `q` (at least two characters), for the pick list of a form.
 * The search is audited like the patients page's, and doctors reach only their own patients.
 */
export async function patientChoices(ctx: AppContext, session: ConsoleSession, req: Request) {
  const q = typeof req.query.q === "string" ? req.query.q.trim().slice(0, 100) : "";
  if (q.length < 2) return { q, searched: false, patients: [] };
  const found = await searchPatients(
    ctx.db,
    { clinicId: session.user.clinicId, actor: actorOf(session), ip: req.ip },
    { q, limit: 10 },
  );
  return {
    q,
    searched: true,
    patients: found.map((p) => ({
      id: p.id,
      label: `${p.lastName.toUpperCase()} ${p.firstName}${p.phone ? ` — ${p.phone}` : ""}`,
    })),
  };
}
