import express, { type Request, type Response, type Router } from "express";
import type { AppContext } from "../context.js";
import type { StaffRole } from "../domain/actor.js";
import type { DoctorWithSpecialties } from "../domain/directory.js";
import { DomainError } from "../domain/errors.js";
import { changeStaffAccount, createStaffAccount } from "../domain/staff-admin.js";
import { field, idParam, optionalUuid } from "./clinic-forms.js";
import { doctorName } from "./format.js";
import { actorOf, guard, mustSession } from "./http.js";
import type { MessageKey } from "./i18n.js";
import { RECORDS_ASSET_VERSION } from "./record-kit.js";
import { renderPage, type PageLocals } from "./render.js";
import { closeAllSessions } from "./session.js";

const form = express.urlencoded({ extended: false, limit: "8kb" });
const adminOnly = guard({ roles: ["admin"] });
const ROLES: readonly StaffRole[] = ["admin", "secretary", "doctor"];
export const ROLE_LABEL: Record<StaffRole, MessageKey> = {
  admin: "roleAdmin",
  secretary: "roleSecretary",
  doctor: "roleDoctor",
};
const DONE: Record<string, MessageKey> = {
  saved: "recSaved",
  deactivated: "stfDeactivated",
  reactivated: "stfReactivated",
};
const REFUSED: Record<string, MessageKey> = {
  conflict: "stfConflict",
  invalid: "stfInvalid",
  self: "stfSelf",
};

const roleOf = (v: string): StaffRole | undefined =>
  (ROLES as readonly string[]).includes(v) ? (v as StaffRole) : undefined;

/** What the staff list (admin.ts) shows besides the rows: role and doctor choices, the outcome of the last change. */
export function staffPageExtras(req: Request, res: Response, doctors: DoctorWithSpecialties[]) {
  const { t } = res.locals as PageLocals;
  const done = typeof req.query.done === "string" ? DONE[req.query.done] : undefined;
  const refused = typeof req.query.refused === "string" ? REFUSED[req.query.refused] : undefined;
  return {
    recordsVersion: RECORDS_ASSET_VERSION,
    flash: done ? t(done) : null,
    error: refused ? t(refused) : null,
    roles: ROLES.map((r) => ({ value: r, label: t(ROLE_LABEL[r]) })),
    doctors: doctors.filter((d) => d.active).map((d) => ({ id: d.id, name: doctorName(d) })),
  };
}

/** Creating staff accounts (with a one-time temporary password), changing roles, deactivating. */
export function staffAccountRoutes(router: Router, ctx: AppContext): void {
  router.post("/admin/staff/new", form, adminOnly, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t } = res.locals as PageLocals;
      const role = roleOf(field(req.body, "role", 20));
      let created;
      try {
        if (!role) throw new DomainError("invalid", "role");
        created = await createStaffAccount(
          ctx.db,
          actorOf(session),
          session.user.clinicId,
          {
            email: field(req.body, "email", 320),
            displayName: field(req.body, "displayName", 121),
            role,
            doctorId: optionalUuid(field(req.body, "doctorId", 40)) ?? null,
          },
          req.ip,
        );
      } catch (err) {
        if (!(err instanceof DomainError) || !(err.code in REFUSED)) throw err;
        res.redirect(303, `/admin/staff?refused=${err.code}`);
        return;
      }
      renderPage(res, "admin-reset", {
        title: t("stfCreated", { name: created.user.displayName }),
        temporary: created.temporaryPassword,
        email: created.user.email,
      });
    } catch (err) {
      next(err);
    }
  });

  router.post("/admin/staff/:id", form, adminOnly, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const id = idParam(req);
      const activeText = field(req.body, "active", 5);
      const changes = {
        role: roleOf(field(req.body, "role", 20)),
        active: activeText === "" ? undefined : activeText === "1",
        doctorId: optionalUuid(field(req.body, "doctorId", 40)),
      };
      let outcome = "saved";
      try {
        const before = await ctx.db.prisma.staffUser.findFirst({ where: { id, clinicId: session.user.clinicId } });
        const user = await changeStaffAccount(ctx.db, actorOf(session), session.user.clinicId, id, changes, req.ip);
        if (before && before.active !== user.active) outcome = user.active ? "reactivated" : "deactivated";
        // A deactivated account, or one whose role changed, starts over at the login page.
        if (!user.active || before?.role !== user.role) await closeAllSessions(ctx.db, user.id);
      } catch (err) {
        if (!(err instanceof DomainError) || !(err.code in REFUSED)) throw err;
        res.redirect(303, `/admin/staff?refused=${err.code}`);
        return;
      }
      res.redirect(303, `/admin/staff?done=${outcome}`);
    } catch (err) {
      next(err);
    }
  });
}
