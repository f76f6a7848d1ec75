import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  aggregatorModulo,
  getSyncCommitteeSeats,
  getSyncSubcommittee,
  isAggregator,
  isSyncCommitteeAggregator,
  SYNC_COMMITTEE_SUBNET_COUNT,
  syncSubcommitteeIndex,
  syncSubcommitteeSize,
  TARGET_AGGREGATORS_PER_COMMITTEE,
  TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE,
} from "../../../../consensus/src/committees/index.ts";
import { mainnetPreset } from "../../../../consensus/src/params/presets/mainnet.ts";
import { minimalPreset } from "../../../../consensus/src/params/presets/minimal.ts";
import { Rng } from "../../../support/random.ts";
import { bytesToUint64, sha256 } from "./specModel.ts";

/** The spec's selection: bytes_to_uint64(hash(signature)[0:8]) % modulo == 0, in BigInt. */
function specSelected(signature: Uint8Array, modulo: number): boolean {
  return bytesToUint64(sha256(signature).subarray(0, 8)) % BigInt(modulo) === 0n;
}

describe("is_aggregator", () => {
  test("constants are the validator guide's", () => {
    assert.equal(TARGET_AGGREGATORS_PER_COMMITTEE, 16);
    assert.equal(TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE, 16);
    assert.equal(SYNC_COMMITTEE_SUBNET_COUNT, 4);
  });

  test("modulo is max(1, len // 16): everyone aggregates in committees under 32", () => {
    const expected: [number, number][] = [
      [0, 1],
      [1, 1],
      [15, 1],
      [16, 1],
      [31, 1],
      [32, 2],
      [47, 2],
      [48, 3],
      [2048, 128],
    ];
    for (const [length, modulo] of expected) assert.equal(aggregatorModulo(length), modulo, `length ${length}`);
    const rng = new Rng(41);
    for (let length = 0; length < 32; length++) assert.equal(isAggregator(length, rng.bytes(96)), true);
  });

  test("random signatures agree with the BigInt spec transcription", () => {
    const rng = new Rng(42);
    let selected = 0;
    for (let k = 0; k < 2000; k++) {
      const signature = rng.bytes(96);
      const length = rng.int(k % 2 === 0 ? 300 : 200_000);
      const ours = isAggregator(length, signature);
      assert.equal(ours, specSelected(signature, Math.max(1, Math.floor(length / 16))));
      if (ours) selected++;
    }
    assert.ok(selected > 50 && selected < 1500, `${selected} selected`);
  });

  test("rejects signatures that are not 96 bytes", () => {
    assert.throws(() => isAggregator(100, new Uint8Array(95)), RangeError);
    assert.throws(() => isSyncCommitteeAggregator(new Uint8Array(97), mainnetPreset), RangeError);
  });
});

describe("sync committee aggregation", () => {
  test("mainnet: modulo 512 / 4 / 16 = 8; minimal: 32 / 4 / 16 = 0 → 1, everyone aggregates", () => {
    const rng = new Rng(43);
    let selected = 0;
    for (let k = 0; k < 1000; k++) {
      const proof = rng.bytes(96);
      const ours = isSyncCommitteeAggregator(proof, mainnetPreset);
      assert.equal(ours, specSelected(proof, 8));
      if (ours) selected++;
      assert.equal(isSyncCommitteeAggregator(proof, minimalPreset), true);
    }
    assert.ok(selected > 80 && selected < 180, `${selected} of 1000 selected with modulo 8`);
  });

  test("subcommittee size, index and members", () => {
    assert.equal(syncSubcommitteeSize(mainnetPreset), 128);
    assert.equal(syncSubcommitteeSize(minimalPreset), 8);
    assert.equal(syncSubcommitteeIndex(0, mainnetPreset), 0);
    assert.equal(syncSubcommitteeIndex(127, mainnetPreset), 0);
    assert.equal(syncSubcommitteeIndex(135, mainnetPreset), 1); // the validator guide's example
    assert.equal(syncSubcommitteeIndex(511, mainnetPreset), 3);
    assert.throws(() => syncSubcommitteeIndex(512, mainnetPreset), RangeError);
    assert.throws(() => syncSubcommitteeIndex(-1, mainnetPreset), RangeError);

    const committee = Uint32Array.from({ length: 32 }, (_, i) => 1000 + i);
    assert.deepEqual(
      Array.from(getSyncSubcommittee(committee, 2, minimalPreset)),
      [1016, 1017, 1018, 1019, 1020, 1021, 1022, 1023],
    );
    assert.throws(() => getSyncSubcommittee(committee, 4, minimalPreset), RangeError);
  });

  test("seats list every position of a validator drawn more than once", () => {
    const committee = new Uint32Array(32).fill(7);
    committee[3] = 9;
    committee[17] = 9;
    committee[31] = 9;
    assert.deepEqual(getSyncCommitteeSeats(committee, 9, minimalPreset), [
      { indexInCommittee: 3, subcommitteeIndex: 0, indexInSubcommittee: 3 },
      { indexInCommittee: 17, subcommitteeIndex: 2, indexInSubcommittee: 1 },
      { indexInCommittee: 31, subcommitteeIndex: 3, indexInSubcommittee: 7 },
    ]);
    assert.deepEqual(getSyncCommitteeSeats(committee, 8, minimalPreset), []);
    assert.equal(getSyncCommitteeSeats(committee, 7, minimalPreset).length, 29);
  });
});
