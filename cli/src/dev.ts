// `sextant dev` (what `npm start` runs): a local devnet in one command. Creates a data directory (printed), starts
// the beacon node on an interop dev chain in this process, writes the node's GET /eth/v1/config/spec answer to
// <dir>/config.json, and runs the validator client with the interop keys AS A SEPARATE PROCESS talking REST to the
// node (the split architecture), its output prefixed "vc | ". Ctrl-C (SIGINT/SIGTERM) stops the validator client
// (SIGTERM, SIGKILL after a timeout) and then the node, exit 0; if the validator client dies on its own the devnet
// stops with exit 1.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { BeaconNode } from "@sextant/beacon/node/node";
import { createLogger, ExitCode, installProcessHandlers, type Logger } from "@sextant/common";
import { errorFields } from "@sextant/common/errors";
import { Command, InvalidArgumentError } from "commander";
import {
  addDevOptions,
  addLogOptions,
  addMetricsOptions,
  addRestOptions,
  logSettings,
  type NodeFlags,
  nodeInputOf,
  resolveOrExit,
  startOrExit,
} from "./beacon.ts";

/** How long the validator client gets to stop after SIGTERM before SIGKILL. */
export const VC_STOP_TIMEOUT_MS = 8_000;

interface DevFlags extends NodeFlags {
  dataDir?: string;
  vcStopTimeout: number;
}

/** A new data directory under the OS temp dir: sextant-dev-<yyyymmdd-hhmmss>-<random>. */
export function newDevDataDir(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, "")
    .replace(/[-:]/g, "")
    .replace("T", "-");
  return mkdtempSync(join(tmpdir(), `sextant-dev-${stamp}-`));
}

/** The validator client's command line for the devnet. */
export function validatorArgs(opts: {
  apiUrl: string;
  configPath: string;
  validators: number;
  dataDir: string;
  logLevel: string;
  logFormat: string;
}): string[] {
  const main = fileURLToPath(new URL("./main.ts", import.meta.url));
  return [
    main,
    "validator",
    "--beacon-nodes",
    opts.apiUrl,
    "--chain-config",
    opts.configPath,
    "--interop-indexes",
    `0..${opts.validators - 1}`,
    "--data-dir",
    opts.dataDir,
    "--doppelganger-protection",
    "false",
    "--keymanager",
    "false",
    "--log-level",
    opts.logLevel,
    "--log-format",
    opts.logFormat,
  ];
}

function parseMs(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("expected milliseconds, a whole number ≥ 0");
  return n;
}

/** Copies a child's output stream line by line to `out`, each line prefixed. */
function pipeLines(from: NodeJS.ReadableStream | null, out: NodeJS.WritableStream, prefix: string): void {
  if (from === null) return;
  const lines = createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on("line", (line) => out.write(`${prefix}${line}\n`));
}

/** Resolves when the child has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Time the validator client gets to stop on its own first: Ctrl-C in a terminal signals the whole process group, so it
 * is usually already shutting down (a SIGTERM on top would count as a second signal and cut its shutdown short).
 */
export const CHILD_OWN_STOP_GRACE_MS = 2000;

/** Waits CHILD_OWN_STOP_GRACE_MS, then SIGTERM, then SIGKILL after `timeoutMs`; resolves once the child is gone. */
export async function stopChild(
  child: ChildProcess,
  timeoutMs: number,
  logger: Logger,
  graceMs = CHILD_OWN_STOP_GRACE_MS,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  let graceTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    exited(child),
    new Promise<void>((resolve) => {
      graceTimer = setTimeout(resolve, graceMs);
    }),
  ]);
  clearTimeout(graceTimer);
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => {
    logger.warn({ pid: child.pid, timeoutMs }, "validator client did not stop in time; killing it");
    child.kill("SIGKILL");
  }, timeoutMs);
  await exited(child);
  clearTimeout(timer);
}

/** Fetches the node's chain config JSON (GET /eth/v1/config/spec) and writes it to `path`. */
async function writeSpec(apiUrl: string, path: string): Promise<void> {
  const res = await fetch(`${apiUrl}/eth/v1/config/spec`, { headers: { accept: "application/json" } });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET /eth/v1/config/spec answered ${res.status}: ${text.slice(0, 200)}`);
  writeFileSync(path, text);
}

/** `sextant dev`. */
export function devCommand(): Command {
  const cmd = new Command("dev")
    .description(
      "A local devnet in one command: an interop dev chain (minimal preset, every fork through --dev.fork at genesis), " +
        "the beacon node with the mock execution engine, and the validator client as a separate process over REST",
    )
    .option("--data-dir <dir>", "where the node and the validator client keep their data (default: a new temp dir)")
    .option(
      "--vc-stop-timeout <ms>",
      "on Ctrl-C, time the validator client gets after SIGTERM before SIGKILL",
      parseMs,
      VC_STOP_TIMEOUT_MS,
    );
  addDevOptions(cmd);
  addRestOptions(cmd, { allowlist: "127.0.0.1,::1" });
  addMetricsOptions(cmd);
  addLogOptions(cmd);
  return cmd
    .addHelpText(
      "after",
      "\nLayout: <data-dir>/beacon (the node's database), <data-dir>/validator (keys, slashing protection),\n" +
        "<data-dir>/config.json (the chain config the validator client reads). One status line per slot.\n" +
        "Exit codes: 0 stopped by Ctrl-C/SIGTERM, 1 the validator client died or a crash, 2 bad flags.",
    )
    .action(async (_flags: DevFlags, command: Command) => {
      const flags = command.opts<DevFlags>();
      // Check the flags before creating anything.
      resolveOrExit(command, { ...nodeInputOf(flags), network: "dev", dataDir: join(tmpdir(), "beacon") });
      const dir = resolve(flags.dataDir ?? newDevDataDir());
      mkdirSync(dir, { recursive: true });
      const opts = resolveOrExit(command, { ...nodeInputOf(flags), network: "dev", dataDir: join(dir, "beacon") });
      const { level, format } = logSettings(command);
      const logger = createLogger({ level, format, base: { program: "dev" } });
      console.log(`sextant dev: data directory ${dir}`);
      const handlers = installProcessHandlers(logger);
      let stopping = false;
      let node: BeaconNode | undefined;
      let vc: ChildProcess | undefined;
      const startAbort = new AbortController();
      let finished!: () => void;
      const done = new Promise<void>((r) => {
        finished = r;
      });
      // Hooks run last-registered first: the validator client stops before the node.
      handlers.onShutdown(async () => {
        stopping = true;
        startAbort.abort();
        await node?.close();
        finished();
      });
      handlers.onShutdown(async () => {
        stopping = true;
        if (vc) await stopChild(vc, flags.vcStopTimeout, logger);
      });
      // Ctrl-C in a terminal reaches the validator client too: whatever exits first, it is a requested stop.
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => (stopping = true));
      process.once("exit", () => {
        if (vc && vc.exitCode === null && vc.signalCode === null) vc.kill("SIGTERM");
      });

      node = await startOrExit(opts, logger, startAbort.signal);
      if (node === undefined || node.apiUrl === undefined) {
        if (node !== undefined) {
          logger.error("sextant dev needs the REST API (the validator client talks to it): drop --rest false");
          await node.close();
          process.exit(ExitCode.USAGE);
        }
        return;
      }
      const configPath = join(dir, "config.json");
      try {
        await writeSpec(node.apiUrl, configPath);
      } catch (e) {
        logger.error({ err: errorFields(e) }, "could not write the chain config for the validator client");
        await node.close();
        process.exit(ExitCode.CRASH);
      }
      if (stopping) return;
      // The child's output is piped (not a terminal): keep the format this terminal would get.
      const vcFormat = format === "auto" ? (process.stdout.isTTY ? "pretty" : "json") : format;
      const args = validatorArgs({
        apiUrl: node.apiUrl,
        configPath,
        validators: opts.dev.validators,
        dataDir: join(dir, "validator"),
        logLevel: level,
        logFormat: vcFormat,
      });
      vc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
      pipeLines(vc.stdout, process.stdout, "vc | ");
      pipeLines(vc.stderr, process.stderr, "vc | ");
      logger.info(
        { pid: vc.pid, beaconNode: node.apiUrl, validators: opts.dev.validators, config: configPath },
        "validator client started",
      );
      const child = vc;
      const vcGone = (reason: string, fields: Record<string, unknown>): void => {
        if (stopping) return;
        stopping = true;
        logger.error(fields, `validator client ${reason}; stopping the devnet`);
        void (async () => {
          try {
            await node?.close();
          } finally {
            process.exit(ExitCode.CRASH);
          }
        })();
      };
      child.once("exit", (code, signal) => vcGone(`exited on its own (${signal ?? `code ${code}`})`, { code, signal }));
      child.once("error", (err) => vcGone("could not run", { err: errorFields(err) }));
      await done;
    });
}
