// process_justification_and_finalization (phase0 from the matching target attestations, altair+ from the timely
// target flags: both are the target totals of EpochData) and weigh_justification_and_finalization. Balances are
// compared in increments: effective balances are whole increments, so `a * 3 >= b * 2` is the same in Gwei.
// The weighing is split in a pure part (`computeJustificationAndFinalization`: the new checkpoints and bits from
// the state and the balances, nothing written) and the writes, so the unrealized checkpoints of fork choice
// (unrealized.ts) reuse it without copying the state.
import { getBlockRoot } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import type { EpochData } from "./epochData.ts";

/** A checkpoint as plain values. */
export interface CheckpointValue {
  epoch: number;
  root: Uint8Array;
}

/** What weigh_justification_and_finalization leaves in the state's justification fields. */
export interface JustificationResult {
  previousJustified: CheckpointValue;
  currentJustified: CheckpointValue;
  /** The four justification bits, most recent epoch first. */
  justificationBits: [boolean, boolean, boolean, boolean];
  finalized: CheckpointValue;
  /** Whether current_justified_checkpoint / finalized_checkpoint are written (else they keep their old value). */
  currentJustifiedChanged: boolean;
  finalizedChanged: boolean;
}

/** `process_justification_and_finalization(state)` of every fork. */
export function processJustificationAndFinalization(cs: CachedState, data: EpochData): void {
  if (data.epoch <= 1) return;
  const total = cs.ctx.totalActiveIncrements;
  // get_total_balance is at least one increment.
  const previousTarget = Math.max(1, data.prevTargetIncrements);
  const currentTarget = Math.max(1, data.currTargetIncrements);
  weighJustificationAndFinalization(cs, total, previousTarget, currentTarget);
}

/**
 * `weigh_justification_and_finalization(state, total_active_balance, previous_epoch_target_balance,
 * current_epoch_target_balance)`, with the three balances in increments.
 */
export function weighJustificationAndFinalization(
  cs: CachedState,
  totalActive: number,
  previousTarget: number,
  currentTarget: number,
): void {
  const result = computeJustificationAndFinalization(cs, totalActive, previousTarget, currentTarget);
  const { state } = cs;
  const checkpointType = cs.config.types.phase0.Checkpoint;
  state.previousJustifiedCheckpoint = checkpointType.toViewDU(result.previousJustified);
  if (result.currentJustifiedChanged) {
    state.currentJustifiedCheckpoint = checkpointType.toViewDU(result.currentJustified);
  }
  const justificationBits = state.justificationBits.clone();
  for (let i = 0; i < result.justificationBits.length; i++) justificationBits.set(i, result.justificationBits[i]);
  state.justificationBits = justificationBits;
  if (result.finalizedChanged) state.finalizedCheckpoint = checkpointType.toViewDU(result.finalized);
}

/**
 * The pure part of `weigh_justification_and_finalization`: the justification fields it would leave in `cs.state`
 * given the three balances (in increments). Reads `cs`, writes nothing. The block roots of the previous and
 * current epoch are read only when that epoch is justified (as the spec does).
 */
export function computeJustificationAndFinalization(
  cs: CachedState,
  totalActive: number,
  previousTarget: number,
  currentTarget: number,
): JustificationResult {
  const { state } = cs;
  const currentEpoch = Math.floor(state.slot / cs.config.preset.SLOTS_PER_EPOCH);
  const previousEpoch = currentEpoch === 0 ? 0 : currentEpoch - 1;
  const oldPreviousJustified = state.previousJustifiedCheckpoint.toValue();
  const oldCurrentJustified = state.currentJustifiedCheckpoint.toValue();

  let currentJustified: CheckpointValue = oldCurrentJustified;
  let currentJustifiedChanged = false;
  const old = state.justificationBits.toBoolArray();
  const bits: [boolean, boolean, boolean, boolean] = [false, old[0], old[1], old[2]];
  if (previousTarget * 3 >= totalActive * 2) {
    currentJustified = { epoch: previousEpoch, root: getBlockRoot(cs, previousEpoch) };
    currentJustifiedChanged = true;
    bits[1] = true;
  }
  if (currentTarget * 3 >= totalActive * 2) {
    currentJustified = { epoch: currentEpoch, root: getBlockRoot(cs, currentEpoch) };
    currentJustifiedChanged = true;
    bits[0] = true;
  }

  let finalized: CheckpointValue | null = null;
  if (bits[1] && bits[2] && bits[3] && oldPreviousJustified.epoch + 3 === currentEpoch)
    finalized = oldPreviousJustified;
  if (bits[1] && bits[2] && oldPreviousJustified.epoch + 2 === currentEpoch) finalized = oldPreviousJustified;
  if (bits[0] && bits[1] && bits[2] && oldCurrentJustified.epoch + 2 === currentEpoch) finalized = oldCurrentJustified;
  if (bits[0] && bits[1] && oldCurrentJustified.epoch + 1 === currentEpoch) finalized = oldCurrentJustified;
  return {
    previousJustified: oldCurrentJustified,
    currentJustified,
    justificationBits: bits,
    finalized: finalized ?? state.finalizedCheckpoint.toValue(),
    currentJustifiedChanged,
    finalizedChanged: finalized !== null,
  };
}
