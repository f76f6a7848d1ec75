import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  computeCommittee,
  computeCommitteeAssignments,
  computeCommitteeCount,
  computeEpochShuffling,
  getBeaconCommittee,
} from "../../../../consensus/src/committees/index.ts";
import { mainnetPreset } from "../../../../consensus/src/params/presets/mainnet.ts";
import { minimalPreset } from "../../../../consensus/src/params/presets/minimal.ts";
import { Rng } from "../../../support/random.ts";
import { specComputeShuffledIndex } from "./specModel.ts";

/** Active indices: a random ascending subset of [0, registrySize). */
function activeSubset(rng: Rng, registrySize: number): Uint32Array {
  const out: number[] = [];
  for (let v = 0; v < registrySize; v++) if (rng.int(5) !== 0) out.push(v);
  return Uint32Array.from(out);
}

describe("computeCommitteeCount", () => {
  test("mainnet: 1 below 4096 active, one more per 4096, capped at 64", () => {
    const p = mainnetPreset; // 32 slots × 128 target = 4096 validators per committee-per-slot
    assert.equal(computeCommitteeCount(0, p), 1);
    assert.equal(computeCommitteeCount(4095, p), 1);
    assert.equal(computeCommitteeCount(8191, p), 1);
    assert.equal(computeCommitteeCount(8192, p), 2);
    assert.equal(computeCommitteeCount(64 * 4096 - 1, p), 63);
    assert.equal(computeCommitteeCount(64 * 4096, p), 64);
    assert.equal(computeCommitteeCount(2_000_000, p), 64);
  });
  test("minimal: 8 slots × 4 target, capped at 4", () => {
    const p = minimalPreset;
    assert.equal(computeCommitteeCount(63, p), 1);
    assert.equal(computeCommitteeCount(64, p), 2);
    assert.equal(computeCommitteeCount(127, p), 3);
    assert.equal(computeCommitteeCount(128, p), 4);
    assert.equal(computeCommitteeCount(100_000, p), 4);
  });
});

describe("computeEpochShuffling", () => {
  for (const [name, preset] of [
    ["minimal", minimalPreset],
    ["mainnet", mainnetPreset],
  ] as const) {
    test(`${name}: committees partition the active set and match compute_committee`, () => {
      const rng = new Rng(name === "minimal" ? 21 : 22);
      const sizes = name === "minimal" ? [0, 1, 2, 9, 64, 130, 700] : [0, 1, 33, 5000, 10_000];
      let committeesChecked = 0;
      for (const registrySize of sizes) {
        const active = activeSubset(rng, registrySize);
        const original = active.slice();
        const seed = rng.bytes(32);
        const epoch = rng.int(10_000);
        const s = computeEpochShuffling(epoch, active, seed, preset);
        assert.deepEqual(active, original, "input not modified");
        assert.equal(s.committeesPerSlot, computeCommitteeCount(active.length, preset));
        assert.equal(s.committees.length, preset.SLOTS_PER_EPOCH);

        const concatenated: number[] = [];
        let minSize = Number.POSITIVE_INFINITY;
        let maxSize = 0;
        const count = s.committeesPerSlot * preset.SLOTS_PER_EPOCH;
        for (let slot = 0; slot < preset.SLOTS_PER_EPOCH; slot++) {
          for (let c = 0; c < s.committeesPerSlot; c++) {
            const committee = getBeaconCommittee(s, epoch * preset.SLOTS_PER_EPOCH + slot, c);
            concatenated.push(...committee);
            minSize = Math.min(minSize, committee.length);
            maxSize = Math.max(maxSize, committee.length);
            // A few committees per size go through the spec's compute_committee (literal transcription).
            if (committeesChecked % 37 === 0 || active.length < 100) {
              const k = slot * s.committeesPerSlot + c;
              const start = Math.floor((active.length * k) / count);
              const end = Math.floor((active.length * (k + 1)) / count);
              const expected: number[] = [];
              for (let i = start; i < end; i++) {
                expected.push(active[specComputeShuffledIndex(i, active.length, seed, preset.SHUFFLE_ROUND_COUNT)]);
              }
              assert.deepEqual(Array.from(committee), expected);
              assert.deepEqual(computeCommittee(active, seed, k, count, preset.SHUFFLE_ROUND_COUNT), committee);
            }
            committeesChecked++;
          }
        }
        assert.deepEqual(concatenated, Array.from(s.shuffling), "committees are consecutive slices");
        assert.deepEqual(
          concatenated.sort((a, b) => a - b),
          Array.from(active),
          "every active validator exactly once",
        );
        assert.ok(maxSize - minSize <= 1, "committee sizes differ by at most one");
      }
      assert.ok(committeesChecked >= preset.SLOTS_PER_EPOCH * sizes.length);
    });
  }

  test("getBeaconCommittee rejects slots of other epochs and out-of-range indices", () => {
    const s = computeEpochShuffling(
      3,
      Uint32Array.from({ length: 200 }, (_, i) => i),
      new Uint8Array(32),
      minimalPreset,
    );
    assert.equal(s.committeesPerSlot, 4);
    assert.equal(getBeaconCommittee(s, 24, 0).length, 6); // 200 / 32 committees: sizes 6 and 7
    assert.equal(getBeaconCommittee(s, 31, 3).length, 7);
    assert.throws(() => getBeaconCommittee(s, 23, 0), RangeError);
    assert.throws(() => getBeaconCommittee(s, 32, 0), RangeError);
    assert.throws(() => getBeaconCommittee(s, 24, 4), RangeError);
    assert.throws(() => getBeaconCommittee(s, 24, -1), RangeError);
  });

  test("computeCommittee rejects bad index/count", () => {
    const seed = new Uint8Array(32);
    assert.throws(() => computeCommittee([1, 2, 3], seed, 2, 2, 10), RangeError);
    assert.throws(() => computeCommittee([1, 2, 3], seed, 0, 0, 10), RangeError);
  });
});

describe("computeCommitteeAssignments", () => {
  test("every active validator is found at its committee position; others are absent", () => {
    const rng = new Rng(23);
    const active = activeSubset(rng, 3000);
    const epoch = 77;
    const s = computeEpochShuffling(epoch, active, rng.bytes(32), minimalPreset);
    const requested = Array.from({ length: 3010 }, (_, i) => i);
    const duties = computeCommitteeAssignments(s, requested);
    assert.equal(duties.size, active.length);
    for (const [v, d] of duties) {
      assert.equal(d.validatorIndex, v);
      assert.equal(Math.floor(d.slot / minimalPreset.SLOTS_PER_EPOCH), epoch);
      const committee = getBeaconCommittee(s, d.slot, d.committeeIndex);
      assert.equal(committee[d.validatorCommitteeIndex], v);
      assert.equal(d.committeeLength, committee.length);
      assert.equal(d.committeesAtSlot, s.committeesPerSlot);
    }
    const activeSet = new Set(active);
    for (const v of requested) assert.equal(duties.has(v), activeSet.has(v));
    assert.equal(computeCommitteeAssignments(s, []).size, 0);
  });
});
