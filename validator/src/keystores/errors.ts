// Errors of keystore loading and import. Every message names the file and says what to do about it.
import { SextantError } from "@sextant/common";

/** What went wrong with a keystore, a password or an input file. */
export type KeystoreErrorCode =
  /** A file could not be read (missing, a directory, no permission). */
  | "FILE_UNREADABLE"
  /** A file is not valid JSON (often: truncated by a copy). */
  | "INVALID_JSON"
  /** Valid JSON, but not an EIP-2335 keystore (or an unsupported kdf/cipher). */
  | "NOT_A_KEYSTORE"
  /** The password does not decrypt the keystore (checksum mismatch). */
  | "WRONG_PASSWORD"
  /** The keystore decrypts, but its secret is not a valid BLS key or does not belong to its `pubkey` field. */
  | "PUBKEY_MISMATCH"
  /** No password was given for a keystore. */
  | "PASSWORD_MISSING"
  /** A password is needed, stdin is not a terminal to ask on, and no password flag was given. */
  | "NO_TTY"
  /** The operator aborted the password prompt (Ctrl-C / Ctrl-D). */
  | "PROMPT_ABORTED"
  /** The deposit data was made for another network than the one chosen. */
  | "WRONG_NETWORK"
  /** The deposit data file is malformed or its roots or signatures do not verify. */
  | "INVALID_DEPOSIT_DATA"
  /** The deposit data and the keystores do not list the same keys. */
  | "DEPOSIT_DATA_MISMATCH"
  /** The --slashing-protection file is not a valid EIP-3076 interchange, or is for another chain. */
  | "INVALID_INTERCHANGE"
  /** `--interop-indexes` could not be parsed. */
  | "INVALID_INTEROP_INDEXES"
  /** The input names no keystore at all. */
  | "NO_KEYSTORES"
  /** A decryption worker thread died. */
  | "WORKER_FAILED";

/** A keystore error; `context.file` names the file when there is one. */
export class KeystoreError extends SextantError<KeystoreErrorCode> {
  constructor(
    code: KeystoreErrorCode,
    message: string,
    context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, context, options);
    this.name = "KeystoreError";
  }
}
