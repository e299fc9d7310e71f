/** A business rule said no. Transports map `code` to their own answer (HTTP status, chat wording). */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export type DomainErrorCode =
  | "not_found"
  | "invalid"
  | "slot_taken"
  | "slot_unavailable"
  | "in_the_past"
  | "notice_too_short"
  | "inside_cutoff"
  | "invalid_transition"
  | "forbidden"
  | "conflict";

export const notFound = (resource: string, id?: string) =>
  new DomainError("not_found", `${resource} not found`, { resource, ...(id ? { id } : {}) });

export const invalid = (field: string, message: string) =>
  new DomainError("invalid", `${field}: ${message}`, { field });

export const isDomainError = (err: unknown, code?: DomainErrorCode): err is DomainError =>
  err instanceof DomainError && (code === undefined || err.code === code);
