// process_voluntary_exit (phase0 beacon-chain.md; deneb signs with CAPELLA_FORK_VERSION (EIP-7044), electra requires
// no pending partial withdrawal (EIP-7251)): an active validator that has served SHARD_COMMITTEE_PERIOD epochs asks
// to exit. The exit's signature goes to the block's signature batch.
import type { ValueOf } from "@chainsafe/ssz";
import { FAR_FUTURE_EPOCH } from "../../../params/constants.ts";
import { DOMAIN_VOLUNTARY_EXIT } from "../../../signing/domainTypes.ts";
import {
  currentEpoch,
  getPendingBalanceToWithdraw,
  isActiveValidator,
  singleSignatureSet,
  stateDomain,
  validatorAt,
} from "../../../state/accessors.ts";
import type { CachedState } from "../../../state/cachedState.ts";
import { check } from "../../../state/errors.ts";
import { initiateValidatorExit } from "../../../state/mutators.ts";
import { atLeast } from "../../../state/types.ts";
import type { SszTypes } from "../../../types/sszTypes.ts";
import type { BlockContext } from "../../options.ts";

/** A SignedVoluntaryExit value. */
export type SignedVoluntaryExit = ValueOf<SszTypes["phase0"]["SignedVoluntaryExit"]>;

/**
 * `process_voluntary_exit(state, signed_voluntary_exit)` of the state's fork: checks the validator (active, not
 * exiting, exit epoch reached, active long enough, electra: nothing pending to withdraw), pushes the signature set
 * to `bc.signatureSets` (when signatures are checked) and initiates the exit. Throws INVALID_BLOCK naming the rule.
 */
export function processVoluntaryExit(cs: CachedState, signed: SignedVoluntaryExit, bc: BlockContext): void {
  const exit = signed.message;
  const index = exit.validatorIndex;
  const validator = validatorAt(
    cs,
    index,
    "process_voluntary_exit: voluntary_exit.validator_index < len(state.validators)",
  );
  const epoch = currentEpoch(cs);
  check(
    isActiveValidator(validator, epoch),
    "process_voluntary_exit: is_active_validator(validator, get_current_epoch(state))",
    `validator ${index}`,
  );
  check(
    validator.exitEpoch === FAR_FUTURE_EPOCH,
    "process_voluntary_exit: validator.exit_epoch == FAR_FUTURE_EPOCH",
    `validator ${index} exits at epoch ${validator.exitEpoch}`,
  );
  check(
    epoch >= exit.epoch,
    "process_voluntary_exit: get_current_epoch(state) >= voluntary_exit.epoch",
    `current epoch ${epoch}, exit epoch ${exit.epoch}`,
  );
  check(
    epoch >= validator.activationEpoch + cs.config.chain.SHARD_COMMITTEE_PERIOD,
    "process_voluntary_exit: get_current_epoch(state) >= validator.activation_epoch + SHARD_COMMITTEE_PERIOD",
    `current epoch ${epoch}, activated at ${validator.activationEpoch}`,
  );
  if (atLeast(cs.fork, "electra")) {
    const pending = getPendingBalanceToWithdraw(cs, index);
    check(
      pending === 0,
      "process_voluntary_exit: get_pending_balance_to_withdraw(state, voluntary_exit.validator_index) == 0",
      `validator ${index} has ${pending} Gwei pending withdrawal`,
    );
  }
  if (bc.signatureSets) {
    const domain = stateDomain(cs, DOMAIN_VOLUNTARY_EXIT, exit.epoch);
    const root = cs.config.types.phase0.VoluntaryExit.hashTreeRoot(exit);
    bc.signatureSets.push(singleSignatureSet(cs, index, root, domain, signed.signature));
  }
  initiateValidatorExit(cs, index);
}
