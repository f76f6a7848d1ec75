// Capella containers (specs/capella/beacon-chain.md, light-client/sync-protocol.md), blinded blocks and builder bid:
// only the types new or modified in capella.
import { ListCompositeType, type Type } from "@chainsafe/ssz";
import {
  CURRENT_SYNC_COMMITTEE_GINDEX,
  EXECUTION_PAYLOAD_GINDEX,
  FINALIZED_ROOT_GINDEX,
  NEXT_SYNC_COMMITTEE_GINDEX,
} from "../params/constants.ts";
import type { Preset } from "../params/presets/preset.ts";
import type { AltairTypes } from "./altair.ts";
import type { BellatrixTypes } from "./bellatrix.ts";
import { container, createBlindedTypes, signed } from "./container.ts";
import { branch, createLightClientTypes, floorLog2 } from "./lightClient.ts";
import type { Phase0Types } from "./phase0.ts";
import {
  BLSPubkey,
  BLSSignature,
  ExecutionAddress,
  Gwei,
  Root,
  UintBn256,
  ValidatorIndex,
  WithdrawalIndex,
} from "./primitives.ts";

/** The types new or changed in capella for preset `p`. */
export function createCapellaTypes(p: Preset, phase0: Phase0Types, altair: AltairTypes, bellatrix: BellatrixTypes) {
  const Withdrawal = container("Withdrawal", {
    index: WithdrawalIndex,
    validatorIndex: ValidatorIndex,
    address: ExecutionAddress,
    amount: Gwei,
  });
  const BLSToExecutionChange = container("BLSToExecutionChange", {
    validatorIndex: ValidatorIndex,
    fromBlsPubkey: BLSPubkey,
    toExecutionAddress: ExecutionAddress,
  });
  const SignedBLSToExecutionChange = signed("SignedBLSToExecutionChange", BLSToExecutionChange, BLSSignature);
  const HistoricalSummary = container("HistoricalSummary", { blockSummaryRoot: Root, stateSummaryRoot: Root });

  const Withdrawals = new ListCompositeType(Withdrawal, p.MAX_WITHDRAWALS_PER_PAYLOAD);
  const ExecutionPayload = container("ExecutionPayload", {
    ...bellatrix.ExecutionPayload.fields,
    withdrawals: Withdrawals,
  });
  const ExecutionPayloadHeader = container("ExecutionPayloadHeader", {
    ...bellatrix.ExecutionPayloadHeader.fields,
    withdrawalsRoot: Root,
  });

  const BLSToExecutionChanges = new ListCompositeType(SignedBLSToExecutionChange, p.MAX_BLS_TO_EXECUTION_CHANGES);
  const BeaconBlockBody = container("BeaconBlockBody", {
    ...bellatrix.BeaconBlockBody.fields,
    executionPayload: ExecutionPayload,
    blsToExecutionChanges: BLSToExecutionChanges,
  });
  const BeaconBlock = container("BeaconBlock", { ...bellatrix.BeaconBlock.fields, body: BeaconBlockBody });
  const SignedBeaconBlock = signed("SignedBeaconBlock", BeaconBlock, BLSSignature);
  const HistoricalSummaries = new ListCompositeType(HistoricalSummary, p.HISTORICAL_ROOTS_LIMIT);
  const BeaconState = container("BeaconState", {
    ...bellatrix.BeaconState.fields,
    latestExecutionPayloadHeader: ExecutionPayloadHeader,
    nextWithdrawalIndex: WithdrawalIndex,
    nextWithdrawalValidatorIndex: ValidatorIndex,
    historicalSummaries: HistoricalSummaries,
  });

  const BuilderBid = container("BuilderBid", { header: ExecutionPayloadHeader, value: UintBn256, pubkey: BLSPubkey });
  const SignedBuilderBid = signed("SignedBuilderBid", BuilderBid, BLSSignature);

  return {
    Withdrawal,
    BLSToExecutionChange,
    SignedBLSToExecutionChange,
    HistoricalSummary,
    ExecutionPayload,
    ExecutionPayloadHeader,
    BeaconBlockBody,
    BeaconBlock,
    SignedBeaconBlock,
    BeaconState,
    ...createBlindedTypes(BeaconBlockBody.fields, BeaconBlock.fields, ExecutionPayloadHeader),
    BuilderBid,
    SignedBuilderBid,
    ...createCapellaLightClientTypes(phase0, altair, ExecutionPayloadHeader),
    Withdrawals,
    BLSToExecutionChanges,
    HistoricalSummaries,
  };
}

/**
 * Light-client containers whose header carries an execution payload header (capella; deneb reuses it with its
 * own payload header), with the altair..deneb BeaconState branch depths.
 */
export function createCapellaLightClientTypes<H extends Type<unknown>>(
  phase0: Phase0Types,
  altair: AltairTypes,
  executionPayloadHeader: H,
) {
  const ExecutionBranch = branch(floorLog2(EXECUTION_PAYLOAD_GINDEX));
  const LightClientHeader = container("LightClientHeader", {
    beacon: phase0.BeaconBlockHeader,
    execution: executionPayloadHeader,
    executionBranch: ExecutionBranch,
  });
  return {
    ...createLightClientTypes(LightClientHeader, altair.SyncCommittee, altair.SyncAggregate, {
      finalizedRoot: FINALIZED_ROOT_GINDEX,
      currentSyncCommittee: CURRENT_SYNC_COMMITTEE_GINDEX,
      nextSyncCommittee: NEXT_SYNC_COMMITTEE_GINDEX,
    }),
    ExecutionBranch,
  };
}

export type CapellaTypes = ReturnType<typeof createCapellaTypes>;
