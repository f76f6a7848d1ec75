// The fork schedule of a chain config: which of the forks this client implements (phase0 … fulu) activate at
// which epoch with which version, and the blob limits in force at an epoch (deneb, electra, fulu's BPO forks).
import type { ChainConfig } from "./config/chainConfig.ts";
import { ConfigError } from "./errors.ts";
import { FORK_NAMES, type ForkName } from "./forkName.ts";

type NumberKey = { [K in keyof ChainConfig]: ChainConfig[K] extends number ? K : never }[keyof ChainConfig];
type BytesKey = { [K in keyof ChainConfig]: ChainConfig[K] extends Uint8Array ? K : never }[keyof ChainConfig];

/** The config keys of each fork after phase0 (phase0 is GENESIS_FORK_VERSION at epoch 0). */
export const FORK_CONFIG_KEYS: Readonly<Record<Exclude<ForkName, "phase0">, { epoch: NumberKey; version: BytesKey }>> =
  {
    altair: { epoch: "ALTAIR_FORK_EPOCH", version: "ALTAIR_FORK_VERSION" },
    bellatrix: { epoch: "BELLATRIX_FORK_EPOCH", version: "BELLATRIX_FORK_VERSION" },
    capella: { epoch: "CAPELLA_FORK_EPOCH", version: "CAPELLA_FORK_VERSION" },
    deneb: { epoch: "DENEB_FORK_EPOCH", version: "DENEB_FORK_VERSION" },
    electra: { epoch: "ELECTRA_FORK_EPOCH", version: "ELECTRA_FORK_VERSION" },
    fulu: { epoch: "FULU_FORK_EPOCH", version: "FULU_FORK_VERSION" },
  };

/** One fork of the schedule, with the fork before it (phase0's "previous" is itself, as in the genesis Fork). */
export interface ForkInfo {
  readonly name: ForkName;
  /** Activation epoch; Infinity when the config does not schedule the fork (FAR_FUTURE_EPOCH). */
  readonly epoch: number;
  readonly version: Uint8Array;
  readonly previousName: ForkName;
  readonly previousVersion: Uint8Array;
}

/** The blob limit in force at an epoch, and the epoch it took effect (the spec's BlobParameters). */
export interface BlobParameters {
  readonly epoch: number;
  readonly maxBlobsPerBlock: number;
}

/** Activation epoch of `fork` in `config` (phase0: 0). */
export function forkEpoch(config: ChainConfig, fork: ForkName): number {
  return fork === "phase0" ? 0 : config[FORK_CONFIG_KEYS[fork].epoch];
}

/** Fork version of `fork` in `config` (phase0: GENESIS_FORK_VERSION). */
export function forkVersion(config: ChainConfig, fork: ForkName): Uint8Array {
  return fork === "phase0" ? config.GENESIS_FORK_VERSION : config[FORK_CONFIG_KEYS[fork].version];
}

/** Everything about one fork of `config`, whether or not it is scheduled. */
export function forkInfo(config: ChainConfig, name: ForkName): ForkInfo {
  const i = FORK_NAMES.indexOf(name);
  const previousName = FORK_NAMES[Math.max(0, i - 1)];
  return {
    name,
    epoch: forkEpoch(config, name),
    version: forkVersion(config, name),
    previousName,
    previousVersion: forkVersion(config, previousName),
  };
}

/**
 * The forks phase0 … fulu that `config` schedules (epoch not FAR_FUTURE), in activation order. Forks this
 * client does not implement (gloas, …) are not listed: see unknownForksOf.
 */
export function getForkSchedule(config: ChainConfig): ForkInfo[] {
  return FORK_NAMES.map((name) => forkInfo(config, name)).filter((f) => f.epoch !== Infinity);
}

/**
 * The fork in effect at `epoch`: the latest fork whose activation epoch is ≤ `epoch`. Forks sharing an epoch
 * resolve to the latest of them (a dev chain with every fork at 0 starts in fulu).
 */
export function forkNameAtEpoch(config: ChainConfig, epoch: number): ForkName {
  for (let i = FORK_NAMES.length - 1; i > 0; i--) {
    if (epoch >= forkEpoch(config, FORK_NAMES[i])) return FORK_NAMES[i];
  }
  return "phase0";
}

/** The spec's compute_fork_version: the version of the fork in effect at `epoch`. */
export function forkVersionAtEpoch(config: ChainConfig, epoch: number): Uint8Array {
  return forkVersion(config, forkNameAtEpoch(config, epoch));
}

/**
 * Throws INVALID_FORK_ORDER unless fork epochs are non-decreasing in fork order (phase0 … fulu). An
 * unscheduled fork (Infinity) may only be followed by unscheduled forks.
 */
export function assertForkOrder(config: ChainConfig): void {
  for (let i = 1; i < FORK_NAMES.length; i++) {
    const prev = FORK_NAMES[i - 1];
    const fork = FORK_NAMES[i];
    const prevEpoch = forkEpoch(config, prev);
    const epoch = forkEpoch(config, fork);
    if (epoch < prevEpoch) {
      const key = FORK_CONFIG_KEYS[fork as Exclude<ForkName, "phase0">].epoch;
      throw new ConfigError(
        "INVALID_FORK_ORDER",
        `${key} is ${epoch}, before ${prev}'s epoch ${prevEpoch}: fork epochs must not decrease in fork order`,
        { key, value: String(epoch), fork, previousFork: prev, previousEpoch: prevEpoch },
      );
    }
  }
}

/** BLOB_SCHEDULE sorted by epoch descending, cached per schedule array (configs are immutable). */
const descendingSchedules = new WeakMap<ChainConfig["BLOB_SCHEDULE"], ChainConfig["BLOB_SCHEDULE"]>();

function descendingSchedule(config: ChainConfig): ChainConfig["BLOB_SCHEDULE"] {
  let sorted = descendingSchedules.get(config.BLOB_SCHEDULE);
  if (!sorted) {
    sorted = [...config.BLOB_SCHEDULE].sort((a, b) => b.EPOCH - a.EPOCH);
    descendingSchedules.set(config.BLOB_SCHEDULE, sorted);
  }
  return sorted;
}

/**
 * The blob parameters in force at `epoch`. From fulu on this is the spec's get_blob_parameters (the latest
 * BLOB_SCHEDULE entry at or before `epoch`, else electra's limit since ELECTRA_FORK_EPOCH). Before fulu:
 * electra's MAX_BLOBS_PER_BLOCK_ELECTRA since ELECTRA_FORK_EPOCH, deneb's MAX_BLOBS_PER_BLOCK since
 * DENEB_FORK_EPOCH, and before deneb no blobs at all ({epoch: 0, maxBlobsPerBlock: 0}).
 */
export function blobParametersAtEpoch(config: ChainConfig, epoch: number): BlobParameters {
  if (epoch >= config.FULU_FORK_EPOCH) {
    for (const entry of descendingSchedule(config)) {
      if (epoch >= entry.EPOCH) return { epoch: entry.EPOCH, maxBlobsPerBlock: entry.MAX_BLOBS_PER_BLOCK };
    }
    return { epoch: config.ELECTRA_FORK_EPOCH, maxBlobsPerBlock: config.MAX_BLOBS_PER_BLOCK_ELECTRA };
  }
  if (epoch >= config.ELECTRA_FORK_EPOCH) {
    return { epoch: config.ELECTRA_FORK_EPOCH, maxBlobsPerBlock: config.MAX_BLOBS_PER_BLOCK_ELECTRA };
  }
  if (epoch >= config.DENEB_FORK_EPOCH) {
    return { epoch: config.DENEB_FORK_EPOCH, maxBlobsPerBlock: config.MAX_BLOBS_PER_BLOCK };
  }
  return { epoch: 0, maxBlobsPerBlock: 0 };
}
