// Test support for the operation pools: interop genesis states of a chosen fork (minimal preset, 64 validators),
// signed attestations, sync committee messages and operations from the interop keys, and signed blocks assembled
// from pool output so that the full state transition (signatures on) can judge them.
import type { ValueOf } from "@chainsafe/ssz";
import { aggregateSignatures } from "@sextant/consensus/bls/index";
import { interopSecretKey } from "@sextant/consensus/bls/interop";
import {
  type ChainConfig,
  FORK_NAMES,
  type ForkName,
  getPreset,
  minimalChainConfig,
} from "@sextant/consensus/params/index";
import { computeSigningRoot } from "@sextant/consensus/signing/domain";
import {
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_BLS_TO_EXECUTION_CHANGE,
  DOMAIN_RANDAO,
  DOMAIN_SYNC_COMMITTEE,
  DOMAIN_VOLUNTARY_EXIT,
} from "@sextant/consensus/signing/domainTypes";
import { type AttestationData, getBlockRootAtSlot, stateDomain } from "@sextant/consensus/state/accessors";
import { type CachedState, cloneCachedState } from "@sextant/consensus/state/cachedState";
import { atLeast, type BeaconConfig } from "@sextant/consensus/state/types";
import type { AnyBeaconBlock, AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { createInteropGenesisState, interopExecutionPayloadHeader } from "@sextant/consensus/transition/genesis/index";
import {
  advanceToSlot,
  assembleBlock,
  type BlockContents,
  devExecutionPayload,
} from "@sextant/consensus/transition/produce/index";
import { stateTransition } from "@sextant/consensus/transition/stateTransition";
import { primitives } from "@sextant/consensus/types/index";
import { getSszTypes, type SszTypes } from "@sextant/consensus/types/sszTypes";

export const types: SszTypes = getSszTypes("minimal");
export const GENESIS_TIME = 1_700_000_000;
export const VALIDATORS = 64;

/** The minimal chain config with every fork up to `fork` at genesis (later ones unscheduled) and overrides. */
export function configAtFork(
  fork: ForkName,
  overrides: Partial<Record<keyof ChainConfig, unknown>> = {},
): BeaconConfig {
  const c: Record<string, unknown> = { ...minimalChainConfig };
  const target = FORK_NAMES.indexOf(fork);
  for (let i = 1; i < FORK_NAMES.length; i++) {
    c[`${FORK_NAMES[i].toUpperCase()}_FORK_EPOCH`] = i <= target ? 0 : Number.POSITIVE_INFINITY;
  }
  Object.assign(c, overrides);
  return { chain: c as unknown as ChainConfig, preset: getPreset("minimal"), types };
}

const genesisCache = new Map<string, { config: BeaconConfig; cs: CachedState }>();

/**
 * The interop genesis (64 validators) with every fork up to `fork` at epoch 0 and the chain config `overrides`;
 * built once per (fork, overrides), each caller gets a clone of the state.
 */
export function genesisAt(
  fork: ForkName,
  overrides: Partial<Record<keyof ChainConfig, unknown>> = {},
): { config: BeaconConfig; cs: CachedState } {
  const key = `${fork}:${JSON.stringify(overrides)}`;
  let entry = genesisCache.get(key);
  if (!entry) {
    const config = configAtFork(fork, overrides);
    const cs = createInteropGenesisState(config, {
      validatorCount: VALIDATORS,
      genesisTime: GENESIS_TIME,
      ...(atLeast(fork, "bellatrix") ? { executionPayloadHeader: interopExecutionPayloadHeader(config, fork) } : {}),
    });
    entry = { config, cs };
    genesisCache.set(key, entry);
  }
  return { config: entry.config, cs: cloneCachedState(entry.cs) };
}

/** The root of the state's latest block (its header with the state root filled in if still empty). */
export function headRoot(cs: CachedState): Uint8Array {
  const header = cs.state.latestBlockHeader.toValue();
  if (header.stateRoot.every((b) => b === 0)) header.stateRoot = cs.state.hashTreeRoot();
  return types.phase0.BeaconBlockHeader.hashTreeRoot(header);
}

/** The attestation data of committee `index` at the state's slot (head vote on the state's latest block). */
export function attestationData(
  cs: CachedState,
  index: number,
  source = cs.state.currentJustifiedCheckpoint.toValue(),
): AttestationData {
  const spe = cs.config.preset.SLOTS_PER_EPOCH;
  const slot = cs.state.slot;
  const epoch = Math.floor(slot / spe);
  const head = headRoot(cs);
  const start = epoch * spe;
  const targetRoot = start === slot ? head : getBlockRootAtSlot(cs, start);
  return { slot, index, beaconBlockRoot: head, source, target: { epoch, root: targetRoot } };
}

/** Validator `index`'s signature over `data` (DOMAIN_BEACON_ATTESTER of the target epoch). */
export function signAttestation(cs: CachedState, data: AttestationData, index: number): Uint8Array {
  const domain = stateDomain(cs, DOMAIN_BEACON_ATTESTER, data.target.epoch);
  const root = computeSigningRoot(types.phase0.AttestationData.hashTreeRoot(data), domain);
  return interopSecretKey(index).sign(root).toBytes(true);
}

/** The sync committee message of validator `index` for the state's latest block at the state's slot. */
export function syncMessage(cs: CachedState, index: number): ValueOf<SszTypes["altair"]["SyncCommitteeMessage"]> {
  const slot = cs.state.slot;
  const root = headRoot(cs);
  const domain = stateDomain(cs, DOMAIN_SYNC_COMMITTEE, Math.floor(slot / cs.config.preset.SLOTS_PER_EPOCH));
  const signature = interopSecretKey(index).sign(computeSigningRoot(root, domain)).toBytes(true);
  return { slot, beaconBlockRoot: root, validatorIndex: index, signature };
}

/**
 * A signed block at `slot` on `cs` with `contents` (RANDAO reveal, execution payload and proposer signature
 * filled in from the interop keys), and the post-state from the full state transition with every signature
 * checked. Throws what the transition throws.
 */
export function buildAndImport(
  cs: CachedState,
  slot: number,
  contents: Omit<BlockContents, "slot" | "randaoReveal"> = {},
): { signed: AnySignedBeaconBlock; post: CachedState } {
  const pre = advanceToSlot(cs, slot);
  const epoch = Math.floor(slot / cs.config.preset.SLOTS_PER_EPOCH);
  const proposer = pre.ctx.getBeaconProposer(slot);
  const key = interopSecretKey(proposer);
  const randaoRoot = computeSigningRoot(primitives.Epoch.hashTreeRoot(epoch), stateDomain(pre, DOMAIN_RANDAO, epoch));
  const full: BlockContents = {
    ...contents,
    slot,
    randaoReveal: key.sign(randaoRoot).toBytes(true),
    ...(atLeast(pre.fork, "bellatrix") ? { executionPayload: devExecutionPayload(pre) } : {}),
  };
  const block: AnyBeaconBlock = assembleBlock(cs, full);
  const blockType = types[pre.fork].BeaconBlock as unknown as { hashTreeRoot(v: unknown): Uint8Array };
  const signingRoot = computeSigningRoot(
    blockType.hashTreeRoot(block),
    stateDomain(pre, DOMAIN_BEACON_PROPOSER, epoch),
  );
  const signed = { message: block, signature: key.sign(signingRoot).toBytes(true) } as AnySignedBeaconBlock;
  const post = stateTransition(cloneCachedState(cs), signed, { verifySignatures: true });
  return { signed, post };
}

/** A proposer slashing of `proposer`: two different headers of `slot`, both signed. */
export function proposerSlashing(cs: CachedState, proposer: number, slot: number) {
  const key = interopSecretKey(proposer);
  const domain = stateDomain(cs, DOMAIN_BEACON_PROPOSER, Math.floor(slot / cs.config.preset.SLOTS_PER_EPOCH));
  const signed = (fill: number) => {
    const message = {
      slot,
      proposerIndex: proposer,
      parentRoot: new Uint8Array(32),
      stateRoot: new Uint8Array(32),
      bodyRoot: new Uint8Array(32).fill(fill),
    };
    const root = computeSigningRoot(types.phase0.BeaconBlockHeader.hashTreeRoot(message), domain);
    return { message, signature: key.sign(root).toBytes(true) };
  };
  return { signedHeader1: signed(1), signedHeader2: signed(2) };
}

/** An attester slashing (double vote in epoch 0) of `indices` (ascending), both attestations signed by them. */
export function attesterSlashing(cs: CachedState, indices: number[]) {
  const indexed = (fill: number) => {
    const data: AttestationData = {
      slot: 0,
      index: 0,
      beaconBlockRoot: new Uint8Array(32).fill(fill),
      source: { epoch: 0, root: new Uint8Array(32) },
      target: { epoch: 0, root: new Uint8Array(32) },
    };
    const sigs = indices.map((i) => signAttestation(cs, data, i));
    return { attestingIndices: indices, data, signature: aggregateSignatures(sigs).toBytes(true) };
  };
  return { attestation1: indexed(1), attestation2: indexed(2) };
}

/** Validator `index`'s signed voluntary exit at `epoch`. */
export function voluntaryExit(cs: CachedState, index: number, epoch = 0) {
  const message = { epoch, validatorIndex: index };
  const root = computeSigningRoot(
    types.phase0.VoluntaryExit.hashTreeRoot(message),
    stateDomain(cs, DOMAIN_VOLUNTARY_EXIT, epoch),
  );
  return { message, signature: interopSecretKey(index).sign(root).toBytes(true) };
}

/** Validator `index`'s signed change to execution address 0x11…, signed with its own (withdrawal) key. */
export function blsChange(cs: CachedState, index: number) {
  const key = interopSecretKey(index);
  const message = {
    validatorIndex: index,
    fromBlsPubkey: key.toPublicKey().toBytes(true),
    toExecutionAddress: new Uint8Array(20).fill(0x11),
  };
  const root = computeSigningRoot(
    types.capella.BLSToExecutionChange.hashTreeRoot(message),
    stateDomain(cs, DOMAIN_BLS_TO_EXECUTION_CHANGE, 0),
  );
  return { message, signature: key.sign(root).toBytes(true) };
}
