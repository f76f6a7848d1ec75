// The chain-wide pubkey cache: appends, lookups bounded by a state's validator count, and indices where competing
// branches appended different keys (read from the state in question, never answered wrongly).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { interopSecretKey } from "@sextant/consensus/bls/interop";
import { PubkeyCache } from "@sextant/consensus/state/pubkeyCache";

const keys = Array.from({ length: 6 }, (_, i) => interopSecretKey(i).toPublicKey().toBytes());

describe("PubkeyCache", () => {
  it("maps appended keys to their indices and back", () => {
    const cache = new PubkeyCache();
    for (let i = 0; i < 4; i++) cache.add(i, keys[i]);
    const read = (i: number) => keys[i];
    assert.equal(cache.size, 4);
    for (let i = 0; i < 4; i++) assert.equal(cache.indexOf(keys[i], 4, read), i);
    assert.equal(cache.indexOf(keys[5], 4, read), undefined);
    assert.deepEqual(cache.publicKey(2, read).toBytes(), keys[2]);
    assert.equal(cache.publicKey(2, read), cache.publicKey(2, read), "deserialized once");
  });

  it("does not answer for validators beyond the asking state's registry", () => {
    const cache = new PubkeyCache();
    for (let i = 0; i < 4; i++) cache.add(i, keys[i]);
    assert.equal(
      cache.indexOf(keys[3], 3, (i) => keys[i]),
      undefined,
    );
  });

  it("reads conflicted indices from the asking state", () => {
    const cache = new PubkeyCache();
    for (let i = 0; i < 3; i++) cache.add(i, keys[i]);
    // Branch A appended keys[3] at index 3; branch B appended keys[4] there.
    cache.add(3, keys[3]);
    cache.add(3, keys[4]);
    const branchA = (i: number) => (i === 3 ? keys[3] : keys[i]);
    const branchB = (i: number) => (i === 3 ? keys[4] : keys[i]);
    assert.equal(cache.indexOf(keys[3], 4, branchA), 3);
    assert.equal(cache.indexOf(keys[3], 4, branchB), undefined);
    assert.equal(cache.indexOf(keys[4], 4, branchB), 3);
    assert.equal(cache.indexOf(keys[4], 4, branchA), undefined);
    assert.deepEqual(cache.publicKey(3, branchB).toBytes(), keys[4]);
    assert.deepEqual(cache.publicKey(3, branchA).toBytes(), keys[3]);
  });

  it("warms points ahead of use in slices, and they equal the lazily decoded ones", () => {
    const cache = new PubkeyCache();
    for (let i = 0; i < 6; i++) cache.add(i, keys[i]);
    assert.equal(cache.decodedCount, 0);
    assert.equal(cache.warm(0, 4), 4);
    assert.equal(cache.decodedCount, 4);
    assert.equal(cache.warm(4, 100), 6, "clamped to the known keys");
    for (let i = 0; i < 6; i++) assert.deepEqual(cache.publicKey(i, (j) => keys[j]).toBytes(), keys[i]);
  });

  it("refuses gaps and bad lengths", () => {
    const cache = new PubkeyCache();
    assert.throws(() => cache.add(1, keys[0]), /skips/);
    assert.throws(() => cache.add(0, new Uint8Array(47)), /48 bytes/);
  });
});
