// Fork upgrades (each fork's fork.md `upgrade_to_<fork>`), dispatched by the fork to upgrade to. processSlots calls
// `upgradeState` at a fork's first slot, after the epoch transition, then `ctx.onForkUpgrade`.
import type { ForkName } from "../../params/forkName.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { TransitionError } from "../../state/errors.ts";
import { upgradeStateToAltair } from "./altair.ts";
import { upgradeStateToBellatrix } from "./bellatrix.ts";
import { upgradeStateToCapella } from "./capella.ts";
import { upgradeStateToDeneb } from "./deneb.ts";
import { upgradeStateToElectra } from "./electra.ts";
import { upgradeStateToFulu } from "./fulu.ts";

export { participationFlagsOf, translateParticipation, upgradeStateToAltair } from "./altair.ts";
export { upgradeStateToBellatrix } from "./bellatrix.ts";
export { upgradeStateToCapella } from "./capella.ts";
export { carryOverState } from "./carryOver.ts";
export { upgradeStateToDeneb } from "./deneb.ts";
export { upgradeStateToElectra } from "./electra.ts";
export { upgradeStateToFulu } from "./fulu.ts";
export { computeNextSyncCommittee, getNextSyncCommittee, type SyncCommitteeValue } from "./syncCommittee.ts";

const UPGRADES: Readonly<Record<Exclude<ForkName, "phase0">, (cs: CachedState) => void>> = {
  altair: upgradeStateToAltair,
  bellatrix: upgradeStateToBellatrix,
  capella: upgradeStateToCapella,
  deneb: upgradeStateToDeneb,
  electra: upgradeStateToElectra,
  fulu: upgradeStateToFulu,
};

/**
 * `upgrade_to_<toFork>(cs.state)`: replaces `cs.state` with the upgraded state of `toFork` and sets `cs.fork`.
 * `toFork` must be the fork right after `cs.fork`. The EpochContext is not rotated here (the caller runs
 * `ctx.onForkUpgrade`), except the effective-balance increments electra zeroes.
 */
export function upgradeState(cs: CachedState, toFork: ForkName): void {
  if (toFork === "phase0") {
    throw new TransitionError("INVALID_REQUEST", "upgrade: there is no upgrade to phase0");
  }
  const upgrade = UPGRADES[toFork];
  if (upgrade === undefined) throw new TransitionError("INVALID_REQUEST", `upgrade: unknown fork ${String(toFork)}`);
  upgrade(cs);
}
