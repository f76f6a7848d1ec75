// One state in both implementations: ours (consensus/src/state) and the differential oracle's (Lodestar's
// CachedBeaconState), loaded from the same SSZ bytes under the same chain config, so a test can run the same
// step in both and compare roots. Test-only.
import {
  type ChainConfig,
  type ForkName,
  forkNameAtEpoch,
  getPreset,
  type PresetName,
} from "@sextant/consensus/params/index";
import { type CachedState, createCachedState } from "@sextant/consensus/state/cachedState";
import type { AnyState, BeaconConfig } from "@sextant/consensus/state/types";
import { getSszTypes } from "@sextant/consensus/types/sszTypes";
import { loadOracle, type Oracle } from "./oracle.ts";

// biome-ignore lint/suspicious/noExplicitAny: the oracle's API is untyped in this project
type Any = any;

/** Our BeaconConfig for a chain config (preset from its PRESET_BASE). */
export function beaconConfigOf(chain: ChainConfig): BeaconConfig {
  const presetName = chain.PRESET_BASE as PresetName;
  return { chain, preset: getPreset(presetName), types: getSszTypes(presetName) };
}

/**
 * The oracle's chain config for ours: Lodestar's defaults for the preset overlaid with every key of ours it also
 * has (fork schedule, churn, delays, blob schedule…); forks Lodestar knows and we do not stay unscheduled.
 */
export function oracleChainConfig(o: Oracle, chain: ChainConfig): Any {
  const base: Record<string, unknown> = { ...o.config.defaultChainConfig };
  for (const [key, value] of Object.entries(chain)) if (key in base) base[key] = value;
  for (const key of Object.keys(base)) {
    if (key.endsWith("_FORK_EPOCH") && !(key in chain)) base[key] = Infinity;
  }
  return o.config.createChainConfig(base);
}

/** The oracle's BeaconConfig for ours and a genesis validators root. */
export function oracleBeaconConfig(o: Oracle, chain: ChainConfig, genesisValidatorsRoot: Uint8Array): Any {
  return o.config.createBeaconConfig(oracleChainConfig(o, chain), genesisValidatorsRoot);
}

/** A state in both implementations. */
export interface DualState {
  readonly fork: ForkName;
  readonly ours: CachedState;
  /** Lodestar's CachedBeaconState of the same bytes. */
  readonly oracle: Any;
  readonly oracleModule: Oracle;
}

/** The fork of a state at `slot` under `chain`. */
export function forkOfSlot(chain: ChainConfig, slot: number): ForkName {
  return forkNameAtEpoch(chain, Math.floor(slot / getPreset(chain.PRESET_BASE as PresetName).SLOTS_PER_EPOCH));
}

/** Loads the SSZ bytes of a `fork` BeaconState into both implementations. */
export async function loadDualState(chain: ChainConfig, fork: ForkName, bytes: Uint8Array): Promise<DualState> {
  const config = beaconConfigOf(chain);
  const o = await loadOracle(chain.PRESET_BASE as "mainnet" | "minimal");
  const view = config.types[fork].BeaconState.deserializeToViewDU(bytes) as AnyState;
  const ours = createCachedState(config, view, fork);
  const oracleView = o.types.ssz[fork].BeaconState.deserializeToViewDU(bytes);
  const oracleConfig = oracleBeaconConfig(o, chain, oracleView.genesisValidatorsRoot);
  const pubkeyCache = o.stateTransition.createPubkeyCache();
  const oracle = o.stateTransition.createCachedBeaconState(oracleView, { config: oracleConfig, pubkeyCache });
  return { fork, ours, oracle, oracleModule: o };
}

export { toHex as hex } from "@sextant/consensus/util/hex";
