// Beacon committees of an epoch: `get_committee_count_per_slot`, `compute_committee` and a whole-epoch shuffling
// whose committees are contiguous views into one shuffled list (what `get_beacon_committee` returns for every
// (slot, index) of the epoch), plus the attester-duty lookup built on it.
import type { Preset } from "../params/presets/preset.ts";
import { createShuffledIndexFn, unshuffleList } from "./shuffle.ts";

/** The preset values committee computation reads. */
export type CommitteePreset = Pick<
  Preset,
  "SLOTS_PER_EPOCH" | "TARGET_COMMITTEE_SIZE" | "MAX_COMMITTEES_PER_SLOT" | "SHUFFLE_ROUND_COUNT"
>;

/**
 * `get_committee_count_per_slot` from the active validator count:
 * max(1, min(MAX_COMMITTEES_PER_SLOT, active // SLOTS_PER_EPOCH // TARGET_COMMITTEE_SIZE)).
 */
export function computeCommitteeCount(activeValidatorCount: number, preset: CommitteePreset): number {
  const perSlot = Math.floor(Math.floor(activeValidatorCount / preset.SLOTS_PER_EPOCH) / preset.TARGET_COMMITTEE_SIZE);
  return Math.max(1, Math.min(preset.MAX_COMMITTEES_PER_SLOT, perSlot));
}

/**
 * The spec's `compute_committee(indices, seed, index, count)` one committee at a time (SHUFFLE_ROUND_COUNT =
 * `rounds`). For all committees of an epoch, `computeEpochShuffling` is far cheaper.
 */
export function computeCommittee(
  indices: ArrayLike<number>,
  seed: Uint8Array,
  index: number,
  count: number,
  rounds: number,
): Uint32Array {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`bad committee count: ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`bad committee index: ${index}`);
  const n = indices.length;
  const start = Math.floor((n * index) / count);
  const end = Math.floor((n * (index + 1)) / count);
  const shuffledIndex = createShuffledIndexFn(n, seed, rounds);
  const out = new Uint32Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = indices[shuffledIndex(i)];
  return out;
}

/** Every beacon committee of one epoch. */
export interface EpochShuffling {
  /** The epoch these committees serve. */
  readonly epoch: number;
  /** The active validator indices of the epoch, in registry order (not shuffled). */
  readonly activeIndices: Uint32Array;
  /** `activeIndices` in committee order: `shuffling[i] = activeIndices[compute_shuffled_index(i, n, seed)]`. */
  readonly shuffling: Uint32Array;
  /** `committees[slot % SLOTS_PER_EPOCH][committeeIndex]`: a view into `shuffling`. */
  readonly committees: readonly (readonly Uint32Array[])[];
  /** `get_committee_count_per_slot` for the epoch. */
  readonly committeesPerSlot: number;
}

/**
 * Builds all committees of `epoch` from its active validator indices (registry order) and its attester seed
 * (`get_seed(state, epoch, DOMAIN_BEACON_ATTESTER)`). `activeIndices` is copied, not modified.
 */
export function computeEpochShuffling(
  epoch: number,
  activeIndices: Uint32Array,
  seed: Uint8Array,
  preset: CommitteePreset,
): EpochShuffling {
  const shuffling = unshuffleList(activeIndices.slice(), seed, preset.SHUFFLE_ROUND_COUNT);
  const n = shuffling.length;
  const slots = preset.SLOTS_PER_EPOCH;
  const committeesPerSlot = computeCommitteeCount(n, preset);
  const count = committeesPerSlot * slots;
  const committees: Uint32Array[][] = [];
  for (let slot = 0; slot < slots; slot++) {
    const slotCommittees: Uint32Array[] = [];
    for (let c = 0; c < committeesPerSlot; c++) {
      const k = slot * committeesPerSlot + c;
      slotCommittees.push(shuffling.subarray(Math.floor((n * k) / count), Math.floor((n * (k + 1)) / count)));
    }
    committees.push(slotCommittees);
  }
  return { epoch, activeIndices, shuffling, committees, committeesPerSlot };
}

/**
 * `get_beacon_committee(state, slot, index)` from the shuffling of the slot's epoch. Throws when `slot` is not in
 * `shuffling.epoch` or `index` is not below `committeesPerSlot`.
 */
export function getBeaconCommittee(shuffling: EpochShuffling, slot: number, index: number): Uint32Array {
  const slots = shuffling.committees.length;
  if (!Number.isInteger(slot) || Math.floor(slot / slots) !== shuffling.epoch) {
    throw new RangeError(`slot ${slot} is not in epoch ${shuffling.epoch}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= shuffling.committeesPerSlot) {
    throw new RangeError(`committee index ${index} out of range (${shuffling.committeesPerSlot} per slot)`);
  }
  return shuffling.committees[slot % slots][index];
}

/** Where one validator attests in an epoch (the fields of a Beacon API attester duty). */
export interface CommitteeAssignment {
  readonly validatorIndex: number;
  readonly slot: number;
  readonly committeeIndex: number;
  readonly committeeLength: number;
  readonly committeesAtSlot: number;
  /** The validator's position inside its committee (its aggregation bit). */
  readonly validatorCommitteeIndex: number;
}

/**
 * The committee assignment of each requested validator that is active in the shuffling's epoch (inactive or
 * unknown indices are absent from the result). One pass over the shuffling.
 */
export function computeCommitteeAssignments(
  shuffling: EpochShuffling,
  validatorIndices: Iterable<number>,
): Map<number, CommitteeAssignment> {
  const wanted = new Set(validatorIndices);
  const out = new Map<number, CommitteeAssignment>();
  const slots = shuffling.committees.length;
  for (let s = 0; s < slots && out.size < wanted.size; s++) {
    const slotCommittees = shuffling.committees[s];
    for (let c = 0; c < slotCommittees.length; c++) {
      const committee = slotCommittees[c];
      for (let p = 0; p < committee.length; p++) {
        const validatorIndex = committee[p];
        if (!wanted.has(validatorIndex)) continue;
        out.set(validatorIndex, {
          validatorIndex,
          slot: shuffling.epoch * slots + s,
          committeeIndex: c,
          committeeLength: committee.length,
          committeesAtSlot: shuffling.committeesPerSlot,
          validatorCommitteeIndex: p,
        });
      }
    }
  }
  return out;
}
