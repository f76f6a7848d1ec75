// altair/fork.md `upgrade_to_altair` and `translate_participation`: the phase0 state becomes an altair state with
// participation flags (the previous epoch's translated from its pending attestations), zero inactivity scores and
// the same sync committee as current and next.
import { TIMELY_HEAD_FLAG_INDEX, TIMELY_SOURCE_FLAG_INDEX, TIMELY_TARGET_FLAG_INDEX } from "../../params/constants.ts";
import { forkVersion } from "../../params/forkSchedule.ts";
import {
  type AttestationData,
  currentEpoch,
  getAttestingIndices,
  getBlockRoot,
  getBlockRootAtSlot,
  type Phase0Attestation,
} from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { integerSquareRoot } from "../../state/epochContext.ts";
import { check, TransitionError } from "../../state/errors.ts";
import type { StateAltair, StatePhase0 } from "../../state/types.ts";
import { bytesEqual } from "../../util/bytes.ts";
import { carryOverState } from "./carryOver.ts";
import { getNextSyncCommittee } from "./syncCommittee.ts";

/**
 * altair's `get_attestation_participation_flag_indices(state, data, inclusion_delay)` as a flags byte, for a
 * state whose checkpoints and block roots are `cs`'s (the phase0 pre-state has the same ones as the post-state).
 */
export function participationFlagsOf(cs: CachedState, data: AttestationData, inclusionDelay: number): number {
  const state = cs.state;
  const { preset } = cs.config;
  const justified =
    data.target.epoch === currentEpoch(cs) ? state.currentJustifiedCheckpoint : state.previousJustifiedCheckpoint;
  const isMatchingSource = data.source.epoch === justified.epoch && bytesEqual(data.source.root, justified.root);
  check(isMatchingSource, "get_attestation_participation_flag_indices: is_matching_source");
  const isMatchingTarget = bytesEqual(data.target.root, getBlockRoot(cs, data.target.epoch));
  const isMatchingHead = isMatchingTarget && bytesEqual(data.beaconBlockRoot, getBlockRootAtSlot(cs, data.slot));
  let flags = 0;
  if (inclusionDelay <= Number(integerSquareRoot(BigInt(preset.SLOTS_PER_EPOCH)))) {
    flags |= 1 << TIMELY_SOURCE_FLAG_INDEX;
  }
  if (isMatchingTarget && inclusionDelay <= preset.SLOTS_PER_EPOCH) flags |= 1 << TIMELY_TARGET_FLAG_INDEX;
  if (isMatchingHead && inclusionDelay === preset.MIN_ATTESTATION_INCLUSION_DELAY) {
    flags |= 1 << TIMELY_HEAD_FLAG_INDEX;
  }
  return flags;
}

/**
 * `translate_participation(post, pre.previous_epoch_attestations)`: the previous epoch's participation flags, one
 * byte per validator, read from the phase0 state `cs` (its committees are the cached previous shuffling).
 */
export function translateParticipation(cs: CachedState): number[] {
  const pre = cs.state as StatePhase0;
  const flags = new Array<number>(pre.validators.length).fill(0);
  for (const attestation of pre.previousEpochAttestations.getAllReadonlyValues()) {
    const attestationFlags = participationFlagsOf(cs, attestation.data, attestation.inclusionDelay);
    // get_attesting_indices reads only data and aggregation_bits.
    for (const index of getAttestingIndices(cs, attestation as unknown as Phase0Attestation)) {
      flags[index] |= attestationFlags;
    }
  }
  return flags;
}

/** `upgrade_to_altair(pre)`: replaces `cs.state` (phase0) with the altair state and sets `cs.fork`. */
export function upgradeStateToAltair(cs: CachedState): void {
  if (cs.fork !== "phase0") {
    throw new TransitionError("INVALID_REQUEST", "upgrade_to_altair: pre is a phase0 state", `got ${cs.fork}`);
  }
  const { types, chain } = cs.config;
  const pre = cs.state as StatePhase0;
  const epoch = currentEpoch(cs);
  const count = pre.validators.length;
  const previousParticipation = translateParticipation(cs);

  const post = carryOverState<StateAltair>(types.phase0.BeaconState, pre, types.altair.BeaconState, [
    "fork",
    "previousEpochParticipation",
    "currentEpochParticipation",
    "inactivityScores",
    "currentSyncCommittee",
    "nextSyncCommittee",
  ]);
  post.fork = types.phase0.Fork.toViewDU({
    previousVersion: pre.fork.currentVersion,
    currentVersion: forkVersion(chain, "altair"),
    epoch,
  });
  const zeros = new Array<number>(count).fill(0);
  post.previousEpochParticipation = types.altair.EpochParticipation.toViewDU(previousParticipation);
  post.currentEpochParticipation = types.altair.EpochParticipation.toViewDU(zeros);
  post.inactivityScores = types.altair.InactivityScores.toViewDU(zeros);
  cs.state = post;
  cs.fork = "altair";
  // The duplicate committee at the fork boundary: current and next are both get_next_sync_committee(post).
  const { committee } = getNextSyncCommittee(cs);
  post.currentSyncCommittee = types.altair.SyncCommittee.toViewDU(committee);
  post.nextSyncCommittee = types.altair.SyncCommittee.toViewDU(committee);
  post.commit();
}
