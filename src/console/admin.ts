import { randomBytes } from "node:crypto";
import express, { type Router } from "express";
import type { AppContext } from "../context.js";
import { recordAudit } from "../domain/audit.js";
import { listDoctors } from "../domain/directory.js";
import { getStaffUser, listStaffUsers, updateStaffUser } from "../domain/staff.js";
import { actorOf, guard, mustSession } from "./http.js";
import { renderPage, type PageLocals } from "./render.js";
import { closeAllSessions } from "./session.js";
import { staffPageExtras } from "./staff-accounts.js";

const form = express.urlencoded({ extended: false, limit: "8kb" });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const adminOnly = guard({ roles: ["admin"] });

/** Staff accounts for admins: who has MFA, who is locked, and the admin-driven password reset. */
export function adminRoutes(router: Router, ctx: AppContext): void {
  router.get("/admin/staff", adminOnly, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t } = res.locals as PageLocals;
      const [users, doctors] = await Promise.all([
        listStaffUsers(ctx.db, session.user.clinicId),
        listDoctors(ctx.db, session.user.clinicId),
      ]);
      const now = ctx.now();
      renderPage(res, "admin-staff", {
        title: t("staffTitle"),
        ...staffPageExtras(req, res, doctors),
        rows: users.map((u) => ({
          id: u.id,
          name: u.displayName,
          email: u.email,
          role: t(u.role === "admin" ? "roleAdmin" : u.role === "secretary" ? "roleSecretary" : "roleDoctor"),
          mfa: u.totpSecret ? t("yes") : t("no"),
          state: !u.active ? t("inactive") : u.lockedUntil && u.lockedUntil > now ? t("locked") : t("active"),
          self: u.id === session.user.id,
          roleValue: u.role,
          active: u.active,
          doctorId: u.doctorId ?? "",
        })),
      });
    } catch (err) {
      next(err);
    }
  });

  router.post("/admin/staff/:id/reset-password", form, adminOnly, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const { t } = res.locals as PageLocals;
      const id = req.params.id;
      if (typeof id !== "string" || !UUID.test(id)) {
        res.redirect(303, "/admin/staff");
        return;
      }
      const user = await getStaffUser(ctx.db, session.user.clinicId, id);
      // 16 characters from a 64-symbol alphabet: over the 12-character minimum, said aloud once.
      const temporary = randomBytes(12).toString("base64url");
      await updateStaffUser(ctx.db, session.user.clinicId, user.id, { password: temporary, unlock: true });
      await ctx.db.prisma.staffUser.update({ where: { id: user.id }, data: { mustChangePassword: true } });
      // Whoever was signed in with the old password is signed out.
      await closeAllSessions(ctx.db, user.id);
      await recordAudit(ctx.db, {
        actor: actorOf(session),
        action: "staff.password_reset",
        resourceType: "staff_user",
        resourceId: user.id,
        ip: req.ip,
      });
      renderPage(res, "admin-reset", {
        title: t("resetDone", { name: user.displayName }),
        temporary,
        email: user.email,
      });
    } catch (err) {
      next(err);
    }
  });
}
