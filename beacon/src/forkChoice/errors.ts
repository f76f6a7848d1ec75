// Errors of the fork choice (beacon/src/forkChoice): one code per rejected input or broken invariant, with the
// roots, slots and epochs involved as context so that callers can decide to queue, drop or alarm.
import { SextantError } from "@sextant/common/errors";

/** Why a fork-choice call was refused. */
export type ForkChoiceErrorCode =
  | "UNKNOWN_PARENT"
  | "UNKNOWN_BLOCK"
  | "DUPLICATE_BLOCK"
  | "INVALID_PARENT"
  | "FUTURE_SLOT"
  | "NOT_AFTER_FINALIZED_SLOT"
  | "NOT_FINALIZED_DESCENDANT"
  | "BAD_ATTESTATION_EPOCH"
  | "BAD_ATTESTATION_TARGET"
  | "ATTESTATION_FOR_FUTURE_BLOCK"
  | "INVALIDATE_VALID_BLOCK"
  | "INVALIDATE_CHECKPOINT_BLOCK"
  | "UNKNOWN_JUSTIFIED_ROOT"
  | "BAD_BLOCK_SLOT";

/** An error thrown by ProtoArray or ForkChoice; the store is unchanged when one is thrown. */
export class ForkChoiceError extends SextantError<ForkChoiceErrorCode> {
  constructor(code: ForkChoiceErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
    this.name = "ForkChoiceError";
  }
}
