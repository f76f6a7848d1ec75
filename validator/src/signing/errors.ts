// Errors of the signer: why a signature was not produced (the key, the gate, the message, the threads). Refusals by
// slashing protection keep their own error (SlashingProtectionError with a slashable code).
import { SextantError } from "@sextant/common/errors";

/** Why the signer did not sign. */
export type SignerErrorCode =
  /** The key is not in the registry (never imported, or deleted). */
  | "UNKNOWN_KEY"
  /** The key is a remote (Web3Signer) key: this signer signs for local keys only. */
  | "REMOTE_KEY"
  /** The signing gate (doppelganger protection) refuses the key for now. */
  | "GATED"
  /** The message cannot be signed as given (malformed value, wrong fork). */
  | "INVALID_MESSAGE"
  /** A signing thread failed or exited while it held the batch; the batch was not signed. */
  | "WORKER_FAILED"
  /** The signer (or its pool) was closed. */
  | "CLOSED";

/** An error of the signer, with a code to branch on and the values involved. */
export class SignerError extends SextantError<SignerErrorCode> {
  constructor(
    code: SignerErrorCode,
    message: string,
    context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, context, options);
    this.name = "SignerError";
  }
}
