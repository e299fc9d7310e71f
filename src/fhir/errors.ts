/** A request the FHIR facade answers with an OperationOutcome and this HTTP status. */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    /** An issue-type code from http://hl7.org/fhir/issue-type (invalid, not-found, not-supported…). */
    readonly issueCode: string,
    message: string,
    readonly expression?: string[],
  ) {
    super(message);
    this.name = "FhirError";
  }
}

export const badParam = (param: string, message: string) =>
  new FhirError(400, "invalid", `${param}: ${message}`, [param]);
