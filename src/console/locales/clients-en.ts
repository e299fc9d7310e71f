import type { clientsFr } from "./clients-fr.js";

/** Console wording in English for the API clients page (spread into en.ts). */
export const clientsEn: Record<keyof typeof clientsFr, string> = {
  navClients: "API clients",
  clientsTitle: "API clients",
  clientsIntro:
    "An API client is software (online booking, practice software, a data warehouse) that calls the clinic's API or FHIR endpoint with OAuth 2.0 client credentials. It sees only this clinic, within its scopes, and every access is written to the audit log.",
  clientsNone: "No API clients.",
  clientName: "Name",
  clientId: "client_id",
  clientScopes: "Scopes",
  clientCreated: "Created",
  clientState: "State",
  clientActive: "Active",
  clientRevoked: "Revoked on {date}",
  clientNew: "New API client",
  clientScopesHint:
    "SMART scopes separated by spaces, e.g. system/Patient.rs system/Appointment.cruds, or system/*.read to read everything. Letters: c create, r read, u update, d delete, s search; .read = rs, .write = cud.",
  clientCreate: "Create client",
  clientRotate: "New secret",
  clientRotateFor: "Give {name} a new secret",
  clientRevoke: "Revoke",
  clientRevokeFor: "Revoke {name}",
  clientSecretTitle: "Secret of {name}",
  clientSecretIntro:
    "Copy this secret now: it is shown once and only its hash is kept. The previous secret and the tokens already issued no longer work.",
  clientSecret: "client_secret",
  clientTokenExample: "Getting a token",
  clientRevokedDone: "The client is revoked: its tokens are refused from now on.",
  clientInvalid: "Invalid name or scopes: {reason}",
  clientGone: "This client does not exist or is already revoked.",
};
