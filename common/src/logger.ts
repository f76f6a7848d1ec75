import { Writable } from "node:stream";
import { type DestinationStream, type Logger as PinoLogger, pino } from "pino";
import pretty from "pino-pretty";
import { errorFields } from "./errors.ts";
import { isSecretKey, REDACTED, redactSecrets } from "./redact.ts";

export type Logger = PinoLogger;
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
export const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
/** "auto": human-readable when the output is a terminal, JSON (one object per line) otherwise. */
export type LogFormat = "auto" | "json" | "pretty";

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go; default stdout. Tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
  /** Fields on every line (e.g. { program: "beacon" }). */
  base?: Record<string, unknown>;
}

/**
 * The root logger of a process. Modules take a child: `logger.child({ module: "chain" })`. Every object
 * logged passes through `redactSecrets`, so a field called password, token, secretKey… prints as
 * "[redacted]" whatever the caller wrote; errors logged as `{ err }` come out with code and context.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const destination = opts.destination ?? process.stdout;
  const format = opts.format ?? "auto";
  const usePretty = format === "pretty" || (format === "auto" && (destination as { isTTY?: boolean }).isTTY === true);
  const stream: DestinationStream = usePretty
    ? pretty({
        destination: destination as Writable,
        colorize: (destination as { isTTY?: boolean }).isTTY === true,
        translateTime: "SYS:HH:MM:ss.l",
        ignore: "pid,hostname",
        messageFormat: "{if module}[{module}] {end}{msg}",
        sync: true,
      })
    : (destination as DestinationStream);
  return pino(
    {
      level: opts.level ?? "info",
      base: opts.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redactSecrets(obj) as Record<string, unknown>,
      },
      serializers: { err: errorFields, error: errorFields },
    },
    stream,
  );
}

/** A logger that drops everything (tests, library defaults). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** Collects JSON log lines in memory (for tests). */
export function memoryLogDestination(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export { isSecretKey, REDACTED };
