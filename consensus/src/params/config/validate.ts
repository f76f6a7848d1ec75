// Whole-config checks shared by the YAML loader and the dev config: what would make a chain config unusable
// (thrown as ConfigError) and what is merely suspicious (returned as warnings).
import { ConfigError } from "../errors.ts";
import { assertForkOrder } from "../forkSchedule.ts";
import { getPreset, isPresetName } from "../presets/index.ts";
import type { ChainConfig } from "./chainConfig.ts";

/** The spec's rule for CONFIG_NAME (configs/mainnet.yaml: "Must match the regex: [a-z0-9\-]"). */
const CONFIG_NAME_PATTERN = /^[a-z0-9-]+$/;
/** Milliseconds per second, to relate the deprecated SECONDS_PER_SLOT to SLOT_DURATION_MS. */
const MS_PER_SECOND = 1000;

/**
 * Checks BLOB_SCHEDULE against the fulu spec: entries MUST have distinct epochs and MUST NOT allow more blobs
 * than the preset's MAX_BLOB_COMMITMENTS_PER_BLOCK (both thrown as INVALID_BLOB_SCHEDULE); entries SHOULD be
 * in ascending epoch order and MUST NOT precede FULU_FORK_EPOCH (warnings: older published configs listed the
 * deneb and electra limits there, and get_blob_parameters still gives the right answer from fulu on).
 */
export function checkBlobSchedule(config: ChainConfig): string[] {
  const warnings: string[] = [];
  const schedule = config.BLOB_SCHEDULE;
  const maxCommitments = isPresetName(config.PRESET_BASE)
    ? getPreset(config.PRESET_BASE).MAX_BLOB_COMMITMENTS_PER_BLOCK
    : Infinity;
  const seen = new Set<number>();
  schedule.forEach((entry, i) => {
    const key = `BLOB_SCHEDULE[${i}]`;
    if (seen.has(entry.EPOCH)) {
      throw new ConfigError("INVALID_BLOB_SCHEDULE", `${key}.EPOCH ${entry.EPOCH} appears more than once`, {
        key: `${key}.EPOCH`,
        value: String(entry.EPOCH),
      });
    }
    seen.add(entry.EPOCH);
    if (entry.MAX_BLOBS_PER_BLOCK > maxCommitments) {
      throw new ConfigError(
        "INVALID_BLOB_SCHEDULE",
        `${key}.MAX_BLOBS_PER_BLOCK ${entry.MAX_BLOBS_PER_BLOCK} exceeds MAX_BLOB_COMMITMENTS_PER_BLOCK ${maxCommitments}`,
        { key: `${key}.MAX_BLOBS_PER_BLOCK`, value: String(entry.MAX_BLOBS_PER_BLOCK), limit: maxCommitments },
      );
    }
    if (i > 0 && entry.EPOCH < schedule[i - 1].EPOCH) {
      warnings.push(`${key}.EPOCH ${entry.EPOCH} is out of order: BLOB_SCHEDULE should ascend by epoch`);
    }
    if (entry.EPOCH < config.FULU_FORK_EPOCH) {
      warnings.push(
        `${key}.EPOCH ${entry.EPOCH} precedes FULU_FORK_EPOCH ${config.FULU_FORK_EPOCH}; it has no effect before fulu`,
      );
    }
  });
  return warnings;
}

/**
 * Validates a complete chain config: supported PRESET_BASE (UNSUPPORTED_PRESET), positive slot duration
 * (INVALID_VALUE), fork epochs in order (INVALID_FORK_ORDER) and the blob schedule (INVALID_BLOB_SCHEDULE).
 * Returns the warnings: CONFIG_NAME outside the spec's alphabet, SECONDS_PER_SLOT disagreeing with
 * SLOT_DURATION_MS, blob-schedule oddities.
 */
export function validateChainConfig(config: ChainConfig): string[] {
  if (!isPresetName(config.PRESET_BASE)) {
    throw new ConfigError(
      "UNSUPPORTED_PRESET",
      `PRESET_BASE ${JSON.stringify(config.PRESET_BASE)} is not a preset this client has (mainnet, minimal)`,
      { key: "PRESET_BASE", value: config.PRESET_BASE },
    );
  }
  for (const key of ["SLOT_DURATION_MS", "SECONDS_PER_SLOT"] as const) {
    if (!(config[key] > 0) || config[key] === Infinity) {
      throw new ConfigError("INVALID_VALUE", `${key}: must be a positive integer, got ${config[key]}`, {
        key,
        value: String(config[key]),
      });
    }
  }
  assertForkOrder(config);
  const warnings = checkBlobSchedule(config);
  if (!CONFIG_NAME_PATTERN.test(config.CONFIG_NAME)) {
    warnings.push(`CONFIG_NAME ${JSON.stringify(config.CONFIG_NAME)} should only use a-z, 0-9 and -`);
  }
  if (config.SECONDS_PER_SLOT * MS_PER_SECOND !== config.SLOT_DURATION_MS) {
    warnings.push(
      `SECONDS_PER_SLOT ${config.SECONDS_PER_SLOT} disagrees with SLOT_DURATION_MS ${config.SLOT_DURATION_MS}; ` +
        "SLOT_DURATION_MS governs (SECONDS_PER_SLOT is deprecated)",
    );
  }
  return warnings;
}
