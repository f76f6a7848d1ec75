// `sextant beacon [flags]`: runs the beacon node (chain, database, REST API, metrics) on a built-in network. Flags
// are checked before anything opens; a bad flag exits with code 2 and says what to fix. Also holds the flag
// definitions `sextant dev` shares (REST, metrics, dev chain) and the parsers that turn flag texts into values.

import type { BeaconNode } from "@sextant/beacon/node/node";
import {
  type BeaconNodeOptions,
  type BeaconNodeOptionsInput,
  BeaconOptionsError,
  DEFAULT_DEV_FORK,
  DEFAULT_DEV_GENESIS_DELAY_SECONDS,
  DEFAULT_DEV_SLOT_SECONDS,
  DEFAULT_DEV_VALIDATORS,
  DEFAULT_METRICS_ADDRESS,
  DEFAULT_METRICS_PORT,
  DEFAULT_RATE_LIMIT_TEXT,
  DEFAULT_REST_ADDRESS,
  DEFAULT_REST_PORT,
  MAX_DEV_VALIDATORS,
  parseAllowlistText,
  parseByteSize,
  parseCorsOrigins,
  parseInteger,
  parsePort,
  parseRateLimit,
  type RateLimit,
  resolveBeaconNodeOptions,
} from "@sextant/beacon/node/options";
import {
  createLogger,
  ExitCode,
  installProcessHandlers,
  isSextantError,
  LOG_LEVELS,
  type LogFormat,
  type Logger,
  type LogLevel,
} from "@sextant/common";
import { CHAIN_CONFIG_NAMES, FORK_NAMES, type ForkName } from "@sextant/consensus/params/index";
import { Command, InvalidArgumentError, Option } from "commander";
import { VERSION } from "./program.ts";

/** A parser whose BeaconOptionsError becomes commander's InvalidArgumentError (exit 2 with the message). */
function flagParser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (e) {
      if (e instanceof BeaconOptionsError) {
        throw new InvalidArgumentError(e.message.replace(/^[^:]+: /, ""));
      }
      throw e;
    }
  };
}

function parseBool(value: string): boolean {
  if (value === "true" || value === "1" || value === "yes") return true;
  if (value === "false" || value === "0" || value === "no") return false;
  throw new InvalidArgumentError("expected true or false");
}

/** Flag values shared by `beacon` and `dev` (commander keeps dotted names as they are). */
export interface NodeFlags {
  rest: boolean;
  "rest.address": string;
  "rest.port": number;
  "rest.corsOrigins"?: string[];
  "rest.rateLimit": RateLimit | null | "";
  "rest.allowlist"?: string[];
  "rest.bodyLimit"?: number;
  metrics: boolean;
  "metrics.address": string;
  "metrics.port": number;
  "dev.fork": ForkName;
  "dev.validators": number;
  "dev.slotSeconds": number;
  "dev.genesisDelay": number;
  "dev.genesisTime"?: number;
  suggestedFeeRecipient?: string;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
}

/** Adds the REST API flags. */
export function addRestOptions(cmd: Command, defaults: { allowlist?: string } = {}): Command {
  return cmd
    .addOption(new Option("--rest <bool>", "serve the Beacon REST API (true|false)").argParser(parseBool).default(true))
    .option(
      "--rest.address <host>",
      "REST listen address; anything beyond loopback is logged as a warning (put a proxy or firewall in front)",
      DEFAULT_REST_ADDRESS,
    )
    .option("--rest.port <port>", "REST listen port (0 picks a free one)", flagParser(parsePort), DEFAULT_REST_PORT)
    .option(
      "--rest.cors-origins <origins>",
      "CORS: allowed origins, comma-separated (e.g. http://localhost:3000), or * for any; default: CORS off",
      flagParser((t) => parseCorsOrigins(t)),
    )
    .addOption(
      new Option(
        "--rest.rate-limit <rate>",
        "per-client rate limit (clients keyed by bearer token, else IP): <tokens>/s[:<burst>] — tokens refilled per " +
          "second and bucket size (default burst 4 × rate); a request costs 1 (node status) to 50 (a debug state); " +
          "off = no limit",
      )
        .argParser(flagParser((t) => parseRateLimit(t)))
        .default(parseRateLimit(DEFAULT_RATE_LIMIT_TEXT), DEFAULT_RATE_LIMIT_TEXT),
    )
    .addOption(
      new Option(
        "--rest.allowlist <cidrs>",
        "IPs and CIDRs never rate limited (your validator clients), comma-separated, e.g. 127.0.0.1,10.0.0.0/24",
      )
        .argParser(flagParser((t) => parseAllowlistText(t)))
        .default(
          defaults.allowlist === undefined ? undefined : parseAllowlistText(defaults.allowlist),
          defaults.allowlist ?? "none",
        ),
    )
    .option(
      "--rest.body-limit <size>",
      "largest request body (413 above): bytes, or with kb/mb (default 2mb)",
      flagParser((t) => parseByteSize(t, "--rest.body-limit")),
    );
}

/** Adds the metrics flags. */
export function addMetricsOptions(cmd: Command): Command {
  return cmd
    .option("--metrics", "serve Prometheus metrics (GET /metrics)", false)
    .option("--metrics.address <host>", "metrics listen address", DEFAULT_METRICS_ADDRESS)
    .option("--metrics.port <port>", "metrics port", flagParser(parsePort), DEFAULT_METRICS_PORT);
}

/** Adds the dev chain flags. */
export function addDevOptions(cmd: Command, note = ""): Command {
  return cmd
    .addOption(
      new Option("--dev.fork <fork>", `newest fork, active from genesis with every earlier one${note}`)
        .choices([...FORK_NAMES])
        .default(DEFAULT_DEV_FORK),
    )
    .option(
      "--dev.validators <n>",
      `interop validators at genesis${note}`,
      flagParser((t) => parseInteger(t, "--dev.validators", 1, MAX_DEV_VALIDATORS)),
      DEFAULT_DEV_VALIDATORS,
    )
    .option(
      "--dev.slot-seconds <s>",
      `SECONDS_PER_SLOT of the dev chain${note}`,
      flagParser((t) => parseInteger(t, "--dev.slot-seconds", 1, 3600)),
      DEFAULT_DEV_SLOT_SECONDS,
    )
    .option(
      "--dev.genesis-delay <s>",
      `seconds from start to genesis of a new dev chain${note}`,
      flagParser((t) => parseInteger(t, "--dev.genesis-delay", 0, 3600)),
      DEFAULT_DEV_GENESIS_DELAY_SECONDS,
    )
    .option(
      "--dev.genesis-time <unix>",
      `genesis time (unix seconds) of a new dev chain, instead of --dev.genesis-delay${note}`,
      flagParser((t) => parseInteger(t, "--dev.genesis-time", 0, 2 ** 40)),
    );
}

/** Adds --log-level / --log-format (also accepted before the subcommand). */
export function addLogOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--log-level <level>", "least severe log level to print (also before the command)").choices(
        LOG_LEVELS as LogLevel[],
      ),
    )
    .addOption(
      new Option("--log-format <format>", "auto, json or pretty (also before the command)").choices([
        "auto",
        "json",
        "pretty",
      ]),
    );
}

/** The node options of parsed flags. */
export function nodeInputOf(flags: NodeFlags): BeaconNodeOptionsInput {
  return {
    rest: {
      enabled: flags.rest,
      address: flags["rest.address"],
      port: flags["rest.port"],
      corsOrigins: flags["rest.corsOrigins"] ?? [],
      // Commander stores a parser's null (`off`) as "": both mean no rate limit.
      rateLimit: flags["rest.rateLimit"] || null,
      allowlist: flags["rest.allowlist"] ?? [],
      ...(flags["rest.bodyLimit"] !== undefined ? { bodyLimit: flags["rest.bodyLimit"] } : {}),
    },
    metrics: { enabled: flags.metrics, address: flags["metrics.address"], port: flags["metrics.port"] },
    dev: {
      fork: flags["dev.fork"],
      validators: flags["dev.validators"],
      slotSeconds: flags["dev.slotSeconds"],
      genesisDelaySeconds: flags["dev.genesisDelay"],
      ...(flags["dev.genesisTime"] !== undefined ? { genesisTime: flags["dev.genesisTime"] } : {}),
    },
    ...(flags.suggestedFeeRecipient !== undefined ? { suggestedFeeRecipient: flags.suggestedFeeRecipient } : {}),
  };
}

/** Log level and format: the command's own flags, else the program's. */
export function logSettings(command: Command): { level: LogLevel; format: LogFormat } {
  const own = command.opts<Partial<NodeFlags>>();
  const globals = command.parent?.opts<Partial<NodeFlags>>() ?? {};
  return { level: own.logLevel ?? globals.logLevel ?? "info", format: own.logFormat ?? globals.logFormat ?? "auto" };
}

/** Resolves options, exiting 2 (through commander) with the message when one is bad. */
export function resolveOrExit(command: Command, input: BeaconNodeOptionsInput): BeaconNodeOptions {
  try {
    return resolveBeaconNodeOptions(input);
  } catch (e) {
    if (e instanceof BeaconOptionsError) {
      command.error(`error: ${e.message}`, { exitCode: ExitCode.USAGE, code: "sextant.beacon.options" });
    }
    throw e;
  }
}

/** Starts the node; a start-up refusal (SextantError: wrong database, no start state, …) exits 2 with its message. */
export async function startOrExit(
  opts: BeaconNodeOptions,
  logger: Logger,
  signal?: AbortSignal,
): Promise<BeaconNode | undefined> {
  try {
    // Loaded on use: `--help` and the other commands do not pay for (or depend on) the whole node.
    const { startBeaconNode } = await import("@sextant/beacon/node/node");
    const node = await startBeaconNode({ ...opts, logger, version: VERSION });
    if (signal?.aborted) {
      await node.close();
      return undefined;
    }
    return node;
  } catch (err) {
    if (isSextantError(err)) {
      logger.error({ err }, `cannot start the beacon node: ${err.message}`);
      process.exit(ExitCode.USAGE);
    }
    throw err;
  }
}

/** Commander flag names of the dev chain. */
const DEV_FLAGS = ["dev.fork", "dev.validators", "dev.slotSeconds", "dev.genesisDelay", "dev.genesisTime"] as const;

interface BeaconFlags extends NodeFlags {
  network: string;
  dataDir?: string;
  genesisState?: string;
  executionUrl?: string;
  jwtSecret?: string;
}

/** `sextant beacon`. */
export function beaconCommand(): Command {
  const cmd = new Command("beacon")
    .description(
      "The beacon node: follows and builds the chain, stores it, and serves the standard Beacon REST API to validator " +
        "clients (ours or any other)",
    )
    .addOption(
      new Option("--network <name>", "the network (its chain config is built in); dev = a local interop chain")
        .choices([...CHAIN_CONFIG_NAMES])
        .default("mainnet"),
    )
    .option("--data-dir <dir>", "database directory (default: ~/.sextant/<network>/beacon)")
    .option(
      "--genesis-state <file>",
      "the network's genesis state (SSZ) to start from when the database is empty (not needed for dev)",
    )
    .option("--execution-url <url>", "Engine API endpoint of the execution client, e.g. http://127.0.0.1:8551")
    .option(
      "--jwt-secret <file>",
      "file with the Engine API JWT secret (64 hex digits), shared with the execution client",
    )
    .option("--suggested-fee-recipient <address>", "fee recipient of proposals whose validator registered none");
  addRestOptions(cmd);
  addMetricsOptions(cmd);
  addDevOptions(cmd, " (--network dev only)");
  addLogOptions(cmd);
  return cmd
    .addHelpText(
      "after",
      "\nDefaults are safe behind infrastructure: REST on 127.0.0.1:5052 only, CORS off, 2 MiB bodies, 10 s to send\n" +
        "headers, 30 s to send a request, rate limited per client with load shedding (validator routes first).\n" +
        "Exit codes: 0 stopped (SIGINT/SIGTERM), 1 crash (a bug), 2 bad flags, wrong database or missing start state.",
    )
    .action(async (_flags: BeaconFlags, command: Command) => {
      const flags = command.opts<BeaconFlags>();
      if (flags.network !== "dev") {
        const given = DEV_FLAGS.filter((k) => command.getOptionValueSource(k) === "cli");
        if (given.length > 0) {
          command.error(
            `error: --${given[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to --network dev only`,
            { exitCode: ExitCode.USAGE, code: "sextant.beacon.dev-flag" },
          );
        }
      }
      const opts = resolveOrExit(command, {
        ...nodeInputOf(flags),
        network: flags.network,
        ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}),
        ...(flags.genesisState !== undefined ? { genesisStatePath: flags.genesisState } : {}),
        ...(flags.executionUrl !== undefined ? { executionUrl: flags.executionUrl } : {}),
        ...(flags.jwtSecret !== undefined ? { jwtSecretPath: flags.jwtSecret } : {}),
      });
      const { level, format } = logSettings(command);
      const logger = createLogger({ level, format, base: { program: "beacon" } });
      const handlers = installProcessHandlers(logger);
      const startAbort = new AbortController();
      let stopped!: () => void;
      const done = new Promise<void>((resolve) => {
        stopped = resolve;
      });
      handlers.onShutdown(() => {
        startAbort.abort();
        stopped();
      });
      const node = await startOrExit(opts, logger, startAbort.signal);
      if (node === undefined) return;
      handlers.onShutdown(() => node.close());
      // The node's timers do not hold the process open (a node without REST and metrics would otherwise exit).
      const keepAlive = setInterval(() => {}, 1 << 30);
      await done;
      clearInterval(keepAlive);
    });
}
