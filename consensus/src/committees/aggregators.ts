// Aggregator selection (phase0 `is_aggregator`, altair `is_sync_committee_aggregator`) and the sync
// subcommittee arithmetic of the altair validator guide.
import { digest } from "@chainsafe/as-sha256";
import {
  SYNC_COMMITTEE_SUBNET_COUNT,
  TARGET_AGGREGATORS_PER_COMMITTEE,
  TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE,
} from "../params/constants.ts";
import type { Preset } from "../params/presets/preset.ts";
import { u64LeMod } from "./seed.ts";

export { SYNC_COMMITTEE_SUBNET_COUNT, TARGET_AGGREGATORS_PER_COMMITTEE, TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE };

/** Length of a BLS signature (BLSSignature, compressed G2 point). */
const SIGNATURE_LENGTH = 96;

/** `bytes_to_uint64(hash(signature)[0:8]) % modulo == 0`. */
function selectedBySignature(signature: Uint8Array, modulo: number): boolean {
  if (signature.length !== SIGNATURE_LENGTH) throw new RangeError(`signature must be ${SIGNATURE_LENGTH} bytes`);
  return u64LeMod(digest(signature), 0, modulo) === 0;
}

/** `is_aggregator`'s modulo for a committee of `committeeLength`: max(1, len // TARGET_AGGREGATORS_PER_COMMITTEE). */
export function aggregatorModulo(committeeLength: number): number {
  return Math.max(1, Math.floor(committeeLength / TARGET_AGGREGATORS_PER_COMMITTEE));
}

/**
 * `is_aggregator(state, slot, index, slot_signature)` given the committee's length: whether the validator whose
 * slot signature (selection proof) is `slotSignature` aggregates for its committee.
 */
export function isAggregator(committeeLength: number, slotSignature: Uint8Array): boolean {
  return selectedBySignature(slotSignature, aggregatorModulo(committeeLength));
}

/** Members per sync subcommittee: SYNC_COMMITTEE_SIZE // SYNC_COMMITTEE_SUBNET_COUNT. */
export function syncSubcommitteeSize(preset: Pick<Preset, "SYNC_COMMITTEE_SIZE">): number {
  return Math.floor(preset.SYNC_COMMITTEE_SIZE / SYNC_COMMITTEE_SUBNET_COUNT);
}

/** `is_sync_committee_aggregator(signature)`: modulo max(1, subcommittee size // TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE). */
export function isSyncCommitteeAggregator(
  selectionProof: Uint8Array,
  preset: Pick<Preset, "SYNC_COMMITTEE_SIZE">,
): boolean {
  const modulo = Math.max(1, Math.floor(syncSubcommitteeSize(preset) / TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE));
  return selectedBySignature(selectionProof, modulo);
}

/** The subcommittee (= sync subnet id) of position `indexInCommittee` of the sync committee. */
export function syncSubcommitteeIndex(indexInCommittee: number, preset: Pick<Preset, "SYNC_COMMITTEE_SIZE">): number {
  if (!Number.isInteger(indexInCommittee) || indexInCommittee < 0 || indexInCommittee >= preset.SYNC_COMMITTEE_SIZE) {
    throw new RangeError(`sync committee position ${indexInCommittee} out of range`);
  }
  return Math.floor(indexInCommittee / syncSubcommitteeSize(preset));
}

/** The members of subcommittee `subcommitteeIndex`: a view into the committee's validator indices. */
export function getSyncSubcommittee(
  committeeIndices: Uint32Array,
  subcommitteeIndex: number,
  preset: Pick<Preset, "SYNC_COMMITTEE_SIZE">,
): Uint32Array {
  if (
    !Number.isInteger(subcommitteeIndex) ||
    subcommitteeIndex < 0 ||
    subcommitteeIndex >= SYNC_COMMITTEE_SUBNET_COUNT
  ) {
    throw new RangeError(`subcommittee index ${subcommitteeIndex} out of range`);
  }
  const size = syncSubcommitteeSize(preset);
  return committeeIndices.subarray(subcommitteeIndex * size, (subcommitteeIndex + 1) * size);
}

/** One seat of a validator in the sync committee. */
export interface SyncCommitteeSeat {
  /** Position in the whole committee. */
  readonly indexInCommittee: number;
  /** Subcommittee (= subnet id). */
  readonly subcommitteeIndex: number;
  /** Position inside the subcommittee (its bit in a contribution's aggregation_bits). */
  readonly indexInSubcommittee: number;
}

/**
 * Every seat `validatorIndex` holds in a sync committee (a validator can be drawn more than once); the distinct
 * `subcommitteeIndex` values are `compute_subnets_for_sync_committee`.
 */
export function getSyncCommitteeSeats(
  committeeIndices: ArrayLike<number>,
  validatorIndex: number,
  preset: Pick<Preset, "SYNC_COMMITTEE_SIZE">,
): SyncCommitteeSeat[] {
  const size = syncSubcommitteeSize(preset);
  const seats: SyncCommitteeSeat[] = [];
  for (let i = 0; i < committeeIndices.length; i++) {
    if (committeeIndices[i] !== validatorIndex) continue;
    seats.push({ indexInCommittee: i, subcommitteeIndex: Math.floor(i / size), indexInSubcommittee: i % size });
  }
  return seats;
}
