// Deneb containers (specs/deneb/{beacon-chain,p2p-interface,validator}.md, light client), the Beacon API's block
// contents, blinded blocks and the builder API's bid and blobs bundle: only the types new or modified in deneb.
import { ListCompositeType, VectorCompositeType } from "@chainsafe/ssz";
import { BYTES_PER_FIELD_ELEMENT } from "../params/constants.ts";
import type { Preset } from "../params/presets/preset.ts";
import type { AltairTypes } from "./altair.ts";
import { StrictByteVectorType } from "./basic.ts";
import { type CapellaTypes, createCapellaLightClientTypes } from "./capella.ts";
import { container, createBlindedTypes, signed } from "./container.ts";
import type { Phase0Types } from "./phase0.ts";
import {
  BLSPubkey,
  BLSSignature,
  BlobIndex,
  Bytes32,
  KZGCommitment,
  KZGProof,
  Root,
  Slot,
  UintBn64,
  UintBn256,
  UintNum64,
  VersionedHash,
} from "./primitives.ts";

/** The types new or changed in deneb for preset `p`. */
export function createDenebTypes(p: Preset, phase0: Phase0Types, altair: AltairTypes, capella: CapellaTypes) {
  const Blob = new StrictByteVectorType(BYTES_PER_FIELD_ELEMENT * p.FIELD_ELEMENTS_PER_BLOB);
  const Blobs = new ListCompositeType(Blob, p.MAX_BLOB_COMMITMENTS_PER_BLOCK);
  const BlobKzgCommitments = new ListCompositeType(KZGCommitment, p.MAX_BLOB_COMMITMENTS_PER_BLOCK);
  const KZGProofs = new ListCompositeType(KZGProof, p.MAX_BLOB_COMMITMENTS_PER_BLOCK);
  const VersionedHashes = new ListCompositeType(VersionedHash, p.MAX_BLOB_COMMITMENTS_PER_BLOCK);
  const KzgCommitmentInclusionProof = new VectorCompositeType(Bytes32, p.KZG_COMMITMENT_INCLUSION_PROOF_DEPTH);

  // Blob gas counters come from the execution layer unchecked by consensus: exact bigints.
  const ExecutionPayload = container("ExecutionPayload", {
    ...capella.ExecutionPayload.fields,
    blobGasUsed: UintBn64,
    excessBlobGas: UintBn64,
  });
  const ExecutionPayloadHeader = container("ExecutionPayloadHeader", {
    ...capella.ExecutionPayloadHeader.fields,
    blobGasUsed: UintBn64,
    excessBlobGas: UintBn64,
  });
  const BeaconBlockBody = container("BeaconBlockBody", {
    ...capella.BeaconBlockBody.fields,
    executionPayload: ExecutionPayload,
    blobKzgCommitments: BlobKzgCommitments,
  });
  const BeaconBlock = container("BeaconBlock", { ...capella.BeaconBlock.fields, body: BeaconBlockBody });
  const SignedBeaconBlock = signed("SignedBeaconBlock", BeaconBlock, BLSSignature);
  const BeaconState = container("BeaconState", {
    ...capella.BeaconState.fields,
    latestExecutionPayloadHeader: ExecutionPayloadHeader,
  });

  // p2p-interface.md
  const BlobSidecar = container("BlobSidecar", {
    index: BlobIndex,
    blob: Blob,
    kzgCommitment: KZGCommitment,
    kzgProof: KZGProof,
    signedBlockHeader: phase0.SignedBeaconBlockHeader,
    kzgCommitmentInclusionProof: KzgCommitmentInclusionProof,
  });
  const BlobIdentifier = container("BlobIdentifier", { blockRoot: Root, index: BlobIndex });
  const BlobSidecarsByRangeRequest = container("BlobSidecarsByRangeRequest", { startSlot: Slot, count: UintNum64 });

  // Beacon API (types/deneb/block_contents.yaml): a block with its blobs and their KZG proofs.
  const BlockContents = container("BlockContents", { block: BeaconBlock, kzgProofs: KZGProofs, blobs: Blobs });
  const SignedBlockContents = container("SignedBlockContents", {
    signedBlock: SignedBeaconBlock,
    kzgProofs: KZGProofs,
    blobs: Blobs,
  });

  // builder-specs / validator.md: the bid commits to the blob commitments; unblinding returns the blobs bundle.
  const BuilderBid = container("BuilderBid", {
    header: ExecutionPayloadHeader,
    blobKzgCommitments: BlobKzgCommitments,
    value: UintBn256,
    pubkey: BLSPubkey,
  });
  const SignedBuilderBid = signed("SignedBuilderBid", BuilderBid, BLSSignature);
  const BlobsBundle = container("BlobsBundle", { commitments: BlobKzgCommitments, proofs: KZGProofs, blobs: Blobs });
  const ExecutionPayloadAndBlobsBundle = container("ExecutionPayloadAndBlobsBundle", {
    executionPayload: ExecutionPayload,
    blobsBundle: BlobsBundle,
  });

  return {
    ExecutionPayload,
    ExecutionPayloadHeader,
    BeaconBlockBody,
    BeaconBlock,
    SignedBeaconBlock,
    BeaconState,
    BlobSidecar,
    BlobIdentifier,
    BlobSidecarsByRangeRequest,
    BlockContents,
    SignedBlockContents,
    ...createBlindedTypes(BeaconBlockBody.fields, BeaconBlock.fields, ExecutionPayloadHeader),
    BuilderBid,
    SignedBuilderBid,
    BlobsBundle,
    ExecutionPayloadAndBlobsBundle,
    ...createCapellaLightClientTypes(phase0, altair, ExecutionPayloadHeader),
    Blob,
    Blobs,
    BlobKzgCommitments,
    KZGProofs,
    VersionedHashes,
    KzgCommitmentInclusionProof,
  };
}

export type DenebTypes = ReturnType<typeof createDenebTypes>;
