import { z } from "zod";
import type { AppContext } from "../../context.js";
import { suggestSpecialtiesFor } from "../../domain/triage.js";
import type { ApiRoutes } from "../route.js";

const TriageRequest = z
  .strictObject({
    text: z.string().trim().min(1).max(2000).meta({ description: "What the patient wrote about their symptoms" }),
  })
  .meta({ id: "TriageRequest" });

const TriageSuggestionDto = z
  .object({
    specialty: z.object({ id: z.uuid(), code: z.string(), nameFr: z.string(), nameEn: z.string() }),
    score: z.number(),
    matched: z.array(z.string()).meta({ description: "Clinic keywords that matched" }),
  })
  .meta({ id: "TriageSuggestion" });

export function triageRoutes(api: ApiRoutes, ctx: AppContext): void {
  // POST, not GET: a patient's symptoms never belong in a URL.
  api.add({
    method: "post",
    path: "/triage",
    tag: "appointments",
    summary: "Suggest specialties for a patient's symptoms (French or English), best first",
    access: ["admin", "secretary", "doctor"],
    scope: "staff-only",
    body: TriageRequest,
    ok: { description: "Suggestions, best first; empty when nothing fits", schema: z.array(TriageSuggestionDto) },
    async handler({ staff, body }) {
      return (await suggestSpecialtiesFor(ctx.db, staff.clinicId, body.text)).map((s) => ({
        ...s,
        matched: [...s.matched],
      }));
    },
  });
}
