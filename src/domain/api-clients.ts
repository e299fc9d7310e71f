import { randomBytes } from "node:crypto";
import type { Database } from "../data/db.js";
import type { ApiClient, Prisma } from "../data/generated/client.js";
import { hashPassword, verifyPassword } from "../lib/passwords.js";
import { parseScopes } from "./access-scopes.js";
import { recordAudit } from "./audit.js";
import { DomainError, invalid, notFound } from "./errors.js";
import type { StaffActor } from "./staff.js";

/*
 * Machine clients of the API and the FHIR endpoint (OAuth 2.0 client credentials). An admin
 * creates one with its scopes and sees its secret once; only an argon2id hash is kept. Rotating
 * the secret or revoking the client ends the tokens it holds at once.
 */

/** The secret handed out once: 256 random bits. */
const newSecret = (): string => randomBytes(32).toString("base64url");

function adminOnly(actor: StaffActor): void {
  if (actor.role !== "admin") throw new DomainError("forbidden", "Only admins manage API clients");
}

/** The scope list as stored: known system scopes, each once, space-separated. */
export function normalizeGrantedScopes(text: string): string {
  const words = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  const { grants, unknown } = parseScopes(words.join(" "));
  if (unknown.length > 0) throw invalid("scopes", `not a system scope Tabib grants: ${unknown.slice(0, 3).join(", ")}`);
  if (grants.length === 0) throw invalid("scopes", "at least one scope, e.g. system/Patient.rs");
  return words.join(" ");
}

export async function listApiClients(db: Database, clinicId: string): Promise<ApiClient[]> {
  return db.prisma.apiClient.findMany({ where: { clinicId }, orderBy: [{ revokedAt: "desc" }, { createdAt: "asc" }] });
}

export async function createApiClient(
  db: Database,
  actor: StaffActor,
  clinicId: string,
  input: { name: string; scopes: string },
  ip?: string | null,
): Promise<{ client: ApiClient; secret: string }> {
  adminOnly(actor);
  const name = input.name.trim();
  if (!name || name.length > 120) throw invalid("name", "1 to 120 characters");
  const scopes = normalizeGrantedScopes(input.scopes);
  const secret = newSecret();
  const client = await db.prisma.apiClient.create({
    data: {
      clinicId,
      clientId: `tabib-${randomBytes(12).toString("base64url")}`,
      name,
      scopes,
      secretHash: await hashPassword(secret),
      createdById: actor.userId,
    },
  });
  await recordAudit(db, {
    actor,
    action: "api_client.create",
    resourceType: "api_client",
    resourceId: client.id,
    ip,
    detail: { scopes },
  });
  return { client, secret };
}

/** A change to a live client of this clinic, by an admin, audited; every token it holds ends. */
async function changeClient(
  db: Database,
  change: { actor: StaffActor; clinicId: string; id: string; action: string; ip?: string | null },
  data: Prisma.ApiClientUpdateInput,
): Promise<ApiClient> {
  adminOnly(change.actor);
  const existing = await db.prisma.apiClient.findFirst({ where: { id: change.id, clinicId: change.clinicId } });
  if (!existing) throw notFound("API client", change.id);
  if (existing.revokedAt) throw new DomainError("conflict", "This API client is revoked");
  const client = await db.prisma.apiClient.update({
    where: { id: change.id },
    data: { ...data, tokenVersion: { increment: 1 } },
  });
  await recordAudit(db, {
    actor: change.actor,
    action: change.action,
    resourceType: "api_client",
    resourceId: change.id,
    ip: change.ip,
  });
  return client;
}

/** A new secret, shown once; the old one and every token issued under it stop working at once. */
export async function rotateApiClientSecret(
  db: Database,
  actor: StaffActor,
  clinicId: string,
  id: string,
  now: Date,
  ip?: string | null,
): Promise<{ client: ApiClient; secret: string }> {
  const secret = newSecret();
  const client = await changeClient(
    db,
    { actor, clinicId, id, action: "api_client.rotate", ip },
    { secretHash: await hashPassword(secret), secretRotatedAt: now },
  );
  return { client, secret };
}

/** Ends the client for good: its tokens are refused from the next request on. */
export async function revokeApiClient(
  db: Database,
  actor: StaffActor,
  clinicId: string,
  id: string,
  now: Date,
  ip?: string | null,
): Promise<void> {
  await changeClient(db, { actor, clinicId, id, action: "api_client.revoke", ip }, { revokedAt: now });
}

// Unknown client ids cost one argon2 verification too, so a guess learns nothing from timing.
let dummyHash: Promise<string> | undefined;

/** The live client these credentials belong to, or null (unknown id, wrong secret, revoked). */
export async function authenticateApiClient(db: Database, clientId: string, secret: string): Promise<ApiClient | null> {
  const client = clientId.length <= 200 ? await db.prisma.apiClient.findUnique({ where: { clientId } }) : null;
  if (!client) {
    await verifyPassword(await (dummyHash ??= hashPassword(newSecret())), secret);
    return null;
  }
  const ok = await verifyPassword(client.secretHash, secret);
  return ok && !client.revokedAt ? client : null;
}

/** What a client's token is checked against on every request. */
export async function currentApiClient(
  db: Database,
  id: string,
): Promise<{ id: string; clinicId: string; scopes: string; tokenVersion: number } | null> {
  const rows = await db.sql.query<{ id: string; clinic_id: string; scopes: string; token_version: number }>(
    `SELECT id, clinic_id, scopes, token_version FROM api_client WHERE id = $1::uuid AND revoked_at IS NULL`,
    [id],
    { prepare: true },
  );
  const row = rows[0];
  return row ? { id: row.id, clinicId: row.clinic_id, scopes: row.scopes, tokenVersion: row.token_version } : null;
}

/**
 * The client from SEED_API_CLIENT_ID / SEED_API_CLIENT_SECRET, created in the first clinic with
 * read access when no client has that id yet; an existing one (perhaps revoked) is left alone.
 */
export async function seedApiClient(
  db: Database,
  seed: { clientId: string; secret: string },
): Promise<"created" | "exists" | "no_clinic"> {
  if (await db.prisma.apiClient.findUnique({ where: { clientId: seed.clientId } })) return "exists";
  const clinic = await db.prisma.clinic.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true } });
  if (!clinic) return "no_clinic";
  await db.prisma.apiClient.create({
    data: {
      clinicId: clinic.id,
      clientId: seed.clientId,
      name: "Seeded client (SEED_API_CLIENT_ID)",
      scopes: "system/*.read",
      secretHash: await hashPassword(seed.secret),
    },
  });
  return "created";
}
