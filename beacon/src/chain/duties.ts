// Validator duties from a state's epoch caches — never by running an epoch transition: attester duties of the
// state's current or next epoch (both shufflings are in its EpochContext), proposer duties of its current epoch (and,
// from fulu, the next one from the proposer lookahead), sync committee duties of its current or next period. An
// epoch a state cannot answer without advancing is refused with DutyError("EPOCH_OUT_OF_RANGE"), which the API turns
// into 400. `DutyCaches` keeps each answer per (epoch, dependent root) so it is computed once.
import { SextantError } from "@sextant/common/errors";
import { type CommitteeAssignment, computeCommitteeAssignments } from "@sextant/consensus/committees/committees";
import type { CachedState } from "@sextant/consensus/state/cachedState";
import { atLeast, type StateFulu } from "@sextant/consensus/state/types";
import { EpochKeyedCache, type RootKey } from "./epochKeyedCache.ts";

export type DutyErrorCode = "EPOCH_OUT_OF_RANGE" | "NO_SYNC_COMMITTEES";

/** A duty request the state cannot answer without an epoch transition. */
export class DutyError extends SextantError<DutyErrorCode, { epoch: number; stateEpoch: number }> {}

/** One attester duty (the Beacon API's AttesterDuty without the pubkey): consensus's committee assignment. */
export type AttesterDuty = CommitteeAssignment;

/** All attester duties of one epoch by validator index (one pass over the shuffling). */
export type EpochAttesterDuties = ReadonlyMap<number, AttesterDuty>;

function stateEpochOf(cs: CachedState): number {
  return Math.floor(cs.state.slot / cs.config.preset.SLOTS_PER_EPOCH);
}

function outOfRange(epoch: number, stateEpoch: number, what: string): DutyError {
  return new DutyError(
    "EPOCH_OUT_OF_RANGE",
    `${what} of epoch ${epoch} cannot be computed from a state at epoch ${stateEpoch} without an epoch transition`,
    { epoch, stateEpoch },
  );
}

/** Every attester duty of `epoch` (the state's current or next epoch). */
export function computeAttesterDuties(cs: CachedState, epoch: number): EpochAttesterDuties {
  const stateEpoch = stateEpochOf(cs);
  if (epoch !== stateEpoch && epoch !== stateEpoch + 1) throw outOfRange(epoch, stateEpoch, "attester duties");
  const shuffling = cs.ctx.getShuffling(epoch);
  return computeCommitteeAssignments(shuffling, shuffling.activeIndices);
}

/** The proposer of every slot of `epoch`: the state's current epoch, or from fulu the next one (lookahead). */
export function computeProposerDuties(cs: CachedState, epoch: number): Uint32Array {
  const stateEpoch = stateEpochOf(cs);
  const slots = cs.config.preset.SLOTS_PER_EPOCH;
  if (epoch === stateEpoch) return cs.ctx.proposers.slice();
  if (epoch === stateEpoch + 1 && atLeast(cs.fork, "fulu")) {
    const lookahead = (cs.state as StateFulu).proposerLookahead.getAll();
    return Uint32Array.from(lookahead.slice(slots, 2 * slots));
  }
  throw outOfRange(epoch, stateEpoch, "proposer duties");
}

/** The sync committee (validator indices by position) of the period of `epoch`: the state's current or next. */
export function computeSyncCommittee(cs: CachedState, epoch: number): Uint32Array {
  const stateEpoch = stateEpochOf(cs);
  const perPeriod = cs.config.preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD;
  const period = Math.floor(epoch / perPeriod);
  const statePeriod = Math.floor(stateEpoch / perPeriod);
  const { currentSyncCommittee, nextSyncCommittee } = cs.ctx;
  if (
    currentSyncCommittee === undefined ||
    nextSyncCommittee === undefined ||
    epoch < cs.config.chain.ALTAIR_FORK_EPOCH
  ) {
    throw new DutyError("NO_SYNC_COMMITTEES", `no sync committees at epoch ${epoch} (before altair)`, {
      epoch,
      stateEpoch,
    });
  }
  if (period === statePeriod) return currentSyncCommittee.indices;
  if (period === statePeriod + 1) return nextSyncCommittee.indices;
  throw outOfRange(epoch, stateEpoch, "sync committee duties");
}

/**
 * Duties cached per (epoch, dependent root): the first request of a key computes it from the state the caller
 * supplies, every later (or concurrent) request of the same key gets the same answer.
 */
export class DutyCaches {
  readonly attester = new EpochKeyedCache<EpochAttesterDuties>(8);
  readonly proposer = new EpochKeyedCache<Uint32Array>(8);
  readonly sync = new EpochKeyedCache<Uint32Array>(4);

  // A built entry is returned as it is (no promise): the hot path of every duty request after the first.
  attesterDuties(
    epoch: number,
    dependentRoot: RootKey,
    state: () => CachedState,
  ): EpochAttesterDuties | Promise<EpochAttesterDuties> {
    return (
      this.attester.get(epoch, dependentRoot) ??
      this.attester.getOrBuild(epoch, dependentRoot, () => computeAttesterDuties(state(), epoch))
    );
  }

  proposerDuties(epoch: number, dependentRoot: RootKey, state: () => CachedState): Uint32Array | Promise<Uint32Array> {
    return (
      this.proposer.get(epoch, dependentRoot) ??
      this.proposer.getOrBuild(epoch, dependentRoot, () => computeProposerDuties(state(), epoch))
    );
  }

  /** Keyed by the period's first epoch and the root that decided the committee. */
  syncCommittee(epoch: number, dependentRoot: RootKey, state: () => CachedState): Promise<Uint32Array> {
    return this.sync.getOrBuild(epoch, dependentRoot, () => computeSyncCommittee(state(), epoch));
  }

  /** Drops every cached key of an epoch before `epoch` (after finalization). */
  pruneBefore(epoch: number): void {
    this.attester.pruneBefore(epoch);
    this.proposer.pruneBefore(epoch);
    this.sync.pruneBefore(epoch);
  }
}
