// The sync committee pools: messages aggregated per (slot, root, subcommittee) into contributions (a validator
// sitting twice counts twice), the best contribution kept or disjoint ones merged, the SyncAggregate built at the
// right offsets with the aggregate signature (infinity when empty), refusal of impossible items, pruning.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BitArray } from "@chainsafe/ssz";
import { OpPoolError } from "@sextant/beacon/opPools/errors";
import { SyncCommitteeMessagePool, SyncContributionPool } from "@sextant/beacon/opPools/syncCommitteePools";
import { aggregateSignatures } from "@sextant/consensus/bls/index";
import { G2_POINT_AT_INFINITY } from "@sextant/consensus/params/constants";
import { advanceToSlot, syncCommitteeAt } from "@sextant/consensus/transition/produce/index";
import { genesisAt, headRoot, syncMessage } from "./support.ts";

const isError = (e: unknown) => e instanceof OpPoolError && e.code === "INVALID_ITEM";

describe("sync committee pools", () => {
  const { config, cs: g } = genesisAt("altair");
  const s1 = advanceToSlot(g, 1);
  const root = headRoot(s1);
  const committee = syncCommitteeAt(s1, 1).indices;
  const subSize = config.preset.SYNC_COMMITTEE_SIZE / 4;

  it("aggregates messages into contributions, once per position", () => {
    const pool = new SyncCommitteeMessagePool(config);
    const sigs: Uint8Array[] = [];
    // Every member of subcommittee 1, each at all of its positions there.
    const seen = new Set<number>();
    for (let p = subSize; p < 2 * subSize; p++) {
      const index = committee[p];
      if (seen.has(index)) continue;
      seen.add(index);
      const positions: number[] = [];
      for (let q = subSize; q < 2 * subSize; q++) if (committee[q] === index) positions.push(q - subSize);
      const msg = syncMessage(s1, index);
      for (const _ of positions) sigs.push(msg.signature);
      assert.equal(pool.add(1, msg, positions), true);
      assert.equal(pool.add(1, msg, positions), false, "a repeated message adds nothing");
    }
    const c = pool.getContribution(1, root, 1);
    assert.ok(c);
    assert.equal(c.aggregationBits.getTrueBitIndexes().length, subSize);
    assert.deepEqual(c.signature, aggregateSignatures(sigs).toBytes(true));
    assert.equal(pool.getContribution(1, root, 0), null);
    assert.throws(() => pool.add(4, syncMessage(s1, committee[0]), [0]), isError);
    assert.throws(() => pool.add(0, syncMessage(s1, committee[0]), [subSize]), isError);
    assert.throws(() => pool.add(0, syncMessage(s1, committee[0]), []), isError);
    pool.prune(2);
    assert.equal(pool.getContribution(1, root, 1), null);
  });

  it("builds the SyncAggregate from the best contributions, infinity when there are none", () => {
    const messages = new SyncCommitteeMessagePool(config);
    const contributions = new SyncContributionPool(config);
    const empty = contributions.getSyncAggregate(1, root);
    assert.equal(empty.syncCommitteeBits.getTrueBitIndexes().length, 0);
    assert.deepEqual(empty.syncCommitteeSignature, G2_POINT_AT_INFINITY);

    // Subcommittee 0: the first half of its positions; subcommittee 2: everyone.
    const sigs: Uint8Array[] = [];
    const expectedBits: number[] = [];
    for (let p = 0; p < config.preset.SYNC_COMMITTEE_SIZE; p++) {
      const subnet = Math.floor(p / subSize);
      const pos = p % subSize;
      if (!(subnet === 2 || (subnet === 0 && pos < subSize / 2))) continue;
      const msg = syncMessage(s1, committee[p]);
      messages.add(subnet, msg, [pos]);
      sigs.push(msg.signature);
      expectedBits.push(p);
    }
    for (const subnet of [0, 2]) {
      const c = messages.getContribution(1, root, subnet);
      assert.ok(c);
      assert.equal(contributions.add(c), true);
      assert.equal(contributions.add(c), false, "same bits: nothing better");
    }
    const agg = contributions.getSyncAggregate(1, root);
    assert.deepEqual(agg.syncCommitteeBits.getTrueBitIndexes(), expectedBits);
    assert.deepEqual(agg.syncCommitteeSignature, aggregateSignatures(sigs).toBytes(true));
    assert.equal(contributions.getSyncAggregate(1, new Uint8Array(32)).syncCommitteeBits.getTrueBitIndexes().length, 0);
  });

  it("keeps the better contribution and merges disjoint ones", () => {
    const pool = new SyncContributionPool(config);
    const msg = (p: number) => syncMessage(s1, committee[p]);
    const contribution = (positions: number[]) => ({
      slot: 1,
      beaconBlockRoot: root,
      subcommitteeIndex: 0,
      aggregationBits: BitArray.fromBoolArray(Array.from({ length: subSize }, (_, i) => positions.includes(i))),
      signature: aggregateSignatures(positions.map((p) => msg(p).signature)).toBytes(true),
    });
    assert.equal(pool.add(contribution([0, 1])), true);
    assert.equal(pool.add(contribution([2])), true, "disjoint: merged");
    assert.deepEqual(pool.getSyncAggregate(1, root).syncCommitteeBits.getTrueBitIndexes(), [0, 1, 2]);
    assert.equal(pool.add(contribution([0, 3])), false, "overlapping and smaller");
    assert.equal(pool.add(contribution([0, 1, 3, 4])), true, "overlapping and larger replaces");
    const agg = pool.getSyncAggregate(1, root);
    assert.deepEqual(agg.syncCommitteeBits.getTrueBitIndexes(), [0, 1, 3, 4]);
    assert.deepEqual(agg.syncCommitteeSignature, contribution([0, 1, 3, 4]).signature);

    const good = contribution([0]);
    assert.throws(() => pool.add({ ...good, subcommitteeIndex: 4 }), isError);
    assert.throws(() => pool.add({ ...good, aggregationBits: BitArray.fromSingleBit(subSize + 1, 0) }), isError);
    assert.throws(() => pool.add({ ...good, aggregationBits: BitArray.fromBitLen(subSize) }), isError);
    pool.prune(2);
    assert.equal(pool.getSyncAggregate(1, root).syncCommitteeBits.getTrueBitIndexes().length, 0);
  });
});
