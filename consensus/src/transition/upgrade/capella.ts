// capella/fork.md `upgrade_to_capella`: the payload header gains a zero withdrawals_root; the withdrawal cursors
// start at zero and the historical summaries empty.
import { forkVersion } from "../../params/forkSchedule.ts";
import { currentEpoch } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { TransitionError } from "../../state/errors.ts";
import type { StateBellatrix, StateCapella } from "../../state/types.ts";
import { carryOverState } from "./carryOver.ts";

/** `upgrade_to_capella(pre)`: replaces `cs.state` (bellatrix) with the capella state and sets `cs.fork`. */
export function upgradeStateToCapella(cs: CachedState): void {
  if (cs.fork !== "bellatrix") {
    throw new TransitionError("INVALID_REQUEST", "upgrade_to_capella: pre is a bellatrix state", `got ${cs.fork}`);
  }
  const { types, chain } = cs.config;
  const pre = cs.state as StateBellatrix;
  const header = pre.latestExecutionPayloadHeader.toValue();
  const post = carryOverState<StateCapella>(types.bellatrix.BeaconState, pre, types.capella.BeaconState, [
    "fork",
    "latestExecutionPayloadHeader",
    "nextWithdrawalIndex",
    "nextWithdrawalValidatorIndex",
    "historicalSummaries",
  ]);
  post.fork = types.phase0.Fork.toViewDU({
    previousVersion: pre.fork.currentVersion,
    currentVersion: forkVersion(chain, "capella"),
    epoch: currentEpoch(cs),
  });
  post.latestExecutionPayloadHeader = types.capella.ExecutionPayloadHeader.toViewDU({
    ...header,
    withdrawalsRoot: new Uint8Array(32),
  });
  // next_withdrawal_index, next_withdrawal_validator_index = 0 and historical_summaries = []: the defaults.
  post.commit();
  cs.state = post;
  cs.fork = "capella";
}
