// The hasher is process-wide state: this file runs in its own process and its tests run in order.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Hasher } from "@chainsafe/persistent-merkle-tree";
import { hasher as asSha256Hasher } from "@chainsafe/persistent-merkle-tree/hasher/as-sha256";
import {
  ByteListType,
  ByteVectorType,
  ContainerType,
  ListBasicType,
  ListCompositeType,
  UintNumberType,
} from "@chainsafe/ssz";
import { activeHasherName, installFastHasher, installHasherFrom } from "../../../consensus/src/hasher.ts";
import { toHex } from "../../../consensus/src/util/hex.ts";
import { Rng } from "../../support/random.ts";

/** Enough elements for multi-level merkleization and batched hashing (hashtree hashes 16 blocks at a time). */
const LIST_LENGTH = 3000;
const VALUES = 5;

const Uint64 = new UintNumberType(8);
const Bytes32 = new ByteVectorType(32);
const Validator = new ContainerType({ pubkey: new ByteVectorType(48), balance: Uint64, root: Bytes32 });
const State = new ContainerType({
  slot: Uint64,
  balances: new ListBasicType(Uint64, 2 ** 40),
  roots: new ListCompositeType(Bytes32, 2 ** 20),
  validators: new ListCompositeType(Validator, 2 ** 40),
  extra: new ByteListType(2 ** 12),
});

function randomValues(): ReturnType<typeof State.defaultValue>[] {
  const rng = new Rng(414);
  return Array.from({ length: VALUES }, () => ({
    slot: rng.int(2 ** 40),
    balances: Array.from({ length: LIST_LENGTH }, () => rng.int(2 ** 40)),
    roots: Array.from({ length: 1 + rng.int(LIST_LENGTH) }, () => rng.bytes(32)),
    validators: Array.from({ length: 1 + rng.int(200) }, () => ({
      pubkey: rng.bytes(48),
      balance: rng.int(2 ** 40),
      root: rng.bytes(32),
    })),
    extra: rng.bytes(rng.int(4096)),
  }));
}

/** Roots of every value both from the value (merkleize) and from a tree view (batched hash computations). */
function roots(values: ReturnType<typeof randomValues>): string[] {
  return values.flatMap((v) => [toHex(State.hashTreeRoot(v)), toHex(State.toViewDU(v).hashTreeRoot())]);
}

const values = randomValues();
const defaultRoots = roots(values);

describe("installFastHasher", () => {
  test("the library default is the pure-JS noble hasher; view and value roots agree", () => {
    assert.equal(activeHasherName(), "noble");
    for (let i = 0; i < defaultRoots.length; i += 2) assert.equal(defaultRoots[i], defaultRoots[i + 1]);
  });

  test("falls back to as-sha256 with a reason when the native binding cannot load", async () => {
    const status = await installHasherFrom(() => Promise.reject(new Error("cannot load hashtree.linux-x64.node")));
    assert.equal(status.name, "as-sha256");
    assert.equal(status.fast, false);
    assert.match(status.reason ?? "", /cannot load hashtree/);
    assert.equal(activeHasherName(), "as-sha256");
    assert.deepEqual(roots(values), defaultRoots);
  });

  test("falls back when the loaded hasher fails its self-test", async () => {
    const broken: Hasher = { ...asSha256Hasher, name: "broken", digest64: () => new Uint8Array(32) };
    const status = await installHasherFrom(() => Promise.resolve(broken));
    assert.equal(status.name, "as-sha256");
    assert.match(status.reason ?? "", /self-test/);
  });

  test("installs hashtree once and gives the same roots as the default hasher", async () => {
    const status = await installFastHasher();
    assert.deepEqual(status, { name: "hashtree", fast: true });
    assert.equal(activeHasherName(), "hashtree");
    assert.equal(await installFastHasher(), status);
    assert.deepEqual(roots(values), defaultRoots);
  });
});
