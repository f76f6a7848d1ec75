// Execution-layer requests (electra beacon-chain.md, unchanged in fulu): deposits (EIP-6110), withdrawals and exits
// (EIP-7002) and consolidations (EIP-7251) that the execution payload's system contracts emitted. Requests the
// state cannot honour are ignored (the spec returns early), never a reason to reject the block.
import type { ValueOf } from "@chainsafe/ssz";
import {
  FAR_FUTURE_EPOCH,
  FULL_EXIT_REQUEST_AMOUNT,
  UNSET_DEPOSIT_REQUESTS_START_INDEX,
} from "../../params/constants.ts";
import {
  currentEpoch,
  getPendingBalanceToWithdraw,
  hasCompoundingWithdrawalCredential,
  hasEth1WithdrawalCredential,
  isActiveValidator,
  type Validator,
} from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { statePubkeyReader } from "../../state/epochContext.ts";
import {
  computeConsolidationEpochAndUpdateChurn,
  computeExitEpochAndUpdateChurn,
  initiateValidatorExit,
  switchToCompoundingValidator,
} from "../../state/mutators.ts";
import type { ElectraPlusState } from "../../state/types.ts";
import type { SszTypes } from "../../types/sszTypes.ts";
import { bytesEqual } from "../../util/bytes.ts";

export type DepositRequest = ValueOf<SszTypes["electra"]["DepositRequest"]>;
export type WithdrawalRequest = ValueOf<SszTypes["electra"]["WithdrawalRequest"]>;
export type ConsolidationRequest = ValueOf<SszTypes["electra"]["ConsolidationRequest"]>;
export type ExecutionRequests = ValueOf<SszTypes["electra"]["ExecutionRequests"]>;

/** The address of a 0x01/0x02 credential: its last 20 bytes. */
function credentialAddressEquals(credentials: Uint8Array, address: Uint8Array): boolean {
  return bytesEqual(credentials.subarray(12), address);
}

function indexOfPubkey(cs: CachedState, pubkey: Uint8Array): number | undefined {
  return cs.ctx.pubkeys.indexOf(pubkey, cs.state.validators.length, statePubkeyReader(cs.state));
}

function readValidator(cs: CachedState, index: number): Validator {
  return cs.state.validators.getReadonly(index) as unknown as Validator;
}

/** `has_execution_withdrawal_credential` (electra: 0x01 or 0x02). */
function hasExecutionCredential(v: Validator): boolean {
  return hasEth1WithdrawalCredential(v) || hasCompoundingWithdrawalCredential(v);
}

/**
 * `process_deposit_request(state, deposit_request)`: records the first request's index as
 * deposit_requests_start_index and queues a pending deposit at the state's slot.
 */
export function processDepositRequest(cs: CachedState, request: DepositRequest): void {
  const state = cs.state as ElectraPlusState;
  if (state.depositRequestsStartIndex === UNSET_DEPOSIT_REQUESTS_START_INDEX) {
    state.depositRequestsStartIndex = request.index;
  }
  state.pendingDeposits.push(
    cs.config.types.electra.PendingDeposit.toViewDU({
      pubkey: request.pubkey,
      withdrawalCredentials: request.withdrawalCredentials,
      amount: request.amount,
      signature: request.signature,
      slot: state.slot,
    }),
  );
}

/**
 * `process_withdrawal_request(state, withdrawal_request)`: a full exit (amount 0) of a validator without pending
 * withdrawals, or a partial withdrawal of a compounding validator's excess, queued with the exit churn. Ignored
 * when the queue is full (partials), the key is unknown, the credential or address does not match, the validator
 * is not active, already exiting, or not active for SHARD_COMMITTEE_PERIOD.
 */
export function processWithdrawalRequest(cs: CachedState, request: WithdrawalRequest): void {
  const { preset, chain, types } = cs.config;
  const state = cs.state as ElectraPlusState;
  const amount = request.amount;
  const isFullExit = amount === FULL_EXIT_REQUEST_AMOUNT;
  if (state.pendingPartialWithdrawals.length === preset.PENDING_PARTIAL_WITHDRAWALS_LIMIT && !isFullExit) return;

  const index = indexOfPubkey(cs, request.validatorPubkey);
  if (index === undefined) return;
  const validator = readValidator(cs, index);
  if (
    !(
      hasExecutionCredential(validator) &&
      credentialAddressEquals(validator.withdrawalCredentials, request.sourceAddress)
    )
  )
    return;
  const epoch = currentEpoch(cs);
  if (!isActiveValidator(validator, epoch)) return;
  if (validator.exitEpoch !== FAR_FUTURE_EPOCH) return;
  if (epoch < validator.activationEpoch + chain.SHARD_COMMITTEE_PERIOD) return;

  const pendingBalance = getPendingBalanceToWithdraw(cs, index);
  if (isFullExit) {
    if (pendingBalance === 0) initiateValidatorExit(cs, index);
    return;
  }
  const minActivation = preset.MIN_ACTIVATION_BALANCE;
  const balance = state.balances.get(index);
  const hasSufficientEffectiveBalance = validator.effectiveBalance >= minActivation;
  const hasExcessBalance = balance > minActivation + pendingBalance;
  if (hasCompoundingWithdrawalCredential(validator) && hasSufficientEffectiveBalance && hasExcessBalance) {
    const available = balance - minActivation - pendingBalance;
    // amount is a uint64 from the EL: compare exactly before narrowing.
    const toWithdraw = amount < BigInt(available) ? Number(amount) : available;
    const exitQueueEpoch = computeExitEpochAndUpdateChurn(cs, toWithdraw);
    state.pendingPartialWithdrawals.push(
      types.electra.PendingPartialWithdrawal.toViewDU({
        validatorIndex: index,
        amount: toWithdraw,
        withdrawableEpoch: exitQueueEpoch + chain.MIN_VALIDATOR_WITHDRAWABILITY_DELAY,
      }),
    );
  }
}

/** `is_valid_switch_to_compounding_request(state, consolidation_request)`; the source index when valid. */
function switchToCompoundingSource(cs: CachedState, request: ConsolidationRequest): number | undefined {
  if (!bytesEqual(request.sourcePubkey, request.targetPubkey)) return undefined;
  const index = indexOfPubkey(cs, request.sourcePubkey);
  if (index === undefined) return undefined;
  const source = readValidator(cs, index);
  if (!credentialAddressEquals(source.withdrawalCredentials, request.sourceAddress)) return undefined;
  if (!hasEth1WithdrawalCredential(source)) return undefined;
  if (!isActiveValidator(source, currentEpoch(cs))) return undefined;
  if (source.exitEpoch !== FAR_FUTURE_EPOCH) return undefined;
  return index;
}

/**
 * `process_consolidation_request(state, consolidation_request)`: a switch to compounding credentials (source ==
 * target), or a consolidation of an active source into an active compounding target: the source exits with the
 * consolidation churn and a pending consolidation is queued. Ignored whenever a spec condition fails.
 */
export function processConsolidationRequest(cs: CachedState, request: ConsolidationRequest): void {
  const { preset, chain, types } = cs.config;
  const state = cs.state as ElectraPlusState;
  const switchIndex = switchToCompoundingSource(cs, request);
  if (switchIndex !== undefined) {
    switchToCompoundingValidator(cs, switchIndex);
    return;
  }
  if (bytesEqual(request.sourcePubkey, request.targetPubkey)) return;
  if (state.pendingConsolidations.length === preset.PENDING_CONSOLIDATIONS_LIMIT) return;
  if (cs.ctx.consolidationChurnLimit <= preset.MIN_ACTIVATION_BALANCE) return;

  const sourceIndex = indexOfPubkey(cs, request.sourcePubkey);
  if (sourceIndex === undefined) return;
  const targetIndex = indexOfPubkey(cs, request.targetPubkey);
  if (targetIndex === undefined) return;
  const source = readValidator(cs, sourceIndex);
  const target = readValidator(cs, targetIndex);
  if (!(hasExecutionCredential(source) && credentialAddressEquals(source.withdrawalCredentials, request.sourceAddress)))
    return;
  if (!hasCompoundingWithdrawalCredential(target)) return;
  const epoch = currentEpoch(cs);
  if (!isActiveValidator(source, epoch)) return;
  if (!isActiveValidator(target, epoch)) return;
  if (source.exitEpoch !== FAR_FUTURE_EPOCH) return;
  if (target.exitEpoch !== FAR_FUTURE_EPOCH) return;
  if (epoch < source.activationEpoch + chain.SHARD_COMMITTEE_PERIOD) return;
  if (getPendingBalanceToWithdraw(cs, sourceIndex) > 0) return;

  const exitEpoch = computeConsolidationEpochAndUpdateChurn(cs, source.effectiveBalance);
  const view = state.validators.get(sourceIndex);
  view.exitEpoch = exitEpoch;
  view.withdrawableEpoch = exitEpoch + chain.MIN_VALIDATOR_WITHDRAWABILITY_DELAY;
  state.pendingConsolidations.push(types.electra.PendingConsolidation.toViewDU({ sourceIndex, targetIndex }));
}

/** Electra's requests in a block: deposits, then withdrawals, then consolidations, each in order. */
export function processExecutionRequests(cs: CachedState, requests: ExecutionRequests): void {
  for (const r of requests.deposits) processDepositRequest(cs, r);
  for (const r of requests.withdrawals) processWithdrawalRequest(cs, r);
  for (const r of requests.consolidations) processConsolidationRequest(cs, r);
}
