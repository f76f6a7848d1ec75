// The beacon chain: the fork choice, the states it needs (cache + regen from the database), the database, the
// execution engine, the operation pools and the duty caches, tied together. Blocks enter through importBlock
// (blockImport.ts), blocks leave through produceBlock (produceBlock.ts), validator duties come from caches keyed
// by (epoch, dependent root) over states the clock pre-advanced — never from an epoch transition a request set off
// (duties.ts of the API reads `dutyState`, which refuses instead).
import type { Logger } from "@sextant/common";
import { errorFields } from "@sextant/common/errors";
import { type CachedState, cloneCachedState } from "@sextant/consensus/state/cachedState";
import type { BeaconConfig } from "@sextant/consensus/state/types";
import type { AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { processSlots, stateTransition } from "@sextant/consensus/transition/stateTransition";
import { fromHex, toHex } from "@sextant/consensus/util/hex";
import type { BeaconDb, StoredBlock } from "../db/index.ts";
import type { ExecutionEngineClient } from "../execution/types.ts";
import {
  type Checkpoint,
  ForkChoice,
  forkChoiceOptsFromConfig,
  type JustifiedBalances,
  type ProtoNode,
} from "../forkChoice/index.ts";
import { AttestationPool } from "../opPools/attestationPool.ts";
import { OpPool } from "../opPools/opPool.ts";
import { SyncCommitteeMessagePool, SyncContributionPool } from "../opPools/syncCommitteePools.ts";
import type { SlotClock } from "./clock.ts";
import { DutyCaches } from "./duties.ts";
import { ChainError } from "./errors.ts";
import { ChainEvents } from "./events.ts";
import { StateCache } from "./stateCache.ts";

/** Why an epoch transition ran (a metric label; "request" must never happen). */
export type EpochTransitionCause = "import" | "preadvance" | "regen" | "produce" | "request";

/** Counters the chain keeps for tests and metrics. */
export interface ChainCounters {
  epochTransitions: Record<EpochTransitionCause, number>;
  blocksImported: number;
  blocksProduced: number;
}

/** Hooks a metrics module attaches (all optional). */
export interface ChainObserver {
  onEpochTransition?(cause: EpochTransitionCause): void;
  onBlockImport?(result: string, seconds: number): void;
  onBlockProduced?(seconds: number): void;
  onRegen?(seconds: number): void;
  onHead?(head: HeadInfo, participation: number | undefined): void;
  onFinalized?(checkpoint: { epoch: number; root: string }): void;
  onReorg?(depth: number): void;
}

/** The head as the API reports it. */
export interface HeadInfo {
  readonly slot: number;
  readonly root: string;
  readonly stateRoot: string;
  readonly executionOptimistic: boolean;
}

/** Options of BeaconChain.create. */
export interface BeaconChainOptions {
  readonly config: BeaconConfig;
  readonly db: BeaconDb;
  readonly clock: SlotClock;
  /** The execution engine (the mock engine in dev mode); null for chains that never reach bellatrix. */
  readonly engine: ExecutionEngineClient | null;
  readonly logger: Logger;
  /**
   * The state to start from when the database holds no chain yet (genesis or a checkpoint state at an epoch start).
   * Ignored when the database has an anchor.
   */
  readonly genesisState?: CachedState;
  /** Fee recipient when a proposer registered none (20 bytes). */
  readonly defaultFeeRecipient?: Uint8Array;
  /**
   * The node expects no peers (a single-node dev chain): never reports itself syncing, and keeps pre-advancing the
   * head to the clock's epoch however far behind it is.
   */
  readonly singleNode?: boolean;
  /** Slots the head may trail the clock before validator routes answer 503 (default 8 epochs). */
  readonly maxHeadLagSlots?: number;
  readonly observer?: ChainObserver;
}

/** Decoded blocks kept for the API (getBlockByRoot). */
const RECENT_BLOCKS = 32;

/** Largest number of blocks waiting for an unknown parent. */
export const MAX_UNKNOWN_PARENT_BLOCKS = 64;

/** A block waiting for its parent. */
interface PendingBlock {
  readonly signed: AnySignedBeaconBlock;
  readonly root: string;
  readonly receivedAt: number;
}

/** Beacon chain state and services. Create with BeaconChain.create, start with start(), stop with close(). */
export class BeaconChain {
  readonly config: BeaconConfig;
  readonly db: BeaconDb;
  readonly clock: SlotClock;
  readonly engine: ExecutionEngineClient | null;
  readonly logger: Logger;
  readonly forkChoice: ForkChoice;
  readonly events = new ChainEvents();
  readonly states = new StateCache();
  readonly dutyCaches = new DutyCaches();
  readonly opPool: OpPool;
  readonly attestationPool: AttestationPool;
  readonly syncMessagePool: SyncCommitteeMessagePool;
  readonly syncContributionPool: SyncContributionPool;
  readonly genesisTime: number;
  readonly genesisValidatorsRoot: Uint8Array;
  readonly singleNode: boolean;
  readonly maxHeadLagSlots: number;
  readonly defaultFeeRecipient: Uint8Array;
  /** Fee recipients registered by prepareBeaconProposer, per validator index. */
  readonly feeRecipients = new Map<number, Uint8Array>();
  readonly counters: ChainCounters = {
    epochTransitions: { import: 0, preadvance: 0, regen: 0, produce: 0, request: 0 },
    blocksImported: 0,
    blocksProduced: 0,
  };
  observer: ChainObserver;

  /** The finalized (or start) checkpoint's block root and its checkpoint state: regen's base of last resort. */
  anchor: { root: string; slot: number; state: CachedState };
  /** Blocks waiting for their parent, by parent root. */
  readonly pendingByParent = new Map<string, PendingBlock[]>();
  private pendingCount = 0;
  private importTail: Promise<unknown> = Promise.resolve();
  private readonly recentBlocks = new Map<string, { signed: AnySignedBeaconBlock; stored: StoredBlock }>();
  private headNode: ProtoNode;
  private lastFinalizedEpoch: number;
  private closed = false;

  private constructor(opts: BeaconChainOptions, anchorState: CachedState, anchorBlockRoot: string, anchorSlot: number) {
    this.config = opts.config;
    this.db = opts.db;
    this.clock = opts.clock;
    this.engine = opts.engine;
    this.logger = opts.logger;
    this.observer = opts.observer ?? {};
    this.singleNode = opts.singleNode ?? false;
    this.maxHeadLagSlots = opts.maxHeadLagSlots ?? 8 * this.config.preset.SLOTS_PER_EPOCH;
    this.defaultFeeRecipient = opts.defaultFeeRecipient ?? new Uint8Array(20);
    this.genesisTime = anchorState.state.genesisTime;
    this.genesisValidatorsRoot = anchorState.state.genesisValidatorsRoot;
    this.opPool = new OpPool(this.config);
    this.attestationPool = new AttestationPool(this.config);
    this.syncMessagePool = new SyncCommitteeMessagePool(this.config);
    this.syncContributionPool = new SyncContributionPool(this.config);
    this.anchor = { root: anchorBlockRoot, slot: anchorSlot, state: anchorState };
    const header = anchorState.state.latestBlockHeader;
    const executionBlockHash = executionHashOf(anchorState);
    this.forkChoice = new ForkChoice(
      forkChoiceOptsFromConfig(this.config.chain, this.config.preset),
      {
        slot: anchorSlot,
        blockRoot: anchorBlockRoot,
        parentRoot: toHex(header.parentRoot),
        stateRoot: toHex(anchorState.state.hashTreeRoot()),
        executionBlockHash,
        executionStatus: executionBlockHash === null ? "preMerge" : "valid",
      },
      anchorState.state.slot,
      this.clock.currentSlot,
      (cp) => this.justifiedBalances(cp),
    );
    this.states.setBlockState(anchorBlockRoot, anchorState);
    this.headNode = this.forkChoice.getHead();
    this.lastFinalizedEpoch = this.forkChoice.store.finalized.epoch;
  }

  /**
   * Opens the chain: resumes from the database's anchor and hot blocks when it has them, otherwise starts from
   * `genesisState` (recorded as the anchor). Hot blocks are re-imported without signature checks (they passed them).
   */
  static async create(opts: BeaconChainOptions): Promise<BeaconChain> {
    const loaded = opts.db.loadAnchor();
    if (loaded === undefined) {
      const genesis = opts.genesisState;
      if (genesis === undefined) {
        throw new ChainError("STATE_UNAVAILABLE", "the database holds no chain and no genesis state was given", {
          dir: opts.db.dir,
        });
      }
      const { blockRoot, blockBytes, fork } = anchorBlockOf(genesis);
      const stateRoot = genesis.state.hashTreeRoot();
      await opts.db.batch((tx) => {
        tx.putState(stateRoot, genesis.fork, genesis.state.serialize());
        if (blockBytes) tx.putBlock(blockRoot, fork, blockBytes);
        tx.setAnchor({
          epoch: Math.floor(genesis.state.slot / opts.config.preset.SLOTS_PER_EPOCH),
          blockRoot,
          stateRoot,
        });
      });
      const chain = new BeaconChain(opts, genesis, toHex(blockRoot), genesis.state.latestBlockHeader.slot);
      opts.logger.info(
        { slot: genesis.state.slot, fork: genesis.fork, blockRoot: toHex(blockRoot), stateRoot: toHex(stateRoot) },
        "chain started from its genesis state",
      );
      return chain;
    }
    const { loadCachedState } = await import("@sextant/consensus/state/cachedState");
    const state = loadCachedState(opts.config, loaded.state.bytes, loaded.state.fork);
    const anchorSlot = loaded.anchorBlock?.slot ?? state.state.latestBlockHeader.slot;
    const chain = new BeaconChain(opts, state, toHex(loaded.anchor.blockRoot), anchorSlot);
    let resumed = 0;
    for (const stored of loaded.blocks) {
      const signed = chain.decodeStoredBlock(stored);
      const result = await chain.importBlock(signed, { verifySignatures: false, fromDb: true });
      if (result.status === "imported") resumed++;
    }
    opts.logger.info(
      {
        finalizedEpoch: loaded.anchor.epoch,
        anchorRoot: toHex(loaded.anchor.blockRoot),
        hotBlocks: loaded.blocks.length,
        resumed,
        head: chain.head().slot,
      },
      "chain resumed from the database",
    );
    return chain;
  }

  /** Arms the clock callbacks (slot ticks, pre-advance late in the slot). */
  start(): void {
    this.clock.onSlot((slot) => this.onSlot(slot));
    // Two thirds into every slot: the last slot of an epoch pre-advances the head to the next epoch.
    this.clock.onSlotOffset(Math.floor((this.clock.slotMs * 2) / 3), (slot) => this.onLateSlot(slot));
    this.clock.start();
    this.warmPubkeys();
  }

  /**
   * Decodes every validator's BLS point in slices of idle time after start (~22 µs per key; a million keys take about
   * 20 s of background work), so that no block import pays for them.
   */
  private warmPubkeys(): void {
    const pubkeys = this.anchor.state.ctx.pubkeys;
    const total = this.anchor.state.state.validators.length;
    const SLICE = 2000;
    let next = 0;
    const step = (): void => {
      if (this.closed || next >= total) {
        if (!this.closed && total > 10_000) this.logger.info({ keys: total }, "validator public keys decoded");
        return;
      }
      next = pubkeys.warm(next, next + SLICE);
      setImmediate(step).unref?.();
    };
    setImmediate(step).unref?.();
  }

  /** Stops the clock and waits for a running import. */
  async close(): Promise<void> {
    this.closed = true;
    this.clock.stop();
    await this.importTail.catch(() => {});
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- blocks -------------------------------------------------------------------------------------------------

  /** Decodes a stored block. */
  decodeStoredBlock(stored: StoredBlock): AnySignedBeaconBlock {
    return this.config.types[stored.fork].SignedBeaconBlock.deserialize(stored.bytes) as AnySignedBeaconBlock;
  }

  /**
   * The block with this 0x root, from the database (hot or finalized), or undefined. The last few blocks asked for are
   * kept decoded (the head block is asked for by every dashboard and validator client, and decoding costs more than
   * serving it).
   */
  getBlockByRoot(root: string): { signed: AnySignedBeaconBlock; stored: StoredBlock } | undefined {
    const cached = this.recentBlocks.get(root);
    if (cached) {
      this.recentBlocks.delete(root);
      this.recentBlocks.set(root, cached);
      return cached;
    }
    let bytes: Uint8Array;
    try {
      bytes = fromHex(root);
    } catch {
      return undefined;
    }
    if (bytes.length !== 32) return undefined;
    const stored = this.db.getBlock(bytes);
    if (stored === undefined) return undefined;
    const found = { signed: this.decodeStoredBlock(stored), stored };
    this.rememberBlock(root, found);
    return found;
  }

  /** Keeps a decoded block among the recent ones (bounded). */
  rememberBlock(root: string, found: { signed: AnySignedBeaconBlock; stored: StoredBlock }): void {
    this.recentBlocks.delete(root);
    this.recentBlocks.set(root, found);
    while (this.recentBlocks.size > RECENT_BLOCKS) {
      this.recentBlocks.delete(this.recentBlocks.keys().next().value as string);
    }
  }

  /**
   * Imports a block (serialized through one queue: imports never interleave). See blockImport.ts for the steps.
   */
  importBlock(signed: AnySignedBeaconBlock, opts: ImportOptions = {}): Promise<ImportResult> {
    const run = this.importTail.then(async () => {
      const { importBlockSteps } = await import("./blockImport.ts");
      return importBlockSteps(this, signed, opts);
    });
    this.importTail = run.catch(() => {});
    return run;
  }

  /** Queues a block whose parent is unknown (bounded; the oldest is dropped first). */
  queuePending(signed: AnySignedBeaconBlock, root: string): void {
    const parent = toHex(signed.message.parentRoot);
    const list = this.pendingByParent.get(parent) ?? [];
    if (list.some((p) => p.root === root)) return;
    list.push({ signed, root, receivedAt: Date.now() });
    this.pendingByParent.set(parent, list);
    this.pendingCount++;
    while (this.pendingCount > MAX_UNKNOWN_PARENT_BLOCKS) {
      const [oldestParent, oldest] = this.pendingByParent.entries().next().value as [string, PendingBlock[]];
      oldest.shift();
      this.pendingCount--;
      if (oldest.length === 0) this.pendingByParent.delete(oldestParent);
    }
  }

  /** Removes and returns the blocks waiting for `parent`. */
  takePending(parent: string): PendingBlock[] {
    const list = this.pendingByParent.get(parent) ?? [];
    this.pendingByParent.delete(parent);
    this.pendingCount -= list.length;
    return list;
  }

  get pendingSize(): number {
    return this.pendingCount;
  }

  // ---- states -------------------------------------------------------------------------------------------------

  /**
   * The post-state of a block known to the fork choice (or the anchor): from the cache, else replayed from the
   * nearest cached ancestor (or the anchor) with the stored blocks. Never mutate the result: clone it.
   */
  getBlockState(root: string): CachedState {
    const cached = this.states.getBlockState(root);
    if (cached) return cached;
    const started = performance.now();
    const path: AnySignedBeaconBlock[] = [];
    let cursor = root;
    let base: CachedState | undefined;
    for (;;) {
      base = this.states.getBlockState(cursor);
      if (base) break;
      if (cursor === this.anchor.root) {
        base = this.anchor.state;
        break;
      }
      const found = this.getBlockByRoot(cursor);
      if (!found || found.signed.message.slot < this.anchor.slot) {
        throw new ChainError("STATE_UNAVAILABLE", "the state of this block cannot be regenerated", { root });
      }
      path.push(found.signed);
      cursor = toHex(found.signed.message.parentRoot);
    }
    let cs = base;
    for (let i = path.length - 1; i >= 0; i--) {
      cs = cloneCachedState(cs);
      stateTransition(cs, path[i], { verifySignatures: false, verifyStateRoot: false }, this.epochHook("regen"));
      this.states.setBlockState(toHex(this.blockRootOf(path[i])), cs);
    }
    this.observer.onRegen?.((performance.now() - started) / 1000);
    return cs;
  }

  /**
   * The state of block `root` advanced to the first slot of `epoch` (a checkpoint state): cached, else computed
   * (an epoch transition with `cause`). Requests must not call this: they read `peekCheckpointState`.
   */
  getCheckpointState(epoch: number, root: string, cause: EpochTransitionCause): CachedState {
    const cached = this.states.getCheckpointState(epoch, root);
    if (cached) return cached;
    const blockState = this.getBlockState(root);
    const slot = epoch * this.config.preset.SLOTS_PER_EPOCH;
    let cs = blockState;
    if (blockState.state.slot < slot) {
      cs = cloneCachedState(blockState);
      processSlots(cs, slot, this.epochHook(cause));
    }
    this.states.setCheckpointState(epoch, root, cs);
    return cs;
  }

  /** A checkpoint state only if already computed (what request handlers use). */
  peekCheckpointState(epoch: number, root: string): CachedState | undefined {
    const cached = this.states.getCheckpointState(epoch, root);
    if (cached) return cached;
    const blockState = this.states.getBlockState(root);
    if (blockState && blockState.state.slot === epoch * this.config.preset.SLOTS_PER_EPOCH) return blockState;
    return undefined;
  }

  /** Slot hooks counting epoch transitions by cause. */
  epochHook(cause: EpochTransitionCause): { onEpochTransition: () => void } {
    return {
      onEpochTransition: () => {
        this.counters.epochTransitions[cause]++;
        this.observer.onEpochTransition?.(cause);
      },
    };
  }

  /** Justified balances: effective balance increments of the active, unslashed validators of the checkpoint state. */
  private justifiedBalances(cp: Checkpoint): JustifiedBalances {
    const cs = this.getCheckpointState(cp.epoch, cp.root, "regen");
    return justifiedBalancesOf(cs, cp.epoch);
  }

  /** hash_tree_root of a signed block's message. */
  blockRootOf(signed: AnySignedBeaconBlock): Uint8Array {
    const fork = this.forkAtSlot(signed.message.slot);
    return (this.config.types[fork].BeaconBlock as { hashTreeRoot(v: unknown): Uint8Array }).hashTreeRoot(
      signed.message,
    );
  }

  /** The fork at a slot. */
  forkAtSlot(slot: number): import("@sextant/consensus/params/index").ForkName {
    const epoch = Math.floor(slot / this.config.preset.SLOTS_PER_EPOCH);
    let found: import("@sextant/consensus/params/index").ForkName = "phase0";
    for (const [fork, key] of FORK_EPOCH_KEYS) {
      if ((this.config.chain as unknown as Record<string, number>)[key] <= epoch) found = fork;
    }
    return found;
  }

  // ---- head and finality ---------------------------------------------------------------------------------------

  /** The current head. */
  head(): HeadInfo {
    const node = this.headNode;
    return {
      slot: node.slot,
      root: node.blockRoot,
      stateRoot: node.stateRoot,
      executionOptimistic: node.executionStatus === "syncing",
    };
  }

  /** The head block's post-state. */
  headState(): CachedState {
    return this.getBlockState(this.headNode.blockRoot);
  }

  /** Recomputes the head; emits head / chain_reorg events and tells the engine when it changed. */
  updateHead(): void {
    const previous = this.headNode;
    let next: ProtoNode;
    try {
      next = this.forkChoice.getHead();
    } catch (e) {
      this.logger.error({ err: errorFields(e) }, "fork choice could not find a head; keeping the previous one");
      return;
    }
    if (next.blockRoot === previous.blockRoot) return;
    this.headNode = next;
    const spe = this.config.preset.SLOTS_PER_EPOCH;
    const epoch = Math.floor(next.slot / spe);
    const optimistic = next.executionStatus === "syncing";
    const reorg = !this.forkChoice.isDescendant(previous.blockRoot, next.blockRoot);
    if (reorg) {
      // Depth: how many of the old head's slots are abandoned (old head slot − common ancestor slot).
      let depth = 0;
      let cursor: ProtoNode | undefined = previous;
      while (cursor && !this.forkChoice.isDescendant(cursor.blockRoot, next.blockRoot)) {
        cursor = cursor.parent === undefined ? undefined : this.forkChoice.protoArray.nodeAt(cursor.parent);
      }
      depth = previous.slot - (cursor?.slot ?? 0);
      this.events.emit({
        topic: "chain_reorg",
        data: {
          slot: next.slot,
          depth,
          oldHeadBlock: fromHex(previous.blockRoot),
          newHeadBlock: fromHex(next.blockRoot),
          oldHeadState: fromHex(previous.stateRoot),
          newHeadState: fromHex(next.stateRoot),
          epoch,
          executionOptimistic: optimistic,
        },
      });
      this.observer.onReorg?.(depth);
      this.logger.warn(
        { depth, oldHead: previous.blockRoot, newHead: next.blockRoot, slot: next.slot },
        "chain re-org",
      );
    }
    this.events.emit({
      topic: "head",
      data: {
        slot: next.slot,
        block: fromHex(next.blockRoot),
        state: fromHex(next.stateRoot),
        epochTransition: Math.floor(previous.slot / spe) !== epoch,
        previousDutyDependentRoot: fromHex(this.dependentRoot(next.blockRoot, epoch - 1)),
        currentDutyDependentRoot: fromHex(this.dependentRoot(next.blockRoot, epoch)),
        executionOptimistic: optimistic,
      },
    });
    this.states.pin([next.blockRoot, this.forkChoice.store.justified.root, this.forkChoice.store.finalized.root]);
    this.observer.onHead?.(this.head(), undefined);
    this.notifyEngineOfHead();
  }

  /** The block root duties of `epoch` depend on (the last block before the epoch; genesis side for epoch ≤ 0). */
  dependentRoot(headRoot: string, epoch: number): string {
    return this.forkChoice.getDependentRoot(headRoot, Math.max(0, epoch)) ?? this.anchor.root;
  }

  /** engine_forkchoiceUpdated with the new head (fire and forget; failures are logged). */
  private notifyEngineOfHead(): void {
    const engine = this.engine;
    const head = this.headNode;
    if (engine === null || head.executionBlockHash === null) return;
    const fork = this.forkAtSlot(head.slot);
    const zero = "0x".padEnd(66, "0");
    engine
      .forkchoiceUpdated(fork, {
        headBlockHash: fromHex(head.executionBlockHash),
        safeBlockHash: fromHex(this.forkChoice.getSafeExecutionBlockHash() ?? zero),
        finalizedBlockHash: fromHex(this.forkChoice.getFinalizedExecutionBlockHash() ?? zero),
      })
      .catch((e: unknown) => this.logger.warn({ err: errorFields(e) }, "execution engine: forkchoiceUpdated failed"));
  }

  /** After an import: finalization moved → archive, prune, re-anchor, emit. */
  async onMaybeFinalized(): Promise<void> {
    const finalized = this.forkChoice.store.finalized;
    if (finalized.epoch <= this.lastFinalizedEpoch) return;
    this.lastFinalizedEpoch = finalized.epoch;
    const spe = this.config.preset.SLOTS_PER_EPOCH;
    const cpState = this.getCheckpointState(finalized.epoch, finalized.root, "regen");
    const finalizedNode = this.forkChoice.getBlock(finalized.root);
    const blockSlot = finalizedNode?.slot ?? cpState.state.latestBlockHeader.slot;
    // The finalized chain from the new finalized block back to the previous anchor.
    const keep: Uint8Array[] = [];
    let cursor: ProtoNode | undefined = finalizedNode;
    // The previous anchor block is included (genesis is still a hot block at the first finalization).
    while (cursor && cursor.slot >= this.anchor.slot) {
      const root = fromHex(cursor.blockRoot);
      if (cursor.slot > this.anchor.slot || this.db.hasBlock(root)) keep.push(root);
      cursor = cursor.parent === undefined ? undefined : this.forkChoice.protoArray.nodeAt(cursor.parent);
    }
    const stateRoot = cpState.state.hashTreeRoot();
    const previousAnchorSlot = this.anchor.slot;
    await this.db.batch((tx) => {
      tx.putState(stateRoot, cpState.fork, cpState.state.serialize());
      tx.setAnchor({ epoch: finalized.epoch, blockRoot: fromHex(finalized.root), stateRoot });
      tx.finalize(blockSlot, keep);
      // Snapshots older than the new anchor are not needed to resume (the anchor state is kept).
      tx.pruneSnapshots(finalized.epoch * spe, []);
    });
    this.anchor = { root: finalized.root, slot: blockSlot, state: cpState };
    this.forkChoice.prune();
    const live = new Set<string>();
    for (const node of this.forkChoice.protoArray.allNodes()) live.add(node.blockRoot);
    this.states.prune(live, finalized.epoch);
    this.dutyCaches.pruneBefore(finalized.epoch - 1);
    this.attestationPool.prune(finalized.epoch * spe);
    this.events.emit({
      topic: "finalized_checkpoint",
      data: {
        block: fromHex(finalized.root),
        state: stateRoot,
        epoch: finalized.epoch,
        executionOptimistic: finalizedNode?.executionStatus === "syncing",
      },
    });
    this.observer.onFinalized?.(finalized);
    this.logger.info(
      { epoch: finalized.epoch, root: finalized.root, archivedFromSlot: previousAnchorSlot, toSlot: blockSlot },
      "finalized",
    );
  }

  // ---- clock ----------------------------------------------------------------------------------------------------

  /** Start of a slot: fork-choice time, head, pool pruning, and the clock epoch's checkpoint state when missing. */
  onSlot(slot: number): void {
    if (this.closed) return;
    this.forkChoice.updateTime(slot);
    this.updateHead();
    const spe = this.config.preset.SLOTS_PER_EPOCH;
    this.attestationPool.prune(Math.max(0, slot - 2 * spe));
    this.syncMessagePool.prune(Math.max(0, slot - 2));
    this.syncContributionPool.prune(Math.max(0, slot - 2));
    // A head from an earlier epoch (the epoch's first slots empty, or a restart mid-epoch): compute the clock
    // epoch's checkpoint state now, from the clock, so that duty requests find it.
    const epoch = Math.floor(slot / spe);
    this.preadvance(epoch);
  }

  /** Two thirds into a slot: the last slot of an epoch pre-advances the head into the next epoch. */
  onLateSlot(slot: number): void {
    if (this.closed) return;
    const spe = this.config.preset.SLOTS_PER_EPOCH;
    if ((slot + 1) % spe !== 0) return;
    this.preadvance((slot + 1) / spe);
  }

  /** Computes the head's checkpoint state at `epoch` (once per head and epoch) and warms the duty caches. */
  preadvance(epoch: number): void {
    const head = this.headNode;
    const spe = this.config.preset.SLOTS_PER_EPOCH;
    const headEpoch = Math.floor(head.slot / spe);
    if (headEpoch >= epoch) return;
    if (!this.singleNode && this.clock.currentSlot - head.slot > this.maxHeadLagSlots) return;
    if (this.states.getCheckpointState(epoch, head.blockRoot)) return;
    try {
      const started = performance.now();
      const cs = this.getCheckpointState(epoch, head.blockRoot, "preadvance");
      // Warm the pubkey points of every validator once the state exists: the first block after a load would pay it.
      this.logger.debug(
        { epoch, head: head.blockRoot, ms: Math.round(performance.now() - started) },
        "pre-advanced head",
      );
      void cs;
    } catch (e) {
      this.logger.warn({ err: errorFields(e), epoch }, "could not pre-advance the head state");
    }
  }

  /** Distance of the head behind the clock, in slots. */
  headLag(): number {
    return Math.max(0, this.clock.currentSlot - this.headNode.slot);
  }

  /** True when validator routes should answer 503 (head too far behind and more blocks are expected from peers). */
  isSyncing(): boolean {
    return !this.singleNode && this.headLag() > this.maxHeadLagSlots;
  }
}

/** Options of importBlock. */
export interface ImportOptions {
  /** Verify signatures (default true). */
  readonly verifySignatures?: boolean;
  /** The block comes from our database on restart: no persistence, no events. */
  readonly fromDb?: boolean;
  /** Where the block came from, for logs ("api", "gossip", "db"). */
  readonly source?: string;
}

/** What importBlock did. */
export interface ImportResult {
  readonly status: "imported" | "known" | "pending";
  readonly root: string;
  readonly slot: number;
}

const FORK_EPOCH_KEYS = [
  ["altair", "ALTAIR_FORK_EPOCH"],
  ["bellatrix", "BELLATRIX_FORK_EPOCH"],
  ["capella", "CAPELLA_FORK_EPOCH"],
  ["deneb", "DENEB_FORK_EPOCH"],
  ["electra", "ELECTRA_FORK_EPOCH"],
  ["fulu", "FULU_FORK_EPOCH"],
] as const;

/** The execution block hash of a state's latest payload header, or null before the merge. */
export function executionHashOf(cs: CachedState): string | null {
  const header = (cs.state as { latestExecutionPayloadHeader?: { blockHash: Uint8Array } })
    .latestExecutionPayloadHeader;
  if (header === undefined) return null;
  return header.blockHash.every((b) => b === 0) ? null : toHex(header.blockHash);
}

/** Effective balance increments of the active, unslashed validators of a state at `epoch`. */
export function justifiedBalancesOf(cs: CachedState, epoch: number): JustifiedBalances {
  const increments = cs.ctx.effectiveBalanceIncrements;
  const count = cs.state.validators.length;
  const out = new Uint16Array(count);
  let total = 0;
  const validators = cs.state.validators.getAllReadonlyValues();
  for (let i = 0; i < count; i++) {
    const v = validators[i];
    if (v.activationEpoch <= epoch && epoch < v.exitEpoch) {
      total += increments[i];
      if (!v.slashed) out[i] = increments[i];
    }
  }
  return { increments: out, totalActiveIncrements: total };
}

/**
 * The anchor block of a start state: the block its latest_block_header describes, with the state root filled in.
 * For a genesis state the block itself is known (empty body of the state's fork): it is returned serialized so the
 * chain can serve it. For other states only the root is known.
 */
export function anchorBlockOf(cs: CachedState): {
  blockRoot: Uint8Array;
  blockBytes: Uint8Array | undefined;
  fork: import("@sextant/consensus/params/index").ForkName;
} {
  const header = cs.state.latestBlockHeader.toValue();
  if (header.stateRoot.every((b: number) => b === 0)) header.stateRoot = cs.state.hashTreeRoot();
  const types = cs.config.types[cs.fork];
  const blockRoot = cs.config.types.phase0.BeaconBlockHeader.hashTreeRoot(header);
  const body = types.BeaconBlockBody.defaultValue();
  const bodyRoot = (types.BeaconBlockBody as { hashTreeRoot(v: unknown): Uint8Array }).hashTreeRoot(body);
  if (header.slot === 0 && bodyRoot.every((b, i) => b === header.bodyRoot[i])) {
    const signed = {
      message: {
        slot: 0,
        proposerIndex: header.proposerIndex,
        parentRoot: header.parentRoot,
        stateRoot: header.stateRoot,
        body,
      },
      signature: new Uint8Array(96),
    };
    const bytes = (types.SignedBeaconBlock as { serialize(v: unknown): Uint8Array }).serialize(signed);
    return { blockRoot, blockBytes: bytes, fork: cs.fork };
  }
  return { blockRoot, blockBytes: undefined, fork: cs.fork };
}
