// process_block of every fork (phase0 … fulu beacon-chain.md): the header, then (capella+) withdrawals and
// (bellatrix+) the execution payload, RANDAO, eth1 data, the operations (with electra's execution-layer requests
// after them) and (altair+) the sync aggregate, in the fork's order. Signatures go to the block context's batch.
import type { CachedState } from "../../state/cachedState.ts";
import { atLeast } from "../../state/types.ts";
import type { AnyBeaconBlock, BeaconBlockBodyOf } from "../blockTypes.ts";
import type { BlockContext } from "../options.ts";
import { processEth1Data } from "./eth1Data.ts";
import { type ExecutionBlockBody, isExecutionEnabled, processExecutionPayload } from "./executionPayload.ts";
import { processExecutionRequests } from "./executionRequests.ts";
import { processBlockHeader } from "./header.ts";
import { processOperations } from "./operations/index.ts";
import { processRandao } from "./randao.ts";
import { processSyncAggregate } from "./syncAggregate.ts";
import { processWithdrawals } from "./withdrawals.ts";

export { processEth1Data } from "./eth1Data.ts";
export {
  isExecutionEnabled,
  isMergeTransitionBlock,
  isMergeTransitionComplete,
  kzgCommitmentToVersionedHash,
  maxBlobsPerBlock,
  processExecutionPayload,
} from "./executionPayload.ts";
export {
  processConsolidationRequest,
  processDepositRequest,
  processExecutionRequests,
  processWithdrawalRequest,
} from "./executionRequests.ts";
export { processBlockHeader } from "./header.ts";
export { processRandao, randaoSignatureSet } from "./randao.ts";
export { processSyncAggregate, syncAggregateSignatureSet } from "./syncAggregate.ts";
export {
  type ExpectedWithdrawals,
  getExpectedWithdrawals,
  processWithdrawals,
  type Withdrawal,
} from "./withdrawals.ts";

/**
 * `process_block(state, block)` of `cs.fork`: mutates `cs` in place; throws a TransitionError naming the failed
 * rule. Signature sets (RANDAO, operations, sync aggregate) are pushed to `bc.signatureSets` when it is non-null
 * and verified by the caller; the proposer's block signature is not part of process_block.
 */
export function processBlock(cs: CachedState, block: AnyBeaconBlock, bc: BlockContext): void {
  const fork = cs.fork;
  const body = block.body;
  processBlockHeader(cs, block);
  if (atLeast(fork, "capella")) {
    const payload = (body as BeaconBlockBodyOf<"capella">).executionPayload;
    processWithdrawals(cs, payload.withdrawals);
    processExecutionPayload(cs, body as ExecutionBlockBody, bc);
  } else if (atLeast(fork, "bellatrix") && isExecutionEnabled(cs, body as ExecutionBlockBody)) {
    processExecutionPayload(cs, body as ExecutionBlockBody, bc);
  }
  processRandao(cs, body, bc);
  processEth1Data(cs, body);
  processOperations(cs, body, bc);
  if (atLeast(fork, "electra")) {
    processExecutionRequests(cs, (body as BeaconBlockBodyOf<"electra">).executionRequests);
  }
  if (atLeast(fork, "altair")) {
    processSyncAggregate(cs, (body as BeaconBlockBodyOf<"altair">).syncAggregate, bc);
  }
}
