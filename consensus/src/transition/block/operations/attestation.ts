// process_attestation of every fork: phase0 records a PendingAttestation for the epoch transition; altair and later
// set participation flags (get_attestation_participation_flag_indices) and reward the proposer; deneb widens the
// inclusion window to the target epoch and the next (EIP-7045); electra aggregates several committees of a slot in
// one attestation (committee_bits, EIP-7549). Each attestation's aggregate signature goes to the block's batch.
//
// This is the hot path of block processing (a full block at 1M validators touches ~30k attesters): attesters are
// read from the cached committees and the aggregation bits' bytes, participation is read and written per index on
// the list view, and the proposer reward of the whole list is applied once.
import type { BitArray } from "@chainsafe/ssz";
import type { PublicKey } from "../../../bls/keys.ts";
import {
  PARTICIPATION_FLAG_WEIGHTS,
  PROPOSER_WEIGHT,
  TIMELY_HEAD_FLAG_INDEX,
  TIMELY_SOURCE_FLAG_INDEX,
  TIMELY_TARGET_FLAG_INDEX,
  WEIGHT_DENOMINATOR,
} from "../../../params/constants.ts";
import { computeSigningRoot } from "../../../signing/domain.ts";
import { DOMAIN_BEACON_ATTESTER } from "../../../signing/domainTypes.ts";
import {
  type AttestationData,
  currentEpoch,
  type ElectraAttestation,
  epochOf,
  getBlockRootAtSlot,
  type Phase0Attestation,
  previousEpoch,
  stateDomain,
} from "../../../state/accessors.ts";
import type { CachedState } from "../../../state/cachedState.ts";
import { statePubkeyReader } from "../../../state/epochContext.ts";
import { check } from "../../../state/errors.ts";
import { increaseBalance } from "../../../state/mutators.ts";
import { type AltairPlusState, atLeast, type StatePhase0 } from "../../../state/types.ts";
import { bytesEqual } from "../../../util/bytes.ts";
import type { BlockContext } from "../../options.ts";

/** An Attestation of any fork (electra's carries committee_bits). */
export type Attestation = Phase0Attestation | ElectraAttestation;

type Checkpoint = AttestationData["source"];

const VALID_INDEXED_RULE =
  "process_attestation: is_valid_indexed_attestation(state, get_indexed_attestation(state, attestation))";

/** (WEIGHT_DENOMINATOR - PROPOSER_WEIGHT) * WEIGHT_DENOMINATOR // PROPOSER_WEIGHT. */
const PROPOSER_REWARD_DENOMINATOR = Math.floor(
  ((WEIGHT_DENOMINATOR - PROPOSER_WEIGHT) * WEIGHT_DENOMINATOR) / PROPOSER_WEIGHT,
);

/** Sum of PARTICIPATION_FLAG_WEIGHTS over the flags set in a 3-bit mask. */
const FLAG_MASK_WEIGHT: readonly number[] = Array.from({ length: 8 }, (_, mask) => {
  let weight = 0;
  for (let flag = 0; flag < PARTICIPATION_FLAG_WEIGHTS.length; flag++) {
    if (mask & (1 << flag)) weight += PARTICIPATION_FLAG_WEIGHTS[flag];
  }
  return weight;
});

function checkpointEqual(a: Checkpoint, b: Checkpoint): boolean {
  return a.epoch === b.epoch && bytesEqual(a.root, b.root);
}

function bitAt(bytes: Uint8Array, index: number): boolean {
  return ((bytes[index >> 3] >> (index & 7)) & 1) === 1;
}

/** What every attestation of one block shares: read once per list instead of once per attestation. */
interface ListContext {
  readonly epoch: number;
  readonly previousEpoch: number;
  readonly currentJustified: Checkpoint;
  readonly previousJustified: Checkpoint;
  /** get_block_root_at_slot results by slot (target and head roots). */
  readonly blockRoots: Map<number, Uint8Array>;
  readonly readPubkey: (index: number) => Uint8Array;
}

function listContext(cs: CachedState): ListContext {
  const state = cs.state;
  return {
    epoch: currentEpoch(cs),
    previousEpoch: previousEpoch(cs),
    currentJustified: state.currentJustifiedCheckpoint.toValue(),
    previousJustified: state.previousJustifiedCheckpoint.toValue(),
    blockRoots: new Map(),
    readPubkey: statePubkeyReader(state),
  };
}

function blockRootAtSlot(cs: CachedState, lc: ListContext, slot: number): Uint8Array {
  let root = lc.blockRoots.get(slot);
  if (root === undefined) {
    root = getBlockRootAtSlot(cs, slot);
    lc.blockRoots.set(slot, root);
  }
  return root;
}

/**
 * The checks of `process_attestation` that precede the committee lookup, for the state's fork: target epoch is
 * the previous or current epoch and matches the slot, the inclusion window (deneb: no upper bound), and the
 * committee index (electra: data.index == 0).
 */
function checkAttestationData(cs: CachedState, lc: ListContext, data: AttestationData): void {
  const { preset } = cs.config;
  const targetEpoch = data.target.epoch;
  check(
    targetEpoch === lc.previousEpoch || targetEpoch === lc.epoch,
    "process_attestation: data.target.epoch in (get_previous_epoch(state), get_current_epoch(state))",
    `target epoch ${targetEpoch}, current epoch ${lc.epoch}`,
  );
  check(
    targetEpoch === epochOf(cs, data.slot),
    "process_attestation: data.target.epoch == compute_epoch_at_slot(data.slot)",
    `target epoch ${targetEpoch}, slot ${data.slot}`,
  );
  const stateSlot = cs.state.slot;
  if (atLeast(cs.fork, "deneb")) {
    check(
      data.slot + preset.MIN_ATTESTATION_INCLUSION_DELAY <= stateSlot,
      "process_attestation: data.slot + MIN_ATTESTATION_INCLUSION_DELAY <= state.slot",
      `attestation slot ${data.slot}, state slot ${stateSlot}`,
    );
  } else {
    check(
      data.slot + preset.MIN_ATTESTATION_INCLUSION_DELAY <= stateSlot &&
        stateSlot <= data.slot + preset.SLOTS_PER_EPOCH,
      "process_attestation: data.slot + MIN_ATTESTATION_INCLUSION_DELAY <= state.slot <= data.slot + SLOTS_PER_EPOCH",
      `attestation slot ${data.slot}, state slot ${stateSlot}`,
    );
  }
  if (atLeast(cs.fork, "electra")) {
    check(data.index === 0, "process_attestation: data.index == 0", `data.index ${data.index}`);
  } else {
    const count = cs.ctx.getCommitteeCountPerSlot(targetEpoch);
    check(
      data.index < count,
      "process_attestation: data.index < get_committee_count_per_slot(state, data.target.epoch)",
      `committee ${data.index}, ${count} per slot`,
    );
  }
}

/**
 * `get_attesting_indices(state, attestation)` with the committee checks of `process_attestation`: phase0 … deneb
 * the committee of data.index and a bit list of its length; electra every committee in committee_bits (each in
 * range and with at least one attester) and a bit list as long as all of them. In committee order, not sorted.
 */
function attestingIndices(cs: CachedState, attestation: Attestation): number[] {
  const { data } = attestation;
  const bits: BitArray = attestation.aggregationBits;
  const bytes = bits.uint8Array;
  const out: number[] = [];
  if (!atLeast(cs.fork, "electra")) {
    const committee = cs.ctx.getBeaconCommittee(data.slot, data.index);
    check(
      bits.bitLen === committee.length,
      "process_attestation: len(attestation.aggregation_bits) == len(committee)",
      `${bits.bitLen} bits for ${committee.length} members`,
    );
    for (let i = 0; i < committee.length; i++) if (bitAt(bytes, i)) out.push(committee[i]);
    return out;
  }
  const count = cs.ctx.getCommitteeCountPerSlot(data.target.epoch);
  let offset = 0;
  for (const committeeIndex of (attestation as ElectraAttestation).committeeBits.getTrueBitIndexes()) {
    check(
      committeeIndex < count,
      "process_attestation: committee_index < get_committee_count_per_slot(state, data.target.epoch)",
      `committee ${committeeIndex}, ${count} per slot`,
    );
    const committee = cs.ctx.getBeaconCommittee(data.slot, committeeIndex);
    check(
      offset + committee.length <= bits.bitLen,
      "process_attestation: len(attestation.aggregation_bits) == committee_offset",
      `${bits.bitLen} bits end inside committee ${committeeIndex}`,
    );
    const before = out.length;
    for (let i = 0; i < committee.length; i++) if (bitAt(bytes, offset + i)) out.push(committee[i]);
    check(
      out.length > before,
      "process_attestation: len(committee_attesters) > 0",
      `no attester in committee ${committeeIndex}`,
    );
    offset += committee.length;
  }
  check(
    bits.bitLen === offset,
    "process_attestation: len(attestation.aggregation_bits) == committee_offset",
    `${bits.bitLen} bits for ${offset} committee members`,
  );
  return out;
}

/**
 * `is_valid_indexed_attestation(state, get_indexed_attestation(state, attestation))`: the attesting indices of a
 * valid attestation are unique and in the registry by construction, so only emptiness is checked; the aggregate
 * signature is pushed to `bc.signatureSets` when signatures are checked (key order does not matter to it).
 */
function pushAttestationSignature(
  cs: CachedState,
  lc: ListContext,
  attestation: Attestation,
  attesters: readonly number[],
  bc: BlockContext,
): void {
  check(attesters.length > 0, VALID_INDEXED_RULE, "no attesting indices");
  if (!bc.signatureSets) return;
  const pubkeys = cs.ctx.pubkeys;
  const keys: PublicKey[] = new Array(attesters.length);
  for (let i = 0; i < attesters.length; i++) keys[i] = pubkeys.publicKey(attesters[i], lc.readPubkey);
  const { data } = attestation;
  const domain = stateDomain(cs, DOMAIN_BEACON_ATTESTER, data.target.epoch);
  const root = computeSigningRoot(cs.config.types.phase0.AttestationData.hashTreeRoot(data), domain);
  bc.signatureSets.push({ publicKey: keys, message: root, signature: attestation.signature });
}

/** phase0's `process_attestation`: checks, then a PendingAttestation for the target epoch's list. */
function processAttestationPhase0(cs: CachedState, lc: ListContext, attestation: Phase0Attestation, bc: BlockContext) {
  const { data } = attestation;
  checkAttestationData(cs, lc, data);
  const attesters = attestingIndices(cs, attestation);
  const state = cs.state as StatePhase0;
  const pending = cs.config.types.phase0.PendingAttestation.toViewDU({
    aggregationBits: attestation.aggregationBits,
    data,
    inclusionDelay: state.slot - data.slot,
    proposerIndex: cs.ctx.getBeaconProposer(state.slot),
  });
  if (data.target.epoch === lc.epoch) {
    check(
      checkpointEqual(data.source, lc.currentJustified),
      "process_attestation: data.source == state.current_justified_checkpoint",
      `source epoch ${data.source.epoch}, justified epoch ${lc.currentJustified.epoch}`,
    );
    state.currentEpochAttestations.push(pending);
  } else {
    check(
      checkpointEqual(data.source, lc.previousJustified),
      "process_attestation: data.source == state.previous_justified_checkpoint",
      `source epoch ${data.source.epoch}, justified epoch ${lc.previousJustified.epoch}`,
    );
    state.previousEpochAttestations.push(pending);
  }
  pushAttestationSignature(cs, lc, attestation, attesters, bc);
}

/**
 * `get_attestation_participation_flag_indices(state, data, inclusion_delay)` of the state's fork as a bit mask
 * (bit TIMELY_*_FLAG_INDEX). Asserts a matching source. Deneb and later set the target flag at any delay.
 */
function participationFlags(cs: CachedState, lc: ListContext, data: AttestationData, inclusionDelay: number): number {
  const { preset } = cs.config;
  const justified = data.target.epoch === lc.epoch ? lc.currentJustified : lc.previousJustified;
  const isMatchingSource = checkpointEqual(data.source, justified);
  check(
    isMatchingSource,
    "get_attestation_participation_flag_indices: is_matching_source",
    `source epoch ${data.source.epoch}, justified epoch ${justified.epoch}`,
  );
  const targetRoot = blockRootAtSlot(cs, lc, data.target.epoch * preset.SLOTS_PER_EPOCH);
  const isMatchingTarget = bytesEqual(data.target.root, targetRoot);
  const isMatchingHead = isMatchingTarget && bytesEqual(data.beaconBlockRoot, blockRootAtSlot(cs, lc, data.slot));
  let flags = 0;
  if (inclusionDelay <= Math.floor(Math.sqrt(preset.SLOTS_PER_EPOCH))) flags |= 1 << TIMELY_SOURCE_FLAG_INDEX;
  if (isMatchingTarget && (atLeast(cs.fork, "deneb") || inclusionDelay <= preset.SLOTS_PER_EPOCH)) {
    flags |= 1 << TIMELY_TARGET_FLAG_INDEX;
  }
  if (isMatchingHead && inclusionDelay === preset.MIN_ATTESTATION_INCLUSION_DELAY) flags |= 1 << TIMELY_HEAD_FLAG_INDEX;
  return flags;
}

/**
 * Altair … fulu `process_attestation` without the proposer's balance update: checks, signature set, new
 * participation flags. Returns the proposer reward this attestation earns (already divided, as the spec does
 * per attestation).
 */
function processAttestationAltair(
  cs: CachedState,
  lc: ListContext,
  attestation: Attestation,
  bc: BlockContext,
): number {
  const { data } = attestation;
  checkAttestationData(cs, lc, data);
  const attesters = attestingIndices(cs, attestation);
  const flags = participationFlags(cs, lc, data, cs.state.slot - data.slot);
  pushAttestationSignature(cs, lc, attestation, attesters, bc);

  const state = cs.state as AltairPlusState;
  const participation =
    data.target.epoch === lc.epoch ? state.currentEpochParticipation : state.previousEpochParticipation;
  const increments = cs.ctx.effectiveBalanceIncrements;
  let numeratorIncrements = 0;
  for (let i = 0; i < attesters.length; i++) {
    const index = attesters[i];
    const old = participation.get(index);
    const added = flags & ~old;
    if (added === 0) continue;
    participation.set(index, old | added);
    // get_base_reward(state, index) * weight = increments * base_reward_per_increment * weight
    numeratorIncrements += increments[index] * FLAG_MASK_WEIGHT[added];
  }
  // Σ increments·weight ≤ 131072 attesters · 2048 · 54 < 2**53 is exact; the product with base_reward_per_increment
  // may not be, so the spec's Σ base_reward·weight // denominator is computed in BigInt.
  const numerator = BigInt(numeratorIncrements) * BigInt(cs.ctx.baseRewardPerIncrement);
  return Number(numerator / BigInt(PROPOSER_REWARD_DENOMINATOR));
}

/**
 * `for_ops(body.attestations, process_attestation)` for the state's fork. The proposer rewards (altair and later)
 * are summed and credited once after the list, which equals crediting each attestation's reward in turn since no
 * attestation reads balances. Throws INVALID_BLOCK naming the failed rule.
 */
export function processAttestations(cs: CachedState, attestations: readonly Attestation[], bc: BlockContext): void {
  if (attestations.length === 0) return;
  const lc = listContext(cs);
  if (cs.fork === "phase0") {
    for (const attestation of attestations) processAttestationPhase0(cs, lc, attestation as Phase0Attestation, bc);
    return;
  }
  let proposerReward = 0;
  for (const attestation of attestations) proposerReward += processAttestationAltair(cs, lc, attestation, bc);
  increaseBalance(cs, cs.ctx.getBeaconProposer(cs.state.slot), proposerReward);
}

/** `process_attestation(state, attestation)` for one attestation of the state's fork. */
export function processAttestation(cs: CachedState, attestation: Attestation, bc: BlockContext): void {
  processAttestations(cs, [attestation], bc);
}
