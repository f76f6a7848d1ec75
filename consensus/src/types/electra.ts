// Electra containers (specs/electra/{beacon-chain,validator}.md, light client), block contents, blinded blocks and
// builder bid: only the types new or modified in electra.
import { ListBasicType, ListCompositeType } from "@chainsafe/ssz";
import {
  CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA,
  FINALIZED_ROOT_GINDEX_ELECTRA,
  NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA,
} from "../params/constants.ts";
import type { Preset } from "../params/presets/preset.ts";
import type { AltairTypes } from "./altair.ts";
import { StrictBitListType, StrictBitVectorType } from "./basic.ts";
import { container, createBlindedTypes, nodeStruct, signed } from "./container.ts";
import type { DenebTypes } from "./deneb.ts";
import { createLightClientTypes } from "./lightClient.ts";
import type { Phase0Types } from "./phase0.ts";
import {
  BLSPubkey,
  BLSSignature,
  Bytes32,
  CommitteeIndex,
  Epoch,
  ExecutionAddress,
  Gwei,
  Slot,
  UintBn64,
  UintBn256,
  ValidatorIndex,
} from "./primitives.ts";

/** The types new or changed in electra for preset `p`. */
export function createElectraTypes(p: Preset, phase0: Phase0Types, altair: AltairTypes, deneb: DenebTypes) {
  // EIP-7549: one attestation may aggregate every committee of a slot.
  const AggregationBits = new StrictBitListType(p.MAX_VALIDATORS_PER_COMMITTEE * p.MAX_COMMITTEES_PER_SLOT);
  const AttestingIndices = new ListBasicType(
    ValidatorIndex,
    p.MAX_VALIDATORS_PER_COMMITTEE * p.MAX_COMMITTEES_PER_SLOT,
  );
  const CommitteeBits = new StrictBitVectorType(p.MAX_COMMITTEES_PER_SLOT);
  const Attestation = container("Attestation", {
    aggregationBits: AggregationBits,
    data: phase0.AttestationData,
    signature: BLSSignature,
    committeeBits: CommitteeBits,
  });
  const IndexedAttestation = container("IndexedAttestation", {
    attestingIndices: AttestingIndices,
    data: phase0.AttestationData,
    signature: BLSSignature,
  });
  const AttesterSlashing = container("AttesterSlashing", {
    attestation1: IndexedAttestation,
    attestation2: IndexedAttestation,
  });
  const SingleAttestation = container("SingleAttestation", {
    committeeIndex: CommitteeIndex,
    attesterIndex: ValidatorIndex,
    data: phase0.AttestationData,
    signature: BLSSignature,
  });

  const PendingDeposit = nodeStruct("PendingDeposit", {
    pubkey: BLSPubkey,
    withdrawalCredentials: Bytes32,
    amount: Gwei,
    signature: BLSSignature,
    slot: Slot,
  });
  const PendingPartialWithdrawal = container("PendingPartialWithdrawal", {
    validatorIndex: ValidatorIndex,
    amount: Gwei,
    withdrawableEpoch: Epoch,
  });
  const PendingConsolidation = container("PendingConsolidation", {
    sourceIndex: ValidatorIndex,
    targetIndex: ValidatorIndex,
  });

  // Execution-layer requests: the index and a withdrawal amount are whatever the EL contract emitted, so they are
  // exact bigints (they are re-serialized to the EL in engine_newPayload). A deposit amount is funded in ether.
  const DepositRequest = container("DepositRequest", {
    pubkey: BLSPubkey,
    withdrawalCredentials: Bytes32,
    amount: Gwei,
    signature: BLSSignature,
    index: UintBn64,
  });
  const WithdrawalRequest = container("WithdrawalRequest", {
    sourceAddress: ExecutionAddress,
    validatorPubkey: BLSPubkey,
    amount: UintBn64,
  });
  const ConsolidationRequest = container("ConsolidationRequest", {
    sourceAddress: ExecutionAddress,
    sourcePubkey: BLSPubkey,
    targetPubkey: BLSPubkey,
  });
  const DepositRequests = new ListCompositeType(DepositRequest, p.MAX_DEPOSIT_REQUESTS_PER_PAYLOAD);
  const WithdrawalRequests = new ListCompositeType(WithdrawalRequest, p.MAX_WITHDRAWAL_REQUESTS_PER_PAYLOAD);
  const ConsolidationRequests = new ListCompositeType(ConsolidationRequest, p.MAX_CONSOLIDATION_REQUESTS_PER_PAYLOAD);
  const ExecutionRequests = container("ExecutionRequests", {
    deposits: DepositRequests,
    withdrawals: WithdrawalRequests,
    consolidations: ConsolidationRequests,
  });

  const BeaconBlockBody = container("BeaconBlockBody", {
    ...deneb.BeaconBlockBody.fields,
    attesterSlashings: new ListCompositeType(AttesterSlashing, p.MAX_ATTESTER_SLASHINGS_ELECTRA),
    attestations: new ListCompositeType(Attestation, p.MAX_ATTESTATIONS_ELECTRA),
    executionRequests: ExecutionRequests,
  });
  const BeaconBlock = container("BeaconBlock", { ...deneb.BeaconBlock.fields, body: BeaconBlockBody });
  const SignedBeaconBlock = signed("SignedBeaconBlock", BeaconBlock, BLSSignature);

  const PendingDeposits = new ListCompositeType(PendingDeposit, p.PENDING_DEPOSITS_LIMIT);
  const PendingPartialWithdrawals = new ListCompositeType(
    PendingPartialWithdrawal,
    p.PENDING_PARTIAL_WITHDRAWALS_LIMIT,
  );
  const PendingConsolidations = new ListCompositeType(PendingConsolidation, p.PENDING_CONSOLIDATIONS_LIMIT);
  // deposit_requests_start_index holds UNSET_DEPOSIT_REQUESTS_START_INDEX (2**64-1) until the first request.
  const BeaconState = container("BeaconState", {
    ...deneb.BeaconState.fields,
    depositRequestsStartIndex: UintBn64,
    depositBalanceToConsume: Gwei,
    exitBalanceToConsume: Gwei,
    earliestExitEpoch: Epoch,
    consolidationBalanceToConsume: Gwei,
    earliestConsolidationEpoch: Epoch,
    pendingDeposits: PendingDeposits,
    pendingPartialWithdrawals: PendingPartialWithdrawals,
    pendingConsolidations: PendingConsolidations,
  });

  // validator.md
  const AggregateAndProof = container("AggregateAndProof", {
    aggregatorIndex: ValidatorIndex,
    aggregate: Attestation,
    selectionProof: BLSSignature,
  });
  const SignedAggregateAndProof = signed("SignedAggregateAndProof", AggregateAndProof, BLSSignature);

  // Beacon API and builder-specs.
  const BlockContents = container("BlockContents", {
    block: BeaconBlock,
    kzgProofs: deneb.KZGProofs,
    blobs: deneb.Blobs,
  });
  const SignedBlockContents = container("SignedBlockContents", {
    signedBlock: SignedBeaconBlock,
    kzgProofs: deneb.KZGProofs,
    blobs: deneb.Blobs,
  });
  const BuilderBid = container("BuilderBid", {
    header: deneb.ExecutionPayloadHeader,
    blobKzgCommitments: deneb.BlobKzgCommitments,
    executionRequests: ExecutionRequests,
    value: UintBn256,
    pubkey: BLSPubkey,
  });
  const SignedBuilderBid = signed("SignedBuilderBid", BuilderBid, BLSSignature);

  // Light client: same header as deneb, branches one level deeper (the state has more than 32 fields).
  const lightClient = createLightClientTypes(deneb.LightClientHeader, altair.SyncCommittee, altair.SyncAggregate, {
    finalizedRoot: FINALIZED_ROOT_GINDEX_ELECTRA,
    currentSyncCommittee: CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA,
    nextSyncCommittee: NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA,
  });

  return {
    Attestation,
    IndexedAttestation,
    AttesterSlashing,
    SingleAttestation,
    PendingDeposit,
    PendingPartialWithdrawal,
    PendingConsolidation,
    DepositRequest,
    WithdrawalRequest,
    ConsolidationRequest,
    ExecutionRequests,
    BeaconBlockBody,
    BeaconBlock,
    SignedBeaconBlock,
    BeaconState,
    AggregateAndProof,
    SignedAggregateAndProof,
    BlockContents,
    SignedBlockContents,
    ...createBlindedTypes(BeaconBlockBody.fields, BeaconBlock.fields, deneb.ExecutionPayloadHeader),
    BuilderBid,
    SignedBuilderBid,
    ...lightClient,
    AggregationBits,
    AttestingIndices,
    CommitteeBits,
    DepositRequests,
    WithdrawalRequests,
    ConsolidationRequests,
    PendingDeposits,
    PendingPartialWithdrawals,
    PendingConsolidations,
  };
}

export type ElectraTypes = ReturnType<typeof createElectraTypes>;
