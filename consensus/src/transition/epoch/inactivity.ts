// altair's process_inactivity_updates, and the finality helpers both eras share (get_finality_delay,
// is_in_inactivity_leak). Scores are read and written as whole arrays (one bulk read, one bulk write).
import type { CachedState } from "../../state/cachedState.ts";
import type { AltairPlusState } from "../../state/types.ts";
import { type EpochData, FLAG_ELIGIBLE, FLAG_PREV_TARGET } from "./epochData.ts";

/** `get_finality_delay(state)`: previous epoch minus the finalized epoch. */
export function finalityDelay(cs: CachedState, data: EpochData): number {
  return data.prevEpoch - cs.state.finalizedCheckpoint.epoch;
}

/** `is_in_inactivity_leak(state)`. */
export function isInInactivityLeak(cs: CachedState, data: EpochData): boolean {
  return finalityDelay(cs, data) > cs.config.preset.MIN_EPOCHS_TO_INACTIVITY_PENALTY;
}

/**
 * `process_inactivity_updates(state)` (altair+). Returns the updated scores (what the inactivity penalties read),
 * or null at genesis, when nothing changes.
 */
export function processInactivityUpdates(cs: CachedState, data: EpochData): number[] | null {
  if (data.epoch === 0) return null;
  const state = cs.state as AltairPlusState;
  const { INACTIVITY_SCORE_BIAS: bias, INACTIVITY_SCORE_RECOVERY_RATE: recovery } = cs.config.chain;
  const leak = isInInactivityLeak(cs, data);
  const scores = state.inactivityScores.getAll();
  const flags = data.flags;
  // Outside a leak most scores stay at zero: a few changed scores are set one by one (touching only their
  // leaves), many are written back as a new list in one go.
  const changed: number[] = [];
  for (let i = 0; i < data.count; i++) {
    const f = flags[i];
    if ((f & FLAG_ELIGIBLE) === 0) continue;
    let score = scores[i];
    const before = score;
    if (f & FLAG_PREV_TARGET) score -= Math.min(1, score);
    else score += bias;
    if (!leak) score -= Math.min(recovery, score);
    if (score !== before) {
      scores[i] = score;
      changed.push(i);
    }
  }
  if (changed.length > scores.length / 16) {
    const type = cs.config.types.altair.BeaconState.fields.inactivityScores;
    state.inactivityScores = type.toViewDU(scores);
  } else {
    for (const i of changed) state.inactivityScores.set(i, scores[i]);
  }
  return scores;
}
