// The chain end to end in one process: blocks produced by the chain, signed with interop keys and imported;
// attestations from every committee; finality at the protocol limit (epoch 2 finalized in epoch 4) with every
// fork's rules at genesis; persistence and restart from the database; a block whose parent is unknown waits and is
// imported when the parent arrives; bad blocks are refused without changing the head.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChainError } from "@sextant/beacon/chain/errors";
import { toHex } from "@sextant/consensus/util/hex";
import { attestAt, proposeAt, signedBlockAt, startTestChain } from "../../../support/devChain.ts";

const SPE = 8;

describe("beacon chain", () => {
  for (const fork of ["phase0", "fulu"] as const) {
    it(`${fork} genesis: proposes, attests and finalizes epoch 2 by slot 32, no epoch transition on request`, async () => {
      const t = await startTestChain({ fork });
      try {
        const finalizedAt: number[] = [];
        t.chain.events.on((e) => {
          if (e.topic === "finalized_checkpoint") finalizedAt.push(e.data.epoch);
        });
        for (let slot = 1; slot <= 4 * SPE + 1; slot++) {
          await proposeAt(t, slot);
          t.setTime(slot, 2100);
          attestAt(t, slot);
          t.chain.onSlot(slot + 1);
        }
        const store = t.chain.forkChoice.store;
        assert.equal(t.chain.head().slot, 4 * SPE + 1);
        assert.ok(store.finalized.epoch >= 2, `finalized epoch ${store.finalized.epoch}`);
        assert.ok(finalizedAt.includes(2) || finalizedAt.at(-1)! >= 2);
        assert.equal(t.chain.counters.epochTransitions.request, 0);
        // The finalized blocks moved to the finalized buckets.
        assert.ok(t.chain.db.finalizedBlocks.count() >= 2 * SPE - 1);
        assert.ok(t.chain.db.finalizedBlocks.getBySlot(0), "the genesis block stays stored once finalized");
      } finally {
        await t.close();
      }
    });
  }

  it("restarts from the database with the same head and finalized checkpoint", async () => {
    const t = await startTestChain({ fork: "capella" });
    const dir = t.dir;
    for (let slot = 1; slot <= 4 * SPE + 2; slot++) {
      await proposeAt(t, slot);
      t.setTime(slot, 2100);
      attestAt(t, slot);
      t.chain.onSlot(slot + 1);
    }
    const head = t.chain.head();
    const finalized = t.chain.forkChoice.store.finalized;
    assert.ok(finalized.epoch >= 1);
    await t.close({ keepDir: true });
    const again = await startTestChain({ fork: "capella", dir });
    try {
      again.setTime(4 * SPE + 3);
      again.chain.updateHead();
      assert.equal(again.chain.head().root, head.root);
      assert.equal(again.chain.anchor.root, finalized.root);
      await proposeAt(again, 4 * SPE + 3);
      assert.equal(again.chain.head().slot, 4 * SPE + 3);
    } finally {
      await again.close();
    }
  });

  it("queues a block whose parent is unknown and imports it when the parent arrives", async () => {
    const t = await startTestChain({ fork: "altair" });
    try {
      t.setTime(1, 100);
      const b1 = await signedBlockAt(t.chain, 1);
      // Build b2 on b1 without importing b1 into this chain: import into a sibling chain first.
      const other = await startTestChain({ fork: "altair" });
      try {
        other.setTime(1, 100);
        await other.chain.importBlock(b1);
        other.setTime(2, 100);
        const b2 = await signedBlockAt(other.chain, 2);
        t.setTime(2, 100);
        const r2 = await t.chain.importBlock(b2);
        assert.equal(r2.status, "pending");
        assert.equal(t.chain.pendingSize, 1);
        const r1 = await t.chain.importBlock(b1);
        assert.equal(r1.status, "imported");
        assert.equal(t.chain.pendingSize, 0);
        t.chain.updateHead();
        assert.equal(t.chain.head().slot, 2);
      } finally {
        await other.close();
      }
    } finally {
      await t.close();
    }
  });

  it("refuses a block with a bad signature or from the future, keeping the head", async () => {
    const t = await startTestChain({ fork: "deneb" });
    try {
      await proposeAt(t, 1);
      const head = t.chain.head();
      t.setTime(2, 100);
      const b2 = await signedBlockAt(t.chain, 2);
      const tampered = { ...b2, signature: new Uint8Array(96).fill(0) };
      tampered.signature[0] = 0xc0;
      await assert.rejects(
        t.chain.importBlock(tampered),
        (e: unknown) => e instanceof ChainError && e.code === "BLOCK_INVALID",
      );
      t.setTime(1, 100);
      await assert.rejects(t.chain.importBlock(b2), (e: unknown) => e instanceof ChainError && e.code === "BLOCK_SLOT");
      assert.equal(t.chain.head().root, head.root);
      t.setTime(2, 100);
      assert.equal((await t.chain.importBlock(b2)).status, "imported");
      assert.equal((await t.chain.importBlock(b2)).status, "known");
      assert.equal(toHex(t.chain.blockRootOf(b2)), t.chain.head().root);
    } finally {
      await t.close();
    }
  });
});
