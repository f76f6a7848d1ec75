// The oracle's side of the genesis differential tests (test/differential/genesis.*.test.ts): deposits with Merkle
// proofs against each prefix of the deposit tree (what Lodestar's initializeBeaconStateFromEth1 verifies), and the
// oracle's interop genesis state built from them, for either preset.
import { digest2Bytes32 } from "@chainsafe/as-sha256";
import type { ChainConfig, ForkName } from "@sextant/consensus/params/index";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import {
  type DepositData,
  INTEROP_ETH1_BLOCK_HASH,
  INTEROP_ETH1_TIMESTAMP,
} from "@sextant/consensus/transition/genesis/index";
import { beaconConfigOf, oracleChainConfig } from "./dualState.ts";
import type { Oracle } from "./oracle.ts";

// biome-ignore lint/suspicious/noExplicitAny: the oracle's API is untyped here
type Any = any;

/** The deposit contract tree's depth. */
const DEPOSIT_TREE_DEPTH = 32;

/**
 * Deposits with their proofs against each prefix of the deposit tree (deposit i against the tree of deposits
 * 0..i, as processed one by one at genesis), and the root of each prefix list (so the oracle's per-deposit root
 * recomputation can be a lookup instead of O(n²) hashing).
 */
export function depositsWithProofs(
  config: BeaconConfig,
  data: DepositData[],
): { deposits: Any[]; prefixRoots: Uint8Array[] } {
  const depth = DEPOSIT_TREE_DEPTH;
  const zero: Uint8Array[] = [new Uint8Array(32)];
  for (let h = 1; h <= depth; h++) zero.push(digest2Bytes32(zero[h - 1], zero[h - 1]));
  const layers: Uint8Array[][] = [data.map((d) => config.types.phase0.DepositData.hashTreeRoot(d))];
  for (let h = 0; h < depth && layers[h].length > 1; h++) {
    const below = layers[h];
    const above: Uint8Array[] = [];
    for (let j = 0; j < below.length; j += 2) above.push(digest2Bytes32(below[j], below[j + 1] ?? zero[h]));
    layers.push(above);
  }
  const deposits: Any[] = [];
  const prefixRoots: Uint8Array[] = [];
  for (let i = 0; i < data.length; i++) {
    const proof: Uint8Array[] = [];
    let node = layers[0][i];
    for (let h = 0; h < depth; h++) {
      const j = i >> h;
      // Left siblings are complete subtrees of earlier deposits; right siblings are empty in the prefix tree.
      const sibling = j & 1 ? layers[h][j - 1] : zero[h];
      proof.push(sibling);
      node = j & 1 ? digest2Bytes32(sibling, node) : digest2Bytes32(node, sibling);
    }
    const length = new Uint8Array(32);
    new DataView(length.buffer).setUint32(0, i + 1, true);
    proof.push(length);
    prefixRoots.push(digest2Bytes32(node, length));
    deposits.push({ proof, data: data[i] });
  }
  return { deposits, prefixRoots };
}

/** Options of `oracleGenesis`. */
export interface OracleGenesisOptions {
  /** The genesis time written over the one derived from the eth1 timestamp. */
  genesisTime: number;
  /** Bellatrix+: the execution payload header to start from (ours, camelCase fields); default the empty one. */
  executionPayloadHeader?: object;
}

/**
 * The oracle's interop genesis of `fork` under `chain` from the deposits `data`: initializeBeaconStateFromEth1 on
 * the interop eth1 block, the genesis time replaced, and from fulu the proposer lookahead filled.
 */
export function oracleGenesis(
  o: Oracle,
  chain: ChainConfig,
  fork: ForkName,
  data: DepositData[],
  options: OracleGenesisOptions,
): Any {
  const config = beaconConfigOf(chain);
  const { deposits, prefixRoots } = depositsWithProofs(config, data);
  const oChain = oracleChainConfig(o, chain);
  const st = o.stateTransition;
  const immutable = st.createEmptyEpochCacheImmutableData(oChain, { genesisValidatorsRoot: new Uint8Array(32) });
  const rootList = o.types.ssz.phase0.DepositDataRootList;
  const fullList = rootList.toViewDU(deposits.map((d: Any) => o.types.ssz.phase0.DepositData.hashTreeRoot(d.data)));
  rootList.hashTreeRoot = (list: Uint8Array[]) => prefixRoots[list.length - 1];
  const header = options.executionPayloadHeader;
  let state: Any;
  try {
    state = st.initializeBeaconStateFromEth1(
      immutable.config,
      immutable,
      INTEROP_ETH1_BLOCK_HASH,
      INTEROP_ETH1_TIMESTAMP,
      deposits,
      fullList,
      header === undefined ? undefined : o.types.ssz[fork].ExecutionPayloadHeader.toViewDU(header),
    );
  } finally {
    delete rootList.hashTreeRoot;
  }
  state.genesisTime = options.genesisTime;
  state.commit();
  if (fork === "fulu") {
    // initialize_proposer_lookahead at genesis (consensus-specs' genesis helper does it; Lodestar's function
    // leaves the zero vector), computed by the oracle on caches built from the finished genesis state.
    const view = state.clone();
    const fresh = st.createCachedBeaconState(view, {
      config: o.config.createBeaconConfig(oChain, view.genesisValidatorsRoot),
      pubkeyCache: st.createPubkeyCache(),
    });
    const lookahead: number[] = [];
    for (let epoch = 0; epoch <= o.params.MIN_SEED_LOOKAHEAD; epoch++) {
      const shuffling = fresh.epochCtx.getShufflingAtEpoch(epoch);
      lookahead.push(...st.computeProposerIndices(o.params.ForkSeq.fulu, fresh, shuffling, epoch));
    }
    fresh.proposerLookahead = o.types.ssz.fulu.ProposerLookahead.toViewDU(lookahead);
    fresh.commit();
    return fresh;
  }
  return state;
}
