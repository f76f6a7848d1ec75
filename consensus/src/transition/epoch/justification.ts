// process_justification_and_finalization (phase0 from the matching target attestations, altair+ from the timely
// target flags: both are the target totals of EpochData) and weigh_justification_and_finalization. Balances are
// compared in increments: effective balances are whole increments, so `a * 3 >= b * 2` is the same in Gwei.
import { getBlockRoot } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import type { EpochData } from "./epochData.ts";

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
  const { state } = cs;
  const currentEpoch = Math.floor(state.slot / cs.config.preset.SLOTS_PER_EPOCH);
  const previousEpoch = currentEpoch === 0 ? 0 : currentEpoch - 1;
  const oldPreviousJustified = state.previousJustifiedCheckpoint.toValue();
  const oldCurrentJustified = state.currentJustifiedCheckpoint.toValue();
  const checkpointType = cs.config.types.phase0.Checkpoint;

  state.previousJustifiedCheckpoint = checkpointType.toViewDU(oldCurrentJustified);
  const old = state.justificationBits.toBoolArray();
  const bits = [false, old[0], old[1], old[2]];
  if (previousTarget * 3 >= totalActive * 2) {
    state.currentJustifiedCheckpoint = checkpointType.toViewDU({
      epoch: previousEpoch,
      root: getBlockRoot(cs, previousEpoch),
    });
    bits[1] = true;
  }
  if (currentTarget * 3 >= totalActive * 2) {
    state.currentJustifiedCheckpoint = checkpointType.toViewDU({
      epoch: currentEpoch,
      root: getBlockRoot(cs, currentEpoch),
    });
    bits[0] = true;
  }
  const justificationBits = state.justificationBits.clone();
  for (let i = 0; i < bits.length; i++) justificationBits.set(i, bits[i]);
  state.justificationBits = justificationBits;

  let finalized: { epoch: number; root: Uint8Array } | null = null;
  if (bits[1] && bits[2] && bits[3] && oldPreviousJustified.epoch + 3 === currentEpoch)
    finalized = oldPreviousJustified;
  if (bits[1] && bits[2] && oldPreviousJustified.epoch + 2 === currentEpoch) finalized = oldPreviousJustified;
  if (bits[0] && bits[1] && bits[2] && oldCurrentJustified.epoch + 2 === currentEpoch) finalized = oldCurrentJustified;
  if (bits[0] && bits[1] && oldCurrentJustified.epoch + 1 === currentEpoch) finalized = oldCurrentJustified;
  if (finalized !== null) state.finalizedCheckpoint = checkpointType.toViewDU(finalized);
}
