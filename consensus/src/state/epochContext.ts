// What a state's epoch determines, computed once per epoch instead of on every use: the shufflings of the previous,
// current and next epoch, the current epoch's proposers, effective balances in increments, the total active
// balance and the values derived from it (base reward, churn limits), the exit queue, and the sync committees as
// validator indices. Built from a state (`EpochContext.fromState`) and rotated at each epoch transition
// (`afterEpochTransition`), never recomputed by a reader. Immutable parts are shared between clones.
//
// Gwei sums over the registry exceed 2**53 at ~280k validators of 32 ETH, so totals are kept in increments
// (EFFECTIVE_BALANCE_INCREMENT) and converted with BigInt where the spec divides them.
import { computeEpochShuffling, type EpochShuffling } from "../committees/committees.ts";
import { initializeProposerLookahead } from "../committees/lookahead.ts";
import { computeSeed, randaoMixIndexForSeed } from "../committees/seed.ts";
import { computeEpochProposers } from "../committees/selection.ts";
import { FAR_FUTURE_EPOCH } from "../params/constants.ts";
import type { ForkName } from "../params/forkName.ts";
import { DOMAIN_BEACON_ATTESTER, DOMAIN_BEACON_PROPOSER } from "../signing/domainTypes.ts";
import { PubkeyCache } from "./pubkeyCache.ts";
import { type AnyState, atLeast, type BeaconConfig, type StateAltair, type StateFulu } from "./types.ts";

/** A sync committee as validator indices, with each validator's positions in it. */
export interface SyncCommitteeIndices {
  /** validator index at each of the SYNC_COMMITTEE_SIZE positions. */
  readonly indices: Uint32Array;
  /** validator index → its positions in the committee (a validator may sit more than once). */
  readonly positions: ReadonlyMap<number, readonly number[]>;
}

/** What one pass over the registry yields. */
interface RegistryScan {
  effectiveBalanceIncrements: Uint16Array;
  /** Active indices of epochs current-1, current and current+1. */
  previousActive: Uint32Array;
  currentActive: Uint32Array;
  nextActive: Uint32Array;
  totalActiveIncrements: number;
  exitQueueEpoch: number;
  exitQueueChurn: number;
}

/** Reads a validator's pubkey from `state` (for the pubkey cache's conflicted indices). */
export function statePubkeyReader(state: AnyState): (index: number) => Uint8Array {
  return (index) => state.validators.getReadonly(index).pubkey;
}

/** `integer_squareroot(n)` for n < 2**64 given as a bigint. */
export function integerSquareRoot(n: bigint): bigint {
  if (n < 0n) throw new RangeError("square root of a negative number");
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

/** Builds `SyncCommitteeIndices` from the committee's validator indices. */
export function syncCommitteeIndices(indices: Uint32Array): SyncCommitteeIndices {
  const positions = new Map<number, number[]>();
  for (let i = 0; i < indices.length; i++) {
    const list = positions.get(indices[i]);
    if (list) list.push(i);
    else positions.set(indices[i], [i]);
  }
  return { indices, positions };
}

/** The epoch-level caches of one state. Fields are readonly to readers; the transition replaces them. */
export class EpochContext {
  readonly config: BeaconConfig;
  /** Shared by every state of the chain. */
  readonly pubkeys: PubkeyCache;
  /** The state's current epoch. */
  epoch: number;
  previousShuffling: EpochShuffling;
  currentShuffling: EpochShuffling;
  nextShuffling: EpochShuffling;
  /** Proposer of each slot of the current epoch. */
  proposers: Uint32Array;
  /** Effective balance / EFFECTIVE_BALANCE_INCREMENT per validator; shared between clones until written. */
  private increments: Uint16Array;
  private ownsIncrements: boolean;
  /** Sum of the active validators' effective balances in the current epoch, in increments (at least 1). */
  totalActiveIncrements: number;
  /** Altair's get_base_reward_per_increment for the current epoch. */
  baseRewardPerIncrement: number;
  /** phase0 … deneb: get_validator_churn_limit; deneb's activation churn is capped separately. */
  churnLimit: number;
  activationChurnLimit: number;
  /** electra: get_balance_churn_limit, get_activation_exit_churn_limit, get_consolidation_churn_limit (Gwei). */
  balanceChurnLimit: number;
  activationExitChurnLimit: number;
  consolidationChurnLimit: number;
  /** Pre-electra exit queue: the latest exit epoch in the registry and how many validators exit then. */
  exitQueueEpoch: number;
  exitQueueChurn: number;
  /** Altair+: the sync committees of the state, as indices. */
  currentSyncCommittee: SyncCommitteeIndices | undefined;
  nextSyncCommittee: SyncCommitteeIndices | undefined;
  /** Left by process_epoch for the rotation that follows: the active set of the epoch after the next one. */
  private upcomingActive: { epoch: number; indices: Uint32Array } | undefined;

  private constructor(config: BeaconConfig, pubkeys: PubkeyCache, from?: EpochContext) {
    this.config = config;
    this.pubkeys = pubkeys;
    if (from) {
      this.epoch = from.epoch;
      this.previousShuffling = from.previousShuffling;
      this.currentShuffling = from.currentShuffling;
      this.nextShuffling = from.nextShuffling;
      this.proposers = from.proposers;
      this.increments = from.increments;
      this.ownsIncrements = false;
      this.totalActiveIncrements = from.totalActiveIncrements;
      this.baseRewardPerIncrement = from.baseRewardPerIncrement;
      this.churnLimit = from.churnLimit;
      this.activationChurnLimit = from.activationChurnLimit;
      this.balanceChurnLimit = from.balanceChurnLimit;
      this.activationExitChurnLimit = from.activationExitChurnLimit;
      this.consolidationChurnLimit = from.consolidationChurnLimit;
      this.exitQueueEpoch = from.exitQueueEpoch;
      this.exitQueueChurn = from.exitQueueChurn;
      this.currentSyncCommittee = from.currentSyncCommittee;
      this.nextSyncCommittee = from.nextSyncCommittee;
    } else {
      const empty = computeEpochShuffling(0, new Uint32Array(0), new Uint8Array(32), config.preset);
      this.epoch = 0;
      this.previousShuffling = empty;
      this.currentShuffling = empty;
      this.nextShuffling = empty;
      this.proposers = new Uint32Array(0);
      this.increments = new Uint16Array(0);
      this.ownsIncrements = true;
      this.totalActiveIncrements = 1;
      this.baseRewardPerIncrement = 0;
      this.churnLimit = 0;
      this.activationChurnLimit = 0;
      this.balanceChurnLimit = 0;
      this.activationExitChurnLimit = 0;
      this.consolidationChurnLimit = 0;
      this.exitQueueEpoch = 0;
      this.exitQueueChurn = 0;
      this.currentSyncCommittee = undefined;
      this.nextSyncCommittee = undefined;
    }
  }

  /** Builds every cache of `state` (fork `fork`) from scratch; `pubkeys` is the chain's shared cache, if any. */
  static fromState(config: BeaconConfig, state: AnyState, fork: ForkName, pubkeys = new PubkeyCache()): EpochContext {
    const ctx = new EpochContext(config, pubkeys);
    const epoch = Math.floor(state.slot / config.preset.SLOTS_PER_EPOCH);
    ctx.epoch = epoch;
    const scan = ctx.scanRegistry(state, epoch, true);
    ctx.increments = scan.effectiveBalanceIncrements;
    ctx.ownsIncrements = true;
    ctx.previousShuffling = ctx.computeShuffling(
      state,
      Math.max(0, epoch - 1),
      epoch === 0 ? scan.currentActive : scan.previousActive,
    );
    ctx.currentShuffling = ctx.computeShuffling(state, epoch, scan.currentActive);
    ctx.nextShuffling = ctx.computeShuffling(state, epoch + 1, scan.nextActive);
    ctx.setTotals(scan, fork);
    ctx.proposers = ctx.computeProposers(state, fork, epoch);
    ctx.loadSyncCommittees(state, fork);
    return ctx;
  }

  /** A context for a cloned state: shares everything immutable; effective balances are copied on first write. */
  clone(): EpochContext {
    return new EpochContext(this.config, this.pubkeys, this);
  }

  /** Effective balance of validator `index` in increments (0 for an index beyond the registry). */
  get effectiveBalanceIncrements(): Uint16Array {
    return this.increments;
  }

  /** The increments array, owned by this context (copied first when shared), with room for `length` validators. */
  effectiveBalanceIncrementsForWrite(length = this.increments.length): Uint16Array {
    if (!this.ownsIncrements || length > this.increments.length) {
      const copy = new Uint16Array(Math.max(length, this.increments.length));
      copy.set(this.increments);
      this.increments = copy;
      this.ownsIncrements = true;
    }
    return this.increments;
  }

  /** Replaces the increments array (the epoch transition's effective-balance update computes a new one). */
  setEffectiveBalanceIncrements(increments: Uint16Array): void {
    this.increments = increments;
    this.ownsIncrements = true;
  }

  /** The shuffling of `epoch` (previous, current or next epoch of the state); throws for any other epoch. */
  getShuffling(epoch: number): EpochShuffling {
    if (epoch === this.epoch) return this.currentShuffling;
    if (epoch === this.epoch + 1) return this.nextShuffling;
    if (epoch === this.epoch - 1) return this.previousShuffling;
    throw new RangeError(`no shuffling for epoch ${epoch}: the state is at epoch ${this.epoch}`);
  }

  /** `get_beacon_committee(state, slot, index)`. */
  getBeaconCommittee(slot: number, index: number): Uint32Array {
    const shuffling = this.getShuffling(Math.floor(slot / this.config.preset.SLOTS_PER_EPOCH));
    if (index >= shuffling.committeesPerSlot) {
      throw new RangeError(`committee index ${index} out of range (${shuffling.committeesPerSlot} per slot)`);
    }
    return shuffling.committees[slot % this.config.preset.SLOTS_PER_EPOCH][index];
  }

  /** `get_committee_count_per_slot(state, epoch)`. */
  getCommitteeCountPerSlot(epoch: number): number {
    return this.getShuffling(epoch).committeesPerSlot;
  }

  /** `get_beacon_proposer_index` for a slot of the current epoch. */
  getBeaconProposer(slot: number): number {
    const slots = this.config.preset.SLOTS_PER_EPOCH;
    if (Math.floor(slot / slots) !== this.epoch) {
      throw new RangeError(`slot ${slot} is not in the state's epoch ${this.epoch}`);
    }
    return this.proposers[slot % slots];
  }

  /** `get_total_active_balance(state)` in Gwei (exact as a bigint). */
  totalActiveBalance(): bigint {
    return BigInt(this.totalActiveIncrements) * BigInt(this.config.preset.EFFECTIVE_BALANCE_INCREMENT);
  }

  /**
   * Process_epoch's registry pass already knows the active set of `epoch` (the new next epoch, current + 2 as
   * process_epoch sees it) and has set the new effective balances: handing them over spares the rotation a rescan.
   */
  setUpcomingActiveIndices(epoch: number, indices: Uint32Array): void {
    this.upcomingActive = { epoch, indices };
  }

  /**
   * Rotates the caches after `process_epoch` moved `state` into the next epoch: the old current shuffling becomes
   * the previous one, the old next the current one, and the new next, proposers, totals, churn limits and sync
   * committees are computed from the post-state (from what process_epoch handed over when it did, else by a
   * registry scan).
   */
  afterEpochTransition(state: AnyState, fork: ForkName): void {
    const epoch = Math.floor(state.slot / this.config.preset.SLOTS_PER_EPOCH);
    const upcoming = this.upcomingActive;
    this.upcomingActive = undefined;
    if (upcoming !== undefined && upcoming.epoch === epoch + 1 && this.nextShuffling.epoch === epoch) {
      this.epoch = epoch;
      this.previousShuffling = this.currentShuffling;
      this.currentShuffling = this.nextShuffling;
      this.nextShuffling = this.computeShuffling(state, epoch + 1, upcoming.indices);
      // Validators appended during the epoch are in the increments already (addValidatorToRegistry).
      if (this.increments.length < state.validators.length)
        this.effectiveBalanceIncrementsForWrite(state.validators.length);
      const active = this.currentShuffling.activeIndices;
      let total = 0;
      for (let i = 0; i < active.length; i++) total += this.increments[active[i]];
      this.setTotals(
        { totalActiveIncrements: total, exitQueueEpoch: this.exitQueueEpoch, exitQueueChurn: this.exitQueueChurn },
        fork,
      );
      this.proposers = this.computeProposers(state, fork, epoch);
      this.loadSyncCommittees(state, fork);
      return;
    }
    const scan = this.scanRegistry(state, epoch, false);
    this.epoch = epoch;
    this.previousShuffling = this.currentShuffling;
    this.currentShuffling =
      this.nextShuffling.epoch === epoch ? this.nextShuffling : this.computeShuffling(state, epoch, scan.currentActive);
    this.nextShuffling = this.computeShuffling(state, epoch + 1, scan.nextActive);
    this.increments = scan.effectiveBalanceIncrements;
    this.ownsIncrements = true;
    this.setTotals(scan, fork);
    this.proposers = this.computeProposers(state, fork, epoch);
    this.loadSyncCommittees(state, fork);
  }

  /** Re-reads the sync committees from the state (after a fork upgrade or a sync-period rotation). */
  loadSyncCommittees(state: AnyState, fork: ForkName): void {
    if (!atLeast(fork, "altair")) {
      this.currentSyncCommittee = undefined;
      this.nextSyncCommittee = undefined;
      return;
    }
    const s = state as StateAltair;
    this.currentSyncCommittee = this.committeeIndices(s.currentSyncCommittee.pubkeys.getAllReadonly(), state);
    this.nextSyncCommittee = this.committeeIndices(s.nextSyncCommittee.pubkeys.getAllReadonly(), state);
  }

  /**
   * After `upgrade_to_<fork>` replaced the state: recomputes what depends on the fork's rules — the activation
   * churn cap (deneb), the proposers (electra's sampling, fulu's lookahead) and the sync committees (altair).
   */
  onForkUpgrade(state: AnyState, fork: ForkName): void {
    this.activationChurnLimit = atLeast(fork, "deneb")
      ? Math.min(this.config.chain.MAX_PER_EPOCH_ACTIVATION_CHURN_LIMIT, this.churnLimit)
      : this.churnLimit;
    this.proposers = this.computeProposers(state, fork, this.epoch);
    this.loadSyncCommittees(state, fork);
  }

  private committeeIndices(pubkeys: Uint8Array[], state: AnyState): SyncCommitteeIndices {
    const count = state.validators.length;
    const read = statePubkeyReader(state);
    const out = new Uint32Array(pubkeys.length);
    for (let i = 0; i < pubkeys.length; i++) {
      const index = this.pubkeys.indexOf(pubkeys[i], count, read);
      if (index === undefined) throw new Error(`sync committee member ${i} is not in the registry`);
      out[i] = index;
    }
    return syncCommitteeIndices(out);
  }

  private computeShuffling(state: AnyState, epoch: number, active: Uint32Array): EpochShuffling {
    const preset = this.config.preset;
    const mix = state.randaoMixes.get(randaoMixIndexForSeed(epoch, preset));
    return computeEpochShuffling(epoch, active, computeSeed(mix, DOMAIN_BEACON_ATTESTER, epoch), preset);
  }

  private computeProposers(state: AnyState, fork: ForkName, epoch: number): Uint32Array {
    const preset = this.config.preset;
    if (atLeast(fork, "fulu")) {
      const lookahead = (state as StateFulu).proposerLookahead.getAll();
      return Uint32Array.from(lookahead.slice(0, preset.SLOTS_PER_EPOCH));
    }
    const active = this.currentShuffling.activeIndices;
    if (active.length === 0) return new Uint32Array(preset.SLOTS_PER_EPOCH);
    const mix = state.randaoMixes.get(randaoMixIndexForSeed(epoch, preset));
    const seed = computeSeed(mix, DOMAIN_BEACON_PROPOSER, epoch);
    return computeEpochProposers(this.effectiveBalancesGwei(), active, seed, epoch, fork, preset);
  }

  /** Fulu: the lookahead a fresh state (genesis or the fork) starts with. */
  initialProposerLookahead(state: AnyState): Uint32Array {
    const preset = this.config.preset;
    const balances = this.effectiveBalancesGwei();
    return initializeProposerLookahead(
      this.epoch,
      (epoch) => {
        const mix = state.randaoMixes.get(randaoMixIndexForSeed(epoch, preset));
        const activeIndices =
          epoch === this.epoch ? this.currentShuffling.activeIndices : this.activeIndicesAt(state, epoch);
        return { activeIndices, effectiveBalances: balances, seed: computeSeed(mix, DOMAIN_BEACON_PROPOSER, epoch) };
      },
      preset,
    );
  }

  /** `get_active_validator_indices(state, epoch)` for any epoch, by a scan (the cached shufflings hold the usual ones). */
  activeIndicesAt(state: AnyState, epoch: number): Uint32Array {
    if (epoch === this.epoch) return this.currentShuffling.activeIndices;
    if (epoch === this.epoch + 1) return this.nextShuffling.activeIndices;
    if (epoch === this.epoch - 1) return this.previousShuffling.activeIndices;
    const out: number[] = [];
    state.validators.commit();
    state.validators.getAllReadonlyValues().forEach((v, i) => {
      if (v.activationEpoch <= epoch && epoch < v.exitEpoch) out.push(i);
    });
    return Uint32Array.from(out);
  }

  /** Effective balances in Gwei, as the sampling functions read them. */
  effectiveBalancesGwei(): Float64Array {
    const increment = this.config.preset.EFFECTIVE_BALANCE_INCREMENT;
    const out = new Float64Array(this.increments.length);
    for (let i = 0; i < out.length; i++) out[i] = this.increments[i] * increment;
    return out;
  }

  private setTotals(
    scan: Pick<RegistryScan, "totalActiveIncrements" | "exitQueueEpoch" | "exitQueueChurn">,
    fork: ForkName,
  ): void {
    const { preset, chain } = this.config;
    this.totalActiveIncrements = Math.max(1, scan.totalActiveIncrements);
    const total = this.totalActiveBalance();
    const increment = BigInt(preset.EFFECTIVE_BALANCE_INCREMENT);
    this.baseRewardPerIncrement = Number((increment * BigInt(preset.BASE_REWARD_FACTOR)) / integerSquareRoot(total));
    const activeCount = this.currentShuffling.activeIndices.length;
    this.churnLimit = Math.max(chain.MIN_PER_EPOCH_CHURN_LIMIT, Math.floor(activeCount / chain.CHURN_LIMIT_QUOTIENT));
    this.activationChurnLimit = atLeast(fork, "deneb")
      ? Math.min(chain.MAX_PER_EPOCH_ACTIVATION_CHURN_LIMIT, this.churnLimit)
      : this.churnLimit;
    const churn = total / BigInt(chain.CHURN_LIMIT_QUOTIENT);
    const balanceChurn =
      BigInt(chain.MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA) > churn ? BigInt(chain.MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA) : churn;
    this.balanceChurnLimit = Number(balanceChurn - (balanceChurn % increment));
    this.activationExitChurnLimit = Math.min(chain.MAX_PER_EPOCH_ACTIVATION_EXIT_CHURN_LIMIT, this.balanceChurnLimit);
    this.consolidationChurnLimit = this.balanceChurnLimit - this.activationExitChurnLimit;
    this.exitQueueEpoch = scan.exitQueueEpoch;
    this.exitQueueChurn = scan.exitQueueChurn;
  }

  /** One pass over the registry: pubkeys (when `addPubkeys`), increments, active sets, totals and the exit queue. */
  private scanRegistry(state: AnyState, epoch: number, addPubkeys: boolean): RegistryScan {
    const increment = this.config.preset.EFFECTIVE_BALANCE_INCREMENT;
    state.validators.commit();
    const validators = state.validators.getAllReadonlyValues();
    const n = validators.length;
    const increments = new Uint16Array(n);
    const prev: number[] = [];
    const cur: number[] = [];
    const next: number[] = [];
    let total = 0;
    let exitQueueEpoch = 0;
    let exitQueueChurn = 0;
    const prevEpoch = epoch - 1;
    const nextEpoch = epoch + 1;
    for (let i = 0; i < n; i++) {
      const v = validators[i];
      if (addPubkeys || i >= this.pubkeys.size) this.pubkeys.add(i, v.pubkey);
      const inc = Math.floor(v.effectiveBalance / increment);
      increments[i] = inc;
      const { activationEpoch, exitEpoch } = v;
      if (activationEpoch <= prevEpoch && prevEpoch < exitEpoch) prev.push(i);
      if (activationEpoch <= epoch && epoch < exitEpoch) {
        cur.push(i);
        total += inc;
      }
      if (activationEpoch <= nextEpoch && nextEpoch < exitEpoch) next.push(i);
      if (exitEpoch !== FAR_FUTURE_EPOCH) {
        if (exitEpoch > exitQueueEpoch) {
          exitQueueEpoch = exitEpoch;
          exitQueueChurn = 1;
        } else if (exitEpoch === exitQueueEpoch) exitQueueChurn++;
      }
    }
    return {
      effectiveBalanceIncrements: increments,
      previousActive: Uint32Array.from(prev),
      currentActive: Uint32Array.from(cur),
      nextActive: Uint32Array.from(next),
      totalActiveIncrements: total,
      exitQueueEpoch,
      exitQueueChurn,
    };
  }
}
