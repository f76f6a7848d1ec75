// Tests of the beacon database (beacon/src/db): round trips per bucket, atomic batches, by-slot ordering,
// finalization, restart resume (loadAnchor) and refusal of another network's or schema's database.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { open } from "lmdb";
import { BeaconDb, DB_FILE_NAME, DB_SCHEMA_VERSION } from "../../../../beacon/src/db/beaconDb.ts";
import { isDbError } from "../../../../beacon/src/db/errors.ts";
import { fakeBlock, fakeChain, fakeState, hex, sha256 } from "./fixtures.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sextant-db-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const GVR = sha256(Buffer.from("genesis validators root"));
const ZERO = new Uint8Array(32);

function openDb(dir: string, network = "dev", gvr: Uint8Array | undefined = GVR): BeaconDb {
  return BeaconDb.open(dir, { network, genesisValidatorsRoot: gvr, snapshotIntervalSlots: 8 });
}

function rejectsWith(code: string) {
  return (e: unknown) => {
    assert.ok(isDbError(e), `expected a DbError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  };
}

describe("BeaconDb metadata", () => {
  it("records network, genesis root and schema on creation and accepts a matching reopen", async () => {
    const dir = tempDir();
    const db = openDb(dir);
    assert.equal(db.network, "dev");
    assert.equal(hex(db.genesisValidatorsRoot), hex(GVR));
    await db.close();
    const again = BeaconDb.open(dir, { network: "dev" });
    assert.equal(hex(again.genesisValidatorsRoot), hex(GVR), "the genesis root is read back when not given");
    await again.close();
  });

  it("refuses a database of another network, then still opens it for the right one", async () => {
    const dir = tempDir();
    await openDb(dir, "mainnet").close();
    assert.throws(
      () => openDb(dir, "sepolia"),
      (e: unknown) => {
        rejectsWith("DB_NETWORK_MISMATCH")(e);
        assert.match((e as Error).message, /"mainnet", not "sepolia"/);
        return true;
      },
    );
    const db = openDb(dir, "mainnet");
    await db.close();
  });

  it("refuses a database of a chain with another genesis validators root", async () => {
    const dir = tempDir();
    await openDb(dir).close();
    assert.throws(() => openDb(dir, "dev", sha256(Buffer.from("other"))), rejectsWith("DB_GENESIS_MISMATCH"));
  });

  it("refuses a database written with another schema version", async () => {
    const dir = tempDir();
    await openDb(dir).close();
    const env = open<Uint8Array, Uint8Array>(join(dir, DB_FILE_NAME), {
      encoding: "binary",
      keyEncoding: "binary",
      maxDbs: 8,
    });
    const meta = env.openDB<Uint8Array, Uint8Array>({ name: "meta", encoding: "binary", keyEncoding: "binary" });
    const version = new Uint8Array(4);
    new DataView(version.buffer).setUint32(0, DB_SCHEMA_VERSION + 1);
    meta.putSync(Buffer.from("schema"), version);
    await env.close();
    assert.throws(
      () => openDb(dir),
      (e: unknown) => {
        rejectsWith("DB_SCHEMA_MISMATCH")(e);
        assert.match((e as Error).message, /schema version 2/);
        return true;
      },
    );
  });

  it("rejects bad options and use after close", async () => {
    const dir = tempDir();
    assert.throws(() => BeaconDb.open(dir, { network: "" }), rejectsWith("DB_INVALID_ARGUMENT"));
    assert.throws(
      () => BeaconDb.open(dir, { network: "dev", genesisValidatorsRoot: new Uint8Array(31) }),
      rejectsWith("DB_INVALID_ARGUMENT"),
    );
    assert.throws(
      () => BeaconDb.open(dir, { network: "dev", snapshotIntervalSlots: 0 }),
      rejectsWith("DB_INVALID_ARGUMENT"),
    );
    const db = openDb(dir);
    await db.close();
    await db.close();
    assert.throws(() => db.hotBlocks.get(ZERO), rejectsWith("DB_CLOSED"));
    await assert.rejects(
      db.batch((tx) => tx.deleteBlock(ZERO)),
      rejectsWith("DB_CLOSED"),
    );
  });
});

describe("BeaconDb round trips", () => {
  it("stores, reads and deletes hot blocks with their fork and slot", async () => {
    const db = openDb(tempDir());
    const a = fakeBlock(5, ZERO, "a", "capella");
    const b = fakeBlock(6, a.root, "b", "phase0", 5000);
    assert.equal(db.hotBlocks.get(a.root), undefined);
    await db.hotBlocks.put(a.root, a.fork, a.bytes);
    await db.hotBlocks.put(b.root, b.fork, b.bytes);
    const got = db.hotBlocks.get(a.root);
    assert.ok(got);
    assert.equal(got.fork, "capella");
    assert.equal(got.slot, 5);
    assert.deepEqual(new Uint8Array(got.bytes), a.bytes);
    assert.equal(hex(got.root), hex(a.root));
    assert.deepEqual(new Uint8Array(db.getBlock(b.root)?.bytes ?? []), b.bytes);
    assert.equal(db.hotBlocks.has(b.root), true);
    assert.equal(db.hotBlocks.count(), 2);
    await db.hotBlocks.delete(a.root);
    assert.equal(db.hotBlocks.has(a.root), false);
    assert.equal(db.hasBlock(a.root), false);
    assert.deepEqual(
      [...db.hotBlocks.values()].map((v) => v.slot),
      [6],
    );
    await db.close();
  });

  it("stores finalized blocks by root and slot, refusing a second block at a finalized slot", async () => {
    const db = openDb(tempDir());
    const a = fakeBlock(300, ZERO, "a");
    await db.finalizedBlocks.put(a.root, a.fork, a.bytes);
    assert.equal(hex(db.finalizedBlocks.rootAtSlot(300)), hex(a.root));
    assert.deepEqual(new Uint8Array(db.finalizedBlocks.getBySlot(300)?.bytes ?? []), a.bytes);
    assert.equal(db.finalizedBlocks.has(a.root), true);
    assert.equal(db.finalizedBlocks.rootAtSlot(299), undefined);
    await db.finalizedBlocks.put(a.root, a.fork, a.bytes); // idempotent
    const other = fakeBlock(300, ZERO, "other");
    await assert.rejects(
      db.finalizedBlocks.put(other.root, other.fork, other.bytes),
      rejectsWith("DB_FINALIZE_CONFLICT"),
    );
    assert.equal(db.finalizedBlocks.has(other.root), false);
    assert.equal(db.finalizedBlocks.count(), 1);
    await db.close();
  });

  it("stores state snapshots with fork and slot, and the anchor that points at one", async () => {
    const db = openDb(tempDir());
    const s = fakeState(64, "", "electra", 10_000);
    await assert.rejects(
      db.setAnchor({ epoch: 8, blockRoot: ZERO, stateRoot: s.root }),
      rejectsWith("DB_ANCHOR_INVALID"),
    );
    assert.equal(db.getAnchor(), undefined);
    await db.states.put(s.root, s.fork, s.bytes);
    const got = db.states.get(s.root);
    assert.ok(got);
    assert.equal(got.fork, "electra");
    assert.equal(got.slot, 64);
    assert.deepEqual(new Uint8Array(got.bytes), s.bytes);
    await db.setAnchor({ epoch: 8, blockRoot: ZERO, stateRoot: s.root });
    assert.deepEqual(db.getAnchor(), { epoch: 8, blockRoot: ZERO, stateRoot: s.root });
    await assert.rejects(db.states.delete(s.root), rejectsWith("DB_ANCHOR_INVALID"));
    assert.equal(db.states.has(s.root), true);
    const t = fakeState(72);
    await db.states.put(t.root, t.fork, t.bytes);
    await db.states.delete(t.root);
    assert.equal(db.states.has(t.root), false);
    assert.deepEqual(
      [...db.states.roots()].map((r) => r.slot),
      [64],
    );
    await db.close();
  });

  it("rejects malformed roots, block bytes, state bytes and fork names before writing", async () => {
    const db = openDb(tempDir());
    const a = fakeBlock(1, ZERO);
    await assert.rejects(db.hotBlocks.put(new Uint8Array(31), a.fork, a.bytes), rejectsWith("DB_INVALID_ARGUMENT"));
    await assert.rejects(
      db.hotBlocks.put(a.root, a.fork, a.bytes.subarray(0, 150)),
      rejectsWith("DB_INVALID_ARGUMENT"),
    );
    const wrongOffset = new Uint8Array(a.bytes);
    wrongOffset[0] = 99;
    await assert.rejects(db.hotBlocks.put(a.root, a.fork, wrongOffset), rejectsWith("DB_INVALID_ARGUMENT"));
    await assert.rejects(db.hotBlocks.put(a.root, "gloas" as "fulu", a.bytes), rejectsWith("DB_INVALID_ARGUMENT"));
    await assert.rejects(db.states.put(a.root, "fulu", new Uint8Array(47)), rejectsWith("DB_INVALID_ARGUMENT"));
    assert.throws(() => db.hotBlocks.get(new Uint8Array(3)), rejectsWith("DB_INVALID_ARGUMENT"));
    assert.equal(db.hotBlocks.count(), 0);
    assert.equal(db.states.count(), 0);
    await db.close();
  });

  it("keeps everything across close and reopen", async () => {
    const dir = tempDir();
    const db = openDb(dir);
    const chain = fakeChain(1, 5, ZERO);
    const s = fakeState(0);
    await db.batch((tx) => {
      for (const b of chain) tx.putBlock(b.root, b.fork, b.bytes);
      tx.putState(s.root, s.fork, s.bytes).setAnchor({ epoch: 0, blockRoot: ZERO, stateRoot: s.root });
    });
    await db.close();
    const again = openDb(dir);
    assert.equal(again.hotBlocks.count(), 5);
    for (const b of chain) assert.deepEqual(new Uint8Array(again.hotBlocks.get(b.root)?.bytes ?? []), b.bytes);
    assert.equal(hex(again.getAnchor()?.stateRoot), hex(s.root));
    await again.close();
  });
});

describe("BeaconDb.batch atomicity", () => {
  it("writes nothing when the collecting callback throws midway", async () => {
    const db = openDb(tempDir());
    const chain = fakeChain(1, 4, ZERO);
    const s = fakeState(0);
    await assert.rejects(
      db.batch((tx) => {
        tx.putBlock(chain[0].root, chain[0].fork, chain[0].bytes);
        tx.putState(s.root, s.fork, s.bytes);
        tx.putBlock(chain[1].root, chain[1].fork, chain[1].bytes);
        throw new Error("import failed halfway");
      }),
      /import failed halfway/,
    );
    assert.equal(db.hotBlocks.count(), 0);
    assert.equal(db.states.count(), 0);
    assert.throws(
      () =>
        db.batchSync((tx) => {
          tx.putBlock(chain[2].root, chain[2].fork, chain[2].bytes);
          throw new Error("sync too");
        }),
      /sync too/,
    );
    assert.equal(db.hotBlocks.count(), 0);
    await db.close();
  });

  it("aborts the whole transaction when a write fails inside it", async () => {
    const db = openDb(tempDir());
    const chain = fakeChain(1, 4, ZERO);
    const s = fakeState(0);
    const unknown = sha256(Buffer.from("not stored"));
    await assert.rejects(
      db.batch((tx) => {
        for (const b of chain) tx.putBlock(b.root, b.fork, b.bytes);
        tx.putState(s.root, s.fork, s.bytes);
        tx.finalize(2, [chain[0].root, unknown]); // fails in the transaction, after the puts ran
      }),
      rejectsWith("DB_FINALIZE_CONFLICT"),
    );
    assert.equal(db.hotBlocks.count(), 0);
    assert.equal(db.states.count(), 0);
    assert.equal(db.finalizedBlocks.count(), 0);
    assert.throws(
      () =>
        db.batchSync((tx) => {
          tx.putState(s.root, s.fork, s.bytes);
          tx.setAnchor({ epoch: 0, blockRoot: ZERO, stateRoot: unknown });
        }),
      rejectsWith("DB_ANCHOR_INVALID"),
    );
    assert.equal(db.states.count(), 0);
    // Unrelated writes issued at the same moment still commit.
    const ok = db.hotBlocks.put(chain[3].root, chain[3].fork, chain[3].bytes);
    const bad = db.batch((tx) => tx.setAnchor({ epoch: 0, blockRoot: ZERO, stateRoot: unknown }));
    await ok;
    await assert.rejects(bad, rejectsWith("DB_ANCHOR_INVALID"));
    assert.equal(db.hotBlocks.count(), 1);
    await db.close();
  });

  it("refuses an async collecting callback", async () => {
    const db = openDb(tempDir());
    const a = fakeBlock(1, ZERO);
    await assert.rejects(
      db.batch(async (tx) => {
        tx.putBlock(a.root, a.fork, a.bytes);
      }),
      rejectsWith("DB_INVALID_ARGUMENT"),
    );
    assert.equal(db.hotBlocks.count(), 0);
    await db.close();
  });
});

describe("by-slot ordering", () => {
  const slots = [0, 1, 255, 256, 257, 65_535, 65_536, 16_777_216, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40 + 3];

  it("iterates finalized roots in numeric slot order, with inclusive bounds, reverse and limit", async () => {
    const db = openDb(tempDir());
    const shuffled = [...slots].sort((a, b) => ((a * 7919) % 13) - ((b * 7919) % 13));
    await db.batch((tx) => {
      for (const slot of shuffled) {
        const b = fakeBlock(slot, ZERO, `s${slot}`);
        tx.putFinalizedBlock(b.root, b.fork, b.bytes);
      }
    });
    const all = [...db.finalizedBlocks.roots()];
    assert.deepEqual(
      all.map((r) => r.slot),
      slots,
    );
    for (const { slot, root } of all) assert.equal(db.finalizedBlocks.get(root)?.slot, slot);
    assert.deepEqual(
      [...db.finalizedBlocks.roots({ fromSlot: 256, toSlot: 65_536 })].map((r) => r.slot),
      [256, 257, 65_535, 65_536],
    );
    assert.deepEqual(
      [...db.finalizedBlocks.roots({ fromSlot: 258, toSlot: 65_534 })].map((r) => r.slot),
      [],
    );
    assert.deepEqual(
      [...db.finalizedBlocks.roots({ fromSlot: 255, toSlot: 2 ** 32, reverse: true })].map((r) => r.slot),
      [2 ** 32, 2 ** 32 - 1, 16_777_216, 65_536, 65_535, 257, 256, 255],
    );
    assert.deepEqual(
      [...db.finalizedBlocks.roots({ fromSlot: 2, limit: 3 })].map((r) => r.slot),
      [255, 256, 257],
    );
    assert.deepEqual(
      [...db.finalizedBlocks.roots({ reverse: true, limit: 2 })].map((r) => r.slot),
      [2 ** 40 + 3, 2 ** 32 + 1],
    );
    assert.equal(db.finalizedBlocks.latestSlot(), 2 ** 40 + 3);
    await db.close();
  });

  it("orders snapshots by slot and returns the latest one", async () => {
    const db = openDb(tempDir());
    assert.equal(db.latestSnapshot(), undefined);
    for (const slot of [...slots].reverse()) {
      const s = fakeState(slot);
      await db.states.put(s.root, s.fork, s.bytes);
    }
    const twin = fakeState(256, "twin");
    await db.states.put(twin.root, twin.fork, twin.bytes);
    assert.deepEqual(
      [...db.states.roots()].map((r) => r.slot),
      [0, 1, 255, 256, 256, 257, ...slots.slice(5)],
    );
    assert.deepEqual(
      [...db.states.roots({ fromSlot: 256, toSlot: 256 })].map((r) => r.slot),
      [256, 256],
    );
    assert.deepEqual(
      [...db.states.roots({ toSlot: 255, reverse: true })].map((r) => r.slot),
      [255, 1, 0],
    );
    const latest = db.latestSnapshot();
    assert.equal(latest?.slot, 2 ** 40 + 3);
    assert.equal(hex(latest?.root), hex(fakeState(2 ** 40 + 3).root));
    assert.equal(db.shouldSnapshot(16), true);
    assert.equal(db.shouldSnapshot(17), false);
    await db.close();
  });
});

describe("finalize and restart resume", () => {
  // Canonical chain 1..12 on ZERO; a fork at slots 3..5 off block 2; another fork at 10..11 off block 9.
  const canonical = fakeChain(1, 12, ZERO);
  const forkA = fakeChain(3, 3, canonical[1].root, "forkA");
  const forkB = fakeChain(10, 2, canonical[8].root, "forkB");
  const orphan = fakeBlock(11, sha256(Buffer.from("unknown parent")), "orphan");

  async function seeded(dir: string): Promise<BeaconDb> {
    const db = openDb(dir);
    await db.batch((tx) => {
      for (const b of [...canonical, ...forkA, ...forkB, orphan]) tx.putBlock(b.root, b.fork, b.bytes);
    });
    return db;
  }

  it("moves the finalized chain to the slot index and prunes other blocks at or below the finalized slot", async () => {
    const db = await seeded(tempDir());
    const keep = canonical.slice(0, 8).map((b) => b.root); // slots 1..8
    const summary = await db.finalize(8, keep);
    assert.deepEqual(summary, { blocksFinalized: 8, blocksPruned: 3, statesPruned: 0 });
    assert.deepEqual(
      [...db.finalizedBlocks.roots()].map((r) => hex(r.root)),
      keep.map((r) => hex(r)),
    );
    for (const b of canonical.slice(0, 8)) {
      assert.equal(db.hotBlocks.has(b.root), false);
      assert.deepEqual(new Uint8Array(db.getBlock(b.root)?.bytes ?? []), b.bytes);
    }
    for (const b of forkA) assert.equal(db.hasBlock(b.root), false, `fork block at slot ${b.slot} pruned`);
    for (const b of [...canonical.slice(8), ...forkB, orphan]) assert.equal(db.hotBlocks.has(b.root), true);
    // Idempotent: finalizing the same chain again moves nothing and is not a conflict.
    assert.deepEqual(await db.finalize(8, keep), { blocksFinalized: 0, blocksPruned: 0, statesPruned: 0 });
    await db.close();
  });

  it("refuses conflicting finalizations without writing anything", async () => {
    const db = await seeded(tempDir());
    await db.finalize(2, [canonical[0].root, canonical[1].root]);
    await assert.rejects(db.finalize(5, [forkA[0].root, canonical[2].root]), rejectsWith("DB_FINALIZE_CONFLICT"));
    await assert.rejects(db.finalize(5, [canonical[8].root]), rejectsWith("DB_FINALIZE_CONFLICT"), "above upToSlot");
    const sibling = fakeBlock(2, canonical[0].root, "late sibling");
    await db.hotBlocks.put(sibling.root, sibling.fork, sibling.bytes);
    await assert.rejects(db.finalize(3, [sibling.root]), rejectsWith("DB_FINALIZE_CONFLICT"), "slot 2 is finalized");
    assert.equal(db.hotBlocks.count(), 12 + 3 + 2 + 1 - 2 + 1);
    assert.equal(db.finalizedBlocks.count(), 2);
    await db.close();
  });

  it("loadAnchor returns the anchor state and the hot blocks descending from the anchor block, parents first", async () => {
    const dir = tempDir();
    const db = await seeded(dir);
    assert.equal(db.loadAnchor(), undefined);
    const anchorState = fakeState(8);
    const oldSnapshot = fakeState(0);
    const orphanSnapshot = fakeState(4, "forkA");
    await db.batch((tx) => {
      tx.putState(oldSnapshot.root, oldSnapshot.fork, oldSnapshot.bytes);
      tx.putState(orphanSnapshot.root, orphanSnapshot.fork, orphanSnapshot.bytes);
      tx.putState(anchorState.root, anchorState.fork, anchorState.bytes);
      tx.setAnchor({ epoch: 1, blockRoot: canonical[7].root, stateRoot: anchorState.root });
      tx.finalize(
        8,
        canonical.slice(0, 8).map((b) => b.root),
      );
      tx.pruneSnapshots(8, [oldSnapshot.root]);
    });
    assert.deepEqual(
      [...db.states.roots()].map((r) => r.slot),
      [0, 8],
      "orphan snapshot pruned, anchor state kept",
    );
    await db.close();

    const again = openDb(dir);
    const loaded = again.loadAnchor();
    assert.ok(loaded);
    assert.equal(loaded.anchor.epoch, 1);
    assert.equal(loaded.state.slot, 8);
    assert.deepEqual(new Uint8Array(loaded.state.bytes), anchorState.bytes);
    assert.equal(hex(loaded.anchorBlock?.root), hex(canonical[7].root));
    assert.deepEqual(
      loaded.blocks.map((b) => `${b.slot}:${hex(b.root)}`),
      [canonical[8], canonical[9], forkB[0], canonical[10], forkB[1], canonical[11]]
        .sort((x, y) => x.slot - y.slot || Buffer.compare(x.root, y.root))
        .map((b) => `${b.slot}:${hex(b.root)}`),
      "descendants of the anchor block only (the orphan is left out)",
    );
    const seen = new Set([hex(canonical[7].root)]);
    for (const b of loaded.blocks) {
      assert.ok(seen.has(hex(b.bytes.subarray(116, 148))), "parent comes first");
      seen.add(hex(b.root));
    }
    await again.close();
  });
});
