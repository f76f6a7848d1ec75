// Errors of the state transition. Every rejection names the spec rule that failed (the spec function and the
// condition), so an operator or a differential test sees exactly why a block or a state was refused.
import { SextantError } from "@sextant/common/errors";

export type TransitionErrorCode =
  /** A block or operation breaks a rule of the spec: the block is invalid. */
  | "INVALID_BLOCK"
  /** A signature in the block does not verify. */
  | "INVALID_SIGNATURE"
  /** The post-state root differs from the block's state_root. */
  | "STATE_ROOT_MISMATCH"
  /** The request makes no sense for the state (a slot in the past, an unknown fork…). */
  | "INVALID_REQUEST"
  /** The execution engine refused the payload. */
  | "INVALID_EXECUTION_PAYLOAD";

export interface TransitionErrorContext {
  /** The spec rule, as `function: condition`, e.g. `process_block_header: block.slot == state.slot`. */
  rule: string;
  [key: string]: unknown;
}

/** A block, operation or request refused by the state transition; `context.rule` names the spec rule. */
export class TransitionError extends SextantError<TransitionErrorCode, TransitionErrorContext> {
  constructor(code: TransitionErrorCode, rule: string, detail?: string, context: Record<string, unknown> = {}) {
    super(code, detail ? `${rule} (${detail})` : rule, { rule, ...context });
    this.name = "TransitionError";
  }
}

/** Throws INVALID_BLOCK naming `rule` unless `condition` holds: the spec's `assert`. */
export function check(condition: boolean, rule: string, detail?: string): asserts condition {
  if (!condition) throw new TransitionError("INVALID_BLOCK", rule, detail);
}
