// electra's process_pending_deposits (with apply_pending_deposit and is_valid_deposit_signature) and
// process_pending_consolidations. Pubkeys are looked up through the chain's pubkey cache (no registry scan per
// deposit); a deposit signature is verified on its own, and a bad one skips that deposit, never the block.
import type { ValueOf } from "@chainsafe/ssz";
import { publicKeyFromBytes } from "../../bls/keys.ts";
import { verify } from "../../bls/verify.ts";
import { FAR_FUTURE_EPOCH, GENESIS_SLOT } from "../../params/constants.ts";
import { computeSigningRoot } from "../../signing/domain.ts";
import { DOMAIN_DEPOSIT } from "../../signing/domainTypes.ts";
import { stateDomain } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { statePubkeyReader } from "../../state/epochContext.ts";
import { addValidatorToRegistry, decreaseBalance, increaseBalance } from "../../state/mutators.ts";
import type { ElectraPlusState } from "../../state/types.ts";
import type { SszTypes } from "../../types/sszTypes.ts";

type PendingDeposit = ValueOf<SszTypes["electra"]["PendingDeposit"]>;

/** `is_valid_deposit_signature(pubkey, withdrawal_credentials, amount, signature)`. */
export function isValidDepositSignature(cs: CachedState, deposit: PendingDeposit): boolean {
  const message = cs.config.types.phase0.DepositMessage.hashTreeRoot({
    pubkey: deposit.pubkey,
    withdrawalCredentials: deposit.withdrawalCredentials,
    amount: deposit.amount,
  });
  const root = computeSigningRoot(message, stateDomain(cs, DOMAIN_DEPOSIT, 0));
  try {
    return verify(publicKeyFromBytes(deposit.pubkey), root, deposit.signature);
  } catch {
    // A pubkey that is not a valid G1 point makes the deposit invalid.
    return false;
  }
}

/** The validator index of `pubkey` in the state, or undefined. */
function indexOfPubkey(cs: CachedState, pubkey: Uint8Array): number | undefined {
  return cs.ctx.pubkeys.indexOf(pubkey, cs.state.validators.length, statePubkeyReader(cs.state));
}

/** `apply_pending_deposit(state, deposit)`: a top-up, or a new validator when the signature is valid. */
export function applyPendingDeposit(cs: CachedState, deposit: PendingDeposit, index: number | undefined): void {
  if (index === undefined) {
    if (isValidDepositSignature(cs, deposit)) {
      addValidatorToRegistry(cs, deposit.pubkey, deposit.withdrawalCredentials, deposit.amount);
    }
  } else {
    increaseBalance(cs, index, deposit.amount);
  }
}

/** `process_pending_deposits(state)`. Returns true when a balance or the registry changed. */
export function processPendingDeposits(cs: CachedState): boolean {
  const state = cs.state as ElectraPlusState;
  const { preset } = cs.config;
  const nextEpoch = Math.floor(state.slot / preset.SLOTS_PER_EPOCH) + 1;
  const availableForProcessing = state.depositBalanceToConsume + cs.ctx.activationExitChurnLimit;
  let processedAmount = 0;
  let nextDepositIndex = 0;
  const postponed: PendingDeposit[] = [];
  let isChurnLimitReached = false;
  let changed = false;
  const finalizedSlot = state.finalizedCheckpoint.epoch * preset.SLOTS_PER_EPOCH;
  const eth1BridgePending = BigInt(state.eth1DepositIndex) < state.depositRequestsStartIndex;
  const queue = state.pendingDeposits;
  const length = queue.length;
  for (let i = 0; i < length; i++) {
    const deposit = queue.getReadonly(i).toValue() as PendingDeposit;
    if (deposit.slot > GENESIS_SLOT && eth1BridgePending) break;
    if (deposit.slot > finalizedSlot) break;
    if (nextDepositIndex >= preset.MAX_PENDING_DEPOSITS_PER_EPOCH) break;
    const index = indexOfPubkey(cs, deposit.pubkey);
    let isExited = false;
    let isWithdrawn = false;
    if (index !== undefined) {
      const validator = state.validators.getReadonly(index);
      isExited = validator.exitEpoch < FAR_FUTURE_EPOCH;
      isWithdrawn = validator.withdrawableEpoch < nextEpoch;
    }
    if (isWithdrawn) {
      applyPendingDeposit(cs, deposit, index);
      changed = true;
    } else if (isExited) {
      postponed.push(deposit);
    } else {
      isChurnLimitReached = processedAmount + deposit.amount > availableForProcessing;
      if (isChurnLimitReached) break;
      processedAmount += deposit.amount;
      applyPendingDeposit(cs, deposit, index);
      changed = true;
    }
    nextDepositIndex++;
  }
  if (nextDepositIndex > 0 || postponed.length > 0) {
    const rest = queue.sliceFrom(nextDepositIndex);
    const type = cs.config.types.electra.PendingDeposit;
    for (const deposit of postponed) rest.push(type.toViewDU(deposit));
    state.pendingDeposits = rest;
  }
  state.depositBalanceToConsume = isChurnLimitReached ? availableForProcessing - processedAmount : 0;
  return changed;
}

/** `process_pending_consolidations(state)`. Returns true when a balance changed. */
export function processPendingConsolidations(cs: CachedState): boolean {
  const state = cs.state as ElectraPlusState;
  const nextEpoch = Math.floor(state.slot / cs.config.preset.SLOTS_PER_EPOCH) + 1;
  const queue = state.pendingConsolidations;
  const length = queue.length;
  let next = 0;
  let changed = false;
  for (let i = 0; i < length; i++) {
    const { sourceIndex, targetIndex } = queue.getReadonly(i);
    const source = state.validators.getReadonly(sourceIndex);
    if (source.slashed) {
      next++;
      continue;
    }
    if (source.withdrawableEpoch > nextEpoch) break;
    const amount = Math.min(state.balances.get(sourceIndex), source.effectiveBalance);
    decreaseBalance(cs, sourceIndex, amount);
    increaseBalance(cs, targetIndex, amount);
    changed = true;
    next++;
  }
  if (next > 0) state.pendingConsolidations = queue.sliceFrom(next);
  return changed;
}
