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
import { bytesEqual } from "@sextant/consensus/util/bytes";
import { open, type RootDatabase, type Transaction } from "lmdb";
import { collect, DbBatch } from "./batch.ts";
import { FinalizedBlockBucket, HotBlockBucket, StateBucket } from "./buckets.ts";
import { assertRoot, assertSlot, decodeAnchor, decodeSlotRootKey, signedBlockParentRoot, toHex } from "./codec.ts";
import { DbError } from "./errors.ts";
import {
  type Anchor,
  type AnchorLoad,
  type BatchSummary,
  type BeaconDbOptions,
  type Bin,
  type Buckets,
  blockFromRecord,
  copyRoot,
  DB_FILE_NAME,
  DB_SCHEMA_VERSION,
  DEFAULT_SNAPSHOT_INTERVAL_SLOTS,
  EMPTY,
  META_ANCHOR,
  META_GENESIS,
  META_NETWORK,
  META_SCHEMA,
  type StoredBlock,
  type StoredState,
  stateFromRecord,
} from "./types.ts";

export { DbBatch } from "./batch.ts";
export { FinalizedBlockBucket, HotBlockBucket, StateBucket } from "./buckets.ts";
export {
  type Anchor,
  type AnchorLoad,
  type BatchSummary,
  type BeaconDbOptions,
  DB_FILE_NAME,
  DB_SCHEMA_VERSION,
  DEFAULT_SNAPSHOT_INTERVAL_SLOTS,
  type SlotRange,
  type StoredBlock,
  type StoredState,
} from "./types.ts";

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
