// A full, validly signed block for a bench state (bigState.ts), built with our code for the block-processing
// benchmark: the state is advanced by one slot (to the first slot of the next epoch, running the epoch transition)
// and the block is made for the slot after that, in the same epoch. "Full" means as many attestations as the fork
// allows — fulu: MAX_ATTESTATIONS_ELECTRA aggregates, each covering every committee of one slot; deneb:
// MAX_ATTESTATIONS single-committee aggregates — with ~97% of committee members taking part, a sync aggregate with
// ~95% of the committee, the expected withdrawals in the payload, and the proposer's RANDAO reveal and signature.
// Validator i's secret key is i + 1, so each aggregate is one signing by the sum of its signers' scalars.
import { BitArray } from "@chainsafe/ssz";
import { computeSigningRoot } from "@sextant/consensus/signing/domain";
import {
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_RANDAO,
  DOMAIN_SYNC_COMMITTEE,
} from "@sextant/consensus/signing/domainTypes";
import {
  currentEpoch,
  epochOf,
  getBlockRoot,
  getBlockRootAtSlot,
  stateDomain,
} from "@sextant/consensus/state/accessors";
import { type CachedState, cloneCachedState } from "@sextant/consensus/state/cachedState";
import { atLeast } from "@sextant/consensus/state/types";
import type { AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import {
  advanceToSlot,
  assembleBlock,
  devExecutionPayload,
  syncCommitteeAt,
} from "@sextant/consensus/transition/produce/index";
import { stateTransition } from "@sextant/consensus/transition/stateTransition";
import { Rng } from "../../support/random.ts";
import { benchSecretScalar, CURVE_ORDER, secretKeyOfScalar } from "./bigState.ts";

// biome-ignore lint/suspicious/noExplicitAny: blocks of several forks are built field by field
type Any = any;

/** What buildBenchBlock returns: the pre-state both implementations load, the signed block and its make-up. */
export interface BenchBlock {
  /** The state advanced to the first slot of the block's epoch, as SSZ bytes. */
  readonly stateBytes: Uint8Array;
  /** The SignedBeaconBlock, as SSZ bytes. */
  readonly blockBytes: Uint8Array;
  readonly slot: number;
  readonly proposerIndex: number;
  readonly attestations: number;
  /** Set aggregation bits over all attestations of the block. */
  readonly attesters: number;
  readonly syncParticipants: number;
  readonly withdrawals: number;
}

export interface BenchBlockOptions {
  /** The validator indices of the state's current sync committee, as bigState recorded them. */
  readonly syncCommittee: Uint32Array;
  /** Fraction of each committee taking part in an attestation (default 0.97). */
  readonly attestationParticipation?: number;
  /** Fraction of the sync committee taking part (default 0.95). */
  readonly syncParticipation?: number;
  readonly seed?: number;
}

/** One signing by the sum of the validators' secret scalars: the aggregate signature of all of them. */
function aggregateSignature(validators: Iterable<number>, signingRoot: Uint8Array): Uint8Array {
  let sum = 0n;
  for (const v of validators) sum += benchSecretScalar(v);
  sum %= CURVE_ORDER;
  if (sum === 0n) throw new Error("the signers' secret keys sum to zero: pick another seed");
  return secretKeyOfScalar(sum).sign(signingRoot).toBytes();
}

/** The SSZ hash_tree_root of a uint64 (little-endian in the first 8 bytes of a chunk). */
function uint64Root(value: number): Uint8Array {
  const root = new Uint8Array(32);
  new DataView(root.buffer).setBigUint64(0, BigInt(value), true);
  return root;
}

/** A committee's participation: each member takes part with probability `p`. */
function pickBits(rng: Rng, size: number, p: number): boolean[] {
  return Array.from({ length: size }, () => rng.float() < p);
}

/**
 * Builds the full block for the bench state `cs` (at the last slot of an epoch): advances a copy to the next slot
 * (the epoch's first), builds and signs a block for the slot after it, and checks once with our transition that
 * the block is valid (signatures and state root). `cs` is not modified.
 */
export function buildBenchBlock(cs: CachedState, options: BenchBlockOptions): BenchBlock {
  const { syncCommittee, attestationParticipation = 0.97, syncParticipation = 0.95, seed = 7 } = options;
  const rng = new Rng(seed);
  const spe = cs.config.preset.SLOTS_PER_EPOCH;
  if ((cs.state.slot + 1) % spe !== 0)
    throw new Error(`the bench state must sit at an epoch's last slot, not ${cs.state.slot}`);
  const pre = advanceToSlot(cs, cs.state.slot + 1);
  const slot = pre.state.slot + 1;
  // The state as the block's processing sees it (block roots up to slot - 1, the epoch's caches).
  const at = advanceToSlot(pre, slot);
  const fork = at.fork;
  const { types, preset } = at.config;
  const epoch = currentEpoch(at);
  const electra = atLeast(fork, "electra");

  // Attestations: the slots before the block, newest first, every committee of each slot.
  const attestations: Any[] = [];
  let attesters = 0;
  const max = electra ? preset.MAX_ATTESTATIONS_ELECTRA : preset.MAX_ATTESTATIONS;
  for (let dataSlot = slot - preset.MIN_ATTESTATION_INCLUSION_DELAY; attestations.length < max; dataSlot--) {
    const targetEpoch = epochOf(at, dataSlot);
    if (targetEpoch < epoch - 1) throw new Error(`not enough committees for ${max} attestations`);
    const justified =
      targetEpoch === epoch ? at.state.currentJustifiedCheckpoint : at.state.previousJustifiedCheckpoint;
    const base = {
      slot: dataSlot,
      index: 0,
      beaconBlockRoot: getBlockRootAtSlot(at, dataSlot),
      source: { epoch: justified.epoch, root: Uint8Array.from(justified.root) },
      target: { epoch: targetEpoch, root: getBlockRoot(at, targetEpoch) },
    };
    const domain = stateDomain(at, DOMAIN_BEACON_ATTESTER, targetEpoch);
    const count = at.ctx.getCommitteeCountPerSlot(targetEpoch);
    const committees = Array.from({ length: count }, (_, index) => {
      const members = at.ctx.getBeaconCommittee(dataSlot, index);
      const bits = pickBits(rng, members.length, attestationParticipation);
      return { index, members, bits, signers: Array.from(members).filter((_, i) => bits[i]) };
    });
    if (electra) {
      const data = base;
      const root = computeSigningRoot(types.phase0.AttestationData.hashTreeRoot(data), domain);
      const signers = committees.flatMap((c) => c.signers);
      attestations.push({
        aggregationBits: BitArray.fromBoolArray(committees.flatMap((c) => c.bits)),
        data,
        signature: aggregateSignature(signers, root),
        committeeBits: BitArray.fromBoolArray(
          Array.from({ length: preset.MAX_COMMITTEES_PER_SLOT }, (_, i) => i < count),
        ),
      });
      attesters += signers.length;
    } else {
      for (const c of committees) {
        if (attestations.length === max) break;
        const data = { ...base, index: c.index };
        const root = computeSigningRoot(types.phase0.AttestationData.hashTreeRoot(data), domain);
        attestations.push({
          aggregationBits: BitArray.fromBoolArray(c.bits),
          data,
          signature: aggregateSignature(c.signers, root),
        });
        attesters += c.signers.length;
      }
    }
  }

  // Sync aggregate over the previous slot's block root.
  const committee = syncCommitteeAt(at, slot).indices;
  if (committee.length !== syncCommittee.length || committee.some((v, i) => v !== syncCommittee[i])) {
    throw new Error("the state's current sync committee is not the one bigState recorded");
  }
  const syncBits = pickBits(rng, committee.length, syncParticipation);
  const syncSigners = Array.from(committee).filter((_, i) => syncBits[i]);
  const previousSlot = slot - 1;
  const syncRoot = computeSigningRoot(
    getBlockRootAtSlot(at, previousSlot),
    stateDomain(at, DOMAIN_SYNC_COMMITTEE, epochOf(at, previousSlot)),
  );
  const syncAggregate = {
    syncCommitteeBits: BitArray.fromBoolArray(syncBits),
    syncCommitteeSignature: aggregateSignature(syncSigners, syncRoot),
  };

  // Proposer: RANDAO reveal, payload, then the block (state root filled in) and its signature.
  const proposerIndex = at.ctx.getBeaconProposer(slot);
  if (at.state.validators.getReadonly(proposerIndex).slashed) {
    throw new Error(`the proposer of slot ${slot}, validator ${proposerIndex}, is slashed: pick another seed`);
  }
  const randaoReveal = aggregateSignature(
    [proposerIndex],
    computeSigningRoot(uint64Root(epoch), stateDomain(at, DOMAIN_RANDAO, epoch)),
  );
  const executionPayload = devExecutionPayload(at);
  const block = assembleBlock(pre, { slot, randaoReveal, attestations, syncAggregate, executionPayload });
  if (block.proposerIndex !== proposerIndex) {
    throw new Error(`assembleBlock chose proposer ${block.proposerIndex}, the state's caches ${proposerIndex}`);
  }
  const forkTypes = types[fork] as Any;
  const signature = aggregateSignature(
    [proposerIndex],
    computeSigningRoot(forkTypes.BeaconBlock.hashTreeRoot(block), stateDomain(at, DOMAIN_BEACON_PROPOSER, epoch)),
  );
  const signed = { message: block, signature } as AnySignedBeaconBlock;
  // The block must pass our full transition (every signature, the state root) before anyone measures it.
  stateTransition(cloneCachedState(pre), signed, { verifySignatures: true, verifyStateRoot: true });
  return {
    stateBytes: pre.state.serialize(),
    blockBytes: forkTypes.SignedBeaconBlock.serialize(signed),
    slot,
    proposerIndex,
    attestations: attestations.length,
    attesters,
    syncParticipants: syncSigners.length,
    withdrawals: (executionPayload as { withdrawals?: unknown[] }).withdrawals?.length ?? 0,
  };
}
