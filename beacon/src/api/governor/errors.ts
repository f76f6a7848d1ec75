// The governor's refusals: the API's error answer (429 or 503, the spec's `{code, message}` body) carrying the
// Retry-After header the server adds to the answer.
import { ApiError } from "@sextant/api-spec";

/** A request refused by the governor: 429 (rate limited) or 503 (shed), with Retry-After in seconds. */
export class GovernorRefusal extends ApiError {
  /** Headers the server adds to the error answer. */
  readonly headers: Record<string, string>;
  readonly retryAfterSeconds: number;

  constructor(status: 429 | 503, message: string, retryAfterSeconds: number) {
    super(status, message);
    this.name = "GovernorRefusal";
    this.retryAfterSeconds = retryAfterSeconds;
    this.headers = { "retry-after": String(retryAfterSeconds) };
  }
}
