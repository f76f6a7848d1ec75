// Shared imports of the fork-choice unit tests.
import { isSextantError } from "@sextant/common/errors";

export * from "@sextant/beacon/forkChoice/index";

/** The error code of a fork-choice error, or undefined. */
export function isForkChoiceErrorCode(e: unknown): string | undefined {
  return isSextantError(e) ? e.code : undefined;
}
