// Fulu's proposer lookahead (EIP-7917): the state carries the proposers of the current epoch and the next
// MIN_SEED_LOOKAHEAD epochs; `initialize_proposer_lookahead` fills it at the fork (or genesis), and
// `process_proposer_lookahead` shifts one epoch out and appends a new one at every epoch transition.
import type { Preset } from "../params/presets/preset.ts";
import { computeEpochProposers, type ProposerPreset } from "./selection.ts";

/** The preset values the lookahead reads. */
export type LookaheadPreset = ProposerPreset & Pick<Preset, "MIN_SEED_LOOKAHEAD">;

/** What `get_beacon_proposer_indices(state, epoch)` reads from the state for one epoch. */
export interface ProposerEpochInputs {
  /** `get_active_validator_indices(state, epoch)`. */
  readonly activeIndices: ArrayLike<number>;
  /** `state.validators[v].effective_balance` in Gwei, indexed by validator index (the state's current values). */
  readonly effectiveBalances: ArrayLike<number>;
  /** `get_seed(state, epoch, DOMAIN_BEACON_PROPOSER)`. */
  readonly seed: Uint8Array;
}

/** Supplies the proposer inputs of an epoch (the caller reads them from its state). */
export type ProposerInputsAt = (epoch: number) => ProposerEpochInputs;

/** The fork whose `compute_proposer_index` the lookahead uses (the electra rule; the lookahead exists from fulu). */
const LOOKAHEAD_FORK = "fulu";

/** Length of `state.proposer_lookahead`: (MIN_SEED_LOOKAHEAD + 1) · SLOTS_PER_EPOCH. */
export function proposerLookaheadLength(preset: LookaheadPreset): number {
  return (preset.MIN_SEED_LOOKAHEAD + 1) * preset.SLOTS_PER_EPOCH;
}

/** Fulu's `get_beacon_proposer_indices(state, epoch)` on plain inputs. */
export function computeBeaconProposerIndices(
  epoch: number,
  inputsAt: ProposerInputsAt,
  preset: LookaheadPreset,
): Uint32Array {
  const { effectiveBalances, activeIndices, seed } = inputsAt(epoch);
  return computeEpochProposers(effectiveBalances, activeIndices, seed, epoch, LOOKAHEAD_FORK, preset);
}

/**
 * `initialize_proposer_lookahead(state)`: the proposers of epochs currentEpoch … currentEpoch + MIN_SEED_LOOKAHEAD,
 * concatenated.
 */
export function initializeProposerLookahead(
  currentEpoch: number,
  inputsAt: ProposerInputsAt,
  preset: LookaheadPreset,
): Uint32Array {
  const slots = preset.SLOTS_PER_EPOCH;
  const out = new Uint32Array(proposerLookaheadLength(preset));
  for (let i = 0; i <= preset.MIN_SEED_LOOKAHEAD; i++) {
    out.set(computeBeaconProposerIndices(currentEpoch + i, inputsAt, preset), i * slots);
  }
  return out;
}

/**
 * `process_proposer_lookahead(state)` without mutation: returns the new lookahead, `lookahead` shifted left by one
 * epoch with the proposers of `currentEpoch + MIN_SEED_LOOKAHEAD + 1` appended. `currentEpoch` is the state's
 * current epoch during epoch processing (the epoch that is ending); `inputsAt` must reflect the state at that
 * point (after the effective-balance updates).
 */
export function processProposerLookahead(
  lookahead: Uint32Array,
  currentEpoch: number,
  inputsAt: ProposerInputsAt,
  preset: LookaheadPreset,
): Uint32Array {
  const length = proposerLookaheadLength(preset);
  if (lookahead.length !== length) throw new RangeError(`lookahead must have ${length} entries`);
  const lastEpochStart = length - preset.SLOTS_PER_EPOCH;
  const out = new Uint32Array(length);
  out.set(lookahead.subarray(preset.SLOTS_PER_EPOCH), 0);
  const newEpoch = currentEpoch + preset.MIN_SEED_LOOKAHEAD + 1;
  out.set(computeBeaconProposerIndices(newEpoch, inputsAt, preset), lastEpochStart);
  return out;
}

/**
 * The proposer of `slot` from a state's lookahead whose current epoch is `currentEpoch`. For a slot of the current
 * epoch this is fulu's `get_beacon_proposer_index`; later slots of the window give the upcoming proposers.
 * Throws when `slot` is outside the window.
 */
export function getLookaheadProposer(
  lookahead: Uint32Array,
  currentEpoch: number,
  slot: number,
  preset: LookaheadPreset,
): number {
  const offset = slot - currentEpoch * preset.SLOTS_PER_EPOCH;
  if (!Number.isInteger(offset) || offset < 0 || offset >= lookahead.length) {
    throw new RangeError(`slot ${slot} is outside the lookahead of epoch ${currentEpoch}`);
  }
  return lookahead[offset];
}
