import express, { type Request, type Response, type Router } from "express";
import type { AppContext } from "../context.js";
import { createApiClient, listApiClients, revokeApiClient, rotateApiClientSecret } from "../domain/api-clients.js";
import { DomainError } from "../domain/errors.js";
import { field, idParam } from "./clinic-forms.js";
import { actorOf, guard, mustSession } from "./http.js";
import { RECORDS_ASSET_VERSION } from "./record-kit.js";
import { renderPage, type PageLocals } from "./render.js";

const form = express.urlencoded({ extended: false, limit: "8kb" });
const adminOnly = guard({ roles: ["admin"] });

/** Where clients ask for tokens, as the secret page's example shows it. */
const tokenUrl = (ctx: AppContext, req: Request): string =>
  `${ctx.config.PUBLIC_URL?.replace(/\/+$/, "") ?? `${req.protocol}://${req.get("host")}`}/oauth2/token`;

/** API clients for admins: create one with its scopes, see its secret once, rotate it, revoke it. */
export function apiClientRoutes(router: Router, ctx: AppContext): void {
  async function showList(
    req: Request,
    res: Response,
    opts: { status?: number; error?: string; form?: { name: string; scopes: string } } = {},
  ) {
    const session = mustSession(res);
    const { t } = res.locals as PageLocals;
    const clients = await listApiClients(ctx.db, session.user.clinicId);
    const flash = req.query.done === "revoked" ? t("clientRevokedDone") : null;
    renderPage(
      res,
      "api-clients",
      {
        title: t("clientsTitle"),
        recordsVersion: RECORDS_ASSET_VERSION,
        flash,
        error: opts.error ?? (req.query.refused === "gone" ? t("clientGone") : null),
        form: opts.form ?? { name: "", scopes: "system/*.read" },
        rows: clients.map((c) => ({
          id: c.id,
          name: c.name,
          clientId: c.clientId,
          scopes: c.scopes,
          created: c.createdAt.toISOString().slice(0, 10),
          active: c.revokedAt === null,
          state: c.revokedAt ? t("clientRevoked", { date: c.revokedAt.toISOString().slice(0, 10) }) : t("clientActive"),
        })),
      },
      { status: opts.status },
    );
  }

  function showSecret(
    req: Request,
    res: Response,
    client: { name: string; clientId: string; scopes: string },
    secret: string,
  ) {
    const { t } = res.locals as PageLocals;
    res.set("Cache-Control", "no-store");
    renderPage(res, "api-client-secret", {
      title: t("clientSecretTitle", { name: client.name }),
      clientId: client.clientId,
      scopes: client.scopes,
      secret,
      tokenUrl: tokenUrl(ctx, req),
    });
  }

  router.get("/admin/clients", adminOnly, async (req, res, next) => {
    try {
      await showList(req, res);
    } catch (err) {
      next(err);
    }
  });

  router.post("/admin/clients/new", form, adminOnly, async (req, res, next) => {
    try {
      const session = mustSession(res);
      const input = { name: field(req.body, "name", 121), scopes: field(req.body, "scopes", 2000) };
      try {
        const { client, secret } = await createApiClient(
          ctx.db,
          actorOf(session),
          session.user.clinicId,
          input,
          req.ip,
        );
        showSecret(req, res, client, secret);
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== "invalid") throw err;
        const { t } = res.locals as PageLocals;
        await showList(req, res, { status: 400, error: t("clientInvalid", { reason: err.message }), form: input });
      }
    } catch (err) {
      next(err);
    }
  });

  for (const action of ["rotate", "revoke"] as const) {
    router.post(`/admin/clients/:id/${action}`, form, adminOnly, async (req, res, next) => {
      try {
        const session = mustSession(res);
        const id = idParam(req);
        try {
          if (action === "revoke") {
            await revokeApiClient(ctx.db, actorOf(session), session.user.clinicId, id, ctx.now(), req.ip);
            res.redirect(303, "/admin/clients?done=revoked");
            return;
          }
          const { client, secret } = await rotateApiClientSecret(
            ctx.db,
            actorOf(session),
            session.user.clinicId,
            id,
            ctx.now(),
            req.ip,
          );
          showSecret(req, res, client, secret);
        } catch (err) {
          if (!(err instanceof DomainError) || (err.code !== "not_found" && err.code !== "conflict")) throw err;
          res.redirect(303, "/admin/clients?refused=gone");
        }
      } catch (err) {
        next(err);
      }
    });
  }
}
