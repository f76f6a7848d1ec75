// Errors of the API client, typed by cause so callers (the validator client's beacon-node pool) can decide: a
// network error or timeout says "try another node", an HTTP status says what the node answered (with the spec's
// error body), a bad response says the node does not speak the API as documented.
import { SextantError } from "@sextant/common";
import type { ErrorBody } from "../codec/errors.ts";

/** Why a call failed. */
export type ApiClientErrorCode =
  /** The connection could not be made or broke (refused, reset, DNS). */
  | "API_CLIENT_NETWORK"
  /** No complete answer within the request's timeout. */
  | "API_CLIENT_TIMEOUT"
  /** The caller's AbortSignal fired. */
  | "API_CLIENT_ABORTED"
  /** The node answered with an error status (the spec's body, when it sent one, is in the context). */
  | "API_CLIENT_HTTP"
  /** A success status with a body that does not decode as the operation's response. */
  | "API_CLIENT_BAD_RESPONSE";

/** What the error is about. */
export interface ApiClientErrorContext {
  operationId: string;
  method: string;
  /** The request URL with any credentials removed. */
  url: string;
  status?: number;
  /** The error body the node sent (`{code, message, failures?}`), when it sent one. */
  body?: ErrorBody;
  timeoutMs?: number;
}

/** A failed API call. */
export class ApiClientError extends SextantError<ApiClientErrorCode, ApiClientErrorContext> {
  constructor(
    code: ApiClientErrorCode,
    message: string,
    context: ApiClientErrorContext,
    options?: { cause?: unknown },
  ) {
    super(code, message, context, options);
    this.name = "ApiClientError";
  }

  /** The HTTP status, for API_CLIENT_HTTP errors. */
  get status(): number | undefined {
    return this.context.status;
  }
}

/** True when `err` is an ApiClientError (optionally with `code`). */
export function isApiClientError(err: unknown, code?: ApiClientErrorCode): err is ApiClientError {
  return err instanceof ApiClientError && (code === undefined || err.code === code);
}
