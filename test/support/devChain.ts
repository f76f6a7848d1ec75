// A BeaconChain for tests: interop genesis (minimal preset, every fork up to `fork` at epoch 0), a temporary lmdb
// database, the mock execution engine for merged forks, and a hand-driven clock. Helpers sign with the interop keys
// as validators would: propose (produce → sign → import) and attest every committee of a slot into the pools and
// the fork choice. Used by chain and API tests; not by runtime code.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BitArray } from "@chainsafe/ssz";
import { BeaconChain } from "@sextant/beacon/chain/chain";
import { SlotClock } from "@sextant/beacon/chain/clock";
import { produceBlock } from "@sextant/beacon/chain/produceBlock";
import { BeaconDb } from "@sextant/beacon/db/index";
import { MockExecutionEngine } from "@sextant/beacon/execution/mock";
import { silentLogger } from "@sextant/common";
import { aggregateSignatures, interopSecretKey } from "@sextant/consensus/bls/index";
import { createDevChainConfig, type ForkName, getPreset, isForkAtLeast } from "@sextant/consensus/params/index";
import { computeSigningRoot } from "@sextant/consensus/signing/domain";
import { DOMAIN_BEACON_ATTESTER, DOMAIN_BEACON_PROPOSER, DOMAIN_RANDAO } from "@sextant/consensus/signing/domainTypes";
import { stateDomain } from "@sextant/consensus/state/accessors";
import { type CachedState, cloneCachedState, loadCachedState } from "@sextant/consensus/state/cachedState";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import type { AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { createInteropGenesisState, interopExecutionPayloadHeader } from "@sextant/consensus/transition/genesis/index";
import { processSlots } from "@sextant/consensus/transition/stateTransition";
import { getSszTypes } from "@sextant/consensus/types/sszTypes";
import { fromHex } from "@sextant/consensus/util/hex";

/** Genesis time of test chains. */
export const TEST_GENESIS_TIME = 1_700_000_000;

const FORKS: readonly ForkName[] = ["phase0", "altair", "bellatrix", "capella", "deneb", "electra", "fulu"];

/** The dev chain config with every fork up to `fork` at epoch 0 and the later ones unscheduled. */
export function testBeaconConfig(fork: ForkName): BeaconConfig {
  const never = Number.POSITIVE_INFINITY;
  const forkEpochs: Record<string, number> = {};
  for (const f of FORKS.slice(1)) forkEpochs[f] = isForkAtLeast(fork, f) ? 0 : never;
  const chain = createDevChainConfig({ forkEpochs } as never);
  return { chain, preset: getPreset("minimal"), types: getSszTypes("minimal") };
}

/** A test chain and its controls. */
export interface TestChain {
  readonly chain: BeaconChain;
  readonly config: BeaconConfig;
  readonly dir: string;
  /** Sets the clock to `ms` milliseconds into `slot`. */
  setTime(slot: number, ms?: number): void;
  /** Closes chain and database, removes the directory (unless keepDir). */
  close(opts?: { keepDir?: boolean }): Promise<void>;
}

/** Options of startTestChain. */
export interface TestChainOptions {
  readonly validators?: number;
  readonly fork?: ForkName;
  /** Reuse a directory (restart tests). */
  readonly dir?: string;
}

/** Creates a chain at genesis with the clock at slot 0. */
export async function startTestChain(opts: TestChainOptions = {}): Promise<TestChain> {
  const fork = opts.fork ?? "fulu";
  const config = testBeaconConfig(fork);
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "sextant-chain-"));
  const genesisState = createInteropGenesisState(config, {
    validatorCount: opts.validators ?? 64,
    genesisTime: TEST_GENESIS_TIME,
    ...(isForkAtLeast(fork, "bellatrix")
      ? { executionPayloadHeader: interopExecutionPayloadHeader(config, fork) }
      : {}),
  });
  let now = TEST_GENESIS_TIME * 1000;
  const clock = new SlotClock({ genesisTime: TEST_GENESIS_TIME, config: config.chain, now: () => now });
  // A restart: the mock engine starts from the anchor state's payload (a real engine would remember its chain).
  const resumed = opts.dir === undefined ? undefined : await resumedAnchorState(config, dir);
  const header = (
    (resumed ?? genesisState).state as {
      latestExecutionPayloadHeader?: { blockHash: Uint8Array; blockNumber: number; timestamp: number };
    }
  ).latestExecutionPayloadHeader;
  const engine = header ? new MockExecutionEngine({ types: config.types, genesis: header }) : null;
  const db = BeaconDb.open(dir, { network: "dev", genesisValidatorsRoot: genesisState.state.genesisValidatorsRoot });
  const chain = await BeaconChain.create({
    config,
    db,
    clock,
    engine,
    logger: silentLogger(),
    genesisState,
    singleNode: true,
  });
  return {
    chain,
    config,
    dir,
    setTime(slot, ms = 0) {
      now = clock.slotStartMs(slot) + ms;
      chain.forkChoice.updateTime(slot);
    },
    async close({ keepDir = false } = {}) {
      await chain.close();
      await db.close();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A block at `slot` on the head, produced by the chain and signed by its proposer (not imported). */
export async function signedBlockAt(chain: BeaconChain, slot: number): Promise<AnySignedBeaconBlock> {
  const head = chain.headState();
  const pre = cloneCachedState(head);
  if (pre.state.slot < slot) processSlots(pre, slot);
  const proposer = pre.ctx.getBeaconProposer(slot);
  const epoch = Math.floor(slot / chain.config.preset.SLOTS_PER_EPOCH);
  const key = interopSecretKey(proposer);
  const epochRoot = new Uint8Array(32);
  new DataView(epochRoot.buffer).setUint32(0, epoch, true);
  const randaoReveal = key.sign(computeSigningRoot(epochRoot, stateDomain(pre, DOMAIN_RANDAO, epoch))).toBytes();
  const { block, fork } = await produceBlock(chain, { slot, randaoReveal });
  const root = (chain.config.types[fork].BeaconBlock as { hashTreeRoot(v: unknown): Uint8Array }).hashTreeRoot(block);
  const signature = key.sign(computeSigningRoot(root, stateDomain(pre, DOMAIN_BEACON_PROPOSER, epoch))).toBytes();
  return { message: block, signature } as AnySignedBeaconBlock;
}

/** Proposes and imports a block at `slot` (the clock is set 100 ms into the slot). */
export async function proposeAt(t: TestChain, slot: number): Promise<AnySignedBeaconBlock> {
  t.setTime(slot, 100);
  const signed = await signedBlockAt(t.chain, slot);
  await t.chain.importBlock(signed, { source: "test" });
  return signed;
}

/**
 * Every committee of `slot` attests to the head (fraction of each committee: `share`), aggregated per committee,
 * into the attestation pool and the fork choice. The clock must be at or after `slot`.
 */
export function attestAt(t: TestChain, slot: number, share = 1): number {
  const { chain, config } = t;
  const spe = config.preset.SLOTS_PER_EPOCH;
  const epoch = Math.floor(slot / spe);
  const head = chain.head();
  const headState = chain.headState();
  const cs: CachedState =
    Math.floor(headState.state.slot / spe) === epoch ? headState : advanced(headState, epoch * spe);
  const targetRoot = chain.forkChoice.getAncestorRoot(head.root, epoch * spe) ?? head.root;
  const electra = isForkAtLeast(cs.fork, "electra");
  const data = {
    slot,
    index: 0,
    beaconBlockRoot: fromHex(head.root),
    source: cs.state.currentJustifiedCheckpoint.toValue(),
    target: { epoch, root: fromHex(targetRoot) },
  };
  const domain = stateDomain(cs, DOMAIN_BEACON_ATTESTER, epoch);
  const count = cs.ctx.getCommitteeCountPerSlot(epoch);
  let attesters = 0;
  for (let index = 0; index < count; index++) {
    const committee = cs.ctx.getBeaconCommittee(slot, index);
    const itemData = { ...data, index: electra ? 0 : index };
    const root = computeSigningRoot(config.types.phase0.AttestationData.hashTreeRoot(itemData as never), domain);
    const take = Math.max(1, Math.floor(committee.length * share));
    const aggregationBits = BitArray.fromBitLen(committee.length);
    const sigs = [];
    for (let p = 0; p < take; p++) {
      aggregationBits.set(p, true);
      sigs.push(interopSecretKey(committee[p]).sign(root));
    }
    const signature = aggregateSignatures(sigs).toBytes();
    const attestation = electra
      ? { aggregationBits, data: itemData, signature, committeeBits: committeeBitsOf(config, index) }
      : { aggregationBits, data: itemData, signature };
    chain.attestationPool.add(attestation as never);
    chain.forkChoice.onAttestation(
      { slot, beaconBlockRoot: head.root, target: { epoch, root: targetRoot } },
      Array.from(committee.subarray(0, take)),
    );
    attesters += take;
  }
  return attesters;
}

async function resumedAnchorState(config: BeaconConfig, dir: string): Promise<CachedState | undefined> {
  const db = BeaconDb.open(dir, { network: "dev" });
  try {
    const loaded = db.loadAnchor();
    return loaded && loadCachedState(config, loaded.state.bytes, loaded.state.fork);
  } finally {
    await db.close();
  }
}

function advanced(cs: CachedState, slot: number): CachedState {
  const copy = cloneCachedState(cs);
  processSlots(copy, slot);
  return copy;
}

function committeeBitsOf(config: BeaconConfig, index: number): BitArray {
  const bits = BitArray.fromBitLen(config.preset.MAX_COMMITTEES_PER_SLOT);
  bits.set(index, true);
  return bits;
}
