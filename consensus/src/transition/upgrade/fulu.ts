// fulu/fork.md `upgrade_to_fulu`: the electra state gains the proposer lookahead (EIP-7917), initialized with the
// proposers of the fork epoch and the next MIN_SEED_LOOKAHEAD epochs.
import { forkVersion } from "../../params/forkSchedule.ts";
import { currentEpoch } from "../../state/accessors.ts";
import type { CachedState } from "../../state/cachedState.ts";
import { TransitionError } from "../../state/errors.ts";
import type { StateElectra, StateFulu } from "../../state/types.ts";
import { carryOverState } from "./carryOver.ts";

/** `upgrade_to_fulu(pre)`: replaces `cs.state` (electra) with the fulu state and sets `cs.fork`. */
export function upgradeStateToFulu(cs: CachedState): void {
  if (cs.fork !== "electra") {
    throw new TransitionError("INVALID_REQUEST", "upgrade_to_fulu: pre is an electra state", `got ${cs.fork}`);
  }
  const { types, chain } = cs.config;
  const pre = cs.state as StateElectra;
  // initialize_proposer_lookahead(pre): the registry and RANDAO mixes are the post-state's too.
  const lookahead = cs.ctx.initialProposerLookahead(pre);
  const post = carryOverState<StateFulu>(types.electra.BeaconState, pre, types.fulu.BeaconState, [
    "fork",
    "proposerLookahead",
  ]);
  post.fork = types.phase0.Fork.toViewDU({
    previousVersion: pre.fork.currentVersion,
    currentVersion: forkVersion(chain, "fulu"),
    epoch: currentEpoch(cs),
  });
  post.proposerLookahead = types.fulu.ProposerLookahead.toViewDU(Array.from(lookahead));
  post.commit();
  cs.state = post;
  cs.fork = "fulu";
}
