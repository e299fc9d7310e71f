import { z } from "zod";
import type { AppContext } from "../../context.js";
import { createStaffUser, listStaffUsers, MIN_PASSWORD_LENGTH, updateStaffUser } from "../../domain/staff.js";
import type { ApiRoutes } from "../route.js";
import { IdParams, StaffRoleName } from "../schemas.js";
import { presentStaffUser, StaffUserDto } from "./auth.js";

const Password = z.string().min(MIN_PASSWORD_LENGTH).max(1024);

const NewStaffUser = z
  .strictObject({
    email: z.email().max(320),
    displayName: z.string().trim().min(1).max(200),
    role: StaffRoleName,
    password: Password,
    doctorId: z.uuid().nullish().meta({ description: "Required for role doctor: the doctor this login acts for" }),
  })
  .meta({ id: "NewStaffUser" });

const StaffUserChanges = z
  .strictObject({
    displayName: z.string().trim().min(1).max(200).optional(),
    role: StaffRoleName.optional(),
    doctorId: z.uuid().nullable().optional(),
    active: z.boolean().optional(),
    password: Password.optional(),
    unlock: z.literal(true).optional().meta({ description: "Clear a lockout after failed logins" }),
  })
  .meta({ id: "StaffUserChanges" });

export function staffRoutes(api: ApiRoutes, ctx: AppContext): void {
  api.add({
    method: "get",
    path: "/staff",
    tag: "staff",
    summary: "Staff accounts of the clinic",
    access: ["admin"],
    scope: "staff-only",
    ok: { description: "Accounts", schema: z.array(StaffUserDto) },
    async handler({ staff }) {
      return (await listStaffUsers(ctx.db, staff.clinicId)).map(presentStaffUser);
    },
  });

  api.add({
    method: "post",
    path: "/staff",
    tag: "staff",
    summary: "Create a staff account",
    access: ["admin"],
    scope: "staff-only",
    body: NewStaffUser,
    ok: { status: 201, description: "Created", schema: StaffUserDto },
    errors: { 409: "Email already used, or the doctor already has a login" },
    async handler({ staff, body }) {
      const user = await createStaffUser(ctx.db, staff.clinicId, body);
      ctx.logger.info({ by: staff.userId, userId: user.id, role: user.role }, "staff account created");
      return presentStaffUser(user);
    },
  });

  api.add({
    method: "patch",
    path: "/staff/:id",
    tag: "staff",
    summary: "Change a staff account (role, doctor link, active, password, unlock)",
    access: ["admin"],
    scope: "staff-only",
    params: IdParams,
    body: StaffUserChanges,
    ok: { description: "Updated", schema: StaffUserDto },
    errors: { 404: "No such account", 409: "The doctor already has a login" },
    async handler({ staff, params, body }) {
      const user = await updateStaffUser(ctx.db, staff.clinicId, params.id, body);
      ctx.logger.info({ by: staff.userId, userId: user.id, fields: Object.keys(body) }, "staff account changed");
      return presentStaffUser(user);
    },
  });
}
