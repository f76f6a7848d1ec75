// Resolution of the Beacon API's `state_id` and `block_id` path parameters against the chain: named states and
// blocks (head, genesis, finalized, justified), slots (the canonical chain's state or block at that slot) and roots.
// A request never sets off an epoch transition: a state at a slot after its block is advanced only within the
// block's epoch (or from a checkpoint state the chain already computed); older finalized states are served only
// when stored as they are (the anchor state, database snapshots). Unknown ids answer 404, what the node cannot
// compute for a request answers 404 with the reason.
import { ApiError } from "@sextant/api-spec/codec/errors";
import type { BlockId, StateId } from "@sextant/api-spec/codec/params";
import type { ForkName } from "@sextant/consensus/params/index";
import { type CachedState, cloneCachedState, loadCachedState } from "@sextant/consensus/state/cachedState";
import type { AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { processSlots } from "@sextant/consensus/transition/stateTransition";
import { fromHex, toHex } from "@sextant/consensus/util/hex";
import type { BeaconChain } from "../chain/chain.ts";

/** A resolved state_id. Never mutate `state`: it is shared with the chain's caches. */
export interface ResolvedState {
  readonly state: CachedState;
  readonly executionOptimistic: boolean;
  readonly finalized: boolean;
}

/** A resolved block_id. */
export interface ResolvedBlock {
  readonly signed: AnySignedBeaconBlock;
  /** The block root, 0x hex. */
  readonly root: string;
  readonly fork: ForkName;
  /** On the chain of the current head. */
  readonly canonical: boolean;
  readonly finalized: boolean;
  readonly executionOptimistic: boolean;
}

/** Resolves a state_id (head | genesis | finalized | justified | slot | 0x state root). */
export function resolveStateId(chain: BeaconChain, id: StateId): ResolvedState {
  if (id === "head") {
    const head = chain.head();
    return { state: chain.headState(), executionOptimistic: head.executionOptimistic, finalized: false };
  }
  if (id === "genesis") return stateAtSlot(chain, 0);
  if (id === "finalized" || id === "justified") {
    const cp = id === "finalized" ? chain.forkChoice.store.finalized : chain.forkChoice.store.justified;
    const state = checkpointState(chain, cp.epoch, cp.root);
    if (state === undefined) {
      throw new ApiError(
        404,
        `the ${id} checkpoint state (epoch ${cp.epoch}, block ${cp.root}) is not held by the node; ` +
          "it computes no epoch transition for a request",
      );
    }
    return { state, executionOptimistic: optimisticOf(chain, cp.root), finalized: id === "finalized" };
  }
  if (typeof id === "number") return stateAtSlot(chain, id);
  return stateByRoot(chain, id);
}

/** Resolves a block_id (head | genesis | finalized | slot | 0x block root). */
export function resolveBlockId(chain: BeaconChain, id: BlockId): ResolvedBlock {
  let root: string | undefined;
  if (id === "head") root = chain.head().root;
  else if (id === "finalized") root = chain.forkChoice.store.finalized.root;
  else if (id === "genesis") {
    root = canonicalBlockRootAtSlot(chain, 0);
    if (root === undefined) throw new ApiError(404, "the genesis block is not stored by this node");
  } else if (typeof id === "number") {
    root = canonicalBlockRootAtSlot(chain, id);
    if (root === undefined) throw new ApiError(404, `no canonical block at slot ${id}`);
  } else root = toHex(id);
  const found = chain.getBlockByRoot(root);
  if (found === undefined) {
    throw new ApiError(
      404,
      typeof id === "object" ? `block ${root} not found` : `block ${String(id)} (${root}) not stored`,
    );
  }
  const canonical = isCanonicalBlock(chain, root, found.stored.slot);
  return {
    signed: found.signed,
    root,
    fork: found.stored.fork,
    canonical,
    finalized: canonical && found.stored.slot <= finalizedBlockSlot(chain),
    executionOptimistic: optimisticOf(chain, root),
  };
}

/** The slot of the finalized checkpoint's block. */
export function finalizedBlockSlot(chain: BeaconChain): number {
  const finalized = chain.forkChoice.store.finalized;
  return chain.forkChoice.getBlock(finalized.root)?.slot ?? chain.anchor.slot;
}

/** True when the block `root` at `slot` is on the head's chain (fork choice) or in the finalized chain (DB). */
export function isCanonicalBlock(chain: BeaconChain, root: string, slot: number): boolean {
  if (chain.forkChoice.hasBlock(root)) return chain.forkChoice.isDescendant(root, chain.head().root);
  const stored = chain.db.finalizedBlocks.rootAtSlot(slot);
  return stored !== undefined && toHex(stored) === root;
}

/** The root of the canonical block exactly at `slot`, or undefined (skipped slot, beyond the head, not stored). */
export function canonicalBlockRootAtSlot(chain: BeaconChain, slot: number): string | undefined {
  const head = chain.head();
  if (slot > head.slot) return undefined;
  const ancestor = chain.forkChoice.getAncestorRoot(head.root, slot);
  if (ancestor !== undefined) {
    const node = chain.forkChoice.getBlock(ancestor);
    // The fork choice's oldest node (the anchor) answers for every earlier slot: only trust an exact match, or a
    // later block whose slot proves `slot` was skipped.
    if (node?.slot === slot) return ancestor;
    if (node !== undefined && node.parent !== undefined) return undefined;
  }
  const finalized = chain.db.finalizedBlocks.rootAtSlot(slot);
  if (finalized !== undefined) return toHex(finalized);
  if (slot === chain.anchor.slot) return chain.anchor.root;
  return undefined;
}

/** The canonical block (root, slot) at or before `slot`, or undefined when that part of the chain is not known. */
function canonicalBlockAtOrBefore(chain: BeaconChain, slot: number): { root: string; slot: number } | undefined {
  const head = chain.head();
  if (slot >= chain.anchor.slot) {
    const root = chain.forkChoice.getAncestorRoot(head.root, Math.min(slot, head.slot));
    const node = root === undefined ? undefined : chain.forkChoice.getBlock(root);
    if (root !== undefined && node !== undefined) return { root, slot: node.slot };
  }
  for (const { slot: s, root } of chain.db.finalizedBlocks.roots({ toSlot: slot, reverse: true, limit: 1 })) {
    return { root: toHex(root), slot: s };
  }
  return undefined;
}

/** The canonical state at `slot`. */
function stateAtSlot(chain: BeaconChain, slot: number): ResolvedState {
  const spe = chain.config.preset.SLOTS_PER_EPOCH;
  const head = chain.head();
  const current = chain.clock.currentSlot;
  if (slot > Math.max(current, head.slot)) {
    throw new ApiError(404, `slot ${slot} is in the future (current slot ${current})`);
  }
  const finalizedEpochStart = chain.forkChoice.store.finalized.epoch * spe;
  const finalized = slot <= finalizedEpochStart;
  const block = canonicalBlockAtOrBefore(chain, slot);
  // The anchor checkpoint state (and snapshots) answer slots they hold exactly.
  const exact = () => storedStateAt(chain, slot);
  if (block === undefined || block.slot < chain.anchor.slot) {
    const stored = exact();
    if (stored) return { state: stored, executionOptimistic: false, finalized: true };
    throw new ApiError(
      404,
      `the state at slot ${slot} is not available: it is older than the anchor (slot ${chain.anchor.slot}) and no ` +
        "snapshot holds that slot; this node does not regenerate historical states",
    );
  }
  const optimistic = optimisticOf(chain, block.root);
  const blockState = blockStateOf(chain, block.root);
  if (blockState === undefined) {
    const stored = exact();
    if (stored) return { state: stored, executionOptimistic: false, finalized: true };
    throw new ApiError(404, `the state of block ${block.root} (slot ${block.slot}) is not available`);
  }
  if (blockState.state.slot === slot) return { state: blockState, executionOptimistic: optimistic, finalized };
  const stored = finalized && blockState.state.slot < slot ? exact() : undefined;
  if (stored) return { state: stored, executionOptimistic: optimistic, finalized };
  // After its block: advance within the epoch only (from the block state, or from a checkpoint state computed
  // already for the slot's epoch).
  const epoch = Math.floor(slot / spe);
  let base: CachedState | undefined = blockState;
  if (Math.floor(blockState.state.slot / spe) !== epoch) base = chain.peekCheckpointState(epoch, block.root);
  if (base === undefined || base.state.slot > slot) {
    throw new ApiError(
      404,
      `the state at slot ${slot} needs an epoch transition from block ${block.root} (slot ${block.slot}) that the ` +
        "node has not computed; it runs none for a request",
    );
  }
  if (base.state.slot === slot) return { state: base, executionOptimistic: optimistic, finalized };
  const advanced = cloneCachedState(base);
  processSlots(advanced, slot, {
    onEpochTransition: () => {
      throw new Error("internal: an epoch transition within one epoch");
    },
  });
  advanced.state.commit();
  return { state: advanced, executionOptimistic: optimistic, finalized };
}

/** A state the node holds exactly at `slot` without computing: the anchor state or a database snapshot. */
function storedStateAt(chain: BeaconChain, slot: number): CachedState | undefined {
  if (chain.anchor.state.state.slot === slot) return chain.anchor.state;
  for (const { root } of chain.db.states.roots({ fromSlot: slot, toSlot: slot, limit: 1 })) {
    const stored = chain.db.states.get(root);
    if (stored) return loadCachedState(chain.config, stored.bytes, stored.fork);
  }
  return undefined;
}

/** The post-state of a block, or undefined when it cannot be regenerated (older than the anchor). */
function blockStateOf(chain: BeaconChain, root: string): CachedState | undefined {
  if (root === chain.anchor.root && !chain.forkChoice.hasBlock(root)) return chain.anchor.state;
  if (!chain.forkChoice.hasBlock(root)) return undefined;
  try {
    return chain.getBlockState(root);
  } catch {
    return undefined;
  }
}

/** A checkpoint state the node holds (computed already, or the anchor's), or undefined. */
function checkpointState(chain: BeaconChain, epoch: number, root: string): CachedState | undefined {
  const spe = chain.config.preset.SLOTS_PER_EPOCH;
  if (root === chain.anchor.root && chain.anchor.state.state.slot === epoch * spe) return chain.anchor.state;
  const peeked = chain.peekCheckpointState(epoch, root);
  if (peeked) return peeked;
  // The block state when its block is the last one before the checkpoint's epoch and the state is at the epoch
  // start (a block at the epoch's first slot).
  const node = chain.forkChoice.getBlock(root);
  if (node && node.slot === epoch * spe) return blockStateOf(chain, root);
  if (epoch === 0 && node) return blockStateOf(chain, root);
  return undefined;
}

/** A state by its root: the head, a fork-choice block's post-state, the anchor state, or a stored snapshot. */
function stateByRoot(chain: BeaconChain, rootBytes: Uint8Array): ResolvedState {
  const root = toHex(rootBytes);
  const finalizedEpochStart = chain.forkChoice.store.finalized.epoch * chain.config.preset.SLOTS_PER_EPOCH;
  const head = chain.head();
  for (const node of chain.forkChoice.protoArray.allNodes()) {
    if (node.stateRoot !== root) continue;
    const state = blockStateOf(chain, node.blockRoot);
    if (state === undefined) break;
    const canonical = chain.forkChoice.isDescendant(node.blockRoot, head.root);
    return {
      state,
      executionOptimistic: node.executionStatus === "syncing",
      finalized: canonical && state.state.slot <= finalizedEpochStart,
    };
  }
  const anchor = chain.anchor.state;
  if (toHex(anchor.state.hashTreeRoot()) === root)
    return { state: anchor, executionOptimistic: false, finalized: true };
  const stored = chain.db.states.get(fromHex(root));
  if (stored) {
    return {
      state: loadCachedState(chain.config, stored.bytes, stored.fork),
      executionOptimistic: false,
      finalized: stored.slot <= finalizedEpochStart,
    };
  }
  throw new ApiError(404, `state ${root} not found`);
}

/** True when the block's payload was imported optimistically (not yet validated by the execution engine). */
function optimisticOf(chain: BeaconChain, root: string): boolean {
  return chain.forkChoice.getBlock(root)?.executionStatus === "syncing";
}
