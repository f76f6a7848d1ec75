// The dev network of `sextant dev` / `sextant beacon --network dev`: the minimal preset, the dev chain config with
// every fork up to --dev.fork active at epoch 0 (later forks never), GENESIS_DELAY 0, SECONDS_PER_SLOT from
// --dev.slot-seconds, and an interop genesis state (validators 0..N-1 with the public interop keys) whose genesis
// time is a few seconds from now; merged forks get the interop execution payload header so the mock engine can
// build on it.
import {
  type ChainConfig,
  createDevChainConfig,
  FORK_NAMES,
  type ForkName,
  getPreset,
  isForkAtLeast,
} from "@sextant/consensus/params/index";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import { createInteropGenesisState, interopExecutionPayloadHeader } from "@sextant/consensus/transition/genesis/index";
import { getSszTypes } from "@sextant/consensus/types/sszTypes";
import type { DevOptions } from "./options.ts";

/** The dev chain config: every fork up to `fork` at epoch 0, later ones never; GENESIS_DELAY 0; `slotSeconds`. */
export function devChainConfigFor(dev: Pick<DevOptions, "fork" | "slotSeconds">): ChainConfig {
  const forkEpochs: Partial<Record<ForkName, number>> = {};
  for (const f of FORK_NAMES) {
    if (f === "phase0") continue;
    forkEpochs[f] = isForkAtLeast(dev.fork, f) ? 0 : Number.POSITIVE_INFINITY;
  }
  return createDevChainConfig({ forkEpochs, genesisDelay: 0, secondsPerSlot: dev.slotSeconds });
}

/** The dev network's BeaconConfig (minimal preset). */
export function devBeaconConfig(dev: Pick<DevOptions, "fork" | "slotSeconds">): BeaconConfig {
  return { chain: devChainConfigFor(dev), preset: getPreset("minimal"), types: getSszTypes("minimal") };
}

/** Genesis time of a fresh dev chain: now rounded up to the second, plus `delaySeconds`. */
export function devGenesisTime(nowMs: number, delaySeconds: number): number {
  return Math.ceil(nowMs / 1000) + delaySeconds;
}

/** The interop genesis state of the dev chain. */
export function devGenesisState(
  config: BeaconConfig,
  dev: Pick<DevOptions, "fork" | "validators">,
  genesisTime: number,
): CachedState {
  return createInteropGenesisState(config, {
    validatorCount: dev.validators,
    genesisTime,
    fork: dev.fork,
    ...(isForkAtLeast(dev.fork, "bellatrix")
      ? { executionPayloadHeader: interopExecutionPayloadHeader(config, dev.fork) }
      : {}),
  });
}
