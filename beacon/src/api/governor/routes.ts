// The governor's route table: what each Beacon API operation costs in rate-limit tokens and which load-shedding
// class it runs in. Costs follow the work a request makes the node do: constant-time node status 1, validator duty
// and production calls 2, state reads 10-20 (they may regenerate a state and walk the validator registry), a full
// debug state 50. Operations not listed cost the default and run in the `cheap` class.

/**
 * Load-shedding classes. `validator`: what the operator's validator clients need on time (duties, attestation
 * data, block production, publishing) — its own larger concurrency, never shed while other classes have queued
 * work. `expensive`: state reads, debug dumps, rewards — bounded concurrency and queue. `cheap`: everything else,
 * not queued (event streams live here: they would hold a slot for hours).
 */
export type RouteClass = "validator" | "expensive" | "cheap";

/** The queued classes. */
export type QueuedClass = Exclude<RouteClass, "cheap">;

/** Default token cost of an operation missing from the cost table. */
export const DEFAULT_ROUTE_COST = 1;

/** Token cost per operationId. */
export const DEFAULT_ROUTE_COSTS: Readonly<Record<string, number>> = {
  // node status
  getSyncingStatus: 1,
  getHealth: 1,
  getNodeVersion: 1,
  getGenesis: 1,
  getSpec: 2,
  getPeers: 3,
  // validator duties, production, publishing
  getAttesterDuties: 2,
  getProposerDuties: 2,
  getSyncCommitteeDuties: 2,
  getLiveness: 2,
  produceAttestationData: 2,
  produceSyncCommitteeContribution: 2,
  getAggregatedAttestation: 2,
  getAggregatedAttestationV2: 2,
  produceBlock: 5,
  produceBlockV2: 5,
  produceBlockV3: 5,
  publishBlock: 2,
  publishBlockV2: 2,
  publishBlindedBlockV2: 2,
  // blocks (database reads)
  getBlockV2: 5,
  getBlindedBlock: 5,
  getBlockAttestationsV2: 5,
  getBlobSidecars: 10,
  getBlobs: 10,
  // state reads
  getStateRoot: 10,
  getStateFork: 10,
  getStateFinalityCheckpoints: 10,
  getStateRandao: 10,
  getStateValidator: 10,
  getStateValidators: 20,
  postStateValidators: 20,
  postStateValidatorIdentities: 15,
  getStateValidatorBalances: 15,
  postStateValidatorBalances: 15,
  getEpochCommittees: 15,
  getEpochSyncCommittees: 15,
  getPendingDeposits: 15,
  getPendingPartialWithdrawals: 15,
  getPendingConsolidations: 15,
  getProposerLookahead: 10,
  // rewards (replay a block or an epoch)
  getAttestationsRewards: 20,
  getBlockRewards: 20,
  getSyncCommitteeRewards: 20,
  getLightClientUpdatesByRange: 10,
  // debug
  getStateV2: 50,
  getDebugForkChoice: 20,
  getDebugChainHeadsV2: 5,
  getDebugDataColumnSidecars: 20,
};

const VALIDATOR_OPERATIONS = [
  "getAttesterDuties",
  "getProposerDuties",
  "getSyncCommitteeDuties",
  "getLiveness",
  "produceAttestationData",
  "produceSyncCommitteeContribution",
  "getAggregatedAttestation",
  "getAggregatedAttestationV2",
  "produceBlock",
  "produceBlockV2",
  "produceBlockV3",
  "publishBlock",
  "publishBlockV2",
  "publishBlindedBlockV2",
  "submitPoolAttestations",
  "submitPoolAttestationsV2",
  "publishAggregateAndProofs",
  "publishAggregateAndProofsV2",
  "submitPoolSyncCommitteeSignatures",
  "publishContributionAndProofs",
  "prepareBeaconCommitteeSubnet",
  "prepareSyncCommitteeSubnets",
  "prepareBeaconProposer",
  "registerValidator",
  "submitBeaconCommitteeSelections",
  "submitSyncCommitteeSelections",
];

const EXPENSIVE_OPERATIONS = [
  "getStateValidators",
  "postStateValidators",
  "postStateValidatorIdentities",
  "getStateValidatorBalances",
  "postStateValidatorBalances",
  "getEpochCommittees",
  "getEpochSyncCommittees",
  "getPendingDeposits",
  "getPendingPartialWithdrawals",
  "getPendingConsolidations",
  "getAttestationsRewards",
  "getBlockRewards",
  "getSyncCommitteeRewards",
  "getLightClientUpdatesByRange",
  "getStateV2",
  "getDebugForkChoice",
  "getDebugDataColumnSidecars",
  "getBlobSidecars",
  "getBlobs",
];

/** Load-shedding class per operationId (missing: `cheap`). */
export const DEFAULT_ROUTE_CLASSES: Readonly<Record<string, RouteClass>> = Object.fromEntries([
  ...VALIDATOR_OPERATIONS.map((op) => [op, "validator"] as const),
  ...EXPENSIVE_OPERATIONS.map((op) => [op, "expensive"] as const),
]);
