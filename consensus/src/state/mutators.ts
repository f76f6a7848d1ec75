// The spec's helpers that change a state (beacon-chain.md "Beacon state mutators" of every fork): balances,
// exits and the exit queue (phase0's validator churn and electra's balance churn), slashing, consolidation churn,
// compounding switches and registry appends. They keep the EpochContext's caches (exit queue, effective-balance
// increments, pubkeys) in step with the state.
import {
  COMPOUNDING_WITHDRAWAL_PREFIX,
  FAR_FUTURE_EPOCH,
  G2_POINT_AT_INFINITY,
  GENESIS_SLOT,
  PROPOSER_WEIGHT,
  WEIGHT_DENOMINATOR,
} from "../params/constants.ts";
import { computeActivationExitEpoch, currentEpoch, getMaxEffectiveBalance } from "./accessors.ts";
import type { CachedState } from "./cachedState.ts";
import { type AltairPlusState, atLeast, type ElectraPlusState, type StateElectra } from "./types.ts";

/** `increase_balance`. */
export function increaseBalance(cs: CachedState, index: number, delta: number): void {
  if (delta === 0) return;
  cs.state.balances.set(index, cs.state.balances.get(index) + delta);
}

/** `decrease_balance`: never below zero. */
export function decreaseBalance(cs: CachedState, index: number, delta: number): void {
  if (delta === 0) return;
  const balance = cs.state.balances.get(index);
  cs.state.balances.set(index, delta > balance ? 0 : balance - delta);
}

/**
 * `initiate_validator_exit`: phase0 … deneb queue by validator count (the exit queue is cached in the
 * EpochContext instead of scanning the registry); electra and later by balance churn.
 */
export function initiateValidatorExit(cs: CachedState, index: number): void {
  const validator = cs.state.validators.get(index);
  if (validator.exitEpoch !== FAR_FUTURE_EPOCH) return;
  let exitQueueEpoch: number;
  if (atLeast(cs.fork, "electra")) {
    exitQueueEpoch = computeExitEpochAndUpdateChurn(cs, validator.effectiveBalance);
  } else {
    const ctx = cs.ctx;
    const earliest = computeActivationExitEpoch(cs, currentEpoch(cs));
    let churn: number;
    if (ctx.exitQueueEpoch < earliest) {
      exitQueueEpoch = earliest;
      churn = 0;
    } else {
      exitQueueEpoch = ctx.exitQueueEpoch;
      churn = ctx.exitQueueChurn;
    }
    if (churn >= ctx.churnLimit) {
      exitQueueEpoch++;
      churn = 0;
    }
    ctx.exitQueueEpoch = exitQueueEpoch;
    ctx.exitQueueChurn = churn + 1;
  }
  validator.exitEpoch = exitQueueEpoch;
  validator.withdrawableEpoch = exitQueueEpoch + cs.config.chain.MIN_VALIDATOR_WITHDRAWABILITY_DELAY;
}

/** The two balance-churn queues of electra: each an earliest epoch and the balance still free in it. */
interface ChurnQueue {
  earliest(state: ElectraPlusState): number;
  toConsume(state: ElectraPlusState): number;
  set(state: ElectraPlusState, earliest: number, toConsume: number): void;
}

const EXIT_QUEUE: ChurnQueue = {
  earliest: (s) => s.earliestExitEpoch,
  toConsume: (s) => s.exitBalanceToConsume,
  set(s, earliest, toConsume) {
    s.earliestExitEpoch = earliest;
    s.exitBalanceToConsume = toConsume;
  },
};

const CONSOLIDATION_QUEUE: ChurnQueue = {
  earliest: (s) => s.earliestConsolidationEpoch,
  toConsume: (s) => s.consolidationBalanceToConsume,
  set(s, earliest, toConsume) {
    s.earliestConsolidationEpoch = earliest;
    s.consolidationBalanceToConsume = toConsume;
  },
};

/**
 * The body both electra churn functions share: the epoch at which `balance` fits into the queue at
 * `perEpochChurn` Gwei per epoch (starting no earlier than the activation-exit epoch), consuming it.
 */
function consumeChurn(cs: CachedState, queue: ChurnQueue, balance: number, perEpochChurn: number): number {
  const state = cs.state as ElectraPlusState;
  const stateEarliest = queue.earliest(state);
  let earliest = Math.max(stateEarliest, computeActivationExitEpoch(cs, currentEpoch(cs)));
  let toConsume = stateEarliest < earliest ? perEpochChurn : queue.toConsume(state);
  if (balance > toConsume) {
    const additionalEpochs = Math.floor((balance - toConsume - 1) / perEpochChurn) + 1;
    earliest += additionalEpochs;
    toConsume += additionalEpochs * perEpochChurn;
  }
  queue.set(state, earliest, toConsume - balance);
  return earliest;
}

/** electra's `compute_exit_epoch_and_update_churn(state, exit_balance)`. */
export function computeExitEpochAndUpdateChurn(cs: CachedState, exitBalance: number): number {
  return consumeChurn(cs, EXIT_QUEUE, exitBalance, cs.ctx.activationExitChurnLimit);
}

/** electra's `compute_consolidation_epoch_and_update_churn(state, consolidation_balance)`. */
export function computeConsolidationEpochAndUpdateChurn(cs: CachedState, consolidationBalance: number): number {
  return consumeChurn(cs, CONSOLIDATION_QUEUE, consolidationBalance, cs.ctx.consolidationChurnLimit);
}

/** The fork's MIN_SLASHING_PENALTY_QUOTIENT. */
function slashingPenaltyQuotient(cs: CachedState): number {
  const p = cs.config.preset;
  if (atLeast(cs.fork, "electra")) return p.MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA;
  if (atLeast(cs.fork, "bellatrix")) return p.MIN_SLASHING_PENALTY_QUOTIENT_BELLATRIX;
  if (atLeast(cs.fork, "altair")) return p.MIN_SLASHING_PENALTY_QUOTIENT_ALTAIR;
  return p.MIN_SLASHING_PENALTY_QUOTIENT;
}

/** `slash_validator(state, slashed_index, whistleblower_index)` of the state's fork. */
export function slashValidator(cs: CachedState, slashedIndex: number, whistleblowerIndex?: number): void {
  const { preset } = cs.config;
  const epoch = currentEpoch(cs);
  initiateValidatorExit(cs, slashedIndex);
  const validator = cs.state.validators.get(slashedIndex);
  validator.slashed = true;
  validator.withdrawableEpoch = Math.max(validator.withdrawableEpoch, epoch + preset.EPOCHS_PER_SLASHINGS_VECTOR);
  const effectiveBalance = validator.effectiveBalance;
  const slot = epoch % preset.EPOCHS_PER_SLASHINGS_VECTOR;
  cs.state.slashings.set(slot, cs.state.slashings.get(slot) + effectiveBalance);
  decreaseBalance(cs, slashedIndex, Math.floor(effectiveBalance / slashingPenaltyQuotient(cs)));

  const proposerIndex = cs.ctx.getBeaconProposer(cs.state.slot);
  const whistleblower = whistleblowerIndex ?? proposerIndex;
  const rewardQuotient = atLeast(cs.fork, "electra")
    ? preset.WHISTLEBLOWER_REWARD_QUOTIENT_ELECTRA
    : preset.WHISTLEBLOWER_REWARD_QUOTIENT;
  const whistleblowerReward = Math.floor(effectiveBalance / rewardQuotient);
  const proposerReward = atLeast(cs.fork, "altair")
    ? Math.floor((whistleblowerReward * PROPOSER_WEIGHT) / WEIGHT_DENOMINATOR)
    : Math.floor(whistleblowerReward / preset.PROPOSER_REWARD_QUOTIENT);
  increaseBalance(cs, proposerIndex, proposerReward);
  increaseBalance(cs, whistleblower, whistleblowerReward - proposerReward);
}

/**
 * `add_validator_to_registry` / phase0's append in `apply_deposit`: a new validator from a deposit (effective
 * balance per the fork's `get_validator_from_deposit`), its balance and, from altair, zero participation and
 * inactivity score. Returns the new index.
 */
export function addValidatorToRegistry(
  cs: CachedState,
  pubkey: Uint8Array,
  withdrawalCredentials: Uint8Array,
  amount: number,
): number {
  const { preset, types } = cs.config;
  const state = cs.state;
  const index = state.validators.length;
  const maxEffective = getMaxEffectiveBalance(cs, { withdrawalCredentials });
  const effectiveBalance = Math.min(amount - (amount % preset.EFFECTIVE_BALANCE_INCREMENT), maxEffective);
  const validator = types.phase0.Validator.toViewDU({
    pubkey,
    withdrawalCredentials,
    effectiveBalance,
    slashed: false,
    activationEligibilityEpoch: FAR_FUTURE_EPOCH,
    activationEpoch: FAR_FUTURE_EPOCH,
    exitEpoch: FAR_FUTURE_EPOCH,
    withdrawableEpoch: FAR_FUTURE_EPOCH,
  });
  state.validators.push(validator);
  state.balances.push(amount);
  if (atLeast(cs.fork, "altair")) {
    const s = state as AltairPlusState;
    s.previousEpochParticipation.push(0);
    s.currentEpochParticipation.push(0);
    s.inactivityScores.push(0);
  }
  cs.ctx.pubkeys.add(index, pubkey);
  const increments = cs.ctx.effectiveBalanceIncrementsForWrite(index + 1);
  increments[index] = effectiveBalance / preset.EFFECTIVE_BALANCE_INCREMENT;
  return index;
}

/** electra's `switch_to_compounding_validator`. */
export function switchToCompoundingValidator(cs: CachedState, index: number): void {
  const validator = cs.state.validators.get(index);
  const credentials = validator.withdrawalCredentials.slice();
  credentials[0] = COMPOUNDING_WITHDRAWAL_PREFIX;
  validator.withdrawalCredentials = credentials;
  queueExcessActiveBalance(cs, index);
}

/** electra's `queue_excess_active_balance`: balance above MIN_ACTIVATION_BALANCE goes to the deposit queue. */
export function queueExcessActiveBalance(cs: CachedState, index: number): void {
  const min = cs.config.preset.MIN_ACTIVATION_BALANCE;
  const balance = cs.state.balances.get(index);
  if (balance <= min) return;
  cs.state.balances.set(index, min);
  const validator = cs.state.validators.getReadonly(index);
  const state = cs.state as StateElectra;
  state.pendingDeposits.push(
    cs.config.types.electra.PendingDeposit.toViewDU({
      pubkey: validator.pubkey,
      withdrawalCredentials: validator.withdrawalCredentials,
      amount: balance - min,
      signature: G2_POINT_AT_INFINITY,
      slot: GENESIS_SLOT,
    }),
  );
}
