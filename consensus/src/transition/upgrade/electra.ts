// electra/fork.md `upgrade_to_electra`: the deneb state gains the balance-churn fields (earliest exit epoch from the
// registry's exits, churn budgets of the fork epoch), the validators not yet activated move their balances to the
// pending deposit queue (ordered by eligibility epoch, then index), and early adopters of compounding credentials
// queue their balance above MIN_ACTIVATION_BALANCE.
import {
  FAR_FUTURE_EPOCH,
  G2_POINT_AT_INFINITY,
  GENESIS_SLOT,
  UNSET_DEPOSIT_REQUESTS_START_INDEX,
} from "../../params/constants.ts";
import { forkVersion } from "../../params/forkSchedule.ts";
import { computeActivationExitEpoch, currentEpoch, hasCompoundingWithdrawalCredential } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { TransitionError } from "../../state/errors.ts";
import { queueExcessActiveBalance } from "../../state/mutators.ts";
import type { StateDeneb, StateElectra } from "../../state/types.ts";
import { carryOverState } from "./carryOver.ts";

/** `upgrade_to_electra(pre)`: replaces `cs.state` (deneb) with the electra state and sets `cs.fork`. */
export function upgradeStateToElectra(cs: CachedState): void {
  if (cs.fork !== "deneb") {
    throw new TransitionError("INVALID_REQUEST", "upgrade_to_electra: pre is a deneb state", `got ${cs.fork}`);
  }
  const { types, chain } = cs.config;
  const pre = cs.state as StateDeneb;
  const epoch = currentEpoch(cs);
  pre.commit();
  const validators = pre.validators.getAllReadonlyValues();

  let earliestExitEpoch = computeActivationExitEpoch(cs, epoch);
  const preActivation: number[] = [];
  for (let i = 0; i < validators.length; i++) {
    const { exitEpoch, activationEpoch } = validators[i];
    if (exitEpoch !== FAR_FUTURE_EPOCH && exitEpoch > earliestExitEpoch) earliestExitEpoch = exitEpoch;
    if (activationEpoch === FAR_FUTURE_EPOCH) preActivation.push(i);
  }
  earliestExitEpoch += 1;

  const post = carryOverState<StateElectra>(types.deneb.BeaconState, pre, types.electra.BeaconState, [
    "fork",
    "depositRequestsStartIndex",
    "depositBalanceToConsume",
    "exitBalanceToConsume",
    "earliestExitEpoch",
    "consolidationBalanceToConsume",
    "earliestConsolidationEpoch",
    "pendingDeposits",
    "pendingPartialWithdrawals",
    "pendingConsolidations",
  ]);
  post.fork = types.phase0.Fork.toViewDU({
    previousVersion: pre.fork.currentVersion,
    currentVersion: forkVersion(chain, "electra"),
    epoch,
  });
  post.depositRequestsStartIndex = UNSET_DEPOSIT_REQUESTS_START_INDEX;
  post.depositBalanceToConsume = 0;
  post.earliestExitEpoch = earliestExitEpoch;
  post.earliestConsolidationEpoch = computeActivationExitEpoch(cs, epoch);
  // get_activation_exit_churn_limit(post) and get_consolidation_churn_limit(post): the total active balance is the
  // pre-state's (the validators moved to the queue below are not active), which the EpochContext holds.
  post.exitBalanceToConsume = cs.ctx.activationExitChurnLimit;
  post.consolidationBalanceToConsume = cs.ctx.consolidationChurnLimit;

  cs.state = post;
  cs.fork = "electra";

  // Validators not yet active: their balance goes to the pending deposit queue.
  preActivation.sort((a, b) => {
    const ea = validators[a].activationEligibilityEpoch;
    const eb = validators[b].activationEligibilityEpoch;
    if (ea !== eb) return ea < eb ? -1 : 1;
    return a - b;
  });
  const increments = preActivation.length > 0 ? cs.ctx.effectiveBalanceIncrementsForWrite(validators.length) : null;
  for (const index of preActivation) {
    const balance = post.balances.get(index);
    post.balances.set(index, 0);
    const validator = post.validators.get(index);
    validator.effectiveBalance = 0;
    validator.activationEligibilityEpoch = FAR_FUTURE_EPOCH;
    if (increments) increments[index] = 0;
    // G2_POINT_AT_INFINITY as the signature placeholder and GENESIS_SLOT mark it as not a deposit request.
    post.pendingDeposits.push(
      types.electra.PendingDeposit.toViewDU({
        pubkey: validator.pubkey,
        withdrawalCredentials: validator.withdrawalCredentials,
        amount: balance,
        signature: G2_POINT_AT_INFINITY,
        slot: GENESIS_SLOT,
      }),
    );
  }

  // Early adopters of compounding credentials go through the activation churn.
  for (let i = 0; i < validators.length; i++) {
    if (hasCompoundingWithdrawalCredential(validators[i])) queueExcessActiveBalance(cs, i);
  }
  post.commit();
}
