// Errors of the execution layer (Engine API client, JWT, mock engine): one code per way a call can fail, so the
// beacon node can tell an unreachable engine from a refused token, a timeout or an engine-side JSON-RPC error.
import { SextantError } from "@sextant/common/errors";

/** How an execution-layer call failed. */
export type ExecutionErrorCode =
  /** The engine could not be reached (connection refused, DNS failure, reset before a response). */
  | "EXECUTION_UNREACHABLE"
  /** The engine refused our JWT (HTTP 401/403). */
  | "EXECUTION_AUTH_REFUSED"
  /** No response within the method's timeout. */
  | "EXECUTION_TIMEOUT"
  /** The engine answered with a JSON-RPC error object (context.rpcCode holds its code). */
  | "EXECUTION_RPC_ERROR"
  /** The engine answered an HTTP status other than 200 (and not an auth refusal). */
  | "EXECUTION_HTTP_ERROR"
  /** The response was not valid JSON-RPC or its result did not have the shape of the method's result. */
  | "EXECUTION_BAD_RESPONSE"
  /** The caller asked for something the method cannot carry (wrong fork, missing fork-specific field). */
  | "EXECUTION_INVALID_REQUEST"
  /** The JWT secret file is missing or is not 32 bytes of hex. */
  | "EXECUTION_JWT_SECRET";

/** An execution-layer failure; `context` names the method, URL, fork or field involved. */
export class ExecutionError extends SextantError<ExecutionErrorCode> {
  constructor(code: ExecutionErrorCode, message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, context, cause === undefined ? undefined : { cause });
    this.name = "ExecutionError";
  }
}

/** Standard JSON-RPC and Engine API error codes (execution-apis src/engine/common.md). */
export const ENGINE_ERROR = Object.freeze({
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  SERVER_ERROR: -32000,
  UNKNOWN_PAYLOAD: -38001,
  INVALID_FORKCHOICE_STATE: -38002,
  INVALID_PAYLOAD_ATTRIBUTES: -38003,
  TOO_LARGE_REQUEST: -38004,
  UNSUPPORTED_FORK: -38005,
});

/** A JSON-RPC error as an engine reports it: thrown by the mock engine, answered by the server, read by the client. */
export function rpcError(rpcCode: number, message: string, context: Record<string, unknown> = {}): ExecutionError {
  return new ExecutionError("EXECUTION_RPC_ERROR", message, { ...context, rpcCode });
}
