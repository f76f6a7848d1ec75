// Differential test of genesis (consensus/src/transition/genesis) against the oracle's
// initializeBeaconStateFromEth1 (minimal preset, 64 validators): the interop mocked start at every fork phase0 …
// fulu must give the same state root. The oracle verifies each deposit's Merkle proof and signature, so our interop
// deposits (keys, credentials, signatures) are checked too. Also: is_valid_genesis_state, loading genesis bytes
// with its checks, and the block-production helpers on our genesis.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { digest2Bytes32 } from "@chainsafe/as-sha256";
import { type ChainConfig, FORK_NAMES, type ForkName, minimalChainConfig } from "@sextant/consensus/params/index";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import {
  createInteropGenesisState,
  type DepositData,
  GenesisError,
  genesisStateFromBytes,
  INTEROP_ETH1_BLOCK_HASH,
  INTEROP_ETH1_TIMESTAMP,
  initializeBeaconStateFromEth1,
  interopDepositData,
  interopExecutionPayloadHeader,
  isValidGenesisState,
} from "@sextant/consensus/transition/genesis/index";
import { beaconConfigOf, hex, oracleChainConfig } from "../support/dualState.ts";
import { loadOracle, type Oracle, oracleSkip } from "../support/oracle.ts";

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
function oracleGenesis(o: Oracle, chain: ChainConfig, fork: ForkName, data: DepositData[], header?: object): Any {
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
      header === undefined ? undefined : o.types.ssz[fork].ExecutionPayloadHeader.toViewDU(header),
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
const COUNT = 64;

describe("interop genesis matches the oracle (minimal preset, 64 validators)", { skip }, () => {
  for (const fork of FORK_NAMES) {
    it(`genesis at ${fork}`, async () => {
      const o = await loadOracle("minimal");
      const chain = genesisChain(minimalChainConfig, fork);
      const config = beaconConfigOf(chain);
      const cs = createInteropGenesisState(config, { validatorCount: COUNT, genesisTime: GENESIS_TIME });
      assert.equal(cs.fork, fork);
      assert.equal(cs.state.validators.length, COUNT);
      const theirs = oracleGenesis(o, chain, fork, interopDepositData(config, COUNT));
      assert.equal(theirs.validators.length, COUNT, "the oracle accepted every interop deposit (signature, proof)");
      const ours = hex(cs.state.hashTreeRoot());
      if (ours !== hex(theirs.hashTreeRoot())) {
        assert.fail(`genesis at ${fork} differs:\n${differingFields(cs.state, theirs).join("\n")}`);
      }
      assert.equal(isValidGenesisState(config, cs.state), true);
    });
  }
});

describe("interop genesis with the dev execution payload header matches the oracle", { skip }, () => {
  for (const fork of ["bellatrix", "capella", "deneb", "electra", "fulu"] as const) {
    it(`genesis at ${fork}`, async () => {
      const o = await loadOracle("minimal");
      const chain = genesisChain(minimalChainConfig, fork);
      const config = beaconConfigOf(chain);
      const header = interopExecutionPayloadHeader(config, fork);
      const cs = createInteropGenesisState(config, {
        validatorCount: COUNT,
        genesisTime: GENESIS_TIME,
        executionPayloadHeader: header,
      });
      const theirs = oracleGenesis(o, chain, fork, interopDepositData(config, COUNT), header);
      assert.equal(hex(cs.state.hashTreeRoot()), hex(theirs.hashTreeRoot()));
      assert.equal((cs.state as Any).latestExecutionPayloadHeader.gasLimit, 30_000_000);
    });
  }
});

describe("genesis checks", () => {
  const chain = genesisChain(minimalChainConfig, "deneb");
  const config = beaconConfigOf(chain);
  const cs = createInteropGenesisState(config, { validatorCount: COUNT, genesisTime: GENESIS_TIME });

  it("is_valid_genesis_state: genesis time and active validator count", () => {
    assert.equal(isValidGenesisState(config, cs.state), true);
    const early = cs.state.clone();
    early.genesisTime = chain.MIN_GENESIS_TIME - 1;
    assert.equal(isValidGenesisState(config, early), false);
    const few = createInteropGenesisState(config, { validatorCount: COUNT - 1, genesisTime: GENESIS_TIME });
    assert.equal(isValidGenesisState(config, few.state), false);
  });

  it("genesisStateFromBytes loads a genesis state and says what is wrong with others", () => {
    const bytes = cs.state.serialize();
    const loaded = genesisStateFromBytes(config, bytes);
    assert.equal(hex(loaded.state.hashTreeRoot()), hex(cs.state.hashTreeRoot()));
    assert.equal(loaded.fork, "deneb");

    const wrongRoot = cs.state.clone();
    wrongRoot.genesisValidatorsRoot = new Uint8Array(32).fill(1);
    assert.throws(
      () => genesisStateFromBytes(config, wrongRoot.serialize()),
      (e: unknown) => e instanceof GenesisError && /genesis_validators_root/.test(e.message),
    );
    const otherNetwork = beaconConfigOf({ ...chain, DENEB_FORK_VERSION: new Uint8Array([9, 9, 9, 9]) });
    assert.throws(
      () => genesisStateFromBytes(otherNetwork, bytes),
      (e: unknown) => e instanceof GenesisError && /fork.current_version/.test(e.message),
    );
    assert.throws(
      () => genesisStateFromBytes(config, bytes.subarray(0, 1000)),
      (e: unknown) => e instanceof GenesisError && /deserialize/.test(e.message),
    );
  });

  it("deposits with an invalid signature are skipped, repeated keys top up", () => {
    const data = interopDepositData(config, 4).map((d) => ({ ...d }));
    data[1] = { ...data[1], signature: data[2].signature };
    data.push({ ...data[0], amount: 1_000_000_000, signature: new Uint8Array(96) });
    const g = initializeBeaconStateFromEth1(config, {
      eth1BlockHash: INTEROP_ETH1_BLOCK_HASH,
      eth1Timestamp: INTEROP_ETH1_TIMESTAMP,
      deposits: data,
    });
    assert.equal(g.state.validators.length, 3);
    assert.equal(g.state.balances.get(0), 33_000_000_000);
    assert.equal(g.state.eth1DepositIndex, 5);
  });
});

describe("block production on our genesis: stateTransition accepts assembled blocks", () => {
  for (const fork of FORK_NAMES) {
    it(`${fork}: blocks at slot 1 and after an epoch transition`, async (t) => {
      let transition: typeof import("@sextant/consensus/transition/stateTransition");
      let produce: typeof import("@sextant/consensus/transition/produce/index");
      try {
        transition = await import("@sextant/consensus/transition/stateTransition");
        produce = await import("@sextant/consensus/transition/produce/index");
      } catch (e) {
        t.skip(`the state transition does not load yet: ${(e as Error).message}`);
        return;
      }
      const { interopSecretKey } = await import("@sextant/consensus/bls/interop");
      const { computeSigningRoot } = await import("@sextant/consensus/signing/domain");
      const { DOMAIN_BEACON_PROPOSER, DOMAIN_RANDAO } = await import("@sextant/consensus/signing/domainTypes");
      const { stateDomain } = await import("@sextant/consensus/state/accessors");
      const { cloneCachedState } = await import("@sextant/consensus/state/cachedState");
      const { atLeast } = await import("@sextant/consensus/state/types");

      const chain = genesisChain(minimalChainConfig, fork);
      const config = beaconConfigOf(chain);
      // Merged forks start from the dev header (merge complete, so the payload's parent hash is checked).
      const executionPayloadHeader = atLeast(fork, "bellatrix")
        ? interopExecutionPayloadHeader(config, fork)
        : undefined;
      let head = createInteropGenesisState(config, {
        validatorCount: COUNT,
        genesisTime: GENESIS_TIME,
        executionPayloadHeader,
      });
      const slotsPerEpoch = config.preset.SLOTS_PER_EPOCH;
      for (const slot of [1, slotsPerEpoch + 2]) {
        const preRoot = hex(head.state.hashTreeRoot());
        const at = produce.advanceToSlot(head, slot);
        const epoch = Math.floor(slot / slotsPerEpoch);
        const proposer = produce.expectedProposer(head, slot);
        assert.equal(proposer, at.ctx.getBeaconProposer(slot));
        const key = interopSecretKey(proposer);
        const epochRoot = new Uint8Array(32);
        new DataView(epochRoot.buffer).setUint32(0, epoch, true);
        const randaoReveal = key.sign(computeSigningRoot(epochRoot, stateDomain(at, DOMAIN_RANDAO, epoch))).toBytes();
        const block = produce.assembleBlock(head, {
          slot,
          randaoReveal,
          graffiti: new Uint8Array(32).fill(7),
          ...(atLeast(at.fork, "bellatrix") ? { executionPayload: produce.devExecutionPayload(at) } : {}),
        });
        assert.equal(hex(head.state.hashTreeRoot()), preRoot, "assembleBlock leaves the pre-state untouched");
        assert.equal(block.proposerIndex, proposer);
        const blockType = config.types[at.fork].BeaconBlock as Any;
        const signature = key
          .sign(computeSigningRoot(blockType.hashTreeRoot(block), stateDomain(at, DOMAIN_BEACON_PROPOSER, epoch)))
          .toBytes();
        // The checks are live: a wrong proposer signature or a wrong state root is refused.
        const wrongSignature = interopSecretKey(proposer + 1)
          .sign(computeSigningRoot(blockType.hashTreeRoot(block), stateDomain(at, DOMAIN_BEACON_PROPOSER, epoch)))
          .toBytes();
        assert.throws(
          () =>
            transition.stateTransition(cloneCachedState(head), { message: block, signature: wrongSignature } as Any),
          /signature/,
        );
        assert.throws(
          () =>
            transition.stateTransition(cloneCachedState(head), {
              message: { ...block, stateRoot: new Uint8Array(32) },
              signature,
            } as Any),
          /state_root|signature/,
        );
        const post = cloneCachedState(head);
        transition.stateTransition(post, { message: block, signature } as Any);
        assert.equal(hex(post.state.hashTreeRoot()), hex(block.stateRoot));
        if (atLeast(at.fork, "altair")) {
          assert.deepEqual(produce.syncCommitteeAt(post, slot).indices, post.ctx.currentSyncCommittee?.indices);
        }
        head = post;
      }
    });
  }
});
