// The operation pools of the beacon node: attestations, sync committee messages and contributions, and the
// slashings, exits and BLS changes waiting for a block.
export {
  AttestationPool,
  type AttestationPoolOptions,
  type InsertOutcome,
  type PackingOptions,
  type SingleAttestation,
} from "./attestationPool.ts";
export { OpPoolError, type OpPoolErrorCode } from "./errors.ts";
export { type BlockOperations, OpPool } from "./opPool.ts";
export {
  type SyncAggregate,
  type SyncCommitteeContribution,
  type SyncCommitteeMessage,
  SyncCommitteeMessagePool,
  SyncContributionPool,
  type SyncPoolOptions,
} from "./syncCommitteePools.ts";
