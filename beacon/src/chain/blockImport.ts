// Block import, one block at a time (BeaconChain.importBlock serializes calls):
//  1. root, known? → "known"; slot checks (not from the future beyond the clock disparity, after finalized);
//  2. parent unknown → queued (bounded), "pending"; it is imported when the parent arrives;
//  3. state transition on a clone of the parent's post-state (signatures in one batch), recording the payload
//     request, then engine_newPayload: INVALID refuses the block, SYNCING/ACCEPTED imports it optimistically;
//  4. unrealized checkpoints (compute_pulled_up_tip), fork choice on_block, the block's attestations and attester
//     slashings into the fork choice;
//  5. persistence: the block (and a state snapshot at the configured interval) in one transaction;
//  6. caches, pools, events, head, finalization; then the blocks that were waiting for this one.
import { errorFields } from "@sextant/common/errors";
import { getAttestingIndices } from "@sextant/consensus/state/accessors";
import { type CachedState, cloneCachedState } from "@sextant/consensus/state/cachedState";
import { TransitionError } from "@sextant/consensus/state/errors";
import type { AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { computeUnrealizedCheckpoints } from "@sextant/consensus/transition/epoch/unrealized";
import type { NewPayloadRequest } from "@sextant/consensus/transition/execution";
import { stateTransition } from "@sextant/consensus/transition/stateTransition";
import { toHex } from "@sextant/consensus/util/hex";
import type { ExecutionPayloadValue, ExecutionRequestsValue } from "../execution/types.ts";
import type { ExecutionStatus } from "../forkChoice/index.ts";
import type { BeaconChain, ImportOptions, ImportResult } from "./chain.ts";
import { ChainError } from "./errors.ts";

/** A block up to this many ms before its slot starts is not from the future (MAXIMUM_GOSSIP_CLOCK_DISPARITY). */
export const CLOCK_DISPARITY_MS = 500;

/** Runs the import steps (called through BeaconChain.importBlock only). */
export async function importBlockSteps(
  chain: BeaconChain,
  signed: AnySignedBeaconBlock,
  opts: ImportOptions,
): Promise<ImportResult> {
  const started = performance.now();
  const block = signed.message;
  const rootBytes = chain.blockRootOf(signed);
  const root = toHex(rootBytes);
  const slot = block.slot;
  const result = (status: ImportResult["status"]): ImportResult => {
    chain.observer.onBlockImport?.(
      status === "pending" ? "unknown_parent" : status,
      (performance.now() - started) / 1000,
    );
    return { status, root, slot };
  };
  if (chain.forkChoice.hasBlock(root)) return result("known");
  const spe = chain.config.preset.SLOTS_PER_EPOCH;
  const finalized = chain.forkChoice.store.finalized;
  if (slot <= finalized.epoch * spe) {
    throw new ChainError("BLOCK_SLOT", `block at slot ${slot} is not after the finalized epoch ${finalized.epoch}`, {
      root,
      slot,
      finalizedEpoch: finalized.epoch,
    });
  }
  if (!opts.fromDb && chain.clock.slotStartMs(slot) - CLOCK_DISPARITY_MS > chain.clock.now()) {
    throw new ChainError(
      "BLOCK_SLOT",
      `block at slot ${slot} is from the future (clock at ${chain.clock.currentSlot})`,
      {
        root,
        slot,
        currentSlot: chain.clock.currentSlot,
      },
    );
  }
  const parent = toHex(block.parentRoot);
  const parentNode = chain.forkChoice.getBlock(parent);
  if (parentNode === undefined) {
    chain.queuePending(signed, root);
    chain.logger.info({ slot, root, parent }, "block's parent is unknown: queued until it arrives");
    return result("pending");
  }
  if (slot <= parentNode.slot) {
    throw new ChainError("BLOCK_SLOT", `block at slot ${slot} is not after its parent's slot ${parentNode.slot}`, {
      root,
      slot,
      parentSlot: parentNode.slot,
    });
  }

  // 3. State transition on a copy of the parent's state.
  const pre = chain.getBlockState(parent);
  const post = cloneCachedState(pre);
  let payloadRequest: NewPayloadRequest | undefined;
  try {
    stateTransition(
      post,
      signed,
      {
        verifySignatures: opts.verifySignatures ?? true,
        executionEngine: {
          verifyAndNotifyNewPayload(request) {
            payloadRequest = request;
            return true;
          },
        },
      },
      chain.epochHook("import"),
    );
  } catch (e) {
    chain.observer.onBlockImport?.("invalid", (performance.now() - started) / 1000);
    if (e instanceof TransitionError) {
      throw new ChainError("BLOCK_INVALID", `block at slot ${slot} is invalid: ${e.message}`, {
        root,
        slot,
        rule: (e.context as { rule?: string }).rule,
      });
    }
    throw e;
  }
  let executionStatus: ExecutionStatus = "preMerge";
  let executionBlockHash: string | null = null;
  if (payloadRequest !== undefined) {
    const payload = payloadRequest.executionPayload as ExecutionPayloadValue;
    executionBlockHash = toHex(payload.blockHash);
    const isDefault = payload.blockHash.every((b) => b === 0);
    if (isDefault) {
      executionBlockHash = null;
    } else if (chain.engine === null) {
      executionStatus = opts.fromDb ? "valid" : "syncing";
    } else {
      let status: string;
      try {
        const answer = await chain.engine.notifyNewPayload({
          fork: payloadRequest.fork,
          executionPayload: payload,
          versionedHashes: payloadRequest.versionedHashes,
          parentBeaconBlockRoot: payloadRequest.parentBeaconBlockRoot,
          executionRequests: payloadRequest.executionRequests as ExecutionRequestsValue | undefined,
        });
        status = answer.status;
        if (status === "INVALID" || status === "INVALID_BLOCK_HASH") {
          chain.observer.onBlockImport?.("invalid", (performance.now() - started) / 1000);
          throw new ChainError(
            "BLOCK_INVALID",
            `execution payload refused by the engine: ${answer.validationError ?? status}`,
            {
              root,
              slot,
              status,
            },
          );
        }
      } catch (e) {
        if (e instanceof ChainError) throw e;
        // The engine is unreachable: import optimistically (the head is then reported execution_optimistic).
        chain.logger.warn(
          { err: errorFields(e), slot, root },
          "execution engine did not answer newPayload; importing optimistically",
        );
        status = "SYNCING";
      }
      executionStatus = status === "VALID" ? "valid" : "syncing";
    }
  }

  // 4. Fork choice.
  const justified = post.state.currentJustifiedCheckpoint;
  const finalizedCp = post.state.finalizedCheckpoint;
  const unrealized = computeUnrealizedCheckpoints(post);
  const cp = (c: { epoch: number; root: Uint8Array }) => ({ epoch: c.epoch, root: toHex(c.root) });
  const msIntoSlot = chain.clock.now() - chain.clock.slotStartMs(slot);
  chain.forkChoice.updateTime(Math.max(chain.clock.currentSlot, slot));
  try {
    chain.forkChoice.onBlock(
      {
        slot,
        blockRoot: root,
        parentRoot: parent,
        stateRoot: toHex(block.stateRoot),
        justified: cp(justified),
        finalized: cp(finalizedCp),
        unrealizedJustified: cp(unrealized.justified),
        unrealizedFinalized: cp(unrealized.finalized),
        executionBlockHash,
        executionStatus,
      },
      opts.fromDb ? Number.MAX_SAFE_INTEGER : msIntoSlot,
    );
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new ChainError(
      code === "NOT_FINALIZED_DESCENDANT" ? "BLOCK_NOT_FINALIZED_DESCENDANT" : "BLOCK_SLOT",
      `fork choice refused the block: ${(e as Error).message}`,
      { root, slot, code },
    );
  }
  applyBlockVotes(chain, post, signed);
  chain.states.setBlockState(root, post);

  // 5. Persistence (and a snapshot at the interval, so a restart replays few blocks).
  if (!opts.fromDb) {
    const fork = post.fork;
    const bytes = (chain.config.types[fork].SignedBeaconBlock as { serialize(v: unknown): Uint8Array }).serialize(
      signed,
    );
    const snapshot = chain.db.shouldSnapshot(slot);
    await chain.db.batch((tx) => {
      tx.putBlock(rootBytes, fork, bytes);
      if (snapshot) tx.putState(post.state.hashTreeRoot(), fork, post.state.serialize());
    });
    chain.rememberBlock(root, { signed, stored: { root: rootBytes, fork, slot, bytes } });
  }

  // 6. Pools, events, head, finalization.
  chain.opPool.removeIncluded(block.body as never);
  chain.counters.blocksImported++;
  if (!opts.fromDb) {
    chain.events.emit({
      topic: "block",
      data: { slot, block: rootBytes, executionOptimistic: executionStatus === "syncing" },
    });
    chain.logger.info(
      {
        slot,
        root,
        proposer: block.proposerIndex,
        attestations: (block.body as { attestations: unknown[] }).attestations.length,
        ms: Math.round(performance.now() - started),
        source: opts.source,
      },
      "block imported",
    );
  }
  chain.updateHead();
  await chain.onMaybeFinalized();
  const imported = result("imported");

  for (const child of chain.takePending(root)) {
    try {
      await importBlockSteps(chain, child.signed, { ...opts, source: "queued" });
    } catch (e) {
      chain.logger.warn(
        { err: errorFields(e), root: child.root },
        "a queued block failed to import once its parent arrived",
      );
    }
  }
  return imported;
}

/** The block's attestations and attester slashings into the fork choice. */
function applyBlockVotes(chain: BeaconChain, post: CachedState, signed: AnySignedBeaconBlock): void {
  const body = signed.message.body as {
    attestations: {
      data: { slot: number; beaconBlockRoot: Uint8Array; target: { epoch: number; root: Uint8Array } };
    }[];
    attesterSlashings: { attestation1: { attestingIndices: number[] }; attestation2: { attestingIndices: number[] } }[];
  };
  for (const attestation of body.attestations) {
    try {
      const indices = getAttestingIndices(post, attestation as never);
      const { data } = attestation;
      chain.forkChoice.onAttestation(
        {
          slot: data.slot,
          beaconBlockRoot: toHex(data.beaconBlockRoot),
          target: { epoch: data.target.epoch, root: toHex(data.target.root) },
        },
        indices,
        true,
      );
    } catch {
      // An attestation for a block the fork choice does not know (pruned or never seen) carries no vote here.
    }
  }
  for (const slashing of body.attesterSlashings) {
    const second = new Set(slashing.attestation2.attestingIndices);
    const both = slashing.attestation1.attestingIndices.filter((i) => second.has(i));
    chain.forkChoice.onAttesterSlashing(both, both);
  }
}
