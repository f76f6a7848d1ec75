// Withdrawals (capella beacon-chain.md, modified in electra by EIP-7251): the withdrawals a block's payload must
// carry — electra's queue of pending partial withdrawals first, then the sweep over the registry from
// next_withdrawal_validator_index — and process_withdrawals, which checks the payload's list and applies it.
import type { ValueOf } from "@chainsafe/ssz";
import { FAR_FUTURE_EPOCH } from "../../params/constants.ts";
import {
  currentEpoch,
  hasCompoundingWithdrawalCredential,
  hasEth1WithdrawalCredential,
} from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { check } from "../../state/errors.ts";
import { decreaseBalance } from "../../state/mutators.ts";
import { atLeast, type CapellaPlusState, type ElectraPlusState } from "../../state/types.ts";
import type { SszTypes } from "../../types/sszTypes.ts";
import { bytesEqual } from "../../util/bytes.ts";
import { toHex } from "../../util/hex.ts";

/** A Withdrawal value. */
export type Withdrawal = ValueOf<SszTypes["capella"]["Withdrawal"]>;

/** What `get_expected_withdrawals` returns: the withdrawals, and (electra) how many queue entries they consumed. */
export interface ExpectedWithdrawals {
  readonly withdrawals: Withdrawal[];
  /** Electra: pending partial withdrawals processed (removed from the queue); 0 before electra. */
  readonly processedPartialWithdrawalsCount: number;
}

interface ValidatorFields {
  readonly withdrawalCredentials: Uint8Array;
  readonly effectiveBalance: number;
  readonly withdrawableEpoch: number;
  readonly exitEpoch: number;
}

/**
 * `get_expected_withdrawals(state)` of the state's fork (capella … fulu): the list a block at the state's slot
 * must withdraw. Reads at most MAX_PENDING_PARTIALS_PER_WITHDRAWALS_SWEEP queue entries (electra) and
 * min(validators, MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP) validators. Also used for block production.
 */
export function getExpectedWithdrawals(cs: CachedState): ExpectedWithdrawals {
  const { preset } = cs.config;
  const state = cs.state as CapellaPlusState;
  const electra = atLeast(cs.fork, "electra");
  const epoch = currentEpoch(cs);
  let withdrawalIndex = state.nextWithdrawalIndex;
  let validatorIndex = state.nextWithdrawalValidatorIndex;
  const withdrawals: Withdrawal[] = [];
  // Electra: amounts already withdrawn per validator in this list (total_withdrawn).
  const withdrawn = new Map<number, number>();
  let processedPartialWithdrawalsCount = 0;
  const validators = state.validators;
  const balances = state.balances;

  if (electra) {
    const minActivation = preset.MIN_ACTIVATION_BALANCE;
    const pending = (state as ElectraPlusState).pendingPartialWithdrawals;
    const count = pending.length;
    for (let i = 0; i < count; i++) {
      const w = pending.getReadonly(i);
      if (w.withdrawableEpoch > epoch || withdrawals.length === preset.MAX_PENDING_PARTIALS_PER_WITHDRAWALS_SWEEP)
        break;
      const index = w.validatorIndex;
      const validator = validators.getReadonly(index) as unknown as ValidatorFields;
      const balance = balances.get(index) - (withdrawn.get(index) ?? 0);
      if (
        validator.exitEpoch === FAR_FUTURE_EPOCH &&
        validator.effectiveBalance >= minActivation &&
        balance > minActivation
      ) {
        const amount = Math.min(balance - minActivation, w.amount);
        withdrawals.push({
          index: withdrawalIndex,
          validatorIndex: index,
          address: validator.withdrawalCredentials.slice(12),
          amount,
        });
        withdrawn.set(index, (withdrawn.get(index) ?? 0) + amount);
        withdrawalIndex++;
      }
      processedPartialWithdrawalsCount++;
    }
  }

  const validatorCount = validators.length;
  const bound = Math.min(validatorCount, preset.MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP);
  for (let n = 0; n < bound; n++) {
    const validator = validators.getReadonly(validatorIndex) as unknown as ValidatorFields;
    const balance = balances.get(validatorIndex) - (electra ? (withdrawn.get(validatorIndex) ?? 0) : 0);
    const executionCredential =
      hasEth1WithdrawalCredential(validator) || (electra && hasCompoundingWithdrawalCredential(validator));
    if (executionCredential) {
      const maxEffective =
        electra && hasCompoundingWithdrawalCredential(validator)
          ? preset.MAX_EFFECTIVE_BALANCE_ELECTRA
          : preset.MAX_EFFECTIVE_BALANCE;
      if (validator.withdrawableEpoch <= epoch && balance > 0) {
        // is_fully_withdrawable_validator
        withdrawals.push({
          index: withdrawalIndex,
          validatorIndex,
          address: validator.withdrawalCredentials.slice(12),
          amount: balance,
        });
        withdrawalIndex++;
      } else if (validator.effectiveBalance === maxEffective && balance > maxEffective) {
        // is_partially_withdrawable_validator
        withdrawals.push({
          index: withdrawalIndex,
          validatorIndex,
          address: validator.withdrawalCredentials.slice(12),
          amount: balance - maxEffective,
        });
        withdrawalIndex++;
      }
    }
    if (withdrawals.length === preset.MAX_WITHDRAWALS_PER_PAYLOAD) break;
    validatorIndex = (validatorIndex + 1) % validatorCount;
  }
  return { withdrawals, processedPartialWithdrawalsCount };
}

function withdrawalEqual(a: Withdrawal, b: Withdrawal): boolean {
  return (
    a.index === b.index &&
    a.validatorIndex === b.validatorIndex &&
    a.amount === b.amount &&
    bytesEqual(a.address, b.address)
  );
}

function describe(w: Withdrawal): string {
  return `{index ${w.index}, validator ${w.validatorIndex}, address ${toHex(w.address)}, amount ${w.amount}}`;
}

/**
 * `process_withdrawals(state, payload)` of the state's fork: asserts `payload.withdrawals == expected_withdrawals`
 * (INVALID_BLOCK naming the first difference), debits each withdrawal, drops the processed pending partial
 * withdrawals (electra) and advances next_withdrawal_index and next_withdrawal_validator_index.
 */
export function processWithdrawals(cs: CachedState, payloadWithdrawals: readonly Withdrawal[]): void {
  const { preset } = cs.config;
  const state = cs.state as CapellaPlusState;
  const { withdrawals: expected, processedPartialWithdrawalsCount } = getExpectedWithdrawals(cs);
  const rule = "process_withdrawals: payload.withdrawals == expected_withdrawals";
  check(
    payloadWithdrawals.length === expected.length,
    rule,
    `payload has ${payloadWithdrawals.length} withdrawals, expected ${expected.length}`,
  );
  for (let i = 0; i < expected.length; i++) {
    check(
      withdrawalEqual(payloadWithdrawals[i], expected[i]),
      rule,
      `withdrawal ${i}: payload ${describe(payloadWithdrawals[i])}, expected ${describe(expected[i])}`,
    );
  }
  for (const w of expected) decreaseBalance(cs, w.validatorIndex, w.amount);

  if (atLeast(cs.fork, "electra") && processedPartialWithdrawalsCount > 0) {
    const s = state as ElectraPlusState;
    s.pendingPartialWithdrawals = s.pendingPartialWithdrawals.sliceFrom(processedPartialWithdrawalsCount);
  }
  if (expected.length !== 0) state.nextWithdrawalIndex = expected[expected.length - 1].index + 1;
  const validatorCount = state.validators.length;
  if (expected.length === preset.MAX_WITHDRAWALS_PER_PAYLOAD) {
    state.nextWithdrawalValidatorIndex = (expected[expected.length - 1].validatorIndex + 1) % validatorCount;
  } else {
    state.nextWithdrawalValidatorIndex =
      (state.nextWithdrawalValidatorIndex + preset.MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP) % validatorCount;
  }
}
