// Forks a chain config schedules that this client does not implement (gloas, eip7441, or anything newer):
// detected by the spec's key naming (<NAME>_FORK_EPOCH / <NAME>_FORK_VERSION), reported by the config loader,
// and enforced by the node before it runs into one.
import type { ChainConfig } from "./config/chainConfig.ts";
import { ConfigError } from "./errors.ts";
import { CONSENSUS_SPECS_VERSION, isForkName } from "./forkName.ts";

/** A config key that names a fork: `<NAME>_FORK_EPOCH` or `<NAME>_FORK_VERSION`. */
const FORK_KEY_PATTERN = /^([A-Z0-9]+)_FORK_(EPOCH|VERSION)$/;

/** A fork the config schedules (finite epoch) that this client does not implement. */
export interface UnknownFork {
  /** Lower-case fork name as derived from the key (GLOAS_FORK_EPOCH → "gloas"). */
  readonly name: string;
  readonly epoch: number;
  /** The fork's version when the config gives a well-formed one. */
  readonly version?: Uint8Array;
}

/**
 * The fork a key belongs to when it is a fork key of a fork this client does not implement, else undefined.
 * GENESIS_FORK_VERSION (phase0) and the keys of altair … fulu are known.
 */
export function unknownForkOfKey(key: string): { name: string; field: "EPOCH" | "VERSION" } | undefined {
  const m = FORK_KEY_PATTERN.exec(key);
  if (!m || m[1] === "GENESIS") return undefined;
  const name = m[1].toLowerCase();
  return isForkName(name) ? undefined : { name, field: m[2] as "EPOCH" | "VERSION" };
}

/**
 * The unknown forks scheduled by a set of fork keys (epochs as numbers, Infinity = not scheduled; versions as
 * bytes), ordered by epoch then name.
 */
export function collectUnknownForks(values: Iterable<[string, unknown]>): UnknownFork[] {
  const epochs = new Map<string, number>();
  const versions = new Map<string, Uint8Array>();
  for (const [key, value] of values) {
    const fork = unknownForkOfKey(key);
    if (!fork) continue;
    if (fork.field === "EPOCH" && typeof value === "number") epochs.set(fork.name, value);
    if (fork.field === "VERSION" && value instanceof Uint8Array) versions.set(fork.name, value);
  }
  const out: UnknownFork[] = [];
  for (const [name, epoch] of epochs) {
    if (epoch === Infinity) continue;
    const version = versions.get(name);
    out.push(version ? { name, epoch, version } : { name, epoch });
  }
  return out.sort((a, b) => a.epoch - b.epoch || (a.name < b.name ? -1 : 1));
}

/** The forks `config` schedules that this client does not implement (e.g. sepolia's gloas). */
export function unknownForksOf(config: ChainConfig): UnknownFork[] {
  return collectUnknownForks(Object.entries(config));
}

/** The message for a network that schedules a fork this client does not implement. */
export function unsupportedForkMessage(fork: UnknownFork): string {
  return (
    `network schedules fork ${fork.name} at epoch ${fork.epoch}, which this version of Sextant ` +
    `(consensus-specs ${CONSENSUS_SPECS_VERSION}) does not implement; upgrade Sextant`
  );
}

/**
 * Throws UNSUPPORTED_FORK when a fork this client does not implement is scheduled. Without `currentEpoch`
 * any scheduled unknown fork throws; with it, only one already active at `currentEpoch` (epoch ≤ current),
 * so a node can run up to the fork and refuse to continue past it.
 */
export function assertNoUnsupportedForkScheduled(
  configOrForks: ChainConfig | readonly UnknownFork[],
  currentEpoch?: number,
): void {
  const forks = Array.isArray(configOrForks)
    ? (configOrForks as readonly UnknownFork[])
    : unknownForksOf(configOrForks as ChainConfig);
  const hit = forks.find((f) => f.epoch !== Infinity && (currentEpoch === undefined || f.epoch <= currentEpoch));
  if (hit) {
    throw new ConfigError("UNSUPPORTED_FORK", unsupportedForkMessage(hit), {
      key: `${hit.name.toUpperCase()}_FORK_EPOCH`,
      value: String(hit.epoch),
      fork: hit.name,
      epoch: hit.epoch,
      ...(currentEpoch === undefined ? {} : { currentEpoch }),
      specVersion: CONSENSUS_SPECS_VERSION,
    });
  }
}
