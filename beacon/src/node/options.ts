// The beacon node's options: what `sextant beacon` / `sextant dev` pass to startBeaconNode, their defaults, the
// parsers of the flag texts that need one (ports, sizes, the rate limit, CORS origins, the allowlist) and
// resolveBeaconNodeOptions, which fills defaults and checks everything before the node opens a file or a port.
// Every refusal is a BeaconOptionsError naming the option and what it accepts.
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { SextantError } from "@sextant/common";
import {
  CHAIN_CONFIG_NAMES,
  type ChainConfigName,
  FORK_NAMES,
  type ForkName,
  isChainConfigName,
  isForkName,
} from "@sextant/consensus/params/index";
import { parseAllowlist } from "../api/governor/allowlist.ts";

/** Error code of invalid options. */
export type BeaconOptionsErrorCode = "BEACON_BAD_OPTIONS";

/** An option value the node cannot run with; the message names the option and what it accepts. */
export class BeaconOptionsError extends SextantError<BeaconOptionsErrorCode, { option: string; value: string }> {
  constructor(option: string, value: unknown, message: string) {
    super("BEACON_BAD_OPTIONS", `${option}: ${message}`, { option, value: String(value) });
    this.name = "BeaconOptionsError";
  }
}

/** Token-bucket rate limit per client: tokens refilled per second and bucket size. */
export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

/** REST API options. */
export interface RestOptions {
  /** Serve the REST API (default true). */
  readonly enabled: boolean;
  /** Listen address (default 127.0.0.1: loopback only). */
  readonly address: string;
  /** Listen port (default 5052; 0 picks a free one). */
  readonly port: number;
  /** Origins allowed by CORS (`*` for any); empty: CORS off (no Access-Control-* headers). */
  readonly corsOrigins: readonly string[];
  /** Per-client rate limit; null: no rate limiting (load shedding still applies). */
  readonly rateLimit: RateLimit | null;
  /** IPs and CIDRs never rate limited (the operator's validator clients). */
  readonly allowlist: readonly string[];
  /** Largest request body, bytes (413 above). */
  readonly bodyLimit: number;
  /** Time a client has to send the request headers, ms (slow-loris guard). */
  readonly headersTimeoutMs: number;
  /** Time a client has to send the whole request, ms. */
  readonly requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this, ms. */
  readonly keepAliveTimeoutMs: number;
}

/** Metrics server options. */
export interface MetricsOptions {
  readonly enabled: boolean;
  readonly address: string;
  readonly port: number;
}

/** Dev network options (used when network is "dev"). */
export interface DevOptions {
  /** Newest fork, active from genesis with every earlier one (later forks never). */
  readonly fork: ForkName;
  /** SECONDS_PER_SLOT of the dev chain. */
  readonly slotSeconds: number;
  /** Interop validators in the genesis state. */
  readonly validators: number;
  /** Seconds from now to genesis (a fresh dev chain only). */
  readonly genesisDelaySeconds: number;
  /** Genesis time, unix seconds, of a fresh dev chain (overrides genesisDelaySeconds; other nodes share it). */
  readonly genesisTime?: number;
}

/** Everything startBeaconNode needs, defaults filled in and checked. */
export interface BeaconNodeOptions {
  readonly network: ChainConfigName;
  readonly dataDir: string;
  /** An SSZ BeaconState file to start from when the database is empty. */
  readonly genesisStatePath?: string;
  /** The Engine API endpoint (non-dev networks). */
  readonly executionUrl?: string;
  /** The file holding the Engine API JWT secret (hex). */
  readonly jwtSecretPath?: string;
  readonly rest: RestOptions;
  readonly metrics: MetricsOptions;
  readonly dev: DevOptions;
  /** Fee recipient of proposals without a registered one (0x, 20 bytes). */
  readonly suggestedFeeRecipient?: string;
}

/** What callers may give: every field optional except what has no default. */
export interface BeaconNodeOptionsInput {
  readonly network?: string;
  readonly dataDir?: string;
  readonly genesisStatePath?: string;
  readonly executionUrl?: string;
  readonly jwtSecretPath?: string;
  readonly rest?: Partial<RestOptions>;
  readonly metrics?: Partial<MetricsOptions>;
  readonly dev?: Partial<DevOptions>;
  readonly suggestedFeeRecipient?: string;
}

/** Default REST listen address: loopback only. */
export const DEFAULT_REST_ADDRESS = "127.0.0.1";
/** Default REST port (the port every client's REST API uses). */
export const DEFAULT_REST_PORT = 5052;
/** Default rate limit text. */
export const DEFAULT_RATE_LIMIT_TEXT = "100/s:400";
/** Default rate limit: 100 tokens per second per client, bursts of 400 (a node-status request costs 1). */
export const DEFAULT_RATE_LIMIT: RateLimit = Object.freeze({ ratePerSecond: 100, burst: 400 });
/**
 * Default body limit: 2 MiB — 10,000 pubkeys in one POST (what validator clients send per request) fit five times,
 * while a body this size costs at most a few tens of MB of heap to parse (an 8 MiB list of 1.2M ids grew the RSS by
 * ~135 MB, which V8 keeps). Block publishing has its own, larger limit on its route.
 */
export const DEFAULT_BODY_LIMIT = 2 * 1024 * 1024;
/** Default time to receive the headers. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** Default time to receive the whole request. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Default keep-alive idle time. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** Default metrics address and port. */
export const DEFAULT_METRICS_ADDRESS = "127.0.0.1";
export const DEFAULT_METRICS_PORT = 8008;
/** Dev chain defaults. */
export const DEFAULT_DEV_FORK: ForkName = "fulu";
export const DEFAULT_DEV_SLOT_SECONDS = 6;
export const DEFAULT_DEV_VALIDATORS = 64;
export const DEFAULT_DEV_GENESIS_DELAY_SECONDS = 5;
/** Most dev validators (interop keys are derived one by one at start; keep starts quick). */
export const MAX_DEV_VALIDATORS = 1_000_000;

/** `~/.sextant/<network>/beacon`. */
export function defaultBeaconDataDir(network: string): string {
  return join(homedir(), ".sextant", network, "beacon");
}

// ---- parsers of flag texts (each throws BeaconOptionsError naming `option`) ------------------------------------

/** A TCP port 0..65535. */
export function parsePort(text: string, option = "port"): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new BeaconOptionsError(option, text, `expected a port number 0..65535, got "${text}"`);
  }
  return n;
}

/** A whole number ≥ min. */
export function parseInteger(text: string, option: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new BeaconOptionsError(option, text, `expected a whole number in ${min}..${max}, got "${text}"`);
  }
  return n;
}

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2 };

/** A size in bytes: `1048576`, `512kb`, `8mb` (binary units: 1 kb = 1024 bytes). */
export function parseByteSize(text: string, option = "size"): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  const n = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new BeaconOptionsError(option, text, `expected a size such as 1048576, 512kb or 8mb, got "${text}"`);
  }
  return n;
}

/**
 * The rate limit syntax: `<rate>/s` or `<rate>/s:<burst>` — tokens refilled per second per client and the bucket
 * size (default 4 × rate); `off` disables rate limiting. A request costs 1 (node status) to 50 (a full debug state)
 * tokens. Examples: `100/s`, `100/s:400`, `20/s:20`, `off`.
 */
export function parseRateLimit(text: string, option = "--rest.rate-limit"): RateLimit | null {
  const t = text.trim().toLowerCase();
  if (t === "off" || t === "none") return null;
  const m = /^(\d+(?:\.\d+)?)\/s(?::(\d+))?$/.exec(t);
  const rate = m ? Number(m[1]) : Number.NaN;
  const burst = m?.[2] !== undefined ? Number(m[2]) : Math.ceil(rate * 4);
  if (!m || !(rate > 0) || !Number.isFinite(rate) || !Number.isSafeInteger(burst) || burst < 1) {
    throw new BeaconOptionsError(
      option,
      text,
      `expected <tokens per second>/s[:<burst>] (e.g. 100/s or 100/s:400, rate > 0, burst ≥ 1) or off, got "${text}"`,
    );
  }
  return { ratePerSecond: rate, burst };
}

/** A comma-separated list, empty entries dropped. */
export function parseList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** CORS origins: `*` or a comma-separated list of `http(s)://host[:port]` origins. */
export function parseCorsOrigins(text: string, option = "--rest.cors-origins"): string[] {
  const list = parseList(text);
  if (list.length === 0) throw new BeaconOptionsError(option, text, "expected * or a comma-separated list of origins");
  for (const origin of list) {
    if (origin === "*") continue;
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== origin.replace(/\/$/, "")) {
      throw new BeaconOptionsError(
        option,
        text,
        `"${origin}" is not an origin (expected * or scheme://host[:port], e.g. http://localhost:3000)`,
      );
    }
  }
  return list.map((o) => (o === "*" ? o : o.replace(/\/$/, "")));
}

/** The allowlist: comma-separated IPs and CIDRs (IPv4 or IPv6). */
export function parseAllowlistText(text: string, option = "--rest.allowlist"): string[] {
  const list = parseList(text);
  checkAllowlist(list, option);
  return list;
}

function checkAllowlist(list: readonly string[], option: string): void {
  try {
    parseAllowlist(list);
  } catch (e) {
    throw new BeaconOptionsError(option, list.join(","), (e as Error).message);
  }
}

/** The network name, one of the built-in chain configs. */
export function parseNetwork(text: string, option = "--network"): ChainConfigName {
  if (!isChainConfigName(text)) {
    throw new BeaconOptionsError(option, text, `unknown network "${text}" (known: ${CHAIN_CONFIG_NAMES.join(", ")})`);
  }
  return text;
}

/** A fork name. */
export function parseFork(text: string, option = "--dev.fork"): ForkName {
  if (!isForkName(text)) {
    throw new BeaconOptionsError(option, text, `unknown fork "${text}" (known: ${FORK_NAMES.join(", ")})`);
  }
  return text;
}

// ---- resolve -----------------------------------------------------------------------------------------------------

function checkPort(value: number, option: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new BeaconOptionsError(option, value, `expected a port number 0..65535, got ${value}`);
  }
  return value;
}

function checkInt(value: number, option: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new BeaconOptionsError(option, value, `expected a whole number in ${min}..${max}, got ${value}`);
  }
  return value;
}

function checkAddress(value: string, option: string): string {
  if (typeof value !== "string" || value.trim() === "" || /[\s/]/.test(value)) {
    throw new BeaconOptionsError(option, value, `expected an IP address or host name, got "${value}"`);
  }
  return value.trim();
}

/**
 * Fills the defaults of `input` and checks every value. Throws BeaconOptionsError for the first bad one (unknown
 * network or fork, bad port or size, a rate limit with a non-positive rate, an allowlist entry that is no IP/CIDR,
 * --jwt-secret without --execution-url or the reverse, …).
 */
export function resolveBeaconNodeOptions(input: BeaconNodeOptionsInput): BeaconNodeOptions {
  const network = parseNetwork(input.network ?? "mainnet");
  const restIn = input.rest ?? {};
  const rateLimit = restIn.rateLimit === undefined ? DEFAULT_RATE_LIMIT : restIn.rateLimit;
  if (rateLimit !== null) {
    if (!(rateLimit.ratePerSecond > 0) || !Number.isFinite(rateLimit.ratePerSecond)) {
      throw new BeaconOptionsError("--rest.rate-limit", rateLimit.ratePerSecond, "the rate must be > 0 tokens/s");
    }
    checkInt(rateLimit.burst, "--rest.rate-limit burst", 1);
  }
  const allowlist = [...(restIn.allowlist ?? [])];
  checkAllowlist(allowlist, "--rest.allowlist");
  const corsOrigins = [...(restIn.corsOrigins ?? [])];
  if (corsOrigins.length > 0) parseCorsOrigins(corsOrigins.join(","));
  const rest: RestOptions = {
    enabled: restIn.enabled ?? true,
    address: checkAddress(restIn.address ?? DEFAULT_REST_ADDRESS, "--rest.address"),
    port: checkPort(restIn.port ?? DEFAULT_REST_PORT, "--rest.port"),
    corsOrigins,
    rateLimit,
    allowlist,
    bodyLimit: checkInt(restIn.bodyLimit ?? DEFAULT_BODY_LIMIT, "--rest.body-limit", 1024, 1024 ** 3),
    headersTimeoutMs: checkInt(restIn.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, "headers timeout", 1),
    requestTimeoutMs: checkInt(restIn.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, "request timeout", 1),
    keepAliveTimeoutMs: checkInt(restIn.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS, "keep-alive timeout", 1),
  };
  const metricsIn = input.metrics ?? {};
  const metrics: MetricsOptions = {
    enabled: metricsIn.enabled ?? false,
    address: checkAddress(metricsIn.address ?? DEFAULT_METRICS_ADDRESS, "--metrics.address"),
    port: checkPort(metricsIn.port ?? DEFAULT_METRICS_PORT, "--metrics.port"),
  };
  const devIn = input.dev ?? {};
  const dev: DevOptions = {
    fork: parseFork(devIn.fork ?? DEFAULT_DEV_FORK),
    slotSeconds: checkInt(devIn.slotSeconds ?? DEFAULT_DEV_SLOT_SECONDS, "--dev.slot-seconds", 1, 3600),
    validators: checkInt(devIn.validators ?? DEFAULT_DEV_VALIDATORS, "--dev.validators", 1, MAX_DEV_VALIDATORS),
    genesisDelaySeconds: checkInt(
      devIn.genesisDelaySeconds ?? DEFAULT_DEV_GENESIS_DELAY_SECONDS,
      "--dev.genesis-delay",
      0,
      3600,
    ),
    ...(devIn.genesisTime !== undefined
      ? { genesisTime: checkInt(devIn.genesisTime, "--dev.genesis-time", 0, 2 ** 40) }
      : {}),
  };
  if (input.executionUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(input.executionUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw new BeaconOptionsError(
        "--execution-url",
        input.executionUrl,
        `expected an http(s) URL such as http://127.0.0.1:8551, got "${input.executionUrl}"`,
      );
    }
  }
  if (network === "dev" && input.executionUrl !== undefined) {
    throw new BeaconOptionsError(
      "--execution-url",
      input.executionUrl,
      "the dev network runs the in-process mock execution engine; drop --execution-url",
    );
  }
  if ((input.executionUrl === undefined) !== (input.jwtSecretPath === undefined)) {
    const option = input.executionUrl === undefined ? "--jwt-secret" : "--execution-url";
    throw new BeaconOptionsError(option, "", "--execution-url and --jwt-secret go together: give both or neither");
  }
  if (input.suggestedFeeRecipient !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(input.suggestedFeeRecipient)) {
    throw new BeaconOptionsError(
      "--suggested-fee-recipient",
      input.suggestedFeeRecipient,
      "expected a 20-byte 0x-hex address",
    );
  }
  return {
    network,
    dataDir: resolve(input.dataDir ?? defaultBeaconDataDir(network)),
    ...(input.genesisStatePath !== undefined ? { genesisStatePath: resolve(input.genesisStatePath) } : {}),
    ...(input.executionUrl !== undefined ? { executionUrl: input.executionUrl } : {}),
    ...(input.jwtSecretPath !== undefined ? { jwtSecretPath: resolve(input.jwtSecretPath) } : {}),
    ...(input.suggestedFeeRecipient !== undefined ? { suggestedFeeRecipient: input.suggestedFeeRecipient } : {}),
    rest,
    metrics,
    dev,
  };
}
