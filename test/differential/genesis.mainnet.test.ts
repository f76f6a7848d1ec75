// Differential test of genesis (consensus/src/transition/genesis) against the oracle's
// initializeBeaconStateFromEth1 at mainnet scale (mainnet preset, 16,384 validators; 64 are in the minimal file):
// the interop mocked start at every fork phase0 … fulu must give the same state root. The interop deposits are
// signed once and shared by every fork (ours caches them; the oracle checks every Merkle proof each time and every
// signature once, see memoizeOracleBlsVerify).
// The helpers repeat genesis.minimal.test.ts's (one preset per process, and test files do not import each other).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, it } from "node:test";
import { digest2Bytes32 } from "@chainsafe/as-sha256";
import { type ChainConfig, FORK_NAMES, type ForkName, mainnetChainConfig } from "@sextant/consensus/params/index";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import {
  createInteropGenesisState,
  type DepositData,
  INTEROP_ETH1_BLOCK_HASH,
  INTEROP_ETH1_TIMESTAMP,
  interopDepositData,
  isValidGenesisState,
} from "@sextant/consensus/transition/genesis/index";
import { beaconConfigOf, hex, oracleChainConfig } from "../support/dualState.ts";
import { loadOracle, type Oracle, oracleSkip } from "../support/oracle.ts";
import { PROJECT_ROOT } from "../support/reference.ts";

// biome-ignore lint/suspicious/noExplicitAny: the oracle's API is untyped here
type Any = any;

const GENESIS_TIME = 1_700_000_000;

/** A chain config where every fork up to `fork` is active at genesis and the later ones never. */
function genesisChain(base: ChainConfig, fork: ForkName): ChainConfig {
  const c: Record<string, unknown> = { ...base };
  const target = FORK_NAMES.indexOf(fork);
  for (let i = 1; i < FORK_NAMES.length; i++) {
    c[`${FORK_NAMES[i].toUpperCase()}_FORK_EPOCH`] = i <= target ? 0 : Number.POSITIVE_INFINITY;
  }
  return c as unknown as ChainConfig;
}

/**
 * Deposits with their proofs against each prefix of the deposit tree (what the oracle verifies), and the root of
 * each prefix list (so the oracle's per-deposit root recomputation is a lookup instead of O(n²) hashing).
 */
function depositsWithProofs(config: BeaconConfig, data: DepositData[]): { deposits: Any[]; prefixRoots: Uint8Array[] } {
  const depth = 32;
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

/** The oracle's interop genesis: initializeBeaconStateFromEth1, genesis time replaced, fulu's lookahead filled. */
function oracleGenesis(o: Oracle, chain: ChainConfig, fork: ForkName, data: DepositData[]): Any {
  const config = beaconConfigOf(chain);
  const { deposits, prefixRoots } = depositsWithProofs(config, data);
  const oChain = oracleChainConfig(o, chain);
  const st = o.stateTransition;
  const immutable = st.createEmptyEpochCacheImmutableData(oChain, { genesisValidatorsRoot: new Uint8Array(32) });
  const rootList = o.types.ssz.phase0.DepositDataRootList;
  const fullList = rootList.toViewDU(deposits.map((d: Any) => o.types.ssz.phase0.DepositData.hashTreeRoot(d.data)));
  rootList.hashTreeRoot = (list: Uint8Array[]) => prefixRoots[list.length - 1];
  let state: Any;
  try {
    state = st.initializeBeaconStateFromEth1(
      immutable.config,
      immutable,
      INTEROP_ETH1_BLOCK_HASH,
      INTEROP_ETH1_TIMESTAMP,
      deposits,
      fullList,
    );
  } finally {
    delete rootList.hashTreeRoot;
  }
  state.genesisTime = GENESIS_TIME;
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

function differingFields(ours: Any, theirs: Any): string[] {
  const out: string[] = [];
  for (const key of Object.keys(ours.type.fields)) {
    const a = ours[key];
    const b = theirs[key];
    const ra = typeof a?.hashTreeRoot === "function" ? hex(a.hashTreeRoot()) : String(a);
    const rb = typeof b?.hashTreeRoot === "function" ? hex(b.hashTreeRoot()) : String(b);
    if (ra !== rb) out.push(`${key}: ours ${ra.slice(0, 18)} oracle ${rb.slice(0, 18)}`);
  }
  return out;
}

const skip = oracleSkip();

/**
 * The oracle verifies every deposit signature of every genesis it builds (16,384 pairings per fork). BLS `verify`
 * is a pure function, so its verdicts are memoized across forks: the first genesis runs every real verification,
 * later ones reuse the verdict for the very same (message, key, signature). This wraps the oracle's own
 * @chainsafe/blst (CommonJS, loaded here before the oracle's ESM modules bind to it); nothing else changes.
 */
function memoizeOracleBlsVerify(): void {
  const blst = createRequire(join(PROJECT_ROOT, "test", "oracle", "package.json"))("@chainsafe/blst");
  if (blst.verify.memoized) return;
  const real = blst.verify;
  const verdicts = new Map<string, boolean>();
  const memo = (msg: Uint8Array, pk: Any, sig: Any, ...rest: unknown[]): boolean => {
    const key = `${hex(msg)}${hex(pk.toBytes(true))}${hex(sig.toBytes(true))}${rest.join()}`;
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = real(msg, pk, sig, ...rest) as boolean;
      verdicts.set(key, verdict);
    }
    return verdict;
  };
  memo.memoized = true;
  blst.verify = memo;
}
if (!skip) memoizeOracleBlsVerify();

describe("interop genesis matches the oracle (mainnet preset)", { skip }, () => {
  for (const count of [16_384]) {
    for (const fork of FORK_NAMES) {
      it(`genesis at ${fork}, ${count} validators`, async () => {
        const o = await loadOracle("mainnet");
        const chain = genesisChain(mainnetChainConfig, fork);
        const config = beaconConfigOf(chain);
        const cs = createInteropGenesisState(config, { validatorCount: count, genesisTime: GENESIS_TIME });
        assert.equal(cs.fork, fork);
        const theirs = oracleGenesis(o, chain, fork, interopDepositData(config, count));
        assert.equal(theirs.validators.length, count, "the oracle accepted every interop deposit (signature, proof)");
        const ours = hex(cs.state.hashTreeRoot());
        if (ours !== hex(theirs.hashTreeRoot())) {
          assert.fail(`genesis at ${fork} differs:\n${differingFields(cs.state, theirs).join("\n")}`);
        }
        assert.equal(isValidGenesisState(config, cs.state), count >= chain.MIN_GENESIS_ACTIVE_VALIDATOR_COUNT);
      });
    }
  }
});
