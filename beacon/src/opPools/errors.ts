// Errors of the operation pools: items refused because they cannot be right whatever the state (a bit list of the
// wrong length, a committee index out of range, a format of the wrong fork), and lookups of unknown aggregates.
import { SextantError } from "@sextant/common/errors";

/** Why a pool refused an item or a request. */
export type OpPoolErrorCode =
  /** The item is structurally impossible (lengths, indices, fork format). */
  | "INVALID_ITEM"
  /** The request names something the pool cannot answer for (missing committee index, …). */
  | "INVALID_REQUEST";

/** An item refused by a pool, or a request it cannot serve; `context` names the item and the broken rule. */
export class OpPoolError extends SextantError<OpPoolErrorCode> {
  constructor(code: OpPoolErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
    this.name = "OpPoolError";
  }
}

/** Throws OpPoolError INVALID_ITEM with `message` when `condition` is false. */
export function ensure(condition: boolean, message: string, context: Record<string, unknown> = {}): asserts condition {
  if (!condition) throw new OpPoolError("INVALID_ITEM", message, context);
}
