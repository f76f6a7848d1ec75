import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { ByteVectorType, ContainerType, UintNumberType } from "@chainsafe/ssz";
import { computeSigningRoot, computeSigningRootOf } from "../../../../consensus/src/signing/index.ts";
import { toHex } from "../../../../consensus/src/util/hex.ts";
import { Rng } from "../../../support/random.ts";

const RANDOM_CASES = 500;

/** A Checkpoint-shaped container {epoch: uint64, root: Bytes32}, built here from @chainsafe/ssz primitives. */
const Checkpoint = new ContainerType({ epoch: new UintNumberType(8), root: new ByteVectorType(32) });

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

describe("compute_signing_root", () => {
  test("sha256(object_root ‖ domain) for random roots and domains", () => {
    const rng = new Rng(408);
    for (let i = 0; i < RANDOM_CASES; i++) {
      const root = rng.bytes(32);
      const domain = rng.bytes(32);
      assert.equal(toHex(computeSigningRoot(root, domain)), toHex(sha256(root, domain)));
    }
  });

  test("an SSZ type and value: the value's hash_tree_root is signed", () => {
    const rng = new Rng(409);
    for (let i = 0; i < RANDOM_CASES; i++) {
      const value = { epoch: rng.int(2 ** 40), root: rng.bytes(32) };
      const domain = rng.bytes(32);
      const epochChunk = new Uint8Array(32);
      new DataView(epochChunk.buffer).setBigUint64(0, BigInt(value.epoch), true);
      const objectRoot = sha256(epochChunk, value.root);
      assert.equal(toHex(computeSigningRootOf(Checkpoint, value, domain)), toHex(sha256(objectRoot, domain)));
    }
  });

  test("wrong lengths are rejected", () => {
    assert.throws(() => computeSigningRoot(new Uint8Array(31), new Uint8Array(32)), RangeError);
    assert.throws(() => computeSigningRoot(new Uint8Array(32), new Uint8Array(4)), RangeError);
  });
});
