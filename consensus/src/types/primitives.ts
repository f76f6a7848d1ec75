// Primitive SSZ aliases of the consensus specification (the "Custom types" tables, phase0 → fulu). They do not
// depend on the preset, so they are plain module-level singletons shared by every preset's containers.
//
// uint64 representation (JSON is a decimal string either way):
// - number: slots, epochs, indices, balances and counters that stay below 2**53 in any reachable state;
// - number with clipInfinity: epochs that may be FAR_FUTURE_EPOCH (2**64-1 ⇄ Infinity);
// - bigint: values a peer or the execution layer may set to anything (exact over the whole uint64 range).
import { BooleanType } from "@chainsafe/ssz";
import { ExecutionAddressType, StrictByteVectorType, uintBn, uintNum } from "./basic.ts";

/** SSZ boolean (named Bool so it does not shadow the global Boolean). */
export const Bool = new BooleanType();

export const Uint8 = uintNum(1);
export const Uint16 = uintNum(2);
export const Uint32 = uintNum(4);
/** uint64 as a number (values above 2**53 cannot be read exactly; see the file comment). */
export const UintNum64 = uintNum(8);
/** uint64 as a number where 2**64-1 is Infinity. */
export const UintNumInf64 = uintNum(8, true);
/** uint64 as a bigint (exact). */
export const UintBn64 = uintBn(8);
export const UintBn128 = uintBn(16);
/** uint256 as a bigint. */
export const UintBn256 = uintBn(32);

export const Bytes4 = new StrictByteVectorType(4);
export const Bytes8 = new StrictByteVectorType(8);
export const Bytes20 = new StrictByteVectorType(20);
export const Bytes32 = new StrictByteVectorType(32);
export const Bytes48 = new StrictByteVectorType(48);
export const Bytes96 = new StrictByteVectorType(96);

// phase0
export const Slot = UintNum64;
export const Epoch = UintNum64;
/** An epoch that may be FAR_FUTURE_EPOCH (Validator epochs, Fork.epoch, ENRForkID.next_fork_epoch). */
export const EpochInf = UintNumInf64;
export const CommitteeIndex = UintNum64;
export const ValidatorIndex = UintNum64;
/** Gwei amounts from balances (bounded by the ether supply / validator balances), as numbers. */
export const Gwei = UintNum64;
export const Root = Bytes32;
export const Hash32 = Bytes32;
export const Version = Bytes4;
export const DomainType = Bytes4;
export const ForkDigest = Bytes4;
export const Domain = Bytes32;
export const BLSPubkey = Bytes48;
export const BLSSignature = Bytes96;

// altair
/** Eight participation flag bits. */
export const ParticipationFlags = Uint8;
/** A sync committee period (epoch / EPOCHS_PER_SYNC_COMMITTEE_PERIOD). */
export const SyncPeriod = UintNum64;
/** Index of a sync subcommittee. */
export const SubcommitteeIndex = UintNum64;

// bellatrix
export const ExecutionAddress = new ExecutionAddressType();
/** uint256 amount of wei. */
export const Wei = UintBn256;

// capella
export const WithdrawalIndex = UintNum64;

// deneb
export const VersionedHash = Bytes32;
export const BlobIndex = UintNum64;
export const KZGCommitment = Bytes48;
export const KZGProof = Bytes48;
export const G1Point = Bytes48;
export const G2Point = Bytes96;

// fulu
export const RowIndex = UintNum64;
export const ColumnIndex = UintNum64;
export const CustodyIndex = UintNum64;
