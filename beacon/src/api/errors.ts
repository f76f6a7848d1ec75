// Chain refusals as API answers: what the client did wrong is 400, what is not there is 404, what the node cannot
// answer yet (behind, state not computed) is 503 — never a 500 for a condition the node expected.
import { ApiError } from "@sextant/api-spec/codec/errors";
import { isSextantError } from "@sextant/common/errors";
import { DutyError } from "../chain/duties.ts";
import { ChainError, type ChainErrorCode } from "../chain/errors.ts";

const STATUS: Record<ChainErrorCode, number> = {
  BLOCK_INVALID: 400,
  BLOCK_SLOT: 400,
  BLOCK_UNKNOWN_PARENT: 202,
  BLOCK_NOT_FINALIZED_DESCENDANT: 400,
  STATE_UNAVAILABLE: 503,
  NODE_SYNCING: 503,
  REQUEST_OUT_OF_RANGE: 400,
  PRODUCTION_FAILED: 500,
  OPERATION_INVALID: 400,
  EXECUTION_ENGINE: 503,
};

/** The ApiError for a chain or duty error; other errors pass through unchanged (500 by the server). */
export function toApiError(e: unknown): unknown {
  if (e instanceof ApiError) return e;
  if (e instanceof ChainError) return new ApiError(STATUS[e.code] ?? 500, e.message, { cause: e });
  if (e instanceof DutyError) return new ApiError(e.code === "EPOCH_OUT_OF_RANGE" ? 503 : 400, e.message, { cause: e });
  if (isSextantError(e) && (e.code === "INVALID_REQUEST" || e.code === "OPERATION_INVALID")) {
    return new ApiError(400, e.message, { cause: e });
  }
  return e;
}

/** Runs `fn`, turning chain errors into API errors. */
export async function answer<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toApiError(e);
  }
}
