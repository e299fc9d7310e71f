/**
 * An HTTP answer that is not a business rule (rate limiting, failed login): the route
 * wrapper sends it as is. Business refusals are DomainErrors and go to the app's errorHandler.
 */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiProblem";
  }
}
