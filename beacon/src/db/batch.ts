// Batches: writes are collected first, then applied in one lmdb transaction (finalization and state deletion
// included), so a failure anywhere writes nothing.
import type { ForkName } from "@sextant/consensus/params/index";
import { bytesEqual } from "@sextant/consensus/util/bytes";
import {
  assertRoot,
  assertSlot,
  decodeAnchor,
  decodeBlockRecord,
  decodeSlotKey,
  decodeSlotRootKey,
  decodeStateRecord,
  encodeAnchor,
  encodeBlockRecord,
  encodeSlotKey,
  encodeSlotRootKey,
  encodeStateRecord,
  toHex,
} from "./codec.ts";
import { DbError } from "./errors.ts";
import {
  type Anchor,
  type BatchSummary,
  type Buckets,
  copyRoot,
  EMPTY,
  lastSlotRootKey,
  META_ANCHOR,
  type Op,
} from "./types.ts";

/**
 * Writes collected by BeaconDb.batch(): nothing touches the database until the collecting callback returns, and
 * then every write runs in one lmdb transaction (a failure in any of them aborts all of them).
 */
export class DbBatch {
  readonly #ops: Op[] = [];

  /** Stores a hot (not yet finalized) block under its root. */
  putBlock(root: Uint8Array, fork: ForkName, bytes: Uint8Array): this {
    assertRoot(root, "block root");
    const key = copyRoot(root);
    const record = encodeBlockRecord(fork, bytes);
    this.#ops.push((b) => {
      b.hotBlocks.putSync(key, record);
    });
    return this;
  }

  /** Deletes a hot block (no-op when absent; finalized blocks are not touched). */
  deleteBlock(root: Uint8Array): this {
    assertRoot(root, "block root");
    const key = copyRoot(root);
    this.#ops.push((b) => {
      b.hotBlocks.removeSync(key);
    });
    return this;
  }

  /**
   * Stores a block straight into the finalized buckets (backfill, checkpoint sync). Refused when another block is
   * already finalized at its slot.
   */
  putFinalizedBlock(root: Uint8Array, fork: ForkName, bytes: Uint8Array): this {
    assertRoot(root, "block root");
    const key = copyRoot(root);
    const record = encodeBlockRecord(fork, bytes);
    const slotKey = encodeSlotKey(decodeBlockRecord(record).slot);
    this.#ops.push((b) => {
      const existing = b.finalizedSlots.get(slotKey);
      if (existing !== undefined && !bytesEqual(existing, key)) {
        throw new DbError("DB_FINALIZE_CONFLICT", "another block is already finalized at this slot", {
          slot: decodeSlotKey(slotKey),
          root: toHex(key),
          finalizedRoot: toHex(existing),
        });
      }
      b.finalizedBlocks.putSync(key, record);
      b.finalizedSlots.putSync(slotKey, key);
      b.hotBlocks.removeSync(key);
    });
    return this;
  }

  /** Stores a state snapshot under its state root (the slot is read from the SSZ). */
  putState(root: Uint8Array, fork: ForkName, bytes: Uint8Array): this {
    assertRoot(root, "state root");
    const key = copyRoot(root);
    const { record, slot } = encodeStateRecord(fork, bytes);
    this.#ops.push((b) => {
      const previous = b.states.get(key);
      if (previous !== undefined) b.stateSlots.removeSync(encodeSlotRootKey(decodeStateRecord(previous).slot, key));
      b.states.putSync(key, record);
      b.stateSlots.putSync(encodeSlotRootKey(slot, key), EMPTY);
    });
    return this;
  }

  /** Deletes a state snapshot (no-op when absent). Refused for the anchor's state. */
  deleteState(root: Uint8Array): this {
    assertRoot(root, "state root");
    const key = copyRoot(root);
    this.#ops.push((b) => {
      const anchor = b.meta.get(META_ANCHOR);
      if (anchor !== undefined && bytesEqual(decodeAnchor(anchor).stateRoot, key)) {
        throw new DbError("DB_ANCHOR_INVALID", "refusing to delete the state the fork-choice anchor points at", {
          stateRoot: toHex(key),
        });
      }
      deleteStateIn(b, key);
    });
    return this;
  }

  /** Sets the fork-choice anchor; its state must be stored (earlier in this batch or before). */
  setAnchor(anchor: Anchor): this {
    const record = encodeAnchor(anchor);
    const stateRoot = copyRoot(anchor.stateRoot);
    this.#ops.push((b) => {
      if (b.states.get(stateRoot) === undefined) {
        throw new DbError("DB_ANCHOR_INVALID", "the anchor's state is not stored", {
          epoch: anchor.epoch,
          stateRoot: toHex(stateRoot),
          blockRoot: toHex(anchor.blockRoot),
        });
      }
      b.meta.putSync(META_ANCHOR, record);
    });
    return this;
  }

  /**
   * Finalizes up to `upToSlot`: every hot block at a slot ≤ upToSlot whose root is in `keepRoots` (the finalized
   * chain) moves to the finalized buckets and is indexed by slot; every other hot block at a slot ≤ upToSlot is
   * deleted; hot blocks above upToSlot stay. A keep root must be a hot block at a slot ≤ upToSlot or already
   * finalized; two keep roots at one slot, or a keep root at a slot finalized with another root, are refused.
   */
  finalize(upToSlot: number, keepRoots: Iterable<Uint8Array>): this {
    assertSlot(upToSlot, "upToSlot");
    const keep = new Map<string, Uint8Array>();
    for (const root of keepRoots) {
      assertRoot(root, "keep root");
      keep.set(toHex(root), copyRoot(root));
    }
    this.#ops.push((b, summary) => finalizeIn(b, summary, upToSlot, keep));
    return this;
  }

  /**
   * Deletes every state snapshot at a slot ≤ upToSlot whose root is not in `keepRoots` (the anchor's state is always
   * kept).
   */
  pruneSnapshots(upToSlot: number, keepRoots: Iterable<Uint8Array>): this {
    assertSlot(upToSlot, "upToSlot");
    const keep = new Set<string>();
    for (const root of keepRoots) {
      assertRoot(root, "keep root");
      keep.add(toHex(root));
    }
    this.#ops.push((b, summary) => {
      const anchor = b.meta.get(META_ANCHOR);
      if (anchor !== undefined) keep.add(toHex(decodeAnchor(anchor).stateRoot));
      const doomed: Uint8Array[] = [];
      for (const key of b.stateSlots.getKeys({ end: lastSlotRootKey(upToSlot), inclusiveEnd: true })) {
        const { root } = decodeSlotRootKey(key);
        if (!keep.has(toHex(root))) doomed.push(root);
      }
      for (const root of doomed) deleteStateIn(b, root);
      summary.statesPruned += doomed.length;
    });
    return this;
  }

  /** Number of queued writes. */
  get size(): number {
    return this.#ops.length;
  }

  /** @internal Runs the queued writes inside the current lmdb write transaction. */
  apply(b: Buckets): BatchSummary {
    const summary: BatchSummary = { blocksFinalized: 0, blocksPruned: 0, statesPruned: 0 };
    for (const op of this.#ops) op(b, summary);
    return summary;
  }
}

/** Runs a batch's collecting callback, refusing an async one (its writes would land after the commit). */
export function collect(fill: (tx: DbBatch) => unknown, tx: DbBatch): void {
  const result = fill(tx);
  if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
    throw new DbError("DB_INVALID_ARGUMENT", "a batch callback must collect its writes synchronously", {});
  }
}

export function deleteStateIn(b: Buckets, root: Uint8Array): void {
  const record = b.states.get(root);
  if (record === undefined) return;
  b.stateSlots.removeSync(encodeSlotRootKey(decodeStateRecord(record).slot, root));
  b.states.removeSync(root);
}

export function finalizeIn(b: Buckets, summary: BatchSummary, upToSlot: number, keep: Map<string, Uint8Array>): void {
  const moves: { root: Uint8Array; slot: number; record: Uint8Array }[] = [];
  const prunes: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const { key, value } of b.hotBlocks.getRange({})) {
    const { slot } = decodeBlockRecord(value);
    const hex = toHex(key);
    if (keep.has(hex)) {
      if (slot > upToSlot) {
        throw new DbError("DB_FINALIZE_CONFLICT", "a block to finalize is above the finalized slot", {
          root: hex,
          slot,
          upToSlot,
        });
      }
      seen.add(hex);
      moves.push({ root: copyRoot(key), slot, record: new Uint8Array(value) });
    } else if (slot <= upToSlot) {
      prunes.push(copyRoot(key));
    }
  }
  for (const [hex, root] of keep) {
    if (!seen.has(hex) && b.finalizedBlocks.get(root) === undefined) {
      throw new DbError("DB_FINALIZE_CONFLICT", "a block to finalize is neither hot nor finalized", { root: hex });
    }
  }
  const slots = new Map<number, string>();
  for (const move of moves) {
    const hex = toHex(move.root);
    const other = slots.get(move.slot);
    if (other !== undefined) {
      throw new DbError("DB_FINALIZE_CONFLICT", "two blocks to finalize share a slot", {
        slot: move.slot,
        roots: [other, hex],
      });
    }
    slots.set(move.slot, hex);
    const slotKey = encodeSlotKey(move.slot);
    const existing = b.finalizedSlots.get(slotKey);
    if (existing !== undefined && !bytesEqual(existing, move.root)) {
      throw new DbError("DB_FINALIZE_CONFLICT", "another block is already finalized at this slot", {
        slot: move.slot,
        root: hex,
        finalizedRoot: toHex(existing),
      });
    }
    b.finalizedBlocks.putSync(move.root, move.record);
    b.finalizedSlots.putSync(slotKey, move.root);
    b.hotBlocks.removeSync(move.root);
  }
  for (const root of prunes) b.hotBlocks.removeSync(root);
  summary.blocksFinalized += moves.length;
  summary.blocksPruned += prunes.length;
}
