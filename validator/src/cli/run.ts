// `sextant validator [flags]`: runs the validator client against one or more standard beacon nodes. Flags are
// checked before anything starts; a bad flag or config file exits with code 2 and says what to fix.
import { readFileSync } from "node:fs";
import {
  createLogger,
  ExitCode,
  installProcessHandlers,
  isSextantError,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
} from "@sextant/common";
import { parseChainConfigText } from "@sextant/consensus/params/config/text";
import {
  CHAIN_CONFIG_NAMES,
  type ChainConfig,
  type ChainConfigName,
  getChainConfig,
} from "@sextant/consensus/params/index";
import { type Command, InvalidArgumentError, Option } from "commander";
import { startValidatorClient } from "../client.ts";
import { defaultDataDir } from "../dataDir/layout.ts";
import { DEFAULT_KEYMANAGER_HOST, DEFAULT_KEYMANAGER_PORT } from "../keymanager/server.ts";
import { parseInteropIndexes } from "../keystores/interop.ts";

/** Default beacon node: a local node's REST API on the port every client uses. */
export const DEFAULT_BEACON_NODE = "http://127.0.0.1:5052";
/** Default metrics port (the one Lighthouse and Lodestar validator clients use). */
export const DEFAULT_METRICS_PORT = 5064;

interface RunFlags {
  beaconNodes: string[];
  network: ChainConfigName;
  chainConfig?: string;
  dataDir?: string;
  interopIndexes?: number[];
  broadcast: boolean;
  doppelgangerProtection: boolean;
  metrics: boolean;
  /** Commander keeps dotted flag names as they are (`--metrics.port` → "metrics.port"). */
  "metrics.address": string;
  "metrics.port": number;
  keymanager: boolean;
  "keymanager.address": string;
  "keymanager.port": number;
  suggestedFeeRecipient?: string;
  gasLimit?: number;
  graffiti?: string;
  builder: boolean;
  threads?: number;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
}

function parseUrls(value: string): string[] {
  const urls = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (urls.length === 0) throw new InvalidArgumentError("give at least one URL, e.g. http://127.0.0.1:5052");
  for (const u of urls) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new InvalidArgumentError(`"${u}" is not a URL (expected http://host:port)`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      throw new InvalidArgumentError(`"${u}": only http:// and https:// beacon nodes are supported`);
  }
  return urls;
}

function parseBool(value: string): boolean {
  if (value === "true" || value === "1" || value === "yes") return true;
  if (value === "false" || value === "0" || value === "no") return false;
  throw new InvalidArgumentError("expected true or false");
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("expected a port, 0..65535");
  return n;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number ≥ 1");
  return n;
}

function parseIndexes(value: string): number[] {
  try {
    return parseInteropIndexes(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function parseAddress(value: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new InvalidArgumentError("expected a 20-byte 0x-hex address");
  return value;
}

/**
 * The chain config of a file: a config YAML (the spec's format, as networks publish it) or the JSON a beacon node
 * answers to GET /eth/v1/config/spec (with or without its `data` envelope). Unknown keys (preset values, ...) are
 * ignored; omitted keys come from the reference config of the file's PRESET_BASE.
 */
export function loadChainConfigFile(path: string): { config: ChainConfig; warnings: string[] } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new InvalidArgumentError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parseChainConfigText(text);
  } catch (e) {
    throw new InvalidArgumentError(`${path}: ${(e as Error).message}`);
  }
}

/** Adds the run flags and action to the `validator` command. */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--beacon-nodes <urls>", "beacon node REST URLs, comma-separated, in order of preference")
        .argParser(parseUrls)
        .default([DEFAULT_BEACON_NODE], DEFAULT_BEACON_NODE),
    )
    .addOption(
      new Option("--network <name>", "the network (its chain config is built in)")
        .choices([...CHAIN_CONFIG_NAMES])
        .default("mainnet"),
    )
    .option(
      "--chain-config <file>",
      "a custom network: its config.yaml, or the JSON of a node's GET /eth/v1/config/spec (overrides --network)",
    )
    .option("--data-dir <dir>", "keys, slashing protection and settings (default: ~/.sextant/<network>/validator)")
    .option(
      "--interop-indexes <range>",
      "devnets only: sign with the public interop keys of these indices (e.g. 0..63 or 0,5,9)",
      parseIndexes,
    )
    .option("--broadcast", "publish attestations, aggregates, blocks and sync messages to every healthy node", false)
    .addOption(
      new Option(
        "--doppelganger-protection <bool>",
        "watch one epoch for our keys attesting elsewhere before signing (true|false)",
      )
        .argParser(parseBool)
        .default(true),
    )
    .option("--metrics", "serve Prometheus metrics", false)
    .option("--metrics.address <host>", "metrics listen address", "127.0.0.1")
    .option("--metrics.port <port>", "metrics port", parsePort, DEFAULT_METRICS_PORT)
    .addOption(
      new Option("--keymanager <bool>", "serve the keymanager API (bearer token in <data-dir>/api-token.txt)")
        .argParser(parseBool)
        .default(true),
    )
    .option("--keymanager.address <host>", "keymanager API listen address", DEFAULT_KEYMANAGER_HOST)
    .option("--keymanager.port <port>", "keymanager API port", parsePort, DEFAULT_KEYMANAGER_PORT)
    .option("--suggested-fee-recipient <address>", "default fee recipient of proposals", parseAddress)
    .option("--gas-limit <gas>", "default gas limit target of proposals", parsePositive)
    .option("--graffiti <text>", "default graffiti of proposals (≤ 32 bytes)")
    .option("--builder", "register validators with the beacon node's builder (MEV-boost) every epoch", false)
    .option("--threads <n>", "signing and decryption threads (default: one per core)", parsePositive)
    .addOption(
      new Option("--log-level <level>", "least severe log level to print (also before `validator`)").choices(
        LOG_LEVELS as LogLevel[],
      ),
    )
    .addOption(
      new Option("--log-format <format>", "auto, json or pretty (also before `validator`)").choices([
        "auto",
        "json",
        "pretty",
      ]),
    )
    .addHelpText(
      "after",
      "\nThe client waits (backing off) while its beacon nodes are syncing or down, fails over between\n" +
        "--beacon-nodes, and never signs a slashable message (EIP-3076 slashing protection in <data-dir>).\n" +
        "Exit codes: 0 stopped (SIGINT/SIGTERM), 1 crash (a bug), 2 bad flags or config, 4 doppelganger detected.",
    )
    .action(async (_flags: RunFlags, command: Command) => {
      // Local values first: commander's optsWithGlobals lets the program's defaults override them.
      const flags = command.opts<RunFlags>();
      const globals = command.parent?.opts<Partial<RunFlags>>() ?? {};
      flags.logLevel ??= globals.logLevel;
      flags.logFormat ??= globals.logFormat;
      let config: ChainConfig;
      const notes: string[] = [];
      if (flags.chainConfig !== undefined) {
        try {
          const loaded = loadChainConfigFile(flags.chainConfig);
          config = loaded.config;
          notes.push(...loaded.warnings);
        } catch (e) {
          command.error(`error: --chain-config ${(e as Error).message}`, {
            exitCode: ExitCode.USAGE,
            code: "sextant.validator.chain-config",
          });
        }
      } else config = getChainConfig(flags.network);
      const logger = createLogger({
        level: flags.logLevel ?? "info",
        format: flags.logFormat ?? "auto",
        base: { program: "validator" },
      });
      for (const note of notes) logger.warn({ file: flags.chainConfig }, `chain config: ${note}`);
      const handlers = installProcessHandlers(logger);
      const dataDir =
        flags.dataDir ?? defaultDataDir(flags.chainConfig !== undefined ? config.CONFIG_NAME : flags.network);
      let client: Awaited<ReturnType<typeof startValidatorClient>>;
      const startAbort = new AbortController();
      handlers.onShutdown(() => startAbort.abort(new Error("shutdown")));
      try {
        client = await startValidatorClient({
          beaconNodes: flags.beaconNodes,
          config,
          dataDir,
          interopIndexes: flags.interopIndexes,
          broadcast: flags.broadcast,
          doppelganger: flags.doppelgangerProtection,
          metrics: flags.metrics ? { host: flags["metrics.address"], port: flags["metrics.port"] } : undefined,
          keymanager: flags.keymanager
            ? { host: flags["keymanager.address"], port: flags["keymanager.port"] }
            : undefined,
          proposer: {
            feeRecipient: flags.suggestedFeeRecipient,
            gasLimit: flags.gasLimit,
            graffiti: flags.graffiti,
            builder: flags.builder,
          },
          threads: flags.threads,
          logger,
          signal: startAbort.signal,
        });
      } catch (err) {
        if (startAbort.signal.aborted) return;
        if (isSextantError(err)) {
          logger.error({ err }, `cannot start the validator client: ${err.message}`);
          process.exit(ExitCode.USAGE);
        }
        throw err;
      }
      handlers.onShutdown((reason) => client.stop(reason));
      await client.stopped;
      if (client.fatal?.code === "DOPPELGANGER_DETECTED") process.exit(EXIT_DOPPELGANGER);
    });
}

/** Exit code when doppelganger protection stopped the client. */
export const EXIT_DOPPELGANGER = 4;
