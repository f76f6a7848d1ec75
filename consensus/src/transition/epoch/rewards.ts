// process_rewards_and_penalties: phase0's get_attestation_deltas (source, target, head, inclusion delay,
// inactivity) and altair's flag deltas plus inactivity penalty deltas (with each fork's inactivity quotient).
// Rewards depend on a validator's effective balance only through its increments, so each reward is computed
// once per increment value, exactly (BigInt), into tables; the per-validator loop is then table lookups on a flat
// balances array that is written back with one bulk operation by the caller.
//
// Balances are applied as the spec does: phase0 adds the summed rewards then subtracts the summed penalties
// (floored at zero); altair applies each (rewards, penalties) pair of the four delta lists in turn.
import { BASE_REWARDS_PER_EPOCH, PARTICIPATION_FLAG_WEIGHTS, WEIGHT_DENOMINATOR } from "../../params/constants.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { integerSquareRoot } from "../../state/epochContext.ts";
import { atLeast } from "../../state/types.ts";
import { type EpochData, FLAG_ELIGIBLE, FLAG_PREV_HEAD, FLAG_PREV_SOURCE, FLAG_PREV_TARGET } from "./epochData.ts";
import { finalityDelay, isInInactivityLeak } from "./inactivity.ts";

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** floor(a * b / c) exactly for non-negative integers a, b < 2**53 and c ≥ 1. */
export function mulDiv(a: number, b: number, c: number): number {
  const product = a * b;
  if (product <= MAX_SAFE) return Math.floor(product / c);
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** The largest effective balance in increments any validator of this fork can have. */
function maxIncrements(cs: CachedState): number {
  const { preset } = cs.config;
  const max = atLeast(cs.fork, "electra") ? preset.MAX_EFFECTIVE_BALANCE_ELECTRA : preset.MAX_EFFECTIVE_BALANCE;
  return Math.floor(max / preset.EFFECTIVE_BALANCE_INCREMENT);
}

/** The fork's INACTIVITY_PENALTY_QUOTIENT (altair, bellatrix and later). */
function inactivityPenaltyQuotient(cs: CachedState): number {
  const { preset } = cs.config;
  if (atLeast(cs.fork, "bellatrix")) return preset.INACTIVITY_PENALTY_QUOTIENT_BELLATRIX;
  if (atLeast(cs.fork, "altair")) return preset.INACTIVITY_PENALTY_QUOTIENT_ALTAIR;
  return preset.INACTIVITY_PENALTY_QUOTIENT;
}

/**
 * `process_rewards_and_penalties(state)` on `balances` (the state's balances, updated in place). `scores` are the
 * inactivity scores after process_inactivity_updates (altair+). Returns false at genesis (nothing changed).
 */
export function processRewardsAndPenalties(
  cs: CachedState,
  data: EpochData,
  balances: number[],
  scores: number[] | null,
): boolean {
  if (data.epoch === 0) return false;
  if (atLeast(cs.fork, "altair")) applyAltairDeltas(cs, data, balances, scores);
  else applyPhase0Deltas(cs, data, balances);
  return true;
}

function applyAltairDeltas(cs: CachedState, data: EpochData, balances: number[], scores: number[] | null): void {
  if (scores === null) throw new Error("altair rewards need the inactivity scores");
  const { preset, chain } = cs.config;
  const maxInc = maxIncrements(cs);
  const activeIncrements = BigInt(cs.ctx.totalActiveIncrements);
  const perIncrement = BigInt(cs.ctx.baseRewardPerIncrement);
  const leak = isInInactivityLeak(cs, data);
  const participating = [
    Math.max(1, data.prevSourceIncrements),
    Math.max(1, data.prevTargetIncrements),
    Math.max(1, data.prevHeadIncrements),
  ];
  // get_flag_index_deltas per flag and effective-balance increment.
  const flagCount = PARTICIPATION_FLAG_WEIGHTS.length;
  const rewardTable: Float64Array[] = [];
  const penaltyTable: Float64Array[] = [];
  const denominator = activeIncrements * BigInt(WEIGHT_DENOMINATOR);
  for (let flag = 0; flag < flagCount; flag++) {
    const weight = BigInt(PARTICIPATION_FLAG_WEIGHTS[flag]);
    const rewards = new Float64Array(maxInc + 1);
    const penalties = new Float64Array(maxInc + 1);
    const participatingIncrements = BigInt(participating[flag]);
    for (let inc = 0; inc <= maxInc; inc++) {
      const baseReward = BigInt(inc) * perIncrement;
      rewards[inc] = leak ? 0 : Number((baseReward * weight * participatingIncrements) / denominator);
      penalties[inc] = Number((baseReward * weight) / BigInt(WEIGHT_DENOMINATOR));
    }
    rewardTable.push(rewards);
    penaltyTable.push(penalties);
  }
  const inactivityDenominator = chain.INACTIVITY_SCORE_BIAS * inactivityPenaltyQuotient(cs);
  const ebIncrement = preset.EFFECTIVE_BALANCE_INCREMENT;
  const { flags, increments } = data;
  const headFlag = FLAG_PREV_HEAD;
  for (let i = 0; i < data.count; i++) {
    const f = flags[i];
    if ((f & FLAG_ELIGIBLE) === 0) continue;
    const inc = increments[i];
    let balance = balances[i];
    for (let flag = 0; flag < flagCount; flag++) {
      const bit = 1 << flag;
      if (f & bit) balance += rewardTable[flag][inc];
      else if (bit !== headFlag) {
        const penalty = penaltyTable[flag][inc];
        balance = penalty > balance ? 0 : balance - penalty;
      }
    }
    if ((f & FLAG_PREV_TARGET) === 0) {
      const penalty = mulDiv(inc * ebIncrement, scores[i], inactivityDenominator);
      balance = penalty > balance ? 0 : balance - penalty;
    }
    balances[i] = balance;
  }
}

function applyPhase0Deltas(cs: CachedState, data: EpochData, balances: number[]): void {
  const { preset } = cs.config;
  const maxInc = maxIncrements(cs);
  const ebIncrement = preset.EFFECTIVE_BALANCE_INCREMENT;
  const totalIncrements = cs.ctx.totalActiveIncrements;
  const sqrtTotal = integerSquareRoot(cs.ctx.totalActiveBalance());
  const leak = isInInactivityLeak(cs, data);
  const delay = finalityDelay(cs, data);
  // get_base_reward and get_proposer_reward per increment value.
  const baseReward = new Float64Array(maxInc + 1);
  const proposerReward = new Float64Array(maxInc + 1);
  for (let inc = 0; inc <= maxInc; inc++) {
    const base = (BigInt(inc * ebIncrement) * BigInt(preset.BASE_REWARD_FACTOR)) / sqrtTotal;
    baseReward[inc] = Number(base / BigInt(BASE_REWARDS_PER_EPOCH));
    proposerReward[inc] = Math.floor(baseReward[inc] / preset.PROPOSER_REWARD_QUOTIENT);
  }
  // get_attestation_component_deltas' reward for an attester, per component and increment value.
  const componentReward = (attesting: number): Float64Array => {
    const table = new Float64Array(maxInc + 1);
    const attestingIncrements = Math.max(1, attesting);
    for (let inc = 0; inc <= maxInc; inc++) {
      table[inc] = leak ? baseReward[inc] : mulDiv(baseReward[inc], attestingIncrements, totalIncrements);
    }
    return table;
  };
  const sourceReward = componentReward(data.prevSourceIncrements);
  const targetReward = componentReward(data.prevTargetIncrements);
  const headReward = componentReward(data.prevHeadIncrements);

  const count = data.count;
  const rewards = new Float64Array(count);
  const penalties = new Float64Array(count);
  const { flags, increments } = data;
  const inclusionDelay = data.inclusionDelay as Uint32Array;
  const inclusionProposer = data.inclusionProposer as Uint32Array;
  for (let i = 0; i < count; i++) {
    const f = flags[i];
    const inc = increments[i];
    // get_inclusion_delay_deltas: every unslashed source attester, eligible or not.
    if (f & FLAG_PREV_SOURCE) {
      const proposerPart = proposerReward[inc];
      rewards[inclusionProposer[i]] += proposerPart;
      rewards[i] += Math.floor((baseReward[inc] - proposerPart) / inclusionDelay[i]);
    }
    if ((f & FLAG_ELIGIBLE) === 0) continue;
    const base = baseReward[inc];
    if (f & FLAG_PREV_SOURCE) rewards[i] += sourceReward[inc];
    else penalties[i] += base;
    if (f & FLAG_PREV_TARGET) rewards[i] += targetReward[inc];
    else penalties[i] += base;
    if (f & FLAG_PREV_HEAD) rewards[i] += headReward[inc];
    else penalties[i] += base;
    if (leak) {
      penalties[i] += BASE_REWARDS_PER_EPOCH * base - proposerReward[inc];
      if ((f & FLAG_PREV_TARGET) === 0) {
        penalties[i] += mulDiv(inc * ebIncrement, delay, preset.INACTIVITY_PENALTY_QUOTIENT);
      }
    }
  }
  for (let i = 0; i < count; i++) {
    const reward = rewards[i];
    const penalty = penalties[i];
    if (reward === 0 && penalty === 0) continue;
    const balance = balances[i] + reward;
    balances[i] = penalty > balance ? 0 : balance - penalty;
  }
}
