// Phase0 containers (specs/phase0/{beacon-chain,validator,p2p-interface}.md), built for one preset.
import { ListBasicType, ListCompositeType, VectorBasicType, VectorCompositeType } from "@chainsafe/ssz";
import {
  ATTESTATION_SUBNET_COUNT,
  DEPOSIT_CONTRACT_TREE_DEPTH,
  JUSTIFICATION_BITS_LENGTH,
} from "../params/constants.ts";
import type { Preset } from "../params/presets/preset.ts";
import { StrictBitListType, StrictBitVectorType, StrictListUintNum64Type } from "./basic.ts";
import { container, nodeStruct, signed } from "./container.ts";
import {
  BLSPubkey,
  BLSSignature,
  Bool,
  Bytes32,
  CommitteeIndex,
  Domain,
  Epoch,
  EpochInf,
  ForkDigest,
  Gwei,
  Hash32,
  Root,
  Slot,
  UintBn64,
  UintNum64,
  ValidatorIndex,
  Version,
} from "./primitives.ts";

/** The phase0 types for preset `p`. */
export function createPhase0Types(p: Preset) {
  // A Fork built from a config for a fork that is not scheduled carries FAR_FUTURE_EPOCH (Beacon API fork schedule).
  const Fork = container("Fork", { previousVersion: Version, currentVersion: Version, epoch: EpochInf });
  const ForkData = container("ForkData", { currentVersion: Version, genesisValidatorsRoot: Root });
  const Checkpoint = container("Checkpoint", { epoch: Epoch, root: Root });
  const Validator = nodeStruct("Validator", {
    pubkey: BLSPubkey,
    withdrawalCredentials: Bytes32,
    effectiveBalance: Gwei,
    slashed: Bool,
    activationEligibilityEpoch: EpochInf,
    activationEpoch: EpochInf,
    exitEpoch: EpochInf,
    withdrawableEpoch: EpochInf,
  });
  const AttestationData = container("AttestationData", {
    slot: Slot,
    index: CommitteeIndex,
    beaconBlockRoot: Root,
    source: Checkpoint,
    target: Checkpoint,
  });
  const CommitteeIndices = new ListBasicType(ValidatorIndex, p.MAX_VALIDATORS_PER_COMMITTEE);
  const IndexedAttestation = container("IndexedAttestation", {
    attestingIndices: CommitteeIndices,
    data: AttestationData,
    signature: BLSSignature,
  });
  const CommitteeBits = new StrictBitListType(p.MAX_VALIDATORS_PER_COMMITTEE);
  const PendingAttestation = container("PendingAttestation", {
    aggregationBits: CommitteeBits,
    data: AttestationData,
    inclusionDelay: Slot,
    proposerIndex: ValidatorIndex,
  });
  const Eth1Data = container("Eth1Data", { depositRoot: Root, depositCount: UintNum64, blockHash: Hash32 });
  const HistoricalBlockRoots = new VectorCompositeType(Root, p.SLOTS_PER_HISTORICAL_ROOT);
  const HistoricalStateRoots = new VectorCompositeType(Root, p.SLOTS_PER_HISTORICAL_ROOT);
  const HistoricalBatch = container("HistoricalBatch", {
    blockRoots: HistoricalBlockRoots,
    stateRoots: HistoricalStateRoots,
  });
  const DepositMessage = container("DepositMessage", {
    pubkey: BLSPubkey,
    withdrawalCredentials: Bytes32,
    amount: Gwei,
  });
  const DepositData = container("DepositData", {
    pubkey: BLSPubkey,
    withdrawalCredentials: Bytes32,
    amount: Gwei,
    signature: BLSSignature,
  });
  const BeaconBlockHeader = container("BeaconBlockHeader", {
    slot: Slot,
    proposerIndex: ValidatorIndex,
    parentRoot: Root,
    stateRoot: Root,
    bodyRoot: Root,
  });
  const SigningData = container("SigningData", { objectRoot: Root, domain: Domain });
  const SignedBeaconBlockHeader = signed("SignedBeaconBlockHeader", BeaconBlockHeader, BLSSignature);
  const ProposerSlashing = container("ProposerSlashing", {
    signedHeader1: SignedBeaconBlockHeader,
    signedHeader2: SignedBeaconBlockHeader,
  });
  const AttesterSlashing = container("AttesterSlashing", {
    attestation1: IndexedAttestation,
    attestation2: IndexedAttestation,
  });
  const Attestation = container("Attestation", {
    aggregationBits: CommitteeBits,
    data: AttestationData,
    signature: BLSSignature,
  });
  const Deposit = container("Deposit", {
    proof: new VectorCompositeType(Bytes32, DEPOSIT_CONTRACT_TREE_DEPTH + 1),
    data: DepositData,
  });
  const VoluntaryExit = container("VoluntaryExit", { epoch: Epoch, validatorIndex: ValidatorIndex });
  const SignedVoluntaryExit = signed("SignedVoluntaryExit", VoluntaryExit, BLSSignature);
  const BeaconBlockBody = container("BeaconBlockBody", {
    randaoReveal: BLSSignature,
    eth1Data: Eth1Data,
    graffiti: Bytes32,
    proposerSlashings: new ListCompositeType(ProposerSlashing, p.MAX_PROPOSER_SLASHINGS),
    attesterSlashings: new ListCompositeType(AttesterSlashing, p.MAX_ATTESTER_SLASHINGS),
    attestations: new ListCompositeType(Attestation, p.MAX_ATTESTATIONS),
    deposits: new ListCompositeType(Deposit, p.MAX_DEPOSITS),
    voluntaryExits: new ListCompositeType(SignedVoluntaryExit, p.MAX_VOLUNTARY_EXITS),
  });
  const BeaconBlock = container("BeaconBlock", {
    slot: Slot,
    proposerIndex: ValidatorIndex,
    parentRoot: Root,
    stateRoot: Root,
    body: BeaconBlockBody,
  });
  const SignedBeaconBlock = signed("SignedBeaconBlock", BeaconBlock, BLSSignature);

  const Eth1DataVotes = new ListCompositeType(Eth1Data, p.EPOCHS_PER_ETH1_VOTING_PERIOD * p.SLOTS_PER_EPOCH);
  const Validators = new ListCompositeType(Validator, p.VALIDATOR_REGISTRY_LIMIT);
  const Balances = new StrictListUintNum64Type(p.VALIDATOR_REGISTRY_LIMIT);
  const RandaoMixes = new VectorCompositeType(Bytes32, p.EPOCHS_PER_HISTORICAL_VECTOR);
  const Slashings = new VectorBasicType(Gwei, p.EPOCHS_PER_SLASHINGS_VECTOR);
  const EpochAttestations = new ListCompositeType(PendingAttestation, p.MAX_ATTESTATIONS * p.SLOTS_PER_EPOCH);
  const JustificationBits = new StrictBitVectorType(JUSTIFICATION_BITS_LENGTH);
  const HistoricalRoots = new ListCompositeType(Root, p.HISTORICAL_ROOTS_LIMIT);
  const BeaconState = container("BeaconState", {
    genesisTime: UintNum64,
    genesisValidatorsRoot: Root,
    slot: Slot,
    fork: Fork,
    latestBlockHeader: BeaconBlockHeader,
    blockRoots: HistoricalBlockRoots,
    stateRoots: HistoricalStateRoots,
    historicalRoots: HistoricalRoots,
    eth1Data: Eth1Data,
    eth1DataVotes: Eth1DataVotes,
    eth1DepositIndex: UintNum64,
    validators: Validators,
    balances: Balances,
    randaoMixes: RandaoMixes,
    slashings: Slashings,
    previousEpochAttestations: EpochAttestations,
    currentEpochAttestations: EpochAttestations,
    justificationBits: JustificationBits,
    previousJustifiedCheckpoint: Checkpoint,
    currentJustifiedCheckpoint: Checkpoint,
    finalizedCheckpoint: Checkpoint,
  });

  // validator.md
  const Eth1Block = container("Eth1Block", { timestamp: UintNum64, depositRoot: Root, depositCount: UintNum64 });
  const AggregateAndProof = container("AggregateAndProof", {
    aggregatorIndex: ValidatorIndex,
    aggregate: Attestation,
    selectionProof: BLSSignature,
  });
  const SignedAggregateAndProof = signed("SignedAggregateAndProof", AggregateAndProof, BLSSignature);

  // p2p-interface.md (req/resp and ENR payloads). MetaData's seq_number is a peer's arbitrary uint64: exact bigint.
  const AttestationSubnets = new StrictBitVectorType(ATTESTATION_SUBNET_COUNT);
  const Status = container("Status", {
    forkDigest: ForkDigest,
    finalizedRoot: Root,
    finalizedEpoch: Epoch,
    headRoot: Root,
    headSlot: Slot,
  });
  const MetaData = container("MetaData", { seqNumber: UintBn64, attnets: AttestationSubnets });
  const BeaconBlocksByRangeRequest = container("BeaconBlocksByRangeRequest", {
    startSlot: Slot,
    count: UintNum64,
    step: UintNum64,
  });
  const ENRForkID = container("ENRForkID", {
    forkDigest: ForkDigest,
    nextForkVersion: Version,
    nextForkEpoch: EpochInf,
  });

  // Beacon API (types/selection.yaml): distributed-validator selection proofs.
  const BeaconCommitteeSelection = container("BeaconCommitteeSelection", {
    validatorIndex: ValidatorIndex,
    slot: Slot,
    selectionProof: BLSSignature,
  });

  return {
    Fork,
    ForkData,
    Checkpoint,
    Validator,
    AttestationData,
    IndexedAttestation,
    PendingAttestation,
    Eth1Data,
    HistoricalBatch,
    DepositMessage,
    DepositData,
    BeaconBlockHeader,
    SigningData,
    ProposerSlashing,
    AttesterSlashing,
    Attestation,
    Deposit,
    VoluntaryExit,
    BeaconBlockBody,
    BeaconBlock,
    BeaconState,
    SignedVoluntaryExit,
    SignedBeaconBlock,
    SignedBeaconBlockHeader,
    Eth1Block,
    AggregateAndProof,
    SignedAggregateAndProof,
    Status,
    MetaData,
    BeaconBlocksByRangeRequest,
    ENRForkID,
    BeaconCommitteeSelection,
    // Non-container members (list, vector and bitfield types of the fields above).
    CommitteeIndices,
    CommitteeBits,
    HistoricalBlockRoots,
    HistoricalStateRoots,
    HistoricalRoots,
    Eth1DataVotes,
    Validators,
    Balances,
    RandaoMixes,
    Slashings,
    EpochAttestations,
    JustificationBits,
    AttestationSubnets,
    /** Req/resp Ping payload: the sender's MetaData seq_number. */
    Ping: UintBn64,
    /** Req/resp Goodbye payload: a reason code. */
    Goodbye: UintBn64,
  };
}

export type Phase0Types = ReturnType<typeof createPhase0Types>;
