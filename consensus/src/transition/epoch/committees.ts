// The epoch steps that choose validators for the future: altair's process_sync_committee_updates (at sync period
// boundaries, with the fork's sampling rule) and fulu's process_proposer_lookahead. Both read effective balances
// after process_effective_balance_updates (the context's increments, refreshed by that step).

import { processProposerLookahead as shiftLookahead } from "../../committees/lookahead.ts";
import { computeSeed, randaoMixIndexForSeed } from "../../committees/seed.ts";
import { DOMAIN_BEACON_PROPOSER } from "../../signing/domainTypes.ts";
import type { CachedState } from "../../state/cachedState.ts";
import type { AltairPlusState, StateFulu } from "../../state/types.ts";
import { getNextSyncCommittee } from "../upgrade/syncCommittee.ts";

/** `process_sync_committee_updates(state)` (altair+). */
export function processSyncCommitteeUpdates(cs: CachedState): void {
  const { preset, types } = cs.config;
  const nextEpoch = Math.floor(cs.state.slot / preset.SLOTS_PER_EPOCH) + 1;
  if (nextEpoch % preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD !== 0) return;
  const state = cs.state as AltairPlusState;
  const { committee } = getNextSyncCommittee(cs);
  state.currentSyncCommittee = state.nextSyncCommittee;
  state.nextSyncCommittee = types.altair.SyncCommittee.toViewDU(committee);
}

/**
 * `process_proposer_lookahead(state)` (fulu). `activeIndices` are the active validators of
 * current + MIN_SEED_LOOKAHEAD + 1 as the state now stands.
 */
export function processProposerLookahead(cs: CachedState, activeIndices: Uint32Array): void {
  const { preset, types } = cs.config;
  const state = cs.state as StateFulu;
  const epoch = Math.floor(state.slot / preset.SLOTS_PER_EPOCH);
  const balances = cs.ctx.effectiveBalancesGwei();
  const lookahead = Uint32Array.from(state.proposerLookahead.getAll());
  const next = shiftLookahead(
    lookahead,
    epoch,
    (target) => {
      const mix = state.randaoMixes.get(randaoMixIndexForSeed(target, preset));
      return { activeIndices, effectiveBalances: balances, seed: computeSeed(mix, DOMAIN_BEACON_PROPOSER, target) };
    },
    preset,
  );
  state.proposerLookahead = types.fulu.BeaconState.fields.proposerLookahead.toViewDU(Array.from(next));
}
