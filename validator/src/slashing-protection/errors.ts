import { SextantError } from "@sextant/common/errors";

/**
 * Why a signing request was refused: signing it could get the validator slashed, or it falls below what the
 * database can vouch for. The signer must not release a signature when it gets one of these.
 */
export type SlashableCode =
  /** A different block (or one whose signing root is unknown) was already signed at this slot. */
  | "DOUBLE_BLOCK"
  /** The slot is at or below the lowest slot on record for this validator (EIP-3076 condition 2). */
  | "BLOCK_BELOW_WATERMARK"
  /** A different attestation (or one whose signing root is unknown) already has this target epoch. */
  | "DOUBLE_VOTE"
  /** The new attestation would surround one already signed. */
  | "SURROUNDING_VOTE"
  /** The new attestation would be surrounded by one already signed. */
  | "SURROUNDED_VOTE"
  /** The source epoch is below the lowest source epoch on record (EIP-3076 condition 4). */
  | "SOURCE_BELOW_WATERMARK"
  /** The target epoch is at or below the lowest target epoch on record (EIP-3076 condition 5). */
  | "TARGET_BELOW_WATERMARK"
  /** The source epoch is after the target epoch: no honest validator signs that. */
  | "INVALID_ATTESTATION";

/** Every code this module throws. */
export type SlashingProtectionErrorCode =
  | SlashableCode
  /** A pubkey, signing root, slot or epoch passed by the caller is malformed. */
  | "INVALID_INPUT"
  /** The database (or an interchange) belongs to a different chain than the one asked for. */
  | "GENESIS_ROOT_MISMATCH"
  /** Opening an existing database that is not there. */
  | "DATABASE_NOT_FOUND"
  /** The database file exists but was never bound to a genesis_validators_root. */
  | "DATABASE_NOT_BOUND"
  /** The database was written by a newer Sextant (schema version above the one this code knows). */
  | "UNSUPPORTED_SCHEMA_VERSION"
  /** Another connection held the write lock for longer than the busy timeout. */
  | "DATABASE_BUSY"
  /** The database was used after close(). */
  | "DATABASE_CLOSED"
  /** Any other SQLite failure (disk full, I/O error, corruption): nothing was committed. */
  | "DATABASE_ERROR"
  /** An interchange document is not valid EIP-3076 JSON; the context names the offending field. */
  | "INTERCHANGE_INVALID"
  /** An interchange document has an interchange_format_version other than 5. */
  | "INTERCHANGE_VERSION";

/** The error this module throws: a code to branch on and a context with the values involved. */
export class SlashingProtectionError extends SextantError<SlashingProtectionErrorCode> {
  constructor(
    code: SlashingProtectionErrorCode,
    message: string,
    context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, context, options);
    this.name = "SlashingProtectionError";
  }
}

const SLASHABLE_CODES: ReadonlySet<string> = new Set<SlashableCode>([
  "DOUBLE_BLOCK",
  "BLOCK_BELOW_WATERMARK",
  "DOUBLE_VOTE",
  "SURROUNDING_VOTE",
  "SURROUNDED_VOTE",
  "SOURCE_BELOW_WATERMARK",
  "TARGET_BELOW_WATERMARK",
  "INVALID_ATTESTATION",
]);

/** True when `err` is a refusal to sign (one of the {@link SlashableCode}s), as opposed to a failure to check. */
export function isSlashableError(err: unknown): err is SlashingProtectionError & { code: SlashableCode } {
  return err instanceof SlashingProtectionError && SLASHABLE_CODES.has(err.code);
}

/** SQLite result codes that mean "someone else holds the lock" (SQLITE_BUSY = 5, SQLITE_LOCKED = 6). */
const SQLITE_BUSY_CODES = new Set([5, 6]);

/**
 * Wraps an error thrown by node:sqlite into a typed one (DATABASE_BUSY or DATABASE_ERROR); errors of this module
 * pass through unchanged.
 */
export function wrapSqliteError(err: unknown, action: string, context: Record<string, unknown> = {}): Error {
  if (err instanceof SlashingProtectionError) return err;
  const errcode = (err as { errcode?: unknown }).errcode;
  const primary = typeof errcode === "number" ? errcode & 0xff : undefined;
  const detail = err instanceof Error ? err.message : String(err);
  if (primary !== undefined && SQLITE_BUSY_CODES.has(primary)) {
    return new SlashingProtectionError(
      "DATABASE_BUSY",
      `slashing protection database is locked by another writer (${action}); nothing was signed or changed`,
      { ...context, action, sqlite: detail },
      { cause: err },
    );
  }
  return new SlashingProtectionError(
    "DATABASE_ERROR",
    `slashing protection database failed (${action}): ${detail}`,
    { ...context, action, sqlite: detail, errcode },
    { cause: err },
  );
}
