// deneb/fork.md `upgrade_to_deneb`: the payload header gains blob_gas_used and excess_blob_gas (zero).
import { forkVersion } from "../../params/forkSchedule.ts";
import { currentEpoch } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { TransitionError } from "../../state/errors.ts";
import type { StateCapella, StateDeneb } from "../../state/types.ts";
import { carryOverState } from "./carryOver.ts";

/** `upgrade_to_deneb(pre)`: replaces `cs.state` (capella) with the deneb state and sets `cs.fork`. */
export function upgradeStateToDeneb(cs: CachedState): void {
  if (cs.fork !== "capella") {
    throw new TransitionError("INVALID_REQUEST", "upgrade_to_deneb: pre is a capella state", `got ${cs.fork}`);
  }
  const { types, chain } = cs.config;
  const pre = cs.state as StateCapella;
  const header = pre.latestExecutionPayloadHeader.toValue();
  const post = carryOverState<StateDeneb>(types.capella.BeaconState, pre, types.deneb.BeaconState, [
    "fork",
    "latestExecutionPayloadHeader",
  ]);
  post.fork = types.phase0.Fork.toViewDU({
    previousVersion: pre.fork.currentVersion,
    currentVersion: forkVersion(chain, "deneb"),
    epoch: currentEpoch(cs),
  });
  post.latestExecutionPayloadHeader = types.deneb.ExecutionPayloadHeader.toViewDU({
    ...header,
    blobGasUsed: 0n,
    excessBlobGas: 0n,
  });
  post.commit();
  cs.state = post;
  cs.fork = "deneb";
}
