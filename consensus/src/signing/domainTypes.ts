// Signature domain types, phase0 → fulu (phase0/altair/capella beacon-chain.md "Domain types", builder-specs for
// APPLICATION_BUILDER). A DomainType is 4 bytes; the constants below are shared: never mutate them.

/** A 4-byte signature domain type. */
export type DomainType = Uint8Array;

/** Length in bytes of a DomainType (and of a fork Version). */
export const DOMAIN_TYPE_LENGTH = 4;

function domainType(hex: string): DomainType {
  const out = new Uint8Array(DOMAIN_TYPE_LENGTH);
  for (let i = 0; i < DOMAIN_TYPE_LENGTH; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// phase0
/** Block proposals. */
export const DOMAIN_BEACON_PROPOSER = domainType("00000000");
/** Attestations. */
export const DOMAIN_BEACON_ATTESTER = domainType("01000000");
/** RANDAO reveals. */
export const DOMAIN_RANDAO = domainType("02000000");
/** Deposits: always computed with GENESIS_FORK_VERSION and a zero genesis validators root. */
export const DOMAIN_DEPOSIT = domainType("03000000");
/** Voluntary exits: from deneb on signed with CAPELLA_FORK_VERSION (EIP-7044). */
export const DOMAIN_VOLUNTARY_EXIT = domainType("04000000");
/** Aggregator selection proofs. */
export const DOMAIN_SELECTION_PROOF = domainType("05000000");
/** AggregateAndProof messages. */
export const DOMAIN_AGGREGATE_AND_PROOF = domainType("06000000");
/** Reserves the domain types with this bit set for application use (never a signing domain itself). */
export const DOMAIN_APPLICATION_MASK = domainType("00000001");
// altair
/** Sync committee messages. */
export const DOMAIN_SYNC_COMMITTEE = domainType("07000000");
/** Sync committee aggregator selection proofs. */
export const DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF = domainType("08000000");
/** ContributionAndProof messages. */
export const DOMAIN_CONTRIBUTION_AND_PROOF = domainType("09000000");
// capella
/** BLS-to-execution changes: signed with GENESIS_FORK_VERSION and the genesis validators root. */
export const DOMAIN_BLS_TO_EXECUTION_CHANGE = domainType("0a000000");
// builder-specs (an application domain)
/** Validator registrations for external builders: GENESIS_FORK_VERSION and a zero genesis validators root. */
export const DOMAIN_APPLICATION_BUILDER = domainType("00000001");

/** Every signing domain type above (DOMAIN_APPLICATION_MASK excluded), by its spec name. */
export const DOMAIN_TYPES: Readonly<Record<string, DomainType>> = Object.freeze({
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_RANDAO,
  DOMAIN_DEPOSIT,
  DOMAIN_VOLUNTARY_EXIT,
  DOMAIN_SELECTION_PROOF,
  DOMAIN_AGGREGATE_AND_PROOF,
  DOMAIN_SYNC_COMMITTEE,
  DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF,
  DOMAIN_CONTRIBUTION_AND_PROOF,
  DOMAIN_BLS_TO_EXECUTION_CHANGE,
  DOMAIN_APPLICATION_BUILDER,
});

/** True when the two 4-byte values (domain types or versions) are equal. */
export function bytes4Equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/** A 4-byte value (domain type or fork version) as an unsigned 32-bit number (big-endian), e.g. for map keys. */
export function bytes4ToUint(bytes: Uint8Array): number {
  if (bytes.length !== DOMAIN_TYPE_LENGTH) throw new RangeError(`expected 4 bytes, got ${bytes.length}`);
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}
