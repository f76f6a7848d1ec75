// The beacon node's embedded database: hot blocks by root, finalized blocks indexed by slot, state snapshots, the
// fork-choice anchor and the metadata that ties a data directory to one network, on lmdb.
//
// Why lmdb: reads are synchronous and lock-free (the REST API reads blocks and states without queueing behind
// writes), every batch is one ACID write transaction, and lmdb's copy-on-write B-tree never needs repair after the
// process is killed: the last committed transaction is simply what the next open sees. lmdb-js ships prebuilt
// N-API binaries, so no compiler is needed at install.
//
// Layout: one lmdb environment `<dir>/beacon.mdb` with named sub-databases (binary keys and values):
//   meta             "schema" → u32 BE, "network" → utf8, "genesisValidatorsRoot" → 32 bytes, "anchor" → anchor
//   hotBlocks        block root → block record (fork + SignedBeaconBlock SSZ)
//   finalizedBlocks  block root → block record (blocks moved here by finalize())
//   finalizedSlots   slot (u64 BE) → block root of the finalized block at that slot (skipped slots absent)
//   states           state root → state record (fork + slot + BeaconState SSZ)
//   stateSlots       slot (u64 BE) ‖ state root → empty (orders snapshots by slot)
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ForkName } from "@sextant/consensus/params/index";
import { type Database, open, type RootDatabase, type Transaction } from "lmdb";
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
  signedBlockParentRoot,
  toHex,
} from "./codec.ts";
import { DbError } from "./errors.ts";

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

type Bin = Database<Uint8Array, Uint8Array>;

interface Buckets {
  readonly meta: Bin;
  readonly hotBlocks: Bin;
  readonly finalizedBlocks: Bin;
  readonly finalizedSlots: Bin;
  readonly states: Bin;
  readonly stateSlots: Bin;
}

type Op = (b: Buckets, summary: BatchSummary) => void;

const META_SCHEMA = Buffer.from("schema");
const META_NETWORK = Buffer.from("network");
const META_GENESIS = Buffer.from("genesisValidatorsRoot");
const META_ANCHOR = Buffer.from("anchor");
const EMPTY = new Uint8Array(0);

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function copyRoot(root: Uint8Array): Uint8Array {
  return new Uint8Array(root);
}

function blockFromRecord(root: Uint8Array, record: Uint8Array): StoredBlock {
  const { fork, slot, bytes } = decodeBlockRecord(record);
  return { root: copyRoot(root), fork, slot, bytes };
}

function stateFromRecord(root: Uint8Array, record: Uint8Array): StoredState {
  const { fork, slot, bytes } = decodeStateRecord(record);
  return { root: copyRoot(root), fork, slot, bytes };
}

function rangeOptions(
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
function lastSlotRootKey(slot: number): Uint8Array {
  return encodeSlotRootKey(slot, new Uint8Array(32).fill(0xff));
}

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
function collect(fill: (tx: DbBatch) => unknown, tx: DbBatch): void {
  const result = fill(tx);
  if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
    throw new DbError("DB_INVALID_ARGUMENT", "a batch callback must collect its writes synchronously", {});
  }
}

function deleteStateIn(b: Buckets, root: Uint8Array): void {
  const record = b.states.get(root);
  if (record === undefined) return;
  b.stateSlots.removeSync(encodeSlotRootKey(decodeStateRecord(record).slot, root));
  b.states.removeSync(root);
}

function finalizeIn(b: Buckets, summary: BatchSummary, upToSlot: number, keep: Map<string, Uint8Array>): void {
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

/**
 * The beacon node's database. Open with BeaconDb.open; reads are synchronous, writes (per-bucket put/delete, batch,
 * finalize) are asynchronous and resolve once their transaction has committed. Close with close().
 */
export class BeaconDb {
  /** The data directory. */
  readonly dir: string;
  /** The network the database belongs to. */
  readonly network: string;
  /** Slots between state snapshots (shouldSnapshot). */
  readonly snapshotIntervalSlots: number;
  /** Hot blocks by root. */
  readonly hotBlocks: HotBlockBucket;
  /** Finalized blocks by root and by slot. */
  readonly finalizedBlocks: FinalizedBlockBucket;
  /** State snapshots. */
  readonly states: StateBucket;

  readonly #env: RootDatabase<Uint8Array, Uint8Array>;
  readonly #buckets: Buckets;
  #genesisValidatorsRoot: Uint8Array | undefined;
  #closed = false;

  private constructor(
    dir: string,
    network: string,
    snapshotIntervalSlots: number,
    env: RootDatabase<Uint8Array, Uint8Array>,
  ) {
    this.dir = dir;
    this.network = network;
    this.snapshotIntervalSlots = snapshotIntervalSlots;
    this.#env = env;
    const sub = (name: string): Bin =>
      env.openDB<Uint8Array, Uint8Array>({ name, encoding: "binary", keyEncoding: "binary" });
    this.#buckets = {
      meta: sub("meta"),
      hotBlocks: sub("hotBlocks"),
      finalizedBlocks: sub("finalizedBlocks"),
      finalizedSlots: sub("finalizedSlots"),
      states: sub("states"),
      stateSlots: sub("stateSlots"),
    };
    this.hotBlocks = new HotBlockBucket(this);
    this.finalizedBlocks = new FinalizedBlockBucket(this);
    this.states = new StateBucket(this);
  }

  /**
   * Opens (creating when needed) the database in `dir`. A fresh database records the schema version, network and
   * genesis validators root; an existing one must match them, else this throws DB_SCHEMA_MISMATCH,
   * DB_NETWORK_MISMATCH or DB_GENESIS_MISMATCH and leaves the files untouched.
   */
  static open(dir: string, options: BeaconDbOptions): BeaconDb {
    if (typeof options.network !== "string" || options.network.length === 0) {
      throw new DbError("DB_INVALID_ARGUMENT", "network name must be a non-empty string", { network: options.network });
    }
    if (options.genesisValidatorsRoot !== undefined) assertRoot(options.genesisValidatorsRoot, "genesisValidatorsRoot");
    const interval = options.snapshotIntervalSlots ?? DEFAULT_SNAPSHOT_INTERVAL_SLOTS;
    if (!Number.isSafeInteger(interval) || interval < 1) {
      throw new DbError("DB_INVALID_ARGUMENT", "snapshotIntervalSlots must be a positive integer", { interval });
    }
    let env: RootDatabase<Uint8Array, Uint8Array>;
    try {
      mkdirSync(dir, { recursive: true });
      env = open<Uint8Array, Uint8Array>(join(dir, DB_FILE_NAME), {
        encoding: "binary",
        keyEncoding: "binary",
        maxDbs: 8,
        ...(options.mapSize === undefined ? {} : { mapSize: options.mapSize }),
      });
    } catch (e) {
      throw new DbError("DB_OPEN_FAILED", "could not open the lmdb database", { dir }, { cause: e });
    }
    let db: BeaconDb | undefined;
    try {
      db = new BeaconDb(dir, options.network, interval, env);
      db.#checkMeta(options.network, options.genesisValidatorsRoot);
      return db;
    } catch (e) {
      // Refused or failed: release the environment (the files stay as they were).
      void env.close().catch(() => {});
      if (e instanceof DbError) throw e;
      throw new DbError("DB_OPEN_FAILED", "could not read the database metadata", { dir }, { cause: e });
    }
  }

  #checkMeta(network: string, genesisValidatorsRoot: Uint8Array | undefined): void {
    const { meta } = this.#buckets;
    this.#env.transactionSync(() => {
      const schema = meta.get(META_SCHEMA);
      if (schema === undefined) {
        // Fresh database: record what it belongs to, in one transaction.
        const version = new Uint8Array(4);
        new DataView(version.buffer).setUint32(0, DB_SCHEMA_VERSION);
        meta.putSync(META_SCHEMA, version);
        meta.putSync(META_NETWORK, Buffer.from(network, "utf8"));
        if (genesisValidatorsRoot !== undefined) meta.putSync(META_GENESIS, copyRoot(genesisValidatorsRoot));
        this.#genesisValidatorsRoot = genesisValidatorsRoot && copyRoot(genesisValidatorsRoot);
        return;
      }
      const storedSchema = schema.length === 4 ? new DataView(schema.buffer, schema.byteOffset, 4).getUint32(0) : -1;
      if (storedSchema !== DB_SCHEMA_VERSION) {
        throw new DbError(
          "DB_SCHEMA_MISMATCH",
          `database in ${this.dir} has schema version ${storedSchema}, this node reads version ${DB_SCHEMA_VERSION}`,
          { dir: this.dir, storedSchema, expectedSchema: DB_SCHEMA_VERSION },
        );
      }
      const storedNetwork = Buffer.from(meta.get(META_NETWORK) ?? EMPTY).toString("utf8");
      if (storedNetwork !== network) {
        throw new DbError(
          "DB_NETWORK_MISMATCH",
          `database in ${this.dir} belongs to network "${storedNetwork}", not "${network}"`,
          { dir: this.dir, storedNetwork, expectedNetwork: network },
        );
      }
      const storedGenesis = meta.get(META_GENESIS);
      if (genesisValidatorsRoot !== undefined) {
        if (storedGenesis === undefined) {
          meta.putSync(META_GENESIS, copyRoot(genesisValidatorsRoot));
        } else if (!bytesEqual(storedGenesis, genesisValidatorsRoot)) {
          throw new DbError(
            "DB_GENESIS_MISMATCH",
            `database in ${this.dir} belongs to a chain with another genesis validators root`,
            { dir: this.dir, stored: toHex(storedGenesis), expected: toHex(genesisValidatorsRoot) },
          );
        }
        this.#genesisValidatorsRoot = copyRoot(genesisValidatorsRoot);
      } else {
        this.#genesisValidatorsRoot = storedGenesis && copyRoot(storedGenesis);
      }
    });
  }

  /** The genesis validators root recorded in the database (undefined when none was ever given). */
  get genesisValidatorsRoot(): Uint8Array | undefined {
    return this.#genesisValidatorsRoot && copyRoot(this.#genesisValidatorsRoot);
  }

  /** True once close() has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** @internal The sub-databases; throws DB_CLOSED after close(). */
  buckets(): Buckets {
    if (this.#closed) throw new DbError("DB_CLOSED", "the database is closed", { dir: this.dir });
    return this.#buckets;
  }

  /** True when a state at `slot` should be kept as a snapshot (every snapshotIntervalSlots slots). */
  shouldSnapshot(slot: number): boolean {
    assertSlot(slot, "slot");
    return slot % this.snapshotIntervalSlots === 0;
  }

  /** A block by root, hot or finalized. */
  getBlock(root: Uint8Array): StoredBlock | undefined {
    return this.hotBlocks.get(root) ?? this.finalizedBlocks.get(root);
  }

  /** True when a block with this root is stored, hot or finalized. */
  hasBlock(root: Uint8Array): boolean {
    return this.hotBlocks.has(root) || this.finalizedBlocks.has(root);
  }

  /** The fork-choice anchor, or undefined before the first setAnchor. */
  getAnchor(): Anchor | undefined {
    const record = this.buckets().meta.get(META_ANCHOR);
    return record === undefined ? undefined : decodeAnchor(record);
  }

  /** Sets the fork-choice anchor (one transaction); its state must already be stored. */
  async setAnchor(anchor: Anchor): Promise<void> {
    await this.batch((tx) => tx.setAnchor(anchor));
  }

  /**
   * Collects writes with `fill` and commits them in one transaction: all of them or none. When `fill` throws,
   * nothing is written and the promise rejects with its error; when a write fails inside the transaction (e.g. a
   * finalize conflict), the transaction is aborted and the promise rejects with that error.
   */
  async batch(fill: (tx: DbBatch) => unknown): Promise<BatchSummary> {
    this.buckets();
    const tx = new DbBatch();
    collect(fill, tx);
    if (tx.size === 0) return { blocksFinalized: 0, blocksPruned: 0, statesPruned: 0 };
    const buckets = this.#buckets;
    return await this.#env.childTransaction(() => tx.apply(buckets));
  }

  /** Like batch() but commits synchronously (blocks the thread until the transaction is flushed). */
  batchSync(fill: (tx: DbBatch) => unknown): BatchSummary {
    this.buckets();
    const tx = new DbBatch();
    collect(fill, tx);
    if (tx.size === 0) return { blocksFinalized: 0, blocksPruned: 0, statesPruned: 0 };
    const buckets = this.#buckets;
    return this.#env.transactionSync(() => tx.apply(buckets));
  }

  /** Moves the finalized chain up to `upToSlot` to the by-slot index and prunes the rest (see DbBatch.finalize). */
  finalize(upToSlot: number, keepRoots: Iterable<Uint8Array>): Promise<BatchSummary> {
    return this.batch((tx) => tx.finalize(upToSlot, keepRoots));
  }

  /** The snapshot at the highest slot (ties: highest root), or undefined when none is stored. */
  latestSnapshot(): StoredState | undefined {
    return this.#read((txn) => {
      const { stateSlots, states } = this.#buckets;
      for (const key of stateSlots.getKeys({ reverse: true, limit: 1, transaction: txn })) {
        const { root } = decodeSlotRootKey(key);
        const record = states.get(root, { transaction: txn });
        if (record === undefined) {
          throw new DbError("DB_CORRUPT", "state slot index names a state that is not stored", { root: toHex(root) });
        }
        return stateFromRecord(root, record);
      }
      return undefined;
    });
  }

  /**
   * What a restart resumes from, read in one consistent snapshot: the anchor, its state, its block and the hot blocks
   * descending from it (parents first). Undefined when no anchor was ever set.
   */
  loadAnchor(): AnchorLoad | undefined {
    return this.#read((txn) => {
      const { meta, states, hotBlocks, finalizedBlocks } = this.#buckets;
      const anchorRecord = meta.get(META_ANCHOR, { transaction: txn });
      if (anchorRecord === undefined) return undefined;
      const anchor = decodeAnchor(anchorRecord);
      const stateRecord = states.get(anchor.stateRoot, { transaction: txn });
      if (stateRecord === undefined) {
        throw new DbError("DB_CORRUPT", "the anchor points at a state that is not stored", {
          stateRoot: toHex(anchor.stateRoot),
        });
      }
      const state = stateFromRecord(anchor.stateRoot, stateRecord);
      const anchorBlockRecord =
        hotBlocks.get(anchor.blockRoot, { transaction: txn }) ??
        finalizedBlocks.get(anchor.blockRoot, { transaction: txn });
      const anchorBlock =
        anchorBlockRecord === undefined ? undefined : blockFromRecord(anchor.blockRoot, anchorBlockRecord);
      const hot: { block: StoredBlock; parent: string }[] = [];
      for (const { key, value } of hotBlocks.getRange({ transaction: txn })) {
        const block = blockFromRecord(key, value);
        hot.push({ block, parent: toHex(signedBlockParentRoot(block.bytes)) });
      }
      hot.sort((a, b) => a.block.slot - b.block.slot || Buffer.compare(a.block.root, b.block.root));
      const reached = new Set<string>([toHex(anchor.blockRoot)]);
      const blocks: StoredBlock[] = [];
      for (const { block, parent } of hot) {
        if (reached.has(parent) && block.slot > (anchorBlock?.slot ?? -1)) {
          reached.add(toHex(block.root));
          blocks.push(block);
        }
      }
      return { anchor, state, anchorBlock, blocks };
    });
  }

  #read<T>(fn: (txn: Transaction) => T): T {
    this.buckets();
    const txn = this.#env.useReadTransaction();
    try {
      return fn(txn);
    } finally {
      txn.done();
    }
  }

  /** Waits for pending writes and closes the environment; later calls throw DB_CLOSED. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#env.close();
  }
}
