import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { Specialty } from "../../data/generated/client.js";
import { createSpecialty, listSpecialties, updateSpecialty } from "../../domain/directory.js";
import type { ApiRoutes } from "../route.js";
import { IdParams } from "../schemas.js";

export const SpecialtyDto = z
  .object({
    id: z.uuid(),
    code: z.string(),
    nameFr: z.string(),
    nameEn: z.string(),
    keywordsFr: z.array(z.string()).meta({ description: "Words patients use for it, read by the chat triage" }),
    keywordsEn: z.array(z.string()),
  })
  .meta({ id: "Specialty" });

const Keywords = z.array(z.string().trim().min(1).max(100)).max(200);
const SpecialtyFields = z.strictObject({
  code: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "lowercase letters, digits and dashes"),
  nameFr: z.string().trim().min(1).max(200),
  nameEn: z.string().trim().min(1).max(200),
  keywordsFr: Keywords.default([]),
  keywordsEn: Keywords.default([]),
});
const NewSpecialty = SpecialtyFields.meta({ id: "NewSpecialty" });
const SpecialtyChanges = z
  .strictObject({ ...SpecialtyFields.shape, keywordsFr: Keywords, keywordsEn: Keywords })
  .partial()
  .meta({ id: "SpecialtyChanges" });

export const presentSpecialty = (s: Specialty): z.input<typeof SpecialtyDto> => ({
  id: s.id,
  code: s.code,
  nameFr: s.nameFr,
  nameEn: s.nameEn,
  keywordsFr: s.keywordsFr,
  keywordsEn: s.keywordsEn,
});

export function specialtyRoutes(api: ApiRoutes, ctx: AppContext): void {
  api.add({
    method: "get",
    path: "/specialties",
    tag: "directory",
    summary: "Specialties of the clinic",
    access: ["admin", "secretary", "doctor"],
    scope: "HealthcareService.s",
    ok: { description: "Specialties", schema: z.array(SpecialtyDto) },
    async handler({ caller }) {
      return (await listSpecialties(ctx.db, caller.clinicId)).map(presentSpecialty);
    },
  });

  api.add({
    method: "post",
    path: "/specialties",
    tag: "directory",
    summary: "Add a specialty",
    access: ["admin"],
    scope: "HealthcareService.c",
    body: NewSpecialty,
    ok: { status: 201, description: "Created", schema: SpecialtyDto },
    errors: { 409: "The code is already used" },
    async handler({ caller, body }) {
      return presentSpecialty(await createSpecialty(ctx.db, caller.clinicId, body));
    },
  });

  api.add({
    method: "patch",
    path: "/specialties/:id",
    tag: "directory",
    summary: "Change a specialty",
    access: ["admin"],
    scope: "HealthcareService.u",
    params: IdParams,
    body: SpecialtyChanges,
    ok: { description: "Updated", schema: SpecialtyDto },
    errors: { 404: "No such specialty", 409: "The code is already used" },
    async handler({ caller, params, body }) {
      return presentSpecialty(await updateSpecialty(ctx.db, caller.clinicId, params.id, body));
    },
  });
}
