// Light-client sync-protocol containers (specs/<fork>/light-client/sync-protocol.md). Their shape is the same in
// every fork; what changes is the header (altair: beacon only; capella+: plus the execution payload header and its
// branch) and, from electra on, the branch depths (the BeaconState grew past 32 fields).
import { type Type, VectorCompositeType } from "@chainsafe/ssz";
import { container } from "./container.ts";
import { Bytes32, Slot, UintNum64 } from "./primitives.ts";

/** floor(log2(gindex)): the length of the Merkle branch of a generalized index. */
export function floorLog2(gindex: number): number {
  return 31 - Math.clz32(gindex);
}

/** A Merkle branch of `depth` sibling roots. */
export function branch(depth: number): VectorCompositeType<typeof Bytes32> {
  return new VectorCompositeType(Bytes32, depth);
}

/** The generalized indices whose branches the light-client containers carry. */
export interface LightClientGindices {
  finalizedRoot: number;
  currentSyncCommittee: number;
  nextSyncCommittee: number;
}

/**
 * The light-client containers around `header`, with branches sized for `gindices`. `syncCommittee` and
 * `syncAggregate` are the altair containers (unchanged since).
 */
export function createLightClientTypes<H extends Type<unknown>, C extends Type<unknown>, A extends Type<unknown>>(
  header: H,
  syncCommittee: C,
  syncAggregate: A,
  gindices: LightClientGindices,
) {
  const FinalityBranch = branch(floorLog2(gindices.finalizedRoot));
  const CurrentSyncCommitteeBranch = branch(floorLog2(gindices.currentSyncCommittee));
  const NextSyncCommitteeBranch = branch(floorLog2(gindices.nextSyncCommittee));
  const LightClientBootstrap = container("LightClientBootstrap", {
    header,
    currentSyncCommittee: syncCommittee,
    currentSyncCommitteeBranch: CurrentSyncCommitteeBranch,
  });
  const LightClientUpdate = container("LightClientUpdate", {
    attestedHeader: header,
    nextSyncCommittee: syncCommittee,
    nextSyncCommitteeBranch: NextSyncCommitteeBranch,
    finalizedHeader: header,
    finalityBranch: FinalityBranch,
    syncAggregate,
    signatureSlot: Slot,
  });
  const LightClientFinalityUpdate = container("LightClientFinalityUpdate", {
    attestedHeader: header,
    finalizedHeader: header,
    finalityBranch: FinalityBranch,
    syncAggregate,
    signatureSlot: Slot,
  });
  const LightClientOptimisticUpdate = container("LightClientOptimisticUpdate", {
    attestedHeader: header,
    syncAggregate,
    signatureSlot: Slot,
  });
  return {
    LightClientHeader: header,
    LightClientBootstrap,
    LightClientUpdate,
    LightClientFinalityUpdate,
    LightClientOptimisticUpdate,
    FinalityBranch,
    CurrentSyncCommitteeBranch,
    NextSyncCommitteeBranch,
  };
}

/** Req/resp LightClientUpdatesByRange request (altair light-client/p2p-interface.md). */
export function createLightClientUpdatesByRange() {
  return container("LightClientUpdatesByRange", { startPeriod: UintNum64, count: UintNum64 });
}
