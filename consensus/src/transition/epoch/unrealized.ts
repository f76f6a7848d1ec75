// Unrealized checkpoints (phase0 fork-choice.md compute_pulled_up_tip): the justified and finalized checkpoints a
// state would have if process_justification_and_finalization ran now, at the end of its current epoch. Fork
// choice asks this of every imported block's post-state, so nothing is copied and nothing written: the target
// balances are summed from the pending attestations (phase0) or the participation flags (altair+) and handed to
// the pure weighing of justification.ts.
import { TIMELY_TARGET_FLAG_INDEX } from "../../params/constants.ts";
import { getBlockRoot } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { type AltairPlusState, atLeast, type StatePhase0 } from "../../state/types.ts";
import { bytesEqual } from "../../util/bytes.ts";
import { type CheckpointValue, computeJustificationAndFinalization } from "./justification.ts";

/** A checkpoint as plain values. */
export type Checkpoint = CheckpointValue;

/** The checkpoints compute_pulled_up_tip would record for a block. */
export interface UnrealizedCheckpoints {
  /** current_justified_checkpoint after process_justification_and_finalization. */
  justified: Checkpoint;
  /** finalized_checkpoint after process_justification_and_finalization. */
  finalized: Checkpoint;
}

const TIMELY_TARGET = 1 << TIMELY_TARGET_FLAG_INDEX;

/**
 * `process_justification_and_finalization(state.copy())` of `compute_pulled_up_tip`, returning the new current
 * justified and finalized checkpoints. `cs` is not modified (its root stays the same).
 */
export function computeUnrealizedCheckpoints(cs: CachedState): UnrealizedCheckpoints {
  const { state } = cs;
  const epoch = Math.floor(state.slot / cs.config.preset.SLOTS_PER_EPOCH);
  // GENESIS_EPOCH + 1 or earlier: process_justification_and_finalization returns without weighing.
  if (epoch <= 1) {
    return { justified: state.currentJustifiedCheckpoint.toValue(), finalized: state.finalizedCheckpoint.toValue() };
  }
  const { previous, current } = atLeast(cs.fork, "altair")
    ? participationTargetIncrements(cs, epoch)
    : attestationTargetIncrements(cs, epoch);
  // get_total_balance is at least one increment.
  const result = computeJustificationAndFinalization(
    cs,
    cs.ctx.totalActiveIncrements,
    Math.max(1, previous),
    Math.max(1, current),
  );
  return { justified: result.currentJustified, finalized: result.finalized };
}

/** Target balances of the previous and current epoch in increments, as read by the weighing. */
interface TargetIncrements {
  previous: number;
  current: number;
}

/**
 * Altair+: `get_unslashed_participating_indices(state, TIMELY_TARGET_FLAG_INDEX, epoch)` summed for the previous
 * and the current epoch (active in that epoch, unslashed, target flag set), in effective-balance increments.
 */
function participationTargetIncrements(cs: CachedState, epoch: number): TargetIncrements {
  const state = cs.state as AltairPlusState;
  const validators = state.validators.getAllReadonly();
  const increments = cs.ctx.effectiveBalanceIncrements;
  const sum = (participation: number[], activeIndices: Uint32Array): number => {
    let total = 0;
    for (let k = 0; k < activeIndices.length; k++) {
      const i = activeIndices[k];
      if ((participation[i] & TIMELY_TARGET) === 0 || validators[i].slashed) continue;
      total += increments[i];
    }
    return total;
  };
  return {
    previous: sum(state.previousEpochParticipation.getAll(), cs.ctx.getShuffling(epoch - 1).activeIndices),
    current: sum(state.currentEpochParticipation.getAll(), cs.ctx.getShuffling(epoch).activeIndices),
  };
}

/**
 * Phase0: the total effective balance (in increments) of the unslashed attesting indices of
 * `get_matching_target_attestations(state, previous_epoch)` and of `(…, current_epoch)`.
 */
function attestationTargetIncrements(cs: CachedState, epoch: number): TargetIncrements {
  const state = cs.state as StatePhase0;
  const validators = state.validators.getAllReadonly();
  const increments = cs.ctx.effectiveBalanceIncrements;
  const counted = new Uint8Array(validators.length);
  const PREVIOUS = 1;
  const CURRENT = 2;
  const sum = (attestations: ReturnType<typeof state.previousEpochAttestations.getAllReadonly>, target: number) => {
    if (attestations.length === 0) return 0;
    // get_block_root(state, epoch) is only evaluated when there is an attestation to compare it with (at an
    // epoch's first slot the current epoch has none, and its root is not yet available).
    const targetRoot = getBlockRoot(cs, target === PREVIOUS ? epoch - 1 : epoch);
    let total = 0;
    for (const att of attestations) {
      const data = att.data;
      if (!bytesEqual(data.target.root, targetRoot)) continue;
      const committee = cs.ctx.getBeaconCommittee(data.slot, data.index);
      const bits = att.aggregationBits;
      for (let j = 0; j < committee.length; j++) {
        if (!bits.get(j)) continue;
        const index = committee[j];
        if (counted[index] & target || validators[index].slashed) continue;
        counted[index] |= target;
        total += increments[index];
      }
    }
    return total;
  };
  return {
    previous: sum(state.previousEpochAttestations.getAllReadonly(), PREVIOUS),
    current: sum(state.currentEpochAttestations.getAllReadonly(), CURRENT),
  };
}
