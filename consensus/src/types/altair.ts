// Altair containers (specs/altair/{beacon-chain,validator,p2p-interface}.md, light-client/sync-protocol.md):
// only the types new or modified in altair; the rest is inherited from phase0 by sszTypes.ts.
import { ListBasicType, VectorCompositeType } from "@chainsafe/ssz";
import {
  CURRENT_SYNC_COMMITTEE_GINDEX,
  FINALIZED_ROOT_GINDEX,
  NEXT_SYNC_COMMITTEE_GINDEX,
  SYNC_COMMITTEE_SUBNET_COUNT,
} from "../params/constants.ts";
import type { Preset } from "../params/presets/preset.ts";
import { StrictBitVectorType } from "./basic.ts";
import { container, signed } from "./container.ts";
import { createLightClientTypes, createLightClientUpdatesByRange } from "./lightClient.ts";
import type { Phase0Types } from "./phase0.ts";
import {
  BLSPubkey,
  BLSSignature,
  ParticipationFlags,
  Root,
  Slot,
  SubcommitteeIndex,
  UintBn64,
  UintNum64,
  ValidatorIndex,
} from "./primitives.ts";

/** The types new or changed in altair for preset `p`, on top of `phase0`. */
export function createAltairTypes(p: Preset, phase0: Phase0Types) {
  const SyncCommitteeBits = new StrictBitVectorType(p.SYNC_COMMITTEE_SIZE);
  const SyncAggregate = container("SyncAggregate", {
    syncCommitteeBits: SyncCommitteeBits,
    syncCommitteeSignature: BLSSignature,
  });
  const SyncCommittee = container("SyncCommittee", {
    pubkeys: new VectorCompositeType(BLSPubkey, p.SYNC_COMMITTEE_SIZE),
    aggregatePubkey: BLSPubkey,
  });
  const BeaconBlockBody = container("BeaconBlockBody", {
    ...phase0.BeaconBlockBody.fields,
    syncAggregate: SyncAggregate,
  });
  const BeaconBlock = container("BeaconBlock", { ...phase0.BeaconBlock.fields, body: BeaconBlockBody });
  const SignedBeaconBlock = signed("SignedBeaconBlock", BeaconBlock, BLSSignature);

  const EpochParticipation = new ListBasicType(ParticipationFlags, p.VALIDATOR_REGISTRY_LIMIT);
  const InactivityScores = new ListBasicType(UintNum64, p.VALIDATOR_REGISTRY_LIMIT);
  const BeaconState = container("BeaconState", {
    genesisTime: UintNum64,
    genesisValidatorsRoot: Root,
    slot: Slot,
    fork: phase0.Fork,
    latestBlockHeader: phase0.BeaconBlockHeader,
    blockRoots: phase0.HistoricalBlockRoots,
    stateRoots: phase0.HistoricalStateRoots,
    historicalRoots: phase0.HistoricalRoots,
    eth1Data: phase0.Eth1Data,
    eth1DataVotes: phase0.Eth1DataVotes,
    eth1DepositIndex: UintNum64,
    validators: phase0.Validators,
    balances: phase0.Balances,
    randaoMixes: phase0.RandaoMixes,
    slashings: phase0.Slashings,
    previousEpochParticipation: EpochParticipation,
    currentEpochParticipation: EpochParticipation,
    justificationBits: phase0.JustificationBits,
    previousJustifiedCheckpoint: phase0.Checkpoint,
    currentJustifiedCheckpoint: phase0.Checkpoint,
    finalizedCheckpoint: phase0.Checkpoint,
    inactivityScores: InactivityScores,
    currentSyncCommittee: SyncCommittee,
    nextSyncCommittee: SyncCommittee,
  });

  // validator.md
  const SyncCommitteeMessage = container("SyncCommitteeMessage", {
    slot: Slot,
    beaconBlockRoot: Root,
    validatorIndex: ValidatorIndex,
    signature: BLSSignature,
  });
  const SyncCommitteeContribution = container("SyncCommitteeContribution", {
    slot: Slot,
    beaconBlockRoot: Root,
    subcommitteeIndex: SubcommitteeIndex,
    aggregationBits: new StrictBitVectorType(p.SYNC_COMMITTEE_SIZE / SYNC_COMMITTEE_SUBNET_COUNT),
    signature: BLSSignature,
  });
  const ContributionAndProof = container("ContributionAndProof", {
    aggregatorIndex: ValidatorIndex,
    contribution: SyncCommitteeContribution,
    selectionProof: BLSSignature,
  });
  const SignedContributionAndProof = signed("SignedContributionAndProof", ContributionAndProof, BLSSignature);
  const SyncAggregatorSelectionData = container("SyncAggregatorSelectionData", {
    slot: Slot,
    subcommitteeIndex: SubcommitteeIndex,
  });

  // p2p-interface.md: MetaData v2 adds the sync committee subnets.
  const SyncSubnets = new StrictBitVectorType(SYNC_COMMITTEE_SUBNET_COUNT);
  const MetaData = container("MetaData", {
    seqNumber: UintBn64,
    attnets: phase0.AttestationSubnets,
    syncnets: SyncSubnets,
  });

  // Beacon API (types/selection.yaml).
  const SyncCommitteeSelection = container("SyncCommitteeSelection", {
    validatorIndex: ValidatorIndex,
    slot: Slot,
    subcommitteeIndex: SubcommitteeIndex,
    selectionProof: BLSSignature,
  });

  const LightClientHeader = container("LightClientHeader", { beacon: phase0.BeaconBlockHeader });
  const lightClient = createLightClientTypes(LightClientHeader, SyncCommittee, SyncAggregate, {
    finalizedRoot: FINALIZED_ROOT_GINDEX,
    currentSyncCommittee: CURRENT_SYNC_COMMITTEE_GINDEX,
    nextSyncCommittee: NEXT_SYNC_COMMITTEE_GINDEX,
  });

  return {
    SyncAggregate,
    SyncCommittee,
    BeaconBlockBody,
    BeaconBlock,
    SignedBeaconBlock,
    BeaconState,
    SyncCommitteeMessage,
    SyncCommitteeContribution,
    ContributionAndProof,
    SignedContributionAndProof,
    SyncAggregatorSelectionData,
    MetaData,
    SyncCommitteeSelection,
    ...lightClient,
    LightClientUpdatesByRange: createLightClientUpdatesByRange(),
    SyncCommitteeBits,
    SyncSubnets,
    EpochParticipation,
    InactivityScores,
  };
}

export type AltairTypes = ReturnType<typeof createAltairTypes>;
