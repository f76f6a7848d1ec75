// Self-check of a generated chain with the oracle alone: load the genesis bytes fresh, replay every step through
// Lodestar's processSlots / stateTransition (state roots, proposer and, optionally, every other signature
// verified) and compare each post-state root with the recorded one.
import { parseChainConfigYaml } from "../../../consensus/src/params/index.ts";
import { minimalOracle, oracleChainConfigOf } from "./env.ts";
import type { GeneratedChain } from "./types.ts";

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function hexOf(b: Uint8Array): string {
  return `0x${Buffer.from(b).toString("hex")}`;
}

/** Replays `chain` in the oracle; throws at the first step that fails or whose root differs. Returns block count. */
export async function replayWithOracle(chain: GeneratedChain, opts: { verifySignatures: boolean }): Promise<number> {
  const o = await minimalOracle();
  const st = o.stateTransition;
  const ours = parseChainConfigYaml(chain.configYaml).config;
  const oracleChain = oracleChainConfigOf(o, ours);
  const view = o.types.ssz[chain.genesisFork].BeaconState.deserializeToViewDU(chain.genesisState);
  const config = o.config.createBeaconConfig(oracleChain, view.genesisValidatorsRoot);
  let state = st.createCachedBeaconState(view, { config, pubkeyCache: st.createPubkeyCache() });
  if (!equal(state.hashTreeRoot(), chain.genesisStateRoot)) throw new Error(`${chain.name}: genesis root differs`);
  let blocks = 0;
  for (const [i, step] of chain.steps.entries()) {
    const where = `${chain.name} step ${i} (${step.kind} ${step.kind === "block" ? step.slot : step.toSlot})`;
    if (step.kind === "slots") {
      state = st.processSlots(state, step.toSlot);
    } else {
      const signed = o.types.ssz[step.fork].SignedBeaconBlock.deserialize(step.signedBlock);
      state = st.stateTransition(state, signed, {
        verifyStateRoot: true,
        verifyProposer: true,
        verifySignatures: opts.verifySignatures,
        executionPayloadStatus: st.ExecutionPayloadStatus.valid,
        dataAvailabilityStatus: st.DataAvailabilityStatus.Available,
      });
      blocks++;
    }
    const fork = state.config.getForkName(state.slot);
    if (fork !== step.fork) throw new Error(`${where}: state fork ${fork}, recorded ${step.fork}`);
    const root = state.hashTreeRoot();
    if (!equal(root, step.postStateRoot)) {
      throw new Error(`${where}: root ${hexOf(root)} ≠ recorded ${hexOf(step.postStateRoot)}`);
    }
  }
  return blocks;
}
