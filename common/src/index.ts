export { errorFields, isSextantError, SextantError } from "./errors.ts";
export {
  createLogger,
  LOG_LEVELS,
  type LogFormat,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  memoryLogDestination,
  silentLogger,
} from "./logger.ts";
export { ExitCode, installProcessHandlers, type ProcessHandlers, type ShutdownHook } from "./process.ts";
export { isSecretKey, REDACTED, redactSecrets, redactUrl } from "./redact.ts";
