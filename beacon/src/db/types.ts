// Constants, record types and the small helpers the database modules share.
import type { ForkName } from "@sextant/consensus/params/index";
import type { Database } from "lmdb";
import { assertSlot, decodeBlockRecord, decodeStateRecord, encodeSlotRootKey } from "./codec.ts";

/** Version of the on-disk layout above; a database written with another version is refused. */
export const DB_SCHEMA_VERSION = 1;

/** File name of the lmdb environment inside the data directory. */
export const DB_FILE_NAME = "beacon.mdb";

/** Default distance between state snapshots, in slots (see BeaconDb.shouldSnapshot). */
export const DEFAULT_SNAPSHOT_INTERVAL_SLOTS = 256;

/** Options of BeaconDb.open. */
export interface BeaconDbOptions {
  /** Network name (e.g. "mainnet", "dev"); a directory written for another network is refused. */
  network: string;
  /**
   * Genesis validators root of the chain. A fresh database records it; an existing one must hold the same root.
   * Omit it to accept whatever the database holds (e.g. to resume a chain whose genesis is only known from disk).
   */
  genesisValidatorsRoot?: Uint8Array;
  /** Slots between state snapshots, used by shouldSnapshot (default DEFAULT_SNAPSHOT_INTERVAL_SLOTS). */
  snapshotIntervalSlots?: number;
  /** Initial lmdb map size in bytes (lmdb grows it as needed). */
  mapSize?: number;
}

/** A block as stored: its root, fork, slot (read from the SSZ) and the SignedBeaconBlock SSZ bytes. */
export interface StoredBlock {
  readonly root: Uint8Array;
  readonly fork: ForkName;
  readonly slot: number;
  readonly bytes: Uint8Array;
}

/** A state snapshot as stored: its root, fork, slot (checked against the SSZ) and the BeaconState SSZ bytes. */
export interface StoredState {
  readonly root: Uint8Array;
  readonly fork: ForkName;
  readonly slot: number;
  readonly bytes: Uint8Array;
}

/** The fork-choice anchor: the finalized checkpoint (epoch, block root) and the root of its checkpoint state. */
export interface Anchor {
  readonly epoch: number;
  readonly blockRoot: Uint8Array;
  readonly stateRoot: Uint8Array;
}

/** What a restarting node needs: the anchor, its state, its block (when stored) and the hot blocks descending from it. */
export interface AnchorLoad {
  readonly anchor: Anchor;
  readonly state: StoredState;
  /** The anchor block, hot or finalized; undefined when only the state is known (e.g. a checkpoint-sync start). */
  readonly anchorBlock: StoredBlock | undefined;
  /** Hot blocks whose parent chain reaches the anchor block, parents before children (by slot, then root). */
  readonly blocks: readonly StoredBlock[];
}

/** Counts of what one committed batch did. */
export interface BatchSummary {
  /** Hot blocks moved to the finalized buckets by finalize(). */
  blocksFinalized: number;
  /** Hot blocks deleted by finalize() because they are not on the finalized chain. */
  blocksPruned: number;
  /** State snapshots deleted by pruneSnapshots(). */
  statesPruned: number;
}

/** A slot range for by-slot iteration: both ends inclusive, both optional. */
export interface SlotRange {
  readonly fromSlot?: number;
  readonly toSlot?: number;
  /** Iterate from the highest slot down. */
  readonly reverse?: boolean;
  readonly limit?: number;
}

export type Bin = Database<Uint8Array, Uint8Array>;

export interface Buckets {
  readonly meta: Bin;
  readonly hotBlocks: Bin;
  readonly finalizedBlocks: Bin;
  readonly finalizedSlots: Bin;
  readonly states: Bin;
  readonly stateSlots: Bin;
}

export type Op = (b: Buckets, summary: BatchSummary) => void;

export const META_SCHEMA = Buffer.from("schema");
export const META_NETWORK = Buffer.from("network");
export const META_GENESIS = Buffer.from("genesisValidatorsRoot");
export const META_ANCHOR = Buffer.from("anchor");
export const EMPTY = new Uint8Array(0);

export function copyRoot(root: Uint8Array): Uint8Array {
  return new Uint8Array(root);
}

export function blockFromRecord(root: Uint8Array, record: Uint8Array): StoredBlock {
  const { fork, slot, bytes } = decodeBlockRecord(record);
  return { root: copyRoot(root), fork, slot, bytes };
}

export function stateFromRecord(root: Uint8Array, record: Uint8Array): StoredState {
  const { fork, slot, bytes } = decodeStateRecord(record);
  return { root: copyRoot(root), fork, slot, bytes };
}

export function rangeOptions(
  range: SlotRange,
  startKey: (slot: number) => Uint8Array,
  endKey: (slot: number) => Uint8Array,
): { start?: Uint8Array; end?: Uint8Array; reverse?: boolean; limit?: number; inclusiveEnd?: boolean } {
  if (range.fromSlot !== undefined) assertSlot(range.fromSlot, "fromSlot");
  if (range.toSlot !== undefined) assertSlot(range.toSlot, "toSlot");
  const low = range.fromSlot === undefined ? undefined : startKey(range.fromSlot);
  const high = range.toSlot === undefined ? undefined : endKey(range.toSlot);
  // lmdb ranges run from `start` towards `end`, `end` excluded unless inclusiveEnd; reverse swaps the ends.
  return range.reverse
    ? { start: high, end: low, reverse: true, limit: range.limit, inclusiveEnd: true }
    : { start: low, end: high, limit: range.limit, inclusiveEnd: true };
}

/** Last possible stateSlots key at `slot` (slot ‖ 0xff…ff). */
export function lastSlotRootKey(slot: number): Uint8Array {
  return encodeSlotRootKey(slot, new Uint8Array(32).fill(0xff));
}
