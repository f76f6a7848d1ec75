/**
 * The project's error convention (see CONTRIBUTING.md): every module defines its error codes as a string
 * union and throws `SextantError<ItsCodes>` with a context object that says what was being done with what.
 * Errors carry data, not prose assembled from data, so they can be logged as structured fields and matched
 * on `code` by callers.
 */
export class SextantError<Code extends string = string, Ctx extends object = Record<string, unknown>> extends Error {
  readonly code: Code;
  readonly context: Ctx;

  constructor(code: Code, message: string, context: Ctx = {} as Ctx, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SextantError";
    this.code = code;
    this.context = context;
  }
}

/** True when `err` is a SextantError, optionally with the given code. */
export function isSextantError<C extends string>(err: unknown, code?: C): err is SextantError<C> {
  return err instanceof SextantError && (code === undefined || err.code === code);
}

/** A plain object for structured logs: message, code, context, stack and cause chain. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof SextantError) {
    return {
      message: err.message,
      code: err.code,
      context: err.context,
      stack: err.stack,
      ...(err.cause === undefined ? {} : { cause: errorFields(err.cause) }),
    };
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return {
      message: err.message,
      ...(typeof code === "string" ? { code } : {}),
      stack: err.stack,
      ...(err.cause === undefined ? {} : { cause: errorFields(err.cause) }),
    };
  }
  if (err !== null && typeof err === "object") return err as Record<string, unknown>;
  return { message: String(err) };
}
