// Differential test of genesis (consensus/src/transition/genesis) against the oracle's
// initializeBeaconStateFromEth1 (minimal preset, 64 validators): the interop mocked start at every fork phase0 …
// fulu must give the same state root. The oracle verifies each deposit's Merkle proof and signature, so our interop
// deposits (keys, credentials, signatures) are checked too. Also: is_valid_genesis_state, loading genesis bytes
// with its checks, and the block-production helpers on our genesis.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FORK_NAMES, minimalChainConfig } from "@sextant/consensus/params/index";
import {
  createInteropGenesisState,
  GenesisError,
  genesisStateFromBytes,
  INTEROP_ETH1_BLOCK_HASH,
  INTEROP_ETH1_TIMESTAMP,
  initializeBeaconStateFromEth1,
  interopDepositData,
  interopExecutionPayloadHeader,
  isValidGenesisState,
} from "@sextant/consensus/transition/genesis/index";
import { beaconConfigOf, hex } from "../support/dualState.ts";
import { oracleGenesis } from "../support/genesisOracle.ts";
import { loadOracle, oracleSkip } from "../support/oracle.ts";
import { assertSameStateRoot, chainAtFork } from "../support/transitionFixtures.ts";

// biome-ignore lint/suspicious/noExplicitAny: the oracle's API is untyped here
type Any = any;

const GENESIS_TIME = 1_700_000_000;

const skip = oracleSkip();
const COUNT = 64;

describe("interop genesis matches the oracle (minimal preset, 64 validators)", { skip }, () => {
  for (const fork of FORK_NAMES) {
    it(`genesis at ${fork}`, async () => {
      const o = await loadOracle("minimal");
      const chain = chainAtFork(minimalChainConfig, fork);
      const config = beaconConfigOf(chain);
      const cs = createInteropGenesisState(config, { validatorCount: COUNT, genesisTime: GENESIS_TIME });
      assert.equal(cs.fork, fork);
      assert.equal(cs.state.validators.length, COUNT);
      const theirs = oracleGenesis(o, chain, fork, interopDepositData(config, COUNT), { genesisTime: GENESIS_TIME });
      assert.equal(theirs.validators.length, COUNT, "the oracle accepted every interop deposit (signature, proof)");
      assertSameStateRoot(config, fork, cs.state, theirs, `genesis at ${fork}`);
      assert.equal(isValidGenesisState(config, cs.state), true);
    });
  }
});

describe("interop genesis with the dev execution payload header matches the oracle", { skip }, () => {
  for (const fork of ["bellatrix", "capella", "deneb", "electra", "fulu"] as const) {
    it(`genesis at ${fork}`, async () => {
      const o = await loadOracle("minimal");
      const chain = chainAtFork(minimalChainConfig, fork);
      const config = beaconConfigOf(chain);
      const header = interopExecutionPayloadHeader(config, fork);
      const cs = createInteropGenesisState(config, {
        validatorCount: COUNT,
        genesisTime: GENESIS_TIME,
        executionPayloadHeader: header,
      });
      const theirs = oracleGenesis(o, chain, fork, interopDepositData(config, COUNT), {
        genesisTime: GENESIS_TIME,
        executionPayloadHeader: header,
      });
      assertSameStateRoot(config, fork, cs.state, theirs, `genesis at ${fork} with the dev header`);
      assert.equal((cs.state as Any).latestExecutionPayloadHeader.gasLimit, 30_000_000);
    });
  }
});

describe("genesis checks", () => {
  const chain = chainAtFork(minimalChainConfig, "deneb");
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

      const chain = chainAtFork(minimalChainConfig, fork);
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
