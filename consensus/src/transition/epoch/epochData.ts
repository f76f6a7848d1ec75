// The one pass over the registry that every epoch-processing step reads from (in the spirit of the spec's
// get_eligible_validator_indices / get_unslashed_participating_indices, computed once): per-validator flags and
// effective-balance increments in flat typed arrays, participation totals in increments, and the short candidate
// lists of the registry and slashing steps. Phase0 flags come from the pending attestations (with the inclusion
// delay and proposer of each source attester's earliest inclusion), altair+ flags from the participation lists.
import type { ValueOf } from "@chainsafe/ssz";
import {
  COMPOUNDING_WITHDRAWAL_PREFIX,
  FAR_FUTURE_EPOCH,
  TIMELY_HEAD_FLAG_INDEX,
  TIMELY_SOURCE_FLAG_INDEX,
  TIMELY_TARGET_FLAG_INDEX,
} from "../../params/constants.ts";
import { getBlockRoot, getBlockRootAtSlot, type Validator } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { type AltairPlusState, atLeast, type StatePhase0 } from "../../state/types.ts";
import type { SszTypes } from "../../types/sszTypes.ts";
import { bytesEqual } from "../../util/bytes.ts";

/** Validator flags of `EpochData.flags`. */
export const FLAG_PREV_SOURCE = 1 << TIMELY_SOURCE_FLAG_INDEX;
export const FLAG_PREV_TARGET = 1 << TIMELY_TARGET_FLAG_INDEX;
export const FLAG_PREV_HEAD = 1 << TIMELY_HEAD_FLAG_INDEX;
/** Unslashed, active in the current epoch, with a timely (altair) or matching (phase0) current-epoch target. */
export const FLAG_CURR_TARGET = 1 << 3;
/** `get_eligible_validator_indices`: active in the previous epoch, or slashed and not yet withdrawable. */
export const FLAG_ELIGIBLE = 1 << 4;
/** Active in the current epoch. */
export const FLAG_ACTIVE_CURR = 1 << 5;
/** 0x02 withdrawal credentials (electra's compounding maximum applies). */
export const FLAG_COMPOUNDING = 1 << 6;
/**
 * Active at `EpochData.upcomingEpoch` (current + MIN_SEED_LOOKAHEAD + 1). Nothing in process_epoch can change
 * that: activations and exits it starts take effect at current + 1 + MAX_SEED_LOOKAHEAD at the earliest.
 */
export const FLAG_ACTIVE_UPCOMING = 1 << 7;

type PendingAttestation = ValueOf<SszTypes["phase0"]["PendingAttestation"]>;

/** What the epoch's steps read about the registry as it was when process_epoch started. */
export interface EpochData {
  /** The state's current epoch (the one ending) and the previous one (get_previous_epoch). */
  readonly epoch: number;
  readonly prevEpoch: number;
  /** Validator count when the epoch started. */
  readonly count: number;
  /** current + MIN_SEED_LOOKAHEAD + 1: the epoch FLAG_ACTIVE_UPCOMING refers to. */
  readonly upcomingEpoch: number;
  /** Effective balance / EFFECTIVE_BALANCE_INCREMENT per validator. */
  readonly increments: Uint16Array;
  /** FLAG_* bits per validator (the prev/curr participation bits only for unslashed validators). */
  readonly flags: Uint8Array;
  /** Unslashed participating increments: previous-epoch source, target, head; current-epoch target. */
  readonly prevSourceIncrements: number;
  readonly prevTargetIncrements: number;
  readonly prevHeadIncrements: number;
  readonly currTargetIncrements: number;
  /** Phase0: for each previous-epoch source attester, its smallest inclusion delay (0 = none) and that proposer. */
  readonly inclusionDelay: Uint32Array | null;
  readonly inclusionProposer: Uint32Array | null;
  /** is_eligible_for_activation_queue candidates (eligibility epoch unset and balance high enough), by index. */
  readonly queueCandidates: number[];
  /** Active in the current epoch with effective balance ≤ EJECTION_BALANCE, by index. */
  readonly ejectionCandidates: number[];
  /** Queued but not activated (eligibility epoch set, activation epoch unset), by index. */
  readonly activationCandidates: number[];
  /** Slashed with withdrawable_epoch == epoch + EPOCHS_PER_SLASHINGS_VECTOR / 2, by index. */
  readonly slashingCandidates: number[];
}

/** Scans the registry (and phase0's pending attestations or altair's participation) once. */
export function collectEpochData(cs: CachedState): EpochData {
  const { state, config } = cs;
  const { preset, chain } = config;
  const epoch = Math.floor(state.slot / preset.SLOTS_PER_EPOCH);
  const prevEpoch = epoch === 0 ? 0 : epoch - 1;
  const upcomingEpoch = epoch + preset.MIN_SEED_LOOKAHEAD + 1;
  if (preset.MIN_SEED_LOOKAHEAD >= preset.MAX_SEED_LOOKAHEAD) {
    throw new Error("epoch processing assumes MIN_SEED_LOOKAHEAD < MAX_SEED_LOOKAHEAD");
  }
  state.validators.commit();
  const validators = state.validators.getAllReadonlyValues() as Validator[];
  const count = validators.length;
  const increments = new Uint16Array(count);
  const flags = new Uint8Array(count);
  const electra = atLeast(cs.fork, "electra");
  const queueThreshold = electra ? preset.MIN_ACTIVATION_BALANCE : preset.MAX_EFFECTIVE_BALANCE;
  const slashingEpoch = epoch + Math.floor(preset.EPOCHS_PER_SLASHINGS_VECTOR / 2);
  const ebIncrement = preset.EFFECTIVE_BALANCE_INCREMENT;
  const queueCandidates: number[] = [];
  const ejectionCandidates: number[] = [];
  const activationCandidates: number[] = [];
  const slashingCandidates: number[] = [];

  let participation: { prev: number[]; curr: number[] } | null = null;
  if (atLeast(cs.fork, "altair")) {
    const s = state as AltairPlusState;
    participation = { prev: s.previousEpochParticipation.getAll(), curr: s.currentEpochParticipation.getAll() };
  }
  let prevSource = 0;
  let prevTarget = 0;
  let prevHead = 0;
  let currTarget = 0;
  for (let i = 0; i < count; i++) {
    const v = validators[i];
    const inc = Math.floor(v.effectiveBalance / ebIncrement);
    increments[i] = inc;
    const { activationEpoch, exitEpoch, slashed } = v;
    const activePrev = activationEpoch <= prevEpoch && prevEpoch < exitEpoch;
    const activeCurr = activationEpoch <= epoch && epoch < exitEpoch;
    let f = 0;
    if (activePrev || (slashed && prevEpoch + 1 < v.withdrawableEpoch)) f |= FLAG_ELIGIBLE;
    if (activeCurr) f |= FLAG_ACTIVE_CURR;
    if (activationEpoch <= upcomingEpoch && upcomingEpoch < exitEpoch) f |= FLAG_ACTIVE_UPCOMING;
    if (v.withdrawalCredentials[0] === COMPOUNDING_WITHDRAWAL_PREFIX) f |= FLAG_COMPOUNDING;
    if (participation !== null && !slashed) {
      if (activePrev) {
        const p = participation.prev[i] & (FLAG_PREV_SOURCE | FLAG_PREV_TARGET | FLAG_PREV_HEAD);
        f |= p;
        if (p & FLAG_PREV_SOURCE) prevSource += inc;
        if (p & FLAG_PREV_TARGET) prevTarget += inc;
        if (p & FLAG_PREV_HEAD) prevHead += inc;
      }
      if (activeCurr && participation.curr[i] & FLAG_PREV_TARGET) {
        f |= FLAG_CURR_TARGET;
        currTarget += inc;
      }
    }
    flags[i] = f;
    if (v.activationEligibilityEpoch === FAR_FUTURE_EPOCH) {
      if (v.effectiveBalance >= queueThreshold) queueCandidates.push(i);
    } else if (activationEpoch === FAR_FUTURE_EPOCH) activationCandidates.push(i);
    if (activeCurr && v.effectiveBalance <= chain.EJECTION_BALANCE) ejectionCandidates.push(i);
    if (slashed && v.withdrawableEpoch === slashingEpoch) slashingCandidates.push(i);
  }

  let inclusionDelay: Uint32Array | null = null;
  let inclusionProposer: Uint32Array | null = null;
  if (participation === null && epoch > 0) {
    const phase0 = scanPendingAttestations(cs, validators, flags, increments, epoch, prevEpoch);
    inclusionDelay = phase0.inclusionDelay;
    inclusionProposer = phase0.inclusionProposer;
    prevSource = phase0.prevSource;
    prevTarget = phase0.prevTarget;
    prevHead = phase0.prevHead;
    currTarget = phase0.currTarget;
  }
  return {
    epoch,
    prevEpoch,
    count,
    upcomingEpoch,
    increments,
    flags,
    prevSourceIncrements: prevSource,
    prevTargetIncrements: prevTarget,
    prevHeadIncrements: prevHead,
    currTargetIncrements: currTarget,
    inclusionDelay,
    inclusionProposer,
    queueCandidates,
    ejectionCandidates,
    activationCandidates,
    slashingCandidates,
  };
}

/**
 * Phase0: the unslashed attesters of the matching source / target / head attestations of the previous epoch and
 * of the matching target attestations of the current epoch (get_unslashed_attesting_indices), setting their flags;
 * and for each source attester the attestation with the smallest inclusion delay (the first such in list order,
 * as Python's min) for get_inclusion_delay_deltas.
 */
function scanPendingAttestations(
  cs: CachedState,
  validators: Validator[],
  flags: Uint8Array,
  increments: Uint16Array,
  epoch: number,
  prevEpoch: number,
): {
  inclusionDelay: Uint32Array;
  inclusionProposer: Uint32Array;
  prevSource: number;
  prevTarget: number;
  prevHead: number;
  currTarget: number;
} {
  const state = cs.state as StatePhase0;
  const count = validators.length;
  const inclusionDelay = new Uint32Array(count);
  const inclusionProposer = new Uint32Array(count);
  const totals = { prevSource: 0, prevTarget: 0, prevHead: 0, currTarget: 0 };
  const headRoots = new Map<number, Uint8Array>();
  const headRootAt = (slot: number): Uint8Array => {
    let root = headRoots.get(slot);
    if (root === undefined) {
      root = getBlockRootAtSlot(cs, slot);
      headRoots.set(slot, root);
    }
    return root;
  };

  const prevTargetRoot = getBlockRoot(cs, prevEpoch);
  const previous = state.previousEpochAttestations.getAllReadonlyValues() as PendingAttestation[];
  for (const att of previous) {
    const { data } = att;
    const isTarget = bytesEqual(data.target.root, prevTargetRoot);
    const isHead = isTarget && bytesEqual(data.beaconBlockRoot, headRootAt(data.slot));
    const add = FLAG_PREV_SOURCE | (isTarget ? FLAG_PREV_TARGET : 0) | (isHead ? FLAG_PREV_HEAD : 0);
    const committee = cs.ctx.getBeaconCommittee(data.slot, data.index);
    const bits = att.aggregationBits;
    for (let j = 0; j < committee.length; j++) {
      if (!bits.get(j)) continue;
      const index = committee[j];
      if (validators[index].slashed) continue;
      const before = flags[index];
      const newBits = add & ~before;
      if (newBits & FLAG_PREV_SOURCE) totals.prevSource += increments[index];
      if (newBits & FLAG_PREV_TARGET) totals.prevTarget += increments[index];
      if (newBits & FLAG_PREV_HEAD) totals.prevHead += increments[index];
      flags[index] = before | add;
      const delay = att.inclusionDelay;
      if (inclusionDelay[index] === 0 || delay < inclusionDelay[index]) {
        inclusionDelay[index] = delay;
        inclusionProposer[index] = att.proposerIndex;
      }
    }
  }

  // The current epoch's target root exists once the epoch's first slot is in the past (always at its last slot).
  if (state.slot > epoch * cs.config.preset.SLOTS_PER_EPOCH) {
    const currTargetRoot = getBlockRoot(cs, epoch);
    const current = state.currentEpochAttestations.getAllReadonlyValues() as PendingAttestation[];
    for (const att of current) {
      if (!bytesEqual(att.data.target.root, currTargetRoot)) continue;
      const committee = cs.ctx.getBeaconCommittee(att.data.slot, att.data.index);
      const bits = att.aggregationBits;
      for (let j = 0; j < committee.length; j++) {
        if (!bits.get(j)) continue;
        const index = committee[j];
        if (validators[index].slashed || flags[index] & FLAG_CURR_TARGET) continue;
        flags[index] |= FLAG_CURR_TARGET;
        totals.currTarget += increments[index];
      }
    }
  }
  return { inclusionDelay, inclusionProposer, ...totals };
}
