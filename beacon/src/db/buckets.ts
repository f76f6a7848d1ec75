// Typed views of the hot-block, finalized-block and state sub-databases.
import type { ForkName } from "@sextant/consensus/params/index";
import type { BeaconDb } from "./beaconDb.ts";
import { assertRoot, decodeSlotKey, decodeSlotRootKey, encodeSlotKey } from "./codec.ts";
import {
  blockFromRecord,
  copyRoot,
  lastSlotRootKey,
  rangeOptions,
  type SlotRange,
  type StoredBlock,
  type StoredState,
  stateFromRecord,
} from "./types.ts";

/** Hot (unfinalized) blocks by root. Reads are synchronous; writes resolve once committed. */
export class HotBlockBucket {
  readonly #db: BeaconDb;
  constructor(db: BeaconDb) {
    this.#db = db;
  }
  /** The hot block with this root, or undefined. */
  get(root: Uint8Array): StoredBlock | undefined {
    assertRoot(root, "block root");
    const record = this.#db.buckets().hotBlocks.get(root);
    return record === undefined ? undefined : blockFromRecord(root, record);
  }
  /** True when a hot block with this root is stored. */
  has(root: Uint8Array): boolean {
    assertRoot(root, "block root");
    return this.#db.buckets().hotBlocks.doesExist(root);
  }
  /** Stores a hot block (one transaction). */
  async put(root: Uint8Array, fork: ForkName, bytes: Uint8Array): Promise<void> {
    await this.#db.batch((tx) => tx.putBlock(root, fork, bytes));
  }
  /** Deletes a hot block (one transaction). */
  async delete(root: Uint8Array): Promise<void> {
    await this.#db.batch((tx) => tx.deleteBlock(root));
  }
  /** Every hot block, in root byte order. */
  *values(): Generator<StoredBlock> {
    for (const { key, value } of this.#db.buckets().hotBlocks.getRange({})) yield blockFromRecord(key, value);
  }
  /** Number of hot blocks. */
  count(): number {
    return this.#db.buckets().hotBlocks.getCount();
  }
}

/** Finalized blocks: by root, and their roots indexed by slot (big-endian keys, so ranges come in slot order). */
export class FinalizedBlockBucket {
  readonly #db: BeaconDb;
  constructor(db: BeaconDb) {
    this.#db = db;
  }
  /** The finalized block with this root, or undefined. */
  get(root: Uint8Array): StoredBlock | undefined {
    assertRoot(root, "block root");
    const record = this.#db.buckets().finalizedBlocks.get(root);
    return record === undefined ? undefined : blockFromRecord(root, record);
  }
  /** True when a finalized block with this root is stored. */
  has(root: Uint8Array): boolean {
    assertRoot(root, "block root");
    return this.#db.buckets().finalizedBlocks.doesExist(root);
  }
  /** Root of the finalized block at `slot`, or undefined (skipped slot or not finalized yet). */
  rootAtSlot(slot: number): Uint8Array | undefined {
    const root = this.#db.buckets().finalizedSlots.get(encodeSlotKey(slot));
    return root === undefined ? undefined : copyRoot(root);
  }
  /** The finalized block at `slot`, or undefined. */
  getBySlot(slot: number): StoredBlock | undefined {
    const root = this.rootAtSlot(slot);
    return root === undefined ? undefined : this.get(root);
  }
  /** (slot, root) of finalized blocks within the range, ascending (descending with `reverse`). */
  *roots(range: SlotRange = {}): Generator<{ slot: number; root: Uint8Array }> {
    const options = rangeOptions(range, encodeSlotKey, encodeSlotKey);
    for (const { key, value } of this.#db.buckets().finalizedSlots.getRange(options)) {
      yield { slot: decodeSlotKey(key), root: copyRoot(value) };
    }
  }
  /** Stores a block directly as finalized (backfill, checkpoint sync). */
  async put(root: Uint8Array, fork: ForkName, bytes: Uint8Array): Promise<void> {
    await this.#db.batch((tx) => tx.putFinalizedBlock(root, fork, bytes));
  }
  /** The highest finalized slot with a block, or undefined when none is finalized. */
  latestSlot(): number | undefined {
    for (const { slot } of this.roots({ reverse: true, limit: 1 })) return slot;
    return undefined;
  }
  /** Number of finalized blocks (entries of the slot index). */
  count(): number {
    return this.#db.buckets().finalizedSlots.getCount();
  }
}

/** State snapshots by state root, ordered by slot through an index. */
export class StateBucket {
  readonly #db: BeaconDb;
  constructor(db: BeaconDb) {
    this.#db = db;
  }
  /** The snapshot with this state root, or undefined. */
  get(root: Uint8Array): StoredState | undefined {
    assertRoot(root, "state root");
    const record = this.#db.buckets().states.get(root);
    return record === undefined ? undefined : stateFromRecord(root, record);
  }
  /** True when a snapshot with this state root is stored. */
  has(root: Uint8Array): boolean {
    assertRoot(root, "state root");
    return this.#db.buckets().states.doesExist(root);
  }
  /** Stores a snapshot (one transaction). */
  async put(root: Uint8Array, fork: ForkName, bytes: Uint8Array): Promise<void> {
    await this.#db.batch((tx) => tx.putState(root, fork, bytes));
  }
  /** Deletes a snapshot (one transaction); refused for the anchor's state. */
  async delete(root: Uint8Array): Promise<void> {
    await this.#db.batch((tx) => tx.deleteState(root));
  }
  /** (slot, root) of the snapshots within the range, by slot (then root). */
  *roots(range: SlotRange = {}): Generator<{ slot: number; root: Uint8Array }> {
    const options = rangeOptions(range, (s) => encodeSlotKey(s), lastSlotRootKey);
    for (const key of this.#db.buckets().stateSlots.getKeys(options)) yield decodeSlotRootKey(key);
  }
  /** Number of snapshots. */
  count(): number {
    return this.#db.buckets().states.getCount();
  }
}
