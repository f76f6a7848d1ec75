// Errors of the API layer that become HTTP answers. A handler (or a codec, or the server itself) throws an ApiError
// for anything the client did wrong or the node cannot do right now; the server turns it into the spec's error body
// `{code, message}` with that status. A batch submission answers IndexedApiError's body
// `{code, message, failures: [{index, message}]}`. Anything else a handler throws is a bug: 500.
import { SextantError } from "@sextant/common";

/** Error codes of the API layer, one per HTTP status the API answers with on purpose. */
export type ApiErrorCode =
  | "API_BAD_REQUEST"
  | "API_UNAUTHORIZED"
  | "API_FORBIDDEN"
  | "API_NOT_FOUND"
  | "API_NOT_ACCEPTABLE"
  | "API_PAYLOAD_TOO_LARGE"
  | "API_URI_TOO_LONG"
  | "API_UNSUPPORTED_MEDIA_TYPE"
  | "API_TOO_MANY_REQUESTS"
  | "API_NOT_IMPLEMENTED"
  | "API_UNAVAILABLE"
  | "API_ERROR";

const CODE_BY_STATUS: Readonly<Record<number, ApiErrorCode>> = {
  400: "API_BAD_REQUEST",
  401: "API_UNAUTHORIZED",
  403: "API_FORBIDDEN",
  404: "API_NOT_FOUND",
  406: "API_NOT_ACCEPTABLE",
  413: "API_PAYLOAD_TOO_LARGE",
  414: "API_URI_TOO_LONG",
  415: "API_UNSUPPORTED_MEDIA_TYPE",
  429: "API_TOO_MANY_REQUESTS",
  501: "API_NOT_IMPLEMENTED",
  503: "API_UNAVAILABLE",
};

/** One failed item of a batch submission: its index in the request list and why it failed. */
export interface IndexedFailure {
  index: number;
  message: string;
}

/** An HTTP error answer: `status` and the message of the spec's error body. */
export class ApiError extends SextantError<ApiErrorCode, { status: number }> {
  readonly status: number;

  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(CODE_BY_STATUS[status] ?? "API_ERROR", message, { status }, options);
    this.name = "ApiError";
    this.status = status;
  }
}

/**
 * A batch submission where some items failed (400 with the indexed failures body). Thrown by a handler with indices
 * into the list it received; the server maps them back to the request's indices and adds items that did not parse.
 */
export class IndexedApiError extends ApiError {
  readonly failures: IndexedFailure[];

  constructor(failures: IndexedFailure[], message = "some items failed", status = 400) {
    super(status, message);
    this.name = "IndexedApiError";
    this.failures = failures;
  }
}

/**
 * A malformed input value: `path` says where (`body[2].data.slot`, `query.epoch`), `detail` what is wrong. Codecs
 * throw it; the server answers 400 with both in the message.
 */
export class InputError extends ApiError {
  readonly path: string;
  readonly detail: string;

  constructor(path: string, detail: string, status = 400) {
    super(status, path === "" ? detail : `${path}: ${detail}`);
    this.name = "InputError";
    this.path = path;
    this.detail = detail;
  }
}

/** Throws an InputError for `path`. */
export function fail(path: string, detail: string): never {
  throw new InputError(path, detail);
}

/** A short printable form of a JSON value for error messages (long values are cut). */
export function show(value: unknown): string {
  let s: string;
  if (typeof value === "string") s = JSON.stringify(value);
  else if (typeof value === "bigint") s = `${value}n`;
  else if (value === undefined) s = "undefined";
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      // Too deeply nested to print (String() of a deep array recurses as well): name its kind only.
      s = Array.isArray(value) ? "[…] (nested too deep to show)" : "{…} (nested too deep to show)";
    }
  }
  return s.length > MAX_SHOWN_CHARS ? `${s.slice(0, MAX_SHOWN_CHARS - 3)}...` : s;
}

/** Error messages quote at most this much of a bad value (a 128 KiB blob would otherwise fill the log). */
const MAX_SHOWN_CHARS = 80;

/** The spec's error body (`ErrorMessage`). */
export interface ErrorBody {
  code: number;
  message: string;
  stacktraces?: string[];
  failures?: IndexedFailure[];
}

/** The error body for `err` answered with `status`. */
export function errorBody(status: number, message: string, failures?: IndexedFailure[]): ErrorBody {
  return failures === undefined ? { code: status, message } : { code: status, message, failures };
}
