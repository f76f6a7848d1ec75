// Signing: fork versions and digests, signature domains and signing roots.
export {
  computeDomain,
  computeSigningRoot,
  computeSigningRootOf,
  DOMAIN_LENGTH,
  DomainCache,
  type DomainInputs,
  domainInputs,
  getDomain,
  type HashTreeRootType,
  ZERO_ROOT,
} from "./domain.ts";
export {
  bytes4Equal,
  bytes4ToUint,
  DOMAIN_AGGREGATE_AND_PROOF,
  DOMAIN_APPLICATION_BUILDER,
  DOMAIN_APPLICATION_MASK,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_BLS_TO_EXECUTION_CHANGE,
  DOMAIN_CONTRIBUTION_AND_PROOF,
  DOMAIN_DEPOSIT,
  DOMAIN_RANDAO,
  DOMAIN_SELECTION_PROOF,
  DOMAIN_SYNC_COMMITTEE,
  DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF,
  DOMAIN_TYPE_LENGTH,
  DOMAIN_TYPES,
  DOMAIN_VOLUNTARY_EXIT,
  type DomainType,
} from "./domainTypes.ts";
export {
  blobParametersHash,
  computeForkDataRoot,
  computeForkDigest,
  FORK_DIGEST_LENGTH,
  forkDigestOf,
  ROOT_LENGTH,
} from "./forkDigest.ts";
export { type ForkBoundary, ForkDigestContext } from "./forkDigestContext.ts";
