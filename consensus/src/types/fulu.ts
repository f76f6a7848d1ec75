// Fulu containers (specs/fulu/{beacon-chain,das-core,p2p-interface,validator}.md) and the Beacon API's block
// contents with cell proofs: only the types new or modified in fulu (PeerDAS, EIP-7594; proposer lookahead, EIP-7917).
import { ListBasicType, ListCompositeType, VectorBasicType, VectorCompositeType } from "@chainsafe/ssz";
import { BYTES_PER_FIELD_ELEMENT } from "../params/constants.ts";
import type { Preset } from "../params/presets/preset.ts";
import type { AltairTypes } from "./altair.ts";
import { StrictByteVectorType } from "./basic.ts";
import { container } from "./container.ts";
import type { DenebTypes } from "./deneb.ts";
import type { ElectraTypes } from "./electra.ts";
import type { Phase0Types } from "./phase0.ts";
import {
  Bytes32,
  ColumnIndex,
  Epoch,
  ForkDigest,
  KZGCommitment,
  KZGProof,
  Root,
  RowIndex,
  Slot,
  UintBn64,
  UintNum64,
  ValidatorIndex,
} from "./primitives.ts";

/** The types new or changed in fulu for preset `p`. */
export function createFuluTypes(
  p: Preset,
  phase0: Phase0Types,
  altair: AltairTypes,
  deneb: DenebTypes,
  electra: ElectraTypes,
) {
  const Cell = new StrictByteVectorType(BYTES_PER_FIELD_ELEMENT * p.FIELD_ELEMENTS_PER_CELL);
  const DataColumn = new ListCompositeType(Cell, p.MAX_BLOB_COMMITMENTS_PER_BLOCK);
  const KzgCommitmentsInclusionProof = new VectorCompositeType(Bytes32, p.KZG_COMMITMENTS_INCLUSION_PROOF_DEPTH);
  const ColumnIndices = new ListBasicType(ColumnIndex, p.NUMBER_OF_COLUMNS);
  // EIP-7917: proposers of the current and next MIN_SEED_LOOKAHEAD epochs.
  const ProposerLookahead = new VectorBasicType(ValidatorIndex, (p.MIN_SEED_LOOKAHEAD + 1) * p.SLOTS_PER_EPOCH);
  // Cell proofs: CELLS_PER_EXT_BLOB per blob, bounded by the spec as FIELD_ELEMENTS_PER_EXT_BLOB per commitment.
  const KZGProofs = new ListCompositeType(KZGProof, p.FIELD_ELEMENTS_PER_EXT_BLOB * p.MAX_BLOB_COMMITMENTS_PER_BLOCK);

  const BeaconState = container("BeaconState", {
    ...electra.BeaconState.fields,
    proposerLookahead: ProposerLookahead,
  });

  // das-core.md
  const DataColumnSidecar = container("DataColumnSidecar", {
    index: ColumnIndex,
    column: DataColumn,
    kzgCommitments: new ListCompositeType(KZGCommitment, p.MAX_BLOB_COMMITMENTS_PER_BLOCK),
    kzgProofs: deneb.KZGProofs,
    signedBlockHeader: phase0.SignedBeaconBlockHeader,
    kzgCommitmentsInclusionProof: KzgCommitmentsInclusionProof,
  });
  const MatrixEntry = container("MatrixEntry", {
    cell: Cell,
    kzgProof: KZGProof,
    columnIndex: ColumnIndex,
    rowIndex: RowIndex,
  });

  // p2p-interface.md: Status v2, MetaData v3, data column requests.
  const Status = container("Status", {
    forkDigest: ForkDigest,
    finalizedRoot: Root,
    finalizedEpoch: Epoch,
    headRoot: Root,
    headSlot: Slot,
    earliestAvailableSlot: Slot,
  });
  const MetaData = container("MetaData", {
    seqNumber: UintBn64,
    attnets: phase0.AttestationSubnets,
    syncnets: altair.SyncSubnets,
    custodyGroupCount: UintNum64,
  });
  const DataColumnsByRootIdentifier = container("DataColumnsByRootIdentifier", {
    blockRoot: Root,
    columns: ColumnIndices,
  });
  const DataColumnSidecarsByRangeRequest = container("DataColumnSidecarsByRangeRequest", {
    startSlot: Slot,
    count: UintNum64,
    columns: ColumnIndices,
  });

  // validator.md / builder-specs and the Beacon API (types/fulu/block_contents.yaml): cell proofs replace blob proofs.
  const BlobsBundle = container("BlobsBundle", {
    commitments: deneb.BlobKzgCommitments,
    proofs: KZGProofs,
    blobs: deneb.Blobs,
  });
  const ExecutionPayloadAndBlobsBundle = container("ExecutionPayloadAndBlobsBundle", {
    executionPayload: deneb.ExecutionPayload,
    blobsBundle: BlobsBundle,
  });
  const BlockContents = container("BlockContents", {
    block: electra.BeaconBlock,
    kzgProofs: KZGProofs,
    blobs: deneb.Blobs,
  });
  const SignedBlockContents = container("SignedBlockContents", {
    signedBlock: electra.SignedBeaconBlock,
    kzgProofs: KZGProofs,
    blobs: deneb.Blobs,
  });

  return {
    BeaconState,
    DataColumnSidecar,
    MatrixEntry,
    Status,
    MetaData,
    DataColumnsByRootIdentifier,
    DataColumnSidecarsByRangeRequest,
    BlobsBundle,
    ExecutionPayloadAndBlobsBundle,
    BlockContents,
    SignedBlockContents,
    Cell,
    DataColumn,
    KzgCommitmentsInclusionProof,
    ColumnIndices,
    ProposerLookahead,
    KZGProofs,
  };
}

export type FuluTypes = ReturnType<typeof createFuluTypes>;
