// The bookkeeping steps at the end of process_epoch: eth1 data votes, slashings and RANDAO mix resets, historical
// roots (phase0 … bellatrix) or historical summaries (capella+), phase0's participation records and altair's
// participation flags.
import { digest2Bytes32 } from "@chainsafe/as-sha256";
import type { CachedState } from "../../state/cachedState.ts";
import type { AltairPlusState, CapellaPlusState, StatePhase0 } from "../../state/types.ts";

function nextEpochOf(cs: CachedState): number {
  return Math.floor(cs.state.slot / cs.config.preset.SLOTS_PER_EPOCH) + 1;
}

/** `process_eth1_data_reset(state)`: votes cleared at the end of each voting period. */
export function processEth1DataReset(cs: CachedState): void {
  if (nextEpochOf(cs) % cs.config.preset.EPOCHS_PER_ETH1_VOTING_PERIOD === 0) {
    cs.state.eth1DataVotes = cs.config.types.phase0.BeaconState.fields.eth1DataVotes.defaultViewDU();
  }
}

/** `process_slashings_reset(state)`. */
export function processSlashingsReset(cs: CachedState): void {
  cs.state.slashings.set(nextEpochOf(cs) % cs.config.preset.EPOCHS_PER_SLASHINGS_VECTOR, 0);
}

/** `process_randao_mixes_reset(state)`: the next epoch starts from the current epoch's mix. */
export function processRandaoMixesReset(cs: CachedState): void {
  const vector = cs.config.preset.EPOCHS_PER_HISTORICAL_VECTOR;
  const next = nextEpochOf(cs);
  cs.state.randaoMixes.set(next % vector, cs.state.randaoMixes.get((next - 1) % vector));
}

function isHistoricalBoundary(cs: CachedState): boolean {
  const { preset } = cs.config;
  return nextEpochOf(cs) % Math.floor(preset.SLOTS_PER_HISTORICAL_ROOT / preset.SLOTS_PER_EPOCH) === 0;
}

/** `process_historical_roots_update(state)` (phase0 … bellatrix): the HistoricalBatch root appended. */
export function processHistoricalRootsUpdate(cs: CachedState): void {
  if (!isHistoricalBoundary(cs)) return;
  const { state } = cs;
  // hash_tree_root(HistoricalBatch(block_roots, state_roots)): a two-field container.
  state.historicalRoots.push(digest2Bytes32(state.blockRoots.hashTreeRoot(), state.stateRoots.hashTreeRoot()));
}

/** `process_historical_summaries_update(state)` (capella+). */
export function processHistoricalSummariesUpdate(cs: CachedState): void {
  if (!isHistoricalBoundary(cs)) return;
  const state = cs.state as CapellaPlusState;
  const summary = cs.config.types.capella.HistoricalSummary.toViewDU({
    blockSummaryRoot: state.blockRoots.hashTreeRoot(),
    stateSummaryRoot: state.stateRoots.hashTreeRoot(),
  });
  state.historicalSummaries.push(summary);
}

/** `process_participation_record_updates(state)` (phase0). */
export function processParticipationRecordUpdates(cs: CachedState): void {
  const state = cs.state as StatePhase0;
  state.previousEpochAttestations = state.currentEpochAttestations;
  state.currentEpochAttestations = cs.config.types.phase0.BeaconState.fields.currentEpochAttestations.defaultViewDU();
}

/** `process_participation_flag_updates(state)` (altair+): current becomes previous; current all zero. */
export function processParticipationFlagUpdates(cs: CachedState): void {
  const state = cs.state as AltairPlusState;
  const type = cs.config.types.altair.BeaconState.fields.currentEpochParticipation;
  state.previousEpochParticipation = state.currentEpochParticipation;
  // A List[uint8] serializes as its bytes: n zero bytes are n zero flags.
  state.currentEpochParticipation = type.deserializeToViewDU(new Uint8Array(state.validators.length));
}
