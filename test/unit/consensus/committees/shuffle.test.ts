import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  computeShuffledIndex,
  createShuffledIndexFn,
  shuffleList,
  unshuffleList,
} from "../../../../consensus/src/committees/index.ts";
import { u64LeMod, writeU64Le } from "../../../../consensus/src/committees/seed.ts";
import { Rng } from "../../../support/random.ts";
import { specComputeShuffledIndex } from "./specModel.ts";

/** Sizes that stress the pivot arithmetic: empty, tiny, small primes, around the 256-position hash boundary. */
const SIZES = [0, 1, 2, 3, 5, 7, 11, 13, 17, 31, 97, 255, 256, 257, 511, 512, 513, 1021];

describe("computeShuffledIndex", () => {
  test("matches a literal BigInt transcription of the spec", () => {
    const rng = new Rng(1);
    let cases = 0;
    for (const n of [...SIZES.filter((x) => x > 0), 65_537, 2 ** 31 - 1, 2 ** 32]) {
      for (let k = 0; k < 6; k++) {
        const seed = rng.bytes(32);
        const rounds = [0, 1, 10, 90][k % 4];
        const index = k === 0 ? n - 1 : rng.int(n);
        assert.equal(computeShuffledIndex(index, n, seed, rounds), specComputeShuffledIndex(index, n, seed, rounds));
        cases++;
      }
    }
    assert.ok(cases > 100);
  });

  test("rejects bad arguments", () => {
    const seed = new Uint8Array(32);
    assert.throws(() => computeShuffledIndex(3, 3, seed, 10), RangeError);
    assert.throws(() => computeShuffledIndex(-1, 3, seed, 10), RangeError);
    assert.throws(() => computeShuffledIndex(0, 0, seed, 10), RangeError);
    assert.throws(() => computeShuffledIndex(0, 3, new Uint8Array(31), 10), RangeError);
    assert.throws(() => computeShuffledIndex(0, 3, seed, 256), RangeError);
    assert.throws(() => computeShuffledIndex(0, 2 ** 32 + 1, seed, 10), RangeError);
  });

  test("createShuffledIndexFn agrees with computeShuffledIndex on every index", () => {
    const rng = new Rng(2);
    for (const n of [1, 2, 3, 257, 1000]) {
      const seed = rng.bytes(32);
      const fn = createShuffledIndexFn(n, seed, 10);
      for (let i = 0; i < n; i++) assert.equal(fn(i), computeShuffledIndex(i, n, seed, 10));
      assert.throws(() => fn(n), RangeError);
    }
  });
});

describe("whole-list shuffle", () => {
  test("unshuffleList(x)[i] = x[compute_shuffled_index(i)] and shuffleList is its inverse", () => {
    const rng = new Rng(3);
    let cases = 0;
    for (const n of [...SIZES, 1 + rng.int(3000), 1 + rng.int(3000)]) {
      for (const rounds of [0, 1, 2, 10, 90]) {
        const seed = rng.bytes(32);
        const list = Uint32Array.from({ length: n }, () => rng.nextU32());
        const un = unshuffleList(list.slice(), seed, rounds);
        const sh = shuffleList(list.slice(), seed, rounds);
        const fn = createShuffledIndexFn(n, seed, rounds);
        for (let i = 0; i < n; i++) {
          const p = fn(i);
          assert.equal(un[i], list[p], `unshuffle n=${n} rounds=${rounds} i=${i}`);
          assert.equal(sh[p], list[i], `shuffle n=${n} rounds=${rounds} i=${i}`);
        }
        assert.deepEqual(shuffleList(un.slice(), seed, rounds), list);
        assert.deepEqual(unshuffleList(sh.slice(), seed, rounds), list);
        cases++;
      }
    }
    assert.ok(cases >= 100);
  });

  test("works in place, permutes, and leaves 0 rounds as the identity", () => {
    const rng = new Rng(4);
    const list = Uint32Array.from({ length: 5000 }, (_, i) => i);
    const seed = rng.bytes(32);
    const out = unshuffleList(list, seed, 90);
    assert.equal(out, list);
    assert.deepEqual(
      Array.from(out).sort((a, b) => a - b),
      Array.from({ length: 5000 }, (_, i) => i),
    );
    assert.notDeepEqual(
      out,
      Uint32Array.from({ length: 5000 }, (_, i) => i),
    );
    const copy = out.slice();
    assert.deepEqual(unshuffleList(copy, seed, 0), out);
    assert.throws(() => unshuffleList(new Uint32Array(3), new Uint8Array(8), 10), RangeError);
  });

  test("shuffles 1,000,000 indices with 90 rounds in well under a second", () => {
    const list = Uint32Array.from({ length: 1_000_000 }, (_, i) => i);
    const seed = new Rng(5).bytes(32);
    const start = performance.now();
    unshuffleList(list, seed, 90);
    const ms = performance.now() - start;
    console.log(`unshuffleList 1,000,000 × 90 rounds: ${ms.toFixed(0)} ms`);
    // Spot-check positions against the single-index function.
    for (const i of [0, 1, 123_456, 999_999]) assert.equal(list[i], computeShuffledIndex(i, 1_000_000, seed, 90));
    assert.ok(ms < 2000, `took ${ms} ms`);
  });
});

describe("uint64 helpers", () => {
  test("u64LeMod equals BigInt reduction; writeU64Le equals DataView", () => {
    const rng = new Rng(6);
    const moduli = [1, 2, 3, 255, 2 ** 16 + 1, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 15, 2 ** 36];
    for (let k = 0; k < 2000; k++) {
      const bytes = rng.bytes(8);
      const modulus = k < moduli.length * 10 ? moduli[k % moduli.length] : 1 + rng.int(2 ** 36);
      const big = new DataView(bytes.buffer).getBigUint64(0, true);
      assert.equal(u64LeMod(bytes, 0, modulus), Number(big % BigInt(modulus)));
    }
    assert.throws(() => u64LeMod(new Uint8Array(8), 0, 0), RangeError);
    assert.throws(() => u64LeMod(new Uint8Array(8), 0, 2 ** 36 + 1), RangeError);
    for (const v of [0, 1, 255, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER]) {
      const ours = new Uint8Array(8);
      writeU64Le(ours, 0, v);
      const theirs = new Uint8Array(8);
      new DataView(theirs.buffer).setBigUint64(0, BigInt(v), true);
      assert.deepEqual(ours, theirs);
    }
    assert.throws(() => writeU64Le(new Uint8Array(8), 0, -1), RangeError);
    assert.throws(() => writeU64Le(new Uint8Array(8), 0, 2 ** 53), RangeError);
  });
});
