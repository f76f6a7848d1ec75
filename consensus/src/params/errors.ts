import { SextantError } from "@sextant/common/errors";

/**
 * What went wrong with a chain configuration:
 * - INVALID_YAML: the text is not YAML, or its top level is not a mapping of keys to values.
 * - INVALID_VALUE: one key's value is malformed (not a number, wrong hex length, out of range…).
 * - UNSUPPORTED_PRESET: PRESET_BASE names a preset this client does not have.
 * - INVALID_FORK_ORDER: fork epochs decrease in fork order (a later fork activates before an earlier one).
 * - INVALID_BLOB_SCHEDULE: BLOB_SCHEDULE breaks a MUST of the fulu spec (duplicate epoch, too many blobs).
 * - UNSUPPORTED_FORK: the network schedules a fork this version does not implement.
 * - INVALID_OVERRIDE: an override passed to createDevChainConfig is not acceptable.
 */
export type ConfigErrorCode =
  | "INVALID_YAML"
  | "INVALID_VALUE"
  | "UNSUPPORTED_PRESET"
  | "INVALID_FORK_ORDER"
  | "INVALID_BLOB_SCHEDULE"
  | "UNSUPPORTED_FORK"
  | "INVALID_OVERRIDE";

/** Details of a ConfigError: the offending key (when there is one) and whatever else locates the problem. */
export interface ConfigErrorContext {
  readonly key?: string;
  readonly value?: string;
  readonly [detail: string]: unknown;
}

/** A chain configuration that cannot be used. `code` is the discriminant; `context` says where. */
export class ConfigError extends SextantError<ConfigErrorCode, ConfigErrorContext> {
  constructor(code: ConfigErrorCode, message: string, context: ConfigErrorContext = {}) {
    super(code, message, context);
    this.name = "ConfigError";
  }
}

/** True when `e` is a ConfigError, optionally of the given code. */
export function isConfigError(e: unknown, code?: ConfigErrorCode): e is ConfigError {
  return e instanceof ConfigError && (code === undefined || e.code === code);
}
