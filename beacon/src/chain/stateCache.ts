// The chain's in-memory states: the post-state of recent blocks (by block root) and checkpoint states (a block's
// state advanced to an epoch's first slot, by epoch and root). Both are bounded; the head's state and the
// finalized checkpoint state are pinned so that eviction never forces a long replay for them. States here are
// never mutated: callers clone before applying anything.
import type { CachedState } from "@sextant/consensus/state/cachedState";

/** Default number of block post-states kept. */
export const DEFAULT_MAX_BLOCK_STATES = 96;
/** Default number of checkpoint states kept. */
export const DEFAULT_MAX_CHECKPOINT_STATES = 12;

/** Bounded maps of block states and checkpoint states. */
export class StateCache {
  private readonly blockStates = new Map<string, CachedState>();
  private readonly checkpointStates = new Map<string, CachedState>();
  private readonly pinned = new Set<string>();

  private readonly maxBlockStates: number;
  private readonly maxCheckpointStates: number;

  constructor(maxBlockStates = DEFAULT_MAX_BLOCK_STATES, maxCheckpointStates = DEFAULT_MAX_CHECKPOINT_STATES) {
    this.maxBlockStates = maxBlockStates;
    this.maxCheckpointStates = maxCheckpointStates;
  }

  /** The post-state of a block (by 0x root), if kept. */
  getBlockState(root: string): CachedState | undefined {
    return this.blockStates.get(root);
  }

  /** Keeps a block's post-state, evicting the oldest unpinned one above the bound. */
  setBlockState(root: string, cs: CachedState): void {
    this.blockStates.delete(root);
    this.blockStates.set(root, cs);
    if (this.blockStates.size > this.maxBlockStates) {
      for (const key of this.blockStates.keys()) {
        if (this.blockStates.size <= this.maxBlockStates) break;
        if (!this.pinned.has(key)) this.blockStates.delete(key);
      }
    }
  }

  /** Pins exactly these block roots (head, justified, finalized): they survive eviction. */
  pin(roots: Iterable<string>): void {
    this.pinned.clear();
    for (const root of roots) this.pinned.add(root);
  }

  /** The state of `root` advanced to the first slot of `epoch`, if kept. */
  getCheckpointState(epoch: number, root: string): CachedState | undefined {
    return this.checkpointStates.get(`${epoch}:${root}`);
  }

  setCheckpointState(epoch: number, root: string, cs: CachedState): void {
    const key = `${epoch}:${root}`;
    this.checkpointStates.delete(key);
    this.checkpointStates.set(key, cs);
    while (this.checkpointStates.size > this.maxCheckpointStates) {
      const oldest = this.checkpointStates.keys().next().value as string;
      this.checkpointStates.delete(oldest);
    }
  }

  /** Drops block states whose root is not in `keep` and checkpoint states before `epoch`. */
  prune(keep: ReadonlySet<string>, epoch: number): void {
    for (const key of [...this.blockStates.keys()]) if (!keep.has(key)) this.blockStates.delete(key);
    for (const key of [...this.checkpointStates.keys()]) {
      if (Number(key.slice(0, key.indexOf(":"))) < epoch) this.checkpointStates.delete(key);
    }
  }

  get size(): { blockStates: number; checkpointStates: number } {
    return { blockStates: this.blockStates.size, checkpointStates: this.checkpointStates.size };
  }
}
