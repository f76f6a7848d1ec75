// The differential oracle: Lodestar's consensus libraries, installed test-only in test/oracle (never imported
// by runtime code). Lodestar picks its preset once per process from LODESTAR_PRESET when @lodestar/params is
// first imported, so a test file uses one preset; node:test runs every file in its own process.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "./reference.ts";

const ORACLE_DIR = join(PROJECT_ROOT, "test", "oracle");

export type OraclePreset = "mainnet" | "minimal";

/** `false` when the oracle is installed; otherwise the skip message. */
export function oracleSkip(): false | string {
  if (existsSync(join(ORACLE_DIR, "node_modules", "@lodestar", "types", "package.json"))) return false;
  return `the differential oracle is not installed in ${ORACLE_DIR} (npm ci there, or rerun npm ci at the root)`;
}

// biome-ignore lint/suspicious/noExplicitAny: the oracle's types are not part of this project's type graph
type Any = any;

export interface Oracle {
  preset: OraclePreset;
  params: Any;
  types: Any;
  config: Any;
  stateTransition: Any;
  utils: Any;
  /** The oracle's own @chainsafe/ssz (independent of ours). */
  ssz: Any;
  /** @lodestar/state-transition's block, epoch and slot subpaths (processBlock, processEpoch, upgrades…). */
  stBlock: Any;
  stEpoch: Any;
  stSlot: Any;
}

let loaded: Oracle | undefined;

/**
 * Loads the oracle for `preset`. Must be called before anything else in the process imports @lodestar/params;
 * asking for a second, different preset in the same process throws.
 */
export async function loadOracle(preset: OraclePreset): Promise<Oracle> {
  if (loaded) {
    if (loaded.preset !== preset) throw new Error(`oracle already loaded with preset ${loaded.preset} in this process`);
    return loaded;
  }
  const skip = oracleSkip();
  if (skip) throw new Error(skip);
  process.env.LODESTAR_PRESET = preset;
  const mod: Any = await import(pathToFileURL(join(ORACLE_DIR, "load.mjs")).href);
  const { params, types, config, stateTransition, utils, ssz, stBlock, stEpoch, stSlot } = await mod.loadAll();
  if (params.ACTIVE_PRESET !== preset)
    throw new Error(`oracle loaded preset ${params.ACTIVE_PRESET}, wanted ${preset}`);
  loaded = { preset, params, types, config, stateTransition, utils, ssz, stBlock, stEpoch, stSlot };
  return loaded;
}
