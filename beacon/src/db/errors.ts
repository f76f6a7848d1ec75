// Error type of the beacon node's database (beacon/src/db): every failure the store reports, as codes with context.
import { SextantError } from "@sextant/common/errors";

/**
 * What went wrong in the database:
 * - DB_OPEN_FAILED: lmdb could not open (or create) the environment in the data directory.
 * - DB_SCHEMA_MISMATCH: the directory holds a database written with another schema version.
 * - DB_NETWORK_MISMATCH: the directory holds a database of another network.
 * - DB_GENESIS_MISMATCH: the directory holds a database of a chain with another genesis validators root.
 * - DB_INVALID_ARGUMENT: a caller passed a malformed root, slot, fork name or SSZ payload.
 * - DB_CORRUPT: a stored record does not decode or contradicts its own metadata.
 * - DB_FINALIZE_CONFLICT: finalize() was asked to keep a block it does not have, two blocks at one slot, or a block
 *   at a slot already finalized with another root.
 * - DB_ANCHOR_INVALID: the fork-choice anchor would point at a state the database does not hold.
 * - DB_CLOSED: the database was used after close().
 */
export type DbErrorCode =
  | "DB_OPEN_FAILED"
  | "DB_SCHEMA_MISMATCH"
  | "DB_NETWORK_MISMATCH"
  | "DB_GENESIS_MISMATCH"
  | "DB_INVALID_ARGUMENT"
  | "DB_CORRUPT"
  | "DB_FINALIZE_CONFLICT"
  | "DB_ANCHOR_INVALID"
  | "DB_CLOSED";

/** A database failure; `code` is the discriminant and `context` names the directory, bucket, key… involved. */
export class DbError extends SextantError<DbErrorCode> {
  constructor(
    code: DbErrorCode,
    message: string,
    context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, context, options);
    this.name = "DbError";
  }
}

/** True when `e` is a DbError, optionally with the given code. */
export function isDbError(e: unknown, code?: DbErrorCode): e is DbError {
  return e instanceof DbError && (code === undefined || e.code === code);
}
