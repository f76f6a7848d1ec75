// Validation of attestations submitted through the API (p2p-interface.md beacon_attestation_{subnet_id}, without
// the subnet check; IGNORE cases are "already known, accepted"): a phase0 … deneb Attestation with exactly one
// aggregation bit, or electra's SingleAttestation. Checks the slot window, the target epoch, the committee index,
// that the voted block and the target are known and consistent in the fork choice, membership, and the signature;
// then the item goes to the attestation pool, the fork choice, the event stream and the liveness record.
import type { BitArray } from "@chainsafe/ssz";
import type { SignatureSet } from "@sextant/consensus/bls/index";
import { DOMAIN_BEACON_ATTESTER } from "@sextant/consensus/signing/domainTypes";
import type { ElectraAttestation, Phase0Attestation } from "@sextant/consensus/state/accessors";
import { singleSignatureSet, stateDomain } from "@sextant/consensus/state/accessors";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import { toHex } from "@sextant/consensus/util/hex";
import type { SingleAttestation } from "../../opPools/attestationPool.ts";
import type { BeaconChain } from "../chain.ts";
import {
  ATTESTATION_PROPAGATION_SLOT_RANGE,
  invalid,
  KNOWN,
  markLive,
  type Prepared,
  seen,
  shufflingState,
  validationRecord,
} from "./common.ts";

/** AttestationData value. */
export type AttestationData = Phase0Attestation["data"];

export type { ElectraAttestation, Phase0Attestation, SingleAttestation };

/** What the checks shared by attestations and aggregates found. */
export interface AttestationContext {
  readonly epoch: number;
  readonly cs: CachedState;
  readonly committee: Uint32Array;
  readonly committeeIndex: number;
  readonly blockRoot: string;
  readonly targetRoot: string;
}

/**
 * The checks common to unaggregated attestations and aggregates: slot within ATTESTATION_PROPAGATION_SLOT_RANGE
 * and not in the future, target epoch = epoch(slot), the voted block and the target known to the fork choice, the
 * target the voted block's checkpoint block, the committee index below the committee count (committees from the
 * target's shuffling, read from an already computed state).
 */
export function checkAttestationData(
  chain: BeaconChain,
  data: AttestationData,
  committeeIndex: number,
): AttestationContext {
  const spe = chain.config.preset.SLOTS_PER_EPOCH;
  const currentSlot = chain.clock.currentSlot;
  const { slot } = data;
  if (slot > currentSlot) throw invalid(`attestation slot ${slot} is in the future (current slot ${currentSlot})`);
  if (slot + ATTESTATION_PROPAGATION_SLOT_RANGE < currentSlot) {
    throw invalid(
      `attestation slot ${slot} is older than ATTESTATION_PROPAGATION_SLOT_RANGE (current slot ${currentSlot})`,
    );
  }
  const epoch = Math.floor(slot / spe);
  if (data.target.epoch !== epoch) {
    throw invalid(`attestation target epoch ${data.target.epoch} is not the epoch ${epoch} of its slot ${slot}`);
  }
  const blockRoot = toHex(data.beaconBlockRoot);
  const block = chain.forkChoice.getBlock(blockRoot);
  if (block === undefined || block.executionStatus === "invalid") {
    throw invalid(`unknown block: beacon_block_root ${blockRoot} is not known to the fork choice`);
  }
  if (block.slot > slot)
    throw invalid(`attestation votes for block ${blockRoot} of slot ${block.slot}, after its slot ${slot}`);
  const targetRoot = toHex(data.target.root);
  if (!chain.forkChoice.hasBlock(targetRoot)) {
    throw invalid(`unknown block: target root ${targetRoot} is not known to the fork choice`);
  }
  const checkpointBlock = chain.forkChoice.getAncestorRoot(blockRoot, epoch * spe);
  if (checkpointBlock !== targetRoot) {
    throw invalid(
      `attestation target ${targetRoot} is not the checkpoint block ${checkpointBlock ?? "(pruned)"} of beacon_block_root at epoch ${epoch}`,
    );
  }
  const cs = shufflingState(chain, epoch, targetRoot);
  const count = cs.ctx.getCommitteeCountPerSlot(epoch);
  if (committeeIndex >= count) {
    throw invalid(`wrong committee: committee index ${committeeIndex} >= committee count ${count} at slot ${slot}`);
  }
  const committee = cs.ctx.getBeaconCommittee(slot, committeeIndex);
  return { epoch, cs, committee, committeeIndex, blockRoot, targetRoot };
}

/** True when the slot uses electra's attestation format. */
export function isElectraAttestationSlot(chain: BeaconChain, slot: number): boolean {
  return chain.attestationPool.isElectraSlot(slot);
}

/** The one set bit of a committee-indexed aggregation bitfield, or an error. */
function singleBit(bits: BitArray, committeeLength: number): number {
  if (bits.bitLen !== committeeLength) {
    throw invalid(`wrong committee: ${bits.bitLen} aggregation bits for a committee of ${committeeLength}`);
  }
  const set = bits.getTrueBitIndexes();
  if (set.length !== 1)
    throw invalid(`an unaggregated attestation has exactly one aggregation bit set (${set.length} set)`);
  return set[0];
}

/** The signature set of one attester over AttestationData. */
export function attesterSignatureSet(
  cs: CachedState,
  index: number,
  data: AttestationData,
  signature: Uint8Array,
): SignatureSet {
  const domain = stateDomain(cs, DOMAIN_BEACON_ATTESTER, data.target.epoch);
  return singleSignatureSet(cs, index, cs.config.types.phase0.AttestationData.hashTreeRoot(data), domain, signature);
}

/**
 * Checks a submitted attestation (phase0 … deneb Attestation with one bit, or electra SingleAttestation) and
 * returns its signature set and the commit that pools it, votes in the fork choice and emits its event. A second
 * attestation of the same validator and target epoch is accepted as known (nothing is done).
 */
export function prepareAttestation(
  chain: BeaconChain,
  attestation: Phase0Attestation | ElectraAttestation | SingleAttestation,
): Prepared {
  const { data } = attestation;
  const electra = isElectraAttestationSlot(chain, data.slot);
  const isSingle = "attesterIndex" in attestation;
  if (electra && !isSingle) {
    throw invalid(`attestations of slot ${data.slot} (electra) are submitted as SingleAttestation`);
  }
  if (!electra && isSingle) throw invalid(`SingleAttestation is an electra type; slot ${data.slot} is before electra`);
  if (electra && data.index !== 0) throw invalid(`data.index must be 0 from electra on (got ${data.index})`);
  const committeeIndex = isSingle ? (attestation as SingleAttestation).committeeIndex : data.index;
  const ctx = checkAttestationData(chain, data, committeeIndex);
  let attester: number;
  if (isSingle) {
    attester = (attestation as SingleAttestation).attesterIndex;
    if (!ctx.committee.includes(attester)) {
      throw invalid(
        `wrong committee: validator ${attester} is not in committee ${committeeIndex} of slot ${data.slot}`,
      );
    }
  } else {
    const bit = singleBit((attestation as Phase0Attestation).aggregationBits, ctx.committee.length);
    attester = ctx.committee[bit];
  }
  const record = validationRecord(chain);
  if (seen(record.attesters, ctx.epoch, attester, false, 3)) return KNOWN;
  return {
    sets: [attesterSignatureSet(ctx.cs, attester, data, attestation.signature)],
    setNames: [`invalid signature of validator ${attester}`],
    commit: () => {
      if (seen(record.attesters, ctx.epoch, attester, true, 3)) return;
      if (isSingle) chain.attestationPool.addSingle(attestation as SingleAttestation, ctx.committee);
      else chain.attestationPool.add(attestation as Phase0Attestation);
      voteInForkChoice(chain, ctx, data, [attester]);
      markLive(chain, ctx.epoch, [attester]);
      if (isSingle) chain.events.emit({ topic: "single_attestation", data: attestation as SingleAttestation });
      else chain.events.emit({ topic: "attestation", data: attestation as Phase0Attestation });
    },
  };
}

/** on_attestation for verified attesters; votes the fork choice refuses (an old target epoch) are dropped. */
export function voteInForkChoice(
  chain: BeaconChain,
  ctx: AttestationContext,
  data: AttestationData,
  indices: readonly number[],
): void {
  try {
    chain.forkChoice.onAttestation(
      { slot: data.slot, beaconBlockRoot: ctx.blockRoot, target: { epoch: ctx.epoch, root: ctx.targetRoot } },
      indices,
    );
  } catch (e) {
    chain.logger.debug({ err: String(e), slot: data.slot }, "attestation not applied to the fork choice");
  }
}
