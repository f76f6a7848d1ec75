// Errors of the chain: why a block, an attestation or a request was refused. The API maps them to statuses
// (api/errors.ts): invalid input → 400, not available yet / node behind → 503, unknown → 404.
import { SextantError } from "@sextant/common/errors";

export type ChainErrorCode =
  /** The block breaks a consensus rule (state transition, signature, execution payload). */
  | "BLOCK_INVALID"
  /** The block is at a slot the node does not accept (future, not after finalized, not after its parent). */
  | "BLOCK_SLOT"
  /** The block's parent is unknown: queued until it arrives. */
  | "BLOCK_UNKNOWN_PARENT"
  /** The block is not a descendant of the finalized checkpoint. */
  | "BLOCK_NOT_FINALIZED_DESCENDANT"
  /** A state the request needs is not available (pruned, or not computed yet). */
  | "STATE_UNAVAILABLE"
  /** The node is too far behind the wall clock to answer validator requests. */
  | "NODE_SYNCING"
  /** The request asks for something outside what the node answers (e.g. duties beyond the next epoch). */
  | "REQUEST_OUT_OF_RANGE"
  /** Block production failed (the engine did not build, an operation broke a rule). */
  | "PRODUCTION_FAILED"
  /** An operation (attestation, message, exit, …) is invalid. */
  | "OPERATION_INVALID"
  /** The execution engine could not be reached or answered an error. */
  | "EXECUTION_ENGINE";

/** A refusal by the chain, with structured context. */
export class ChainError extends SextantError<ChainErrorCode> {}
