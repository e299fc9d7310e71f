import type { Router } from "express";
import type { AppContext } from "../context.js";
import { KNOWN_AUDIT_ACTIONS, searchAudit, type AuditFilter } from "../domain/audit-search.js";
import { listStaffUsers } from "../domain/staff.js";
import { localDay, optionalUuid } from "./clinic-forms.js";
import { actorOf, guard } from "./http.js";
import type { MessageKey } from "./i18n.js";
import { pageContext, RECORDS_ASSET_VERSION } from "./record-kit.js";
import { renderPage } from "./render.js";

const KIND_LABEL: Record<string, MessageKey> = {
  patient: "audPatientActor",
  staff: "audStaffActor",
  doctor: "roleDoctor",
  system: "audSystemActor",
  client: "navClients",
};

/** The audit log for admins: who read or changed what, when, from where; filtered and paginated. */
export function auditViewerRoutes(router: Router, ctx: AppContext): void {
  router.get("/admin/audit", guard({ roles: ["admin"] }), async (req, res, next) => {
    try {
      const { session, t, clock, format } = await pageContext(ctx, res);
      const q = req.query;
      const fromDay = localDay(q.from);
      const toDay = localDay(q.to);
      const actionText = typeof q.action === "string" ? q.action.trim().toLowerCase() : "";
      const action = /^[a-z_.]{1,60}$/.test(actionText) ? actionText : undefined;
      const filter: AuditFilter = {
        patientId: optionalUuid(q.patient),
        actorId: optionalUuid(q.actor),
        action,
        from: fromDay ? new Date(clock.at(fromDay, 0)) : undefined,
        // "to" is the last day shown, included.
        to: toDay ? new Date(clock.at(clock.addDays(toDay, 1), 0)) : undefined,
      };
      const before = typeof q.before === "string" && /^\d{1,19}$/.test(q.before) ? q.before : undefined;
      const [page, staff, patient] = await Promise.all([
        searchAudit(ctx.db, actorOf(session), session.user.clinicId, filter, { before }, req.ip),
        listStaffUsers(ctx.db, session.user.clinicId),
        filter.patientId
          ? ctx.db.prisma.patient.findFirst({
              where: { id: filter.patientId, clinicId: session.user.clinicId },
              select: { firstName: true, lastName: true },
            })
          : null,
      ]);
      const params = new URLSearchParams();
      if (filter.patientId) params.set("patient", filter.patientId);
      if (filter.actorId) params.set("actor", filter.actorId);
      if (action) params.set("action", action);
      if (fromDay) params.set("from", fromDay);
      if (toDay) params.set("to", toDay);
      const base = params.toString();
      renderPage(res, "audit", {
        title: t("audTitle"),
        recordsVersion: RECORDS_ASSET_VERSION,
        f: {
          patient: filter.patientId ?? "",
          patientName: patient ? `${patient.firstName} ${patient.lastName}`.trim() : null,
          actor: filter.actorId ?? "",
          action: actionText,
          from: fromDay ?? "",
          to: toDay ?? "",
        },
        filtered: base !== "",
        actions: KNOWN_AUDIT_ACTIONS,
        staff: staff.map((u) => ({ id: u.id, name: `${u.displayName} (${u.email})` })),
        rows: page.rows.map((r) => ({
          at: format.dateTimeOf(r.at),
          iso: r.at.toISOString(),
          actor: r.actorName ?? "—",
          actorKind: t(KIND_LABEL[r.actorKind] ?? "audSystemActor"),
          action: r.action,
          resource: `${r.resourceType}${r.resourceId ? ` ${r.resourceId.slice(0, 8)}` : ""}`,
          patientId: r.patientId,
          patient: r.patientName,
          ip: r.ip ?? "—",
        })),
        newest: before ? `/admin/audit${base ? `?${base}` : ""}` : null,
        older: page.nextBefore ? `/admin/audit?${base ? `${base}&` : ""}before=${page.nextBefore}` : null,
      });
    } catch (err) {
      next(err);
    }
  });
}
