// Shuffling and committees: swap-or-not shuffle, beacon committees, seeds, proposers (phase0 and electra rules,
// fulu lookahead), sync committee selection and aggregator selection. Pure functions on plain inputs.
export {
  aggregatorModulo,
  getSyncCommitteeSeats,
  getSyncSubcommittee,
  isAggregator,
  isSyncCommitteeAggregator,
  SYNC_COMMITTEE_SUBNET_COUNT,
  type SyncCommitteeSeat,
  syncSubcommitteeIndex,
  syncSubcommitteeSize,
  TARGET_AGGREGATORS_PER_COMMITTEE,
  TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE,
} from "./aggregators.ts";
export {
  type CommitteeAssignment,
  type CommitteePreset,
  computeCommittee,
  computeCommitteeAssignments,
  computeCommitteeCount,
  computeEpochShuffling,
  type EpochShuffling,
  getBeaconCommittee,
} from "./committees.ts";
export {
  computeBeaconProposerIndices,
  getLookaheadProposer,
  initializeProposerLookahead,
  type LookaheadPreset,
  type ProposerEpochInputs,
  type ProposerInputsAt,
  processProposerLookahead,
  proposerLookaheadLength,
} from "./lookahead.ts";
export { computeSeed, computeSlotSeed, randaoMixIndexForSeed, SEED_LENGTH } from "./seed.ts";
export {
  computeBeaconProposerIndex,
  computeEpochProposers,
  computeProposerIndex,
  computeProposerIndices,
  computeSyncCommitteeIndices,
  type ProposerPreset,
  type SamplingPreset,
  type SyncCommitteePreset,
} from "./selection.ts";
export {
  computeShuffledIndex,
  createShuffledIndexFn,
  type ShuffledIndexFn,
  shuffleList,
  unshuffleList,
} from "./shuffle.ts";
