// --interop-indexes: ranges and lists parse to sorted indexes; mistakes are rejected with a message; the keys are
// the interop ("mocked start") keys every client derives (published public keys of indexes 0 and 1).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  interopValidatorKeys,
  MAX_INTEROP_KEYS,
  parseInteropIndexes,
} from "../../../../validator/src/keystores/interop.ts";

// The interop keys' public keys as published with the Eth2 interop "mocked start" specification.
const INTEROP_PUBKEY_0 =
  "0xa99a76ed7796f7be22d5b7e85deeb7c5677e88e511e0b337618f8c4eb61349b4bf2d153f649f7b53359fe8b94a38e44c";
const INTEROP_PUBKEY_1 =
  "0xb89bebc699769726a318c8e9971bd3171297c61aea4a6578a7a4f94b547dcba5bac16a89108b6b6a1fe3695d1a874a0b";

describe("parseInteropIndexes", () => {
  test("inclusive ranges, lists, mixes, spaces; sorted", () => {
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    assert.deepEqual(parseInteropIndexes("0..63"), range(0, 63));
    assert.deepEqual(parseInteropIndexes("5"), [5]);
    assert.deepEqual(parseInteropIndexes("7,3, 1"), [1, 3, 7]);
    assert.deepEqual(parseInteropIndexes("0..3,10,20..21"), [0, 1, 2, 3, 10, 20, 21]);
    assert.deepEqual(parseInteropIndexes("4..4"), [4]);
  });

  test("mistakes are rejected with a message naming the flag", () => {
    for (const bad of [
      "",
      "a",
      "1..",
      "..3",
      "3..1",
      "1,1",
      "0..3,2",
      "-1",
      "1.5",
      "0..63,",
      `0..${MAX_INTEROP_KEYS}`,
    ]) {
      assert.throws(
        () => parseInteropIndexes(bad),
        (e: Error & { code?: string }) => e.code === "INVALID_INTEROP_INDEXES" && /--interop-indexes/.test(e.message),
        bad,
      );
    }
  });
});

describe("interopValidatorKeys", () => {
  test("keys of indexes 0 and 1 have the published public keys; order follows the input", () => {
    const keys = interopValidatorKeys([1, 0]);
    assert.deepEqual(
      keys.map((k) => [k.index, k.pubkey]),
      [
        [1, INTEROP_PUBKEY_1],
        [0, INTEROP_PUBKEY_0],
      ],
    );
  });
});
