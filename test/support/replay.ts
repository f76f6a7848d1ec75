// Replays a generated chain (test/support/chainGen: blocks and roots recorded from the differential oracle) through
// our state transition, comparing the post-state root with the oracle's after every step: each block (whose
// state_root must also match) and each run of empty slots. Shared by the default and the long differential runs.
import type { ForkName } from "@sextant/consensus/params/index";
import { parseChainConfigYaml } from "@sextant/consensus/params/index";
import { type CachedState, loadCachedState } from "@sextant/consensus/state/cachedState";
import type { AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { processSlots, stateTransition } from "@sextant/consensus/transition/stateTransition";
import { bytesEqual } from "@sextant/consensus/util/bytes";
import { toHex } from "@sextant/consensus/util/hex";
import type { GeneratedChain } from "./chainGen/index.ts";
import { beaconConfigOf } from "./dualState.ts";

/** What a replay covered. */
export interface ReplayResult {
  blocks: number;
  slotSteps: number;
  forks: Set<ForkName>;
  /** Every content label of the replayed blocks ("attestations", "proposer_slashing", …). */
  contents: Set<string>;
  finalSlot: number;
}

/** Replays `chain`; throws at the first step whose root differs from the oracle's, naming the step. */
export function replayChain(chain: GeneratedChain, verifySignatures = true): ReplayResult {
  const config = beaconConfigOf(parseChainConfigYaml(chain.configYaml).config);
  const cs: CachedState = loadCachedState(config, chain.genesisState, chain.genesisFork);
  const genesisRoot = cs.state.hashTreeRoot();
  if (!bytesEqual(genesisRoot, chain.genesisStateRoot)) {
    throw new Error(
      `${chain.name}: genesis state root ${toHex(genesisRoot)} ≠ oracle ${toHex(chain.genesisStateRoot)}`,
    );
  }
  const result: ReplayResult = {
    blocks: 0,
    slotSteps: 0,
    forks: new Set([cs.fork]),
    contents: new Set(),
    finalSlot: 0,
  };
  for (const [i, step] of chain.steps.entries()) {
    const where = `${chain.name} step ${i} (${step.kind} at slot ${step.kind === "block" ? step.slot : step.toSlot}, ${step.fork})`;
    try {
      if (step.kind === "slots") {
        processSlots(cs, step.toSlot);
        result.slotSteps++;
      } else {
        const signed = config.types[step.fork].SignedBeaconBlock.deserialize(step.signedBlock) as AnySignedBeaconBlock;
        stateTransition(cs, signed, { verifySignatures });
        result.blocks++;
        for (const c of step.contents) result.contents.add(`${step.fork}:${c}`);
      }
    } catch (e) {
      throw new Error(`${where}: our transition threw: ${(e as Error).message}`, { cause: e });
    }
    if (cs.fork !== step.fork) throw new Error(`${where}: our state is ${cs.fork}, the oracle's ${step.fork}`);
    const root = cs.state.hashTreeRoot();
    if (!bytesEqual(root, step.postStateRoot)) {
      throw new Error(`${where}: post-state root ${toHex(root)} ≠ oracle ${toHex(step.postStateRoot)}`);
    }
    result.forks.add(cs.fork);
    result.finalSlot = cs.state.slot;
  }
  return result;
}
