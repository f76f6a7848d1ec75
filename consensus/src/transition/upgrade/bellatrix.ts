// bellatrix/fork.md `upgrade_to_bellatrix`: the altair state gains an empty execution payload header.
import { forkVersion } from "../../params/forkSchedule.ts";
import { currentEpoch } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { TransitionError } from "../../state/errors.ts";
import type { StateAltair, StateBellatrix } from "../../state/types.ts";
import { carryOverState } from "./carryOver.ts";

/** `upgrade_to_bellatrix(pre)`: replaces `cs.state` (altair) with the bellatrix state and sets `cs.fork`. */
export function upgradeStateToBellatrix(cs: CachedState): void {
  if (cs.fork !== "altair") {
    throw new TransitionError("INVALID_REQUEST", "upgrade_to_bellatrix: pre is an altair state", `got ${cs.fork}`);
  }
  const { types, chain } = cs.config;
  const pre = cs.state as StateAltair;
  const post = carryOverState<StateBellatrix>(types.altair.BeaconState, pre, types.bellatrix.BeaconState, [
    "fork",
    "latestExecutionPayloadHeader",
  ]);
  post.fork = types.phase0.Fork.toViewDU({
    previousVersion: pre.fork.currentVersion,
    currentVersion: forkVersion(chain, "bellatrix"),
    epoch: currentEpoch(cs),
  });
  // latest_execution_payload_header = ExecutionPayloadHeader(): the default the carry-over already holds.
  post.commit();
  cs.state = post;
  cs.fork = "bellatrix";
}
