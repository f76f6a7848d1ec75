import type { Logger } from "./logger.ts";

/** Exit codes of the sextant executable. */
export const ExitCode = {
  OK: 0,
  /** A bug: unhandled rejection, uncaught exception, broken invariant. */
  CRASH: 1,
  /** The user asked for something that cannot run (bad flag, bad config file). */
  USAGE: 2,
  /** Shutdown did not finish within the grace period. */
  SHUTDOWN_TIMEOUT: 3,
} as const;

export type ShutdownHook = (signal: string) => Promise<void> | void;

export interface ProcessHandlers {
  /** Registers work to run on SIGINT/SIGTERM, in reverse order of registration. */
  onShutdown(hook: ShutdownHook): void;
  /** Runs the shutdown hooks as if a signal had arrived (idempotent) and resolves when they finished. */
  shutdown(reason: string): Promise<void>;
}

/** How long shutdown hooks may take before the process exits anyway. */
const DEFAULT_SHUTDOWN_GRACE_MS = 15_000;

/**
 * Installs the process-level handlers every sextant program runs with:
 * - an unhandled rejection or uncaught exception is a bug: it is logged (fatal, with the error's code and
 *   context) and the process exits with code 1 — never silently continues;
 * - SIGINT/SIGTERM run the shutdown hooks (last registered first), then exit 0; a second signal, or hooks that
 *   take longer than the grace period, exit at once.
 */
export function installProcessHandlers(
  logger: Logger,
  opts: { shutdownGraceMs?: number; exit?: (code: number) => void } = {},
): ProcessHandlers {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const graceMs = opts.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  const hooks: ShutdownHook[] = [];
  let shuttingDown: Promise<void> | undefined;

  const crash = (kind: string) => (err: unknown) => {
    logger.fatal({ err, kind }, `${kind}: this is a bug in Sextant; exiting`);
    exit(ExitCode.CRASH);
  };
  process.on("unhandledRejection", crash("unhandled promise rejection"));
  process.on("uncaughtException", crash("uncaught exception"));

  const shutdown = (reason: string): Promise<void> => {
    if (shuttingDown !== undefined) return shuttingDown;
    logger.info({ reason }, "shutting down");
    const timer = setTimeout(() => {
      logger.error({ graceMs }, "shutdown took too long; exiting now");
      exit(ExitCode.SHUTDOWN_TIMEOUT);
    }, graceMs);
    timer.unref();
    shuttingDown = (async () => {
      for (const hook of [...hooks].reverse()) {
        try {
          await hook(reason);
        } catch (err) {
          logger.error({ err }, "a shutdown step failed; continuing with the others");
        }
      }
      clearTimeout(timer);
    })();
    return shuttingDown;
  };

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (shuttingDown !== undefined) {
        logger.warn({ signal }, "second signal: exiting without waiting for shutdown");
        exit(ExitCode.CRASH);
        return;
      }
      shutdown(signal).then(
        () => exit(ExitCode.OK),
        (err: unknown) => crash("shutdown failure")(err),
      );
    });
  }

  return { onShutdown: (hook) => hooks.push(hook), shutdown };
}
