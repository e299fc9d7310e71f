import type { Request, Response, Router } from "express";
import type { OpenAPIRegistry, RouteConfig } from "@asteasolutions/zod-to-openapi";
import type { z } from "zod";
import type { AppContext } from "../context.js";
import type { StaffRole } from "../domain/actor.js";
import {
  INTERACTIONS,
  SCOPE_RESOURCES,
  type Interaction,
  type ScopeNeed,
  type ScopeResource,
} from "../domain/access-scopes.js";
import type { StaffActor } from "../domain/staff.js";
import { requireCaller, type Caller, type StaffPrincipal } from "../http/auth.js";
import { ApiProblem } from "./problem.js";
import { Problem } from "./schemas.js";

/** The caller as the domain records it. */
export const actorOf = (staff: StaffPrincipal): StaffActor => ({
  kind: "staff",
  userId: staff.userId,
  role: staff.role,
  doctorId: staff.doctorId,
});

type Method = "get" | "post" | "put" | "patch" | "delete";

/** Who may call a route: anyone, or staff holding one of the roles. */
export type Access = "public" | readonly StaffRole[];

/**
 * What a machine client's token must allow to call a route — a resource and one SMART v2 letter
 * (c create, r read one, u update, d delete, s search/list), e.g. "Patient.s" — or "staff-only"
 * for what only a person may do (accounts, clinical records, money, alerts).
 */
export type ClientScope = `${ScopeResource}.${Interaction}` | "staff-only";

function scopeNeed(scope: ClientScope): ScopeNeed | null {
  if (scope === "staff-only") return null;
  const [resource, interaction] = scope.split(".") as [ScopeResource, Interaction];
  if (!SCOPE_RESOURCES.includes(resource) || !INTERACTIONS.includes(interaction))
    throw new Error(`unknown scope ${scope}`);
  return { resource, interaction };
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
type Answer<S> = S extends z.ZodType ? z.input<S> : void;

export interface HandlerInput<A extends Access, S extends ClientScope, P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
  /** The token's holder, staff or client; present on every non-public route. */
  caller: A extends "public" ? undefined : Caller;
  /** The staff member calling; on routes clients may call too, absent when a client does. */
  staff: A extends "public" ? undefined : S extends "staff-only" ? StaffPrincipal : StaffPrincipal | undefined;
  req: Request;
  res: Response;
}

type ErrorStatus = 404 | 409 | 422 | 429;

export interface RouteSpec<
  A extends Access,
  S extends ClientScope,
  P extends z.ZodObject | undefined,
  Q extends z.ZodObject | undefined,
  B extends z.ZodType | undefined,
  R extends z.ZodType | undefined,
> {
  method: Method;
  /** Express-style path relative to the API root, e.g. "/doctors/:id". */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: A;
  /** Required on every non-public route: what a client's token must allow, or "staff-only". */
  scope?: S;
  params?: P;
  query?: Q;
  body?: B;
  /** The success answer; its schema types the handler's return value, so the document cannot drift from the code. */
  ok: { status?: 200 | 201 | 204; description: string; schema?: R };
  /** Refusals worth documenting besides the automatic 400/401/403. */
  errors?: Partial<Record<ErrorStatus, string>>;
  handler(input: HandlerInput<A, S, P, Q, B>): Promise<Answer<R>>;
}

/**
 * Declares each route once: the Express handler (auth, zod parsing, JSON answer) and its
 * OpenAPI operation are built from the same spec, so every served route is documented.
 */
export class ApiRoutes {
  constructor(
    private readonly ctx: AppContext,
    private readonly router: Router,
    private readonly registry: OpenAPIRegistry,
  ) {}

  add<
    A extends Access,
    S extends ClientScope = "staff-only",
    P extends z.ZodObject | undefined = undefined,
    Q extends z.ZodObject | undefined = undefined,
    B extends z.ZodType | undefined = undefined,
    R extends z.ZodType | undefined = undefined,
  >(spec: RouteSpec<A, S, P, Q, B, R>): void {
    if (spec.access !== "public" && !spec.scope)
      throw new Error(`${spec.method.toUpperCase()} ${spec.path}: declare the client scope it needs, or "staff-only"`);
    this.document(spec);
    const guard =
      spec.access === "public"
        ? []
        : [
            requireCaller(this.ctx, {
              roles: spec.access as readonly StaffRole[],
              scope: scopeNeed(spec.scope!),
            }),
          ];
    const status = spec.ok.status ?? 200;
    this.router[spec.method](spec.path, ...guard, async (req: Request, res: Response) => {
      // ZodErrors and DomainErrors propagate to the app's errorHandler (Express 5 forwards rejections).
      const input = {
        params: spec.params ? spec.params.parse(req.params) : undefined,
        query: spec.query ? spec.query.parse(req.query) : undefined,
        // No body at all reads as {}, so routes whose fields are all optional accept a bare POST.
        body: spec.body ? spec.body.parse(req.body ?? {}) : undefined,
        caller: req.caller,
        staff: req.caller?.kind === "client" ? undefined : req.caller,
        req,
        res,
      } as HandlerInput<A, S, P, Q, B>;
      let answer: unknown;
      try {
        answer = await spec.handler(input);
      } catch (err) {
        if (!(err instanceof ApiProblem)) throw err;
        res.set(err.headers).status(err.status).json({ error: err.code, message: err.message });
        return;
      }
      if (status === 204) res.status(204).end();
      else res.status(status).json(answer);
    });
  }

  private document(
    spec: Omit<
      RouteSpec<
        Access,
        ClientScope,
        z.ZodObject | undefined,
        z.ZodObject | undefined,
        z.ZodType | undefined,
        z.ZodType | undefined
      >,
      "handler"
    >,
  ): void {
    const problem = (description: string) => ({ description, content: { "application/json": { schema: Problem } } });
    const responses: RouteConfig["responses"] = {
      [spec.ok.status ?? 200]: spec.ok.schema
        ? { description: spec.ok.description, content: { "application/json": { schema: spec.ok.schema } } }
        : { description: spec.ok.description },
    };
    if (spec.params || spec.query || spec.body)
      responses[400] = problem("A parameter or body field is invalid; `field` names it");
    const need = spec.access === "public" ? null : scopeNeed(spec.scope!);
    const clientScopes = need
      ? [
          `system/${need.resource}.${need.interaction}`,
          `system/${need.resource}.${need.interaction === "r" || need.interaction === "s" ? "read" : "write"}`,
        ]
      : [];
    if (spec.access !== "public") {
      responses[401] = problem(
        "Missing or invalid bearer token, or (`mfa_required`) a staff token from a login without the two-factor code its account needs",
      );
      responses[403] = problem(
        `Allowed roles: ${(spec.access as readonly StaffRole[]).join(", ")}; ${need ? `clients with the scope ${clientScopes.join(" or ")}` : "no API client"}; or not this caller's record`,
      );
    }
    for (const [code, description] of Object.entries(spec.errors ?? {})) responses[Number(code)] = problem(description);

    this.registry.registerPath({
      method: spec.method,
      path: spec.path.replace(/:(\w+)/g, "{$1}"),
      tags: [spec.tag],
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      security: spec.access === "public" ? [] : [{ bearerAuth: [] }, ...(need ? [{ oauth2: clientScopes }] : [])],
      ...(spec.access === "public" ? {} : { "x-roles": spec.access, "x-client-scope": spec.scope }),
      request: {
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.query ? { query: spec.query } : {}),
        ...(spec.body
          ? {
              body: {
                required: !spec.body.safeParse({}).success,
                content: { "application/json": { schema: spec.body } },
              },
            }
          : {}),
      },
      responses,
    });
  }
}
