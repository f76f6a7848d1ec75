// The dev chain: a local single-machine network on the minimal preset, every fork at genesis by default, with
// its own name and fork versions so its messages can never be mistaken for a real or spec-test network's.
import { ConfigError } from "../errors.ts";
import { FORK_NAMES, type ForkName, isForkName } from "../forkName.ts";
import { FORK_CONFIG_KEYS } from "../forkSchedule.ts";
import type { BlobScheduleEntry, ChainConfig } from "./chainConfig.ts";
import { minimalChainConfig } from "./minimal.ts";
import { validateChainConfig } from "./validate.ts";

/** Milliseconds per second, to keep SLOT_DURATION_MS in step with SECONDS_PER_SLOT. */
const MS_PER_SECOND = 1000;

/**
 * The dev fork versions: first byte the fork's number as the spec configs number them (phase0 0x00 … fulu
 * 0x06, gloas 0x07, eip7441 0x08, eip7805 0x0a, eip7928 0x0b), last byte 0xde for "dev". Mainnet ends in 0x00
 * and minimal in 0x01, so no dev signature or fork digest can collide with theirs.
 */
function devVersion(forkNumber: number): Uint8Array {
  return Uint8Array.of(forkNumber, 0x00, 0x00, 0xde);
}

/** The dev chain config: minimal's values, CONFIG_NAME "dev", dev fork versions, phase0 … fulu at epoch 0. */
export const devChainConfig: ChainConfig = Object.freeze({
  ...minimalChainConfig,
  CONFIG_NAME: "dev",
  GENESIS_FORK_VERSION: devVersion(0x00),
  ALTAIR_FORK_VERSION: devVersion(0x01),
  ALTAIR_FORK_EPOCH: 0,
  BELLATRIX_FORK_VERSION: devVersion(0x02),
  BELLATRIX_FORK_EPOCH: 0,
  CAPELLA_FORK_VERSION: devVersion(0x03),
  CAPELLA_FORK_EPOCH: 0,
  DENEB_FORK_VERSION: devVersion(0x04),
  DENEB_FORK_EPOCH: 0,
  ELECTRA_FORK_VERSION: devVersion(0x05),
  ELECTRA_FORK_EPOCH: 0,
  FULU_FORK_VERSION: devVersion(0x06),
  FULU_FORK_EPOCH: 0,
  GLOAS_FORK_VERSION: devVersion(0x07),
  EIP7441_FORK_VERSION: devVersion(0x08),
  EIP7805_FORK_VERSION: devVersion(0x0a),
  EIP7928_FORK_VERSION: devVersion(0x0b),
});

/** What a dev chain may change. Every field is optional; unset fields keep devChainConfig's value. */
export interface DevChainConfigOverrides {
  /** Activation epoch per fork (Infinity = never). phase0 can only be 0. Must not decrease in fork order. */
  readonly forkEpochs?: Partial<Record<ForkName, number>>;
  readonly genesisDelay?: number;
  /** Also sets SLOT_DURATION_MS to the same duration. */
  readonly secondsPerSlot?: number;
  readonly minGenesisTime?: number;
  readonly minGenesisActiveValidatorCount?: number;
  readonly blobSchedule?: readonly BlobScheduleEntry[];
  /** Any other ChainConfig keys, applied before the named overrides above. */
  readonly config?: Partial<ChainConfig>;
}

function invalidOverride(field: string, value: unknown, what: string): ConfigError {
  return new ConfigError("INVALID_OVERRIDE", `dev config override ${field}: ${what}, got ${String(value)}`, {
    key: field,
    value: String(value),
  });
}

function checkInteger(field: string, value: number, min: number, allowInfinity = false): number {
  const ok = (Number.isSafeInteger(value) && value >= min) || (allowInfinity && value === Infinity);
  if (!ok) throw invalidOverride(field, value, `expected an integer ≥ ${min}${allowInfinity ? " or Infinity" : ""}`);
  return value;
}

function forkEpochValues(forkEpochs: Partial<Record<string, number>>): Partial<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [fork, epoch] of Object.entries(forkEpochs)) {
    if (epoch === undefined) continue;
    if (!isForkName(fork))
      throw invalidOverride(`forkEpochs.${fork}`, epoch, `unknown fork (${FORK_NAMES.join(", ")})`);
    checkInteger(`forkEpochs.${fork}`, epoch, 0, true);
    if (fork === "phase0") {
      if (epoch !== 0) throw invalidOverride("forkEpochs.phase0", epoch, "phase0 always starts at epoch 0");
      continue;
    }
    out[FORK_CONFIG_KEYS[fork].epoch] = epoch;
  }
  return out;
}

/**
 * A dev chain config: devChainConfig with `overrides` applied and validated. Throws ConfigError:
 * INVALID_OVERRIDE (unknown fork, negative or fractional number, non-zero phase0), INVALID_FORK_ORDER (a fork
 * before the one preceding it, e.g. {electra: 5} with fulu still at 0), INVALID_BLOB_SCHEDULE.
 */
export function createDevChainConfig(overrides: DevChainConfigOverrides = {}): ChainConfig {
  const named: Record<string, unknown> = forkEpochValues(overrides.forkEpochs ?? {});
  if (overrides.genesisDelay !== undefined) {
    named.GENESIS_DELAY = checkInteger("genesisDelay", overrides.genesisDelay, 0);
  }
  if (overrides.secondsPerSlot !== undefined) {
    named.SECONDS_PER_SLOT = checkInteger("secondsPerSlot", overrides.secondsPerSlot, 1);
    named.SLOT_DURATION_MS = overrides.secondsPerSlot * MS_PER_SECOND;
  }
  if (overrides.minGenesisTime !== undefined) {
    named.MIN_GENESIS_TIME = checkInteger("minGenesisTime", overrides.minGenesisTime, 0);
  }
  if (overrides.minGenesisActiveValidatorCount !== undefined) {
    const n = overrides.minGenesisActiveValidatorCount;
    named.MIN_GENESIS_ACTIVE_VALIDATOR_COUNT = checkInteger("minGenesisActiveValidatorCount", n, 1);
  }
  if (overrides.blobSchedule !== undefined) {
    overrides.blobSchedule.forEach((e, i) => {
      checkInteger(`blobSchedule[${i}].EPOCH`, e.EPOCH, 0, true);
      checkInteger(`blobSchedule[${i}].MAX_BLOBS_PER_BLOCK`, e.MAX_BLOBS_PER_BLOCK, 0);
    });
    named.BLOB_SCHEDULE = overrides.blobSchedule.map((e) => ({
      EPOCH: e.EPOCH,
      MAX_BLOBS_PER_BLOCK: e.MAX_BLOBS_PER_BLOCK,
    }));
  }
  for (const key of Object.keys(overrides.config ?? {})) {
    if (!Object.hasOwn(devChainConfig, key)) throw invalidOverride(`config.${key}`, "", "not a ChainConfig key");
  }
  const config = { ...devChainConfig, ...overrides.config, ...named } as ChainConfig;
  validateChainConfig(config);
  return config;
}
