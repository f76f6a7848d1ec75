// process_epoch of every fork (phase0 … fulu beacon-chain.md), run by processSlots at the last slot of an epoch
// with `cs.ctx` still the context of that epoch. One registry pass (collectEpochData) feeds justification,
// inactivity, rewards, registry and slashing steps; rewards and slashings work on one flat balances array written
// back in one bulk operation; a second pass does the effective-balance updates. The context's rotation is left to
// processSlots (ctx.afterEpochTransition), except what steps inside process_epoch read (increments, pubkeys).
import type { CachedState } from "../../state/cachedState.ts";
import { atLeast } from "../../state/types.ts";
import { processProposerLookahead, processSyncCommitteeUpdates } from "./committees.ts";
import { processEffectiveBalanceUpdates } from "./effectiveBalances.ts";
import { collectEpochData } from "./epochData.ts";
import { processInactivityUpdates } from "./inactivity.ts";
import { processJustificationAndFinalization } from "./justification.ts";
import { processPendingConsolidations, processPendingDeposits } from "./pendingQueues.ts";
import { processRegistryUpdates } from "./registry.ts";
import {
  processEth1DataReset,
  processHistoricalRootsUpdate,
  processHistoricalSummariesUpdate,
  processParticipationFlagUpdates,
  processParticipationRecordUpdates,
  processRandaoMixesReset,
  processSlashingsReset,
} from "./resets.ts";
import { processRewardsAndPenalties } from "./rewards.ts";
import { processSlashings } from "./slashings.ts";

export { processProposerLookahead, processSyncCommitteeUpdates } from "./committees.ts";
export { processEffectiveBalanceUpdates } from "./effectiveBalances.ts";
export { collectEpochData, type EpochData } from "./epochData.ts";
export { finalityDelay, isInInactivityLeak, processInactivityUpdates } from "./inactivity.ts";
export { processJustificationAndFinalization, weighJustificationAndFinalization } from "./justification.ts";
export {
  applyPendingDeposit,
  isValidDepositSignature,
  processPendingConsolidations,
  processPendingDeposits,
} from "./pendingQueues.ts";
export { processRegistryUpdates } from "./registry.ts";
export {
  processEth1DataReset,
  processHistoricalRootsUpdate,
  processHistoricalSummariesUpdate,
  processParticipationFlagUpdates,
  processParticipationRecordUpdates,
  processRandaoMixesReset,
  processSlashingsReset,
} from "./resets.ts";
export { processRewardsAndPenalties } from "./rewards.ts";
export { processSlashings, proportionalSlashingMultiplier } from "./slashings.ts";

/**
 * `process_epoch(state)` of `cs.fork`: mutates `cs.state` in place (at the last slot of an epoch). Leaves the
 * validators list committed, so the registry can be read in bulk afterwards.
 */
export function processEpoch(cs: CachedState): void {
  const fork = cs.fork;
  const altair = atLeast(fork, "altair");
  const electra = atLeast(fork, "electra");
  const data = collectEpochData(cs);

  processJustificationAndFinalization(cs, data);
  const scores = altair ? processInactivityUpdates(cs, data) : null;

  // Rewards and slashings on one array of balances, written back once.
  const balances = cs.state.balances.getAll();
  let balancesChanged = processRewardsAndPenalties(cs, data, balances, scores);
  processRegistryUpdates(cs, data);
  balancesChanged = processSlashings(cs, data, balances) || balancesChanged;
  if (balancesChanged) {
    cs.state.balances = cs.config.types.phase0.BeaconState.fields.balances.toViewDU(balances);
  }

  processEth1DataReset(cs);
  let current: number[] | null = balances;
  if (electra) {
    const deposits = processPendingDeposits(cs);
    const consolidations = processPendingConsolidations(cs);
    if (deposits || consolidations) current = null;
  }
  // The active set of current + MIN_SEED_LOOKAHEAD + 1: fulu's lookahead reads it, and with MIN_SEED_LOOKAHEAD 1
  // (both presets) it is the next epoch's "next" shuffling, which the context rotation then need not rescan for.
  const { activeIndices } = processEffectiveBalanceUpdates(cs, current, data);
  if (data.upcomingEpoch === data.epoch + 2) cs.ctx.setUpcomingActiveIndices(data.upcomingEpoch, activeIndices);
  processSlashingsReset(cs);
  processRandaoMixesReset(cs);
  if (atLeast(fork, "capella")) processHistoricalSummariesUpdate(cs);
  else processHistoricalRootsUpdate(cs);
  if (altair) {
    processParticipationFlagUpdates(cs);
    processSyncCommitteeUpdates(cs);
  } else {
    processParticipationRecordUpdates(cs);
  }
  if (atLeast(fork, "fulu")) processProposerLookahead(cs, activeIndices);
  // The caller's ctx.afterEpochTransition reads the registry in bulk, which needs the validator edits committed.
  cs.state.validators.commit();
}
