// Errors of the data directory: its lock and its files.
import { SextantError } from "@sextant/common";

/** What went wrong with the data directory. */
export type DataDirErrorCode =
  /** Another live process (a validator client or an import) holds the data directory's lock. */
  | "LOCKED"
  /** The lock file could not be created, read or removed (permissions, a full disk, a corrupt lock file…). */
  | "LOCK_FAILED"
  /** A path of the layout exists but is not what it should be (a file where a directory belongs). */
  | "BAD_LAYOUT";

/** A data-directory error; `context` names the path and, for LOCKED, the holder's pid. */
export class DataDirError extends SextantError<DataDirErrorCode> {
  constructor(
    code: DataDirErrorCode,
    message: string,
    context: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, message, context, options);
    this.name = "DataDirError";
  }
}
