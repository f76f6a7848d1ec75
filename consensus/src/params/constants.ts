// Non-configurable constants of the consensus specification v1.6.1, phase0 → fulu: the "Constants" tables of
// specs/<fork>/{beacon-chain,validator,p2p-interface,fork-choice,...}.md. Presets (per network family) live in
// ./presets, runtime configuration (per network) in ./config, domain types in consensus/src/signing.
//
// Representation: a uint64 that is always small is a `number`; the one epoch sentinel FAR_FUTURE_EPOCH is the
// `Infinity` our SSZ epoch types decode 2**64-1 to; a uint64 that is not safe as a number is a `bigint`;
// a `BytesN` is a Uint8Array.

// ---------------------------------------------------------------- phase0 (beacon-chain.md)

/** Largest uint64, 2**64 - 1. */
export const UINT64_MAX = 2n ** 64n - 1n;
/** floor(sqrt(UINT64_MAX)) = 2**32 - 1: the largest value whose square fits a uint64. */
export const UINT64_MAX_SQRT = 4294967295;
export const GENESIS_SLOT = 0;
export const GENESIS_EPOCH = 0;
/**
 * Epoch(2**64 - 1), "never". Our epoch SSZ types that may hold it (Validator epochs, Fork.epoch,
 * ENRForkID.next_fork_epoch) decode 2**64-1 to Infinity and encode Infinity back to 2**64-1, so the sentinel compares
 * correctly as a number.
 */
export const FAR_FUTURE_EPOCH = Number.POSITIVE_INFINITY;
/** Phase0 rewards: source, target, head and inclusion-delay components, one base reward each. */
export const BASE_REWARDS_PER_EPOCH = 4;
/** Depth of the deposit contract's incremental Merkle tree (2**32 leaves); a Deposit proof has depth + 1 nodes. */
export const DEPOSIT_CONTRACT_TREE_DEPTH = 32;
/** Bits of BeaconState.justification_bits: justification status of the last 4 epochs. */
export const JUSTIFICATION_BITS_LENGTH = 4;
/** Byte order of SSZ integers. */
export const ENDIANNESS = "little";

/** First byte of withdrawal credentials that commit to a BLS withdrawal key. */
export const BLS_WITHDRAWAL_PREFIX = 0x00;
/** First byte of withdrawal credentials that name an execution-layer address (0x01 credentials). */
export const ETH1_ADDRESS_WITHDRAWAL_PREFIX = 0x01;

// ---------------------------------------------------------------- phase0 (validator.md, fork-choice.md, p2p)

/** Expected number of aggregators per beacon committee. */
export const TARGET_AGGREGATORS_PER_COMMITTEE = 16;
/** Denominator of the *_BPS (basis points) timing parameters. */
export const BASIS_POINTS = 10000;
/** Bit length of a discv5 node id (a uint256). */
export const NODE_ID_BITS = 256;
/**
 * Attestation subnets, 2**6. A configuration value in the spec, but the same (64) on every network, and the
 * SSZ types MetaData.attnets and AttestationSubnets need it when they are built (they depend on the preset only).
 */
export const ATTESTATION_SUBNET_COUNT = 64;
/** Gwei per ether (weak-subjectivity.md). */
export const ETH_TO_GWEI = 1_000_000_000;

// ---------------------------------------------------------------- altair

/** Participation flag bit positions (altair beacon-chain.md). */
export const TIMELY_SOURCE_FLAG_INDEX = 0;
export const TIMELY_TARGET_FLAG_INDEX = 1;
export const TIMELY_HEAD_FLAG_INDEX = 2;
/** Reward weights, out of WEIGHT_DENOMINATOR (14 + 26 + 14 + 2 + 8 = 64). */
export const TIMELY_SOURCE_WEIGHT = 14;
export const TIMELY_TARGET_WEIGHT = 26;
export const TIMELY_HEAD_WEIGHT = 14;
export const SYNC_REWARD_WEIGHT = 2;
export const PROPOSER_WEIGHT = 8;
export const WEIGHT_DENOMINATOR = 64;
/** Weights indexed by participation flag index. */
export const PARTICIPATION_FLAG_WEIGHTS: readonly number[] = Object.freeze([
  TIMELY_SOURCE_WEIGHT,
  TIMELY_TARGET_WEIGHT,
  TIMELY_HEAD_WEIGHT,
]);
/** Compressed G2 point at infinity: the "empty" signature (0xc0 then 95 zero bytes, altair bls.md). */
export const G2_POINT_AT_INFINITY: Uint8Array = (() => {
  const out = new Uint8Array(96);
  out[0] = 0xc0;
  return out;
})();
/** Expected number of aggregators per sync subcommittee (altair validator.md). */
export const TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE = 16;
/** Sync committee subnets: the sync committee splits into this many subcommittees. */
export const SYNC_COMMITTEE_SUBNET_COUNT = 4;
/** Generalized indices in the altair..deneb BeaconState (light-client sync-protocol.md). */
export const FINALIZED_ROOT_GINDEX = 105;
export const CURRENT_SYNC_COMMITTEE_GINDEX = 54;
export const NEXT_SYNC_COMMITTEE_GINDEX = 55;

// ---------------------------------------------------------------- capella

/** Generalized index of execution_payload in the capella+ BeaconBlockBody (light client). */
export const EXECUTION_PAYLOAD_GINDEX = 25;

// ---------------------------------------------------------------- deneb (beacon-chain.md, polynomial-commitments.md)

/** Version byte of a KZG versioned hash. */
export const VERSIONED_HASH_VERSION_KZG = 0x01;
/** Scalar field modulus of BLS12-381. */
export const BLS_MODULUS = 52435875175126190479447740508185965837690552500527637822603658699938581184513n;
/** Bytes of a compressed G1 point: a KZG commitment or proof. */
export const BYTES_PER_COMMITMENT = 48;
export const BYTES_PER_PROOF = 48;
/** Bytes of one BLS scalar field element inside a blob. */
export const BYTES_PER_FIELD_ELEMENT = 32;
/**
 * Bytes of a blob: BYTES_PER_FIELD_ELEMENT * FIELD_ELEMENTS_PER_BLOB. FIELD_ELEMENTS_PER_BLOB is a preset value,
 * 4096 in both the mainnet and the minimal preset (the SSZ Blob type reads it from the preset).
 */
export const BYTES_PER_BLOB = BYTES_PER_FIELD_ELEMENT * 4096;
/** Compressed G1 point at infinity (0xc0 then 47 zero bytes). */
export const G1_POINT_AT_INFINITY: Uint8Array = (() => {
  const out = new Uint8Array(48);
  out[0] = 0xc0;
  return out;
})();
/** Byte order of field elements in a blob. */
export const KZG_ENDIANNESS = "big";
/** Generator of the multiplicative group used for the roots of unity. */
export const PRIMITIVE_ROOT_OF_UNITY = 7;
/** Fiat-Shamir domain separators (16 ASCII bytes each). */
export const FIAT_SHAMIR_PROTOCOL_DOMAIN = "FSBLOBVERIFY_V1_";
export const RANDOM_CHALLENGE_KZG_BATCH_DOMAIN = "RCKZGBATCH___V1_";
/** G2 points in the trusted setup. */
export const KZG_SETUP_G2_LENGTH = 65;

// ---------------------------------------------------------------- electra

/** deposit_requests_start_index before the first deposit request (2**64 - 1). */
export const UNSET_DEPOSIT_REQUESTS_START_INDEX = UINT64_MAX;
/** Withdrawal request amount that asks for a full exit. */
export const FULL_EXIT_REQUEST_AMOUNT = 0n;
/** First byte of compounding (0x02) withdrawal credentials. */
export const COMPOUNDING_WITHDRAWAL_PREFIX = 0x02;
/** EIP-7685 request type bytes of the execution requests. */
export const DEPOSIT_REQUEST_TYPE = 0x00;
export const WITHDRAWAL_REQUEST_TYPE = 0x01;
export const CONSOLIDATION_REQUEST_TYPE = 0x02;
/** Generalized indices in the electra+ BeaconState (its 37 fields need a depth-6 tree). */
export const FINALIZED_ROOT_GINDEX_ELECTRA = 169;
export const CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA = 86;
export const NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA = 87;

// ---------------------------------------------------------------- fulu (das-core.md, polynomial-commitments-sampling.md)

/** Largest uint256. */
export const UINT256_MAX = 2n ** 256n - 1n;
/** Bytes of a cell: FIELD_ELEMENTS_PER_CELL (64, in both presets) field elements. */
export const BYTES_PER_CELL = BYTES_PER_FIELD_ELEMENT * 64;
export const RANDOM_CHALLENGE_KZG_CELL_BATCH_DOMAIN = "RCKZGCBATCH__V1_";
