// Maps anything thrown while serving a request to the spec's error body and status. A client's mistake is always a
// 4xx: our ApiError/InputError, and fastify's own 4xx (body too large, unsupported media type, bad URL). Anything
// else is the node's fault: 500, logged by the caller.
import { ApiError, type ErrorBody, errorBody, IndexedApiError } from "../codec/errors.ts";

/** An error answer: status and body. */
export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  /** True when the fault is the server's (500): log it. */
  serverFault: boolean;
}

/** The message of a 500 (details stay in the log, not in the answer). */
export const INTERNAL_ERROR_MESSAGE = "Internal server error";

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  bodyLimit?: unknown;
}

/** Messages for fastify's client errors, in the API's words. */
function fastifyMessage(code: string, message: string, opts: ErrorAnswerOptions): string {
  switch (code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return opts.bodyLimit === undefined
        ? "request body too large"
        : `request body exceeds the limit of ${opts.bodyLimit} bytes`;
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return `unsupported media type ${JSON.stringify(opts.contentType ?? "(none)")}: send application/json or application/octet-stream`;
    default:
      return message;
  }
}

/** What the error answer may say about the request. */
export interface ErrorAnswerOptions {
  /** Add the stack of 500s to the body (the spec's `stacktraces`, debug mode). */
  stacktraces?: boolean;
  /** The route's body limit (for the 413 message). */
  bodyLimit?: number;
  /** The request's Content-Type (for the 415 message). */
  contentType?: string;
}

/** The answer for `err`. */
export function errorAnswer(err: unknown, opts: ErrorAnswerOptions = {}): ErrorAnswer {
  if (err instanceof IndexedApiError) {
    return { status: err.status, body: errorBody(err.status, err.message, err.failures), serverFault: false };
  }
  if (err instanceof ApiError) {
    return {
      status: err.status,
      body: errorBody(err.status, err.message),
      serverFault: err.status >= 500 && err.status !== 501 && err.status !== 503,
    };
  }
  const e = err as FastifyLikeError;
  if (typeof e?.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    // The body reader names the limit it applied (a route's JSON and SSZ limits may differ).
    const limited = typeof e.bodyLimit === "number" ? { ...opts, bodyLimit: e.bodyLimit } : opts;
    const message = fastifyMessage(String(e.code ?? ""), String(e.message ?? ""), limited);
    return { status: e.statusCode, body: errorBody(e.statusCode, message), serverFault: false };
  }
  const body = errorBody(500, INTERNAL_ERROR_MESSAGE);
  if (opts.stacktraces && err instanceof Error && err.stack) body.stacktraces = [err.stack];
  return { status: 500, body, serverFault: true };
}
