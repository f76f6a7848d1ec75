// Block production (GET /eth/v3/validator/blocks/{slot} and its predecessors): on the head, with the proposer's
// RANDAO reveal checked first (a wrong reveal would make a block nobody accepts), the best operations from the
// pools, the sync aggregate of the previous slot, and the execution payload the engine builds
// (forkchoiceUpdated with payload attributes, then getPayload). The state root is computed by assembling the block
// on a copy of the pre-state. A pool entry that breaks a rule at packing time costs the block its operations, not
// the block: production retries with no pooled operations and logs why.
import { errorFields } from "@sextant/common/errors";
import { verifySignatureSets } from "@sextant/consensus/bls/batch";
import type { ForkName } from "@sextant/consensus/params/index";
import { currentEpoch, getRandaoMix } from "@sextant/consensus/state/accessors";
import { type CachedState, cloneCachedState } from "@sextant/consensus/state/cachedState";
import { atLeast } from "@sextant/consensus/state/types";
import { processBlock } from "@sextant/consensus/transition/block/index";
import { randaoSignatureSet } from "@sextant/consensus/transition/block/randao";
import { getExpectedWithdrawals } from "@sextant/consensus/transition/block/withdrawals";
import type { AnyBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { acceptingExecutionEngine } from "@sextant/consensus/transition/execution";
import {
  type AnyExecutionPayload,
  assembleBlock,
  type BlockContents,
} from "@sextant/consensus/transition/produce/index";
import { processSlots } from "@sextant/consensus/transition/stateTransition";
import { fromHex, toHex } from "@sextant/consensus/util/hex";
import type { BlobsBundleValue } from "../execution/types.ts";
import type { BeaconChain } from "./chain.ts";
import { ChainError } from "./errors.ts";

/** Wei per Gwei. */
const GWEI_TO_WEI = 1_000_000_000n;

/** What the proposer asked for. */
export interface ProduceBlockRequest {
  readonly slot: number;
  readonly randaoReveal: Uint8Array;
  readonly graffiti?: Uint8Array;
  /** Skip the RANDAO check (the deprecated endpoints' skip_randao_verification with the infinity signature). */
  readonly skipRandaoVerification?: boolean;
}

/** A produced block with what the v3 response carries. */
export interface ProducedBlock {
  readonly block: AnyBeaconBlock;
  readonly fork: ForkName;
  /** Deneb+: blobs and proofs (empty when the payload carries no blob transactions). */
  readonly blobs: readonly Uint8Array[];
  readonly kzgProofs: readonly Uint8Array[];
  readonly executionPayloadValue: bigint;
  readonly consensusBlockValue: bigint;
}

/** Produces an unsigned block at `req.slot` on the current head. */
export async function produceBlock(chain: BeaconChain, req: ProduceBlockRequest): Promise<ProducedBlock> {
  const started = performance.now();
  const { slot } = req;
  const clockSlot = chain.clock.currentSlot;
  if (slot > clockSlot + 1 || slot < clockSlot) {
    throw new ChainError(
      "REQUEST_OUT_OF_RANGE",
      `blocks are produced for the current slot ${clockSlot} (or the next), not for slot ${slot}`,
      { slot, clockSlot },
    );
  }
  chain.forkChoice.updateTime(clockSlot);
  chain.updateHead();
  const head = chain.head();
  if (slot <= head.slot) {
    throw new ChainError("REQUEST_OUT_OF_RANGE", `slot ${slot} is not after the head's slot ${head.slot}`, {
      slot,
      headSlot: head.slot,
    });
  }
  const spe = chain.config.preset.SLOTS_PER_EPOCH;
  const epoch = Math.floor(slot / spe);
  // The pre-state at the slot: from the pre-advanced checkpoint state when the clock already computed it.
  const base = chain.peekCheckpointState(epoch, head.root) ?? chain.getBlockState(head.root);
  const pre = cloneCachedState(base);
  if (pre.state.slot < slot) processSlots(pre, slot, chain.epochHook("produce"));

  if (!req.skipRandaoVerification) checkRandaoReveal(pre, slot, req.randaoReveal);

  const proposer = pre.ctx.getBeaconProposer(slot);
  const contents: { -readonly [K in keyof BlockContents]: BlockContents[K] } = {
    slot,
    randaoReveal: req.randaoReveal,
    graffiti: req.graffiti,
  };
  let blobs: Uint8Array[] = [];
  let kzgProofs: Uint8Array[] = [];
  let executionPayloadValue = 0n;
  if (atLeast(pre.fork, "bellatrix")) {
    const built = await buildPayload(chain, pre, head.root, proposer);
    if (built) {
      contents.executionPayload = built.payload;
      executionPayloadValue = built.value;
      if (atLeast(pre.fork, "deneb")) contents.blobKzgCommitments = built.bundle?.commitments ?? [];
      if (atLeast(pre.fork, "electra") && built.requests) contents.executionRequests = built.requests as never;
      blobs = [...(built.bundle?.blobs ?? [])];
      kzgProofs = [...(built.bundle?.proofs ?? [])];
    }
  }
  if (atLeast(pre.fork, "altair")) {
    contents.syncAggregate = chain.syncContributionPool.getSyncAggregate(slot - 1, fromHex(head.root));
  }
  const withOps: BlockContents = {
    ...contents,
    attestations: chain.attestationPool.getAttestationsForBlock(pre),
    ...chain.opPool.getForBlock(pre),
  };
  let block: AnyBeaconBlock;
  try {
    block = assembleBlock(
      pre,
      atLeast(pre.fork, "capella") ? withOps : { ...withOps, blsToExecutionChanges: undefined },
    );
  } catch (e) {
    chain.logger.error(
      { err: errorFields(e), slot },
      "a pooled operation broke a rule while packing the block; producing it without pooled operations",
    );
    try {
      block = assembleBlock(pre, contents);
    } catch (e2) {
      throw new ChainError(
        "PRODUCTION_FAILED",
        `could not assemble a block at slot ${slot}: ${(e2 as Error).message}`,
        {
          slot,
        },
      );
    }
  }
  const consensusBlockValue = proposerReward(pre, block, proposer);
  chain.counters.blocksProduced++;
  chain.observer.onBlockProduced?.((performance.now() - started) / 1000);
  chain.logger.info(
    {
      slot,
      proposer,
      parent: head.root,
      attestations: (block.body as { attestations: unknown[] }).attestations.length,
      ms: Math.round(performance.now() - started),
    },
    "block produced",
  );
  return { block, fork: pre.fork, blobs, kzgProofs, executionPayloadValue, consensusBlockValue };
}

/** Throws OPERATION_INVALID when the reveal is not the proposer's signature of the epoch. */
function checkRandaoReveal(pre: CachedState, slot: number, reveal: Uint8Array): void {
  const epoch = currentEpoch(pre);
  const proposer = pre.ctx.getBeaconProposer(slot);
  const set = randaoSignatureSet(pre, { randaoReveal: reveal } as never);
  let valid = false;
  try {
    valid = verifySignatureSets([set]).valid;
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new ChainError(
      "OPERATION_INVALID",
      `randao_reveal is not validator ${proposer}'s signature of epoch ${epoch} (is ${proposer} the proposer you sign for?)`,
      { slot, proposer },
    );
  }
}

/** engine_forkchoiceUpdated with attributes, then engine_getPayload. */
async function buildPayload(
  chain: BeaconChain,
  pre: CachedState,
  parentRoot: string,
  proposer: number,
): Promise<
  { payload: AnyExecutionPayload; value: bigint; bundle: BlobsBundleValue | null; requests: unknown } | undefined
> {
  const engine = chain.engine;
  const header = (pre.state as { latestExecutionPayloadHeader: { blockHash: Uint8Array } })
    .latestExecutionPayloadHeader;
  if (header.blockHash.every((b) => b === 0)) return undefined; // before the merge: the default payload
  if (engine === null) {
    throw new ChainError("EXECUTION_ENGINE", "no execution engine configured: cannot build a payload", {});
  }
  const fork = pre.fork;
  const zero = "0x".padEnd(66, "0");
  const attributes = {
    timestamp: pre.state.genesisTime + pre.state.slot * chain.config.chain.SECONDS_PER_SLOT,
    prevRandao: getRandaoMix(pre, currentEpoch(pre)),
    suggestedFeeRecipient: chain.feeRecipients.get(proposer) ?? chain.defaultFeeRecipient,
    ...(atLeast(fork, "capella") ? { withdrawals: getExpectedWithdrawals(pre).withdrawals } : {}),
    ...(atLeast(fork, "deneb") ? { parentBeaconBlockRoot: fromHex(parentRoot) } : {}),
  };
  try {
    const updated = await engine.forkchoiceUpdated(
      fork,
      {
        headBlockHash: header.blockHash,
        safeBlockHash: fromHex(chain.forkChoice.getSafeExecutionBlockHash() ?? zero),
        finalizedBlockHash: fromHex(chain.forkChoice.getFinalizedExecutionBlockHash() ?? zero),
      },
      attributes,
    );
    if (updated.payloadId === null) {
      throw new Error(`engine answered ${updated.payloadStatus.status} without a payload id`);
    }
    const got = await engine.getPayload(fork, updated.payloadId);
    return {
      payload: got.executionPayload as AnyExecutionPayload,
      value: got.blockValue,
      bundle: got.blobsBundle,
      requests: got.executionRequests,
    };
  } catch (e) {
    throw new ChainError("EXECUTION_ENGINE", `the execution engine did not build a payload: ${(e as Error).message}`, {
      parent: toHex(header.blockHash),
    });
  }
}

/** The proposer's balance gain from the block's operations (the consensus block value), in Wei as the API reports it. */
function proposerReward(pre: CachedState, block: AnyBeaconBlock, proposer: number): bigint {
  try {
    const before = pre.state.balances.get(proposer);
    const copy = cloneCachedState(pre);
    // The body is applied with signature checks off and the accepting engine (the block was just assembled).
    processBlock(copy, block, { executionEngine: acceptingExecutionEngine, signatureSets: null });
    return BigInt(copy.state.balances.get(proposer) - before) * GWEI_TO_WEI;
  } catch {
    return 0n;
  }
}
