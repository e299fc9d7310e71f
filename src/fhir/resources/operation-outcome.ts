import type { OperationOutcome, OperationOutcomeIssue } from "./types.js";

export function operationOutcome(
  severity: OperationOutcomeIssue["severity"],
  code: string,
  diagnostics: string,
  expression?: string[],
): OperationOutcome {
  return {
    resourceType: "OperationOutcome",
    issue: [{ severity, code, diagnostics, ...(expression && expression.length > 0 ? { expression } : {}) }],
  };
}
