import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  aggregatePublicKeys,
  aggregateSignatures,
  aggregateVerify,
  BlsError,
  ethFastAggregateVerify,
  fastAggregateVerify,
  G2_POINT_AT_INFINITY,
  interopSecretKeys,
  type SignatureSet,
  sign,
  verify,
  verifySignatureSets,
} from "../../../../consensus/src/bls/index.ts";
import { Rng } from "../../../support/random.ts";

/** Keys used across the tests (BLS operations take ~1 ms: keep the counts small). */
const KEY_COUNT = 16;
const keys = interopSecretKeys(KEY_COUNT);
const pks = keys.map((k) => k.toPublicKey());
const rng = new Rng(413);
const messages = Array.from({ length: KEY_COUNT }, () => rng.bytes(32));

describe("sign / verify", () => {
  test("a signature verifies only for its key and message", () => {
    const sig = sign(keys[0], messages[0]);
    assert.equal(verify(pks[0], messages[0], sig), true);
    assert.equal(verify(pks[0], messages[0], sig.toBytes()), true);
    assert.equal(verify(pks[1], messages[0], sig), false);
    assert.equal(verify(pks[0], messages[1], sig), false);
  });

  test("undecodable or infinity signature bytes verify as false, not as an exception", () => {
    assert.equal(verify(pks[0], messages[0], new Uint8Array(96).fill(0xaa)), false);
    assert.equal(verify(pks[0], messages[0], new Uint8Array(95)), false);
    assert.equal(verify(pks[0], messages[0], G2_POINT_AT_INFINITY), false);
  });
});

describe("aggregation", () => {
  const message = messages[0];
  const sigs = keys.map((k) => sign(k, message));

  test("fastAggregateVerify over all signers, not over a subset", () => {
    const agg = aggregateSignatures(sigs);
    assert.equal(fastAggregateVerify(pks, message, agg), true);
    assert.equal(fastAggregateVerify(pks.slice(1), message, agg), false);
    assert.equal(fastAggregateVerify(pks, messages[1], agg), false);
    assert.equal(verify(aggregatePublicKeys(pks), message, agg), true);
    // Byte inputs are decoded and validated.
    assert.equal(fastAggregateVerify(pks, message, aggregateSignatures(sigs.map((s) => s.toBytes())).toBytes()), true);
  });

  test("empty key lists: FastAggregateVerify false, eth_fast_aggregate_verify true only for infinity", () => {
    assert.equal(fastAggregateVerify([], message, G2_POINT_AT_INFINITY), false);
    assert.equal(ethFastAggregateVerify([], message, G2_POINT_AT_INFINITY), true);
    assert.equal(ethFastAggregateVerify([], message, sigs[0]), false);
    assert.equal(ethFastAggregateVerify(pks, message, aggregateSignatures(sigs)), true);
  });

  test("aggregateVerify over distinct messages", () => {
    const agg = aggregateSignatures(keys.map((k, i) => sign(k, messages[i])));
    assert.equal(aggregateVerify(pks, messages, agg), true);
    assert.equal(aggregateVerify(pks, [...messages.slice(1), messages[0]], agg), false);
    assert.equal(aggregateVerify(pks, messages.slice(1), agg), false);
  });

  test("aggregating nothing is an EMPTY_AGGREGATE error", () => {
    assert.throws(
      () => aggregatePublicKeys([]),
      (e) => e instanceof BlsError && e.code === "EMPTY_AGGREGATE",
    );
    assert.throws(
      () => aggregateSignatures([]),
      (e) => e instanceof BlsError && e.code === "EMPTY_AGGREGATE",
    );
    assert.throws(
      () => aggregateSignatures([new Uint8Array(96)]),
      (e) => e instanceof BlsError && e.code === "INVALID_SIGNATURE",
    );
  });
});

describe("verifySignatureSets (batch with fallback)", () => {
  /** 12 single-key sets and 4 aggregate sets (4 keys each over one message). */
  function validSets(): SignatureSet[] {
    const sets: SignatureSet[] = keys
      .slice(0, 12)
      .map((k, i) => ({ publicKey: pks[i], message: messages[i], signature: sign(k, messages[i]) }));
    for (let g = 0; g < 4; g++) {
      const group = [0, 1, 2, 3].map((j) => (g * 4 + j) % KEY_COUNT);
      const message = messages[(g + 5) % KEY_COUNT];
      const signature = aggregateSignatures(group.map((i) => sign(keys[i], message))).toBytes();
      sets.push({ publicKey: group.map((i) => pks[i]), message, signature });
    }
    return sets;
  }

  test("all valid: one batch check, no fallback", () => {
    const result = verifySignatureSets(validSets());
    assert.deepEqual(result, { valid: true, invalid: [], usedFallback: false });
  });

  test("a corrupted set is found by the fallback", () => {
    const sets = validSets();
    sets[5] = { ...sets[5], message: messages[6] };
    const result = verifySignatureSets(sets);
    assert.deepEqual(result, { valid: false, invalid: [5], usedFallback: true });
  });

  test("several bad sets: a wrong signer, an aggregate missing a key, undecodable bytes, no keys", () => {
    const sets = validSets();
    sets[0] = { ...sets[0], signature: sign(keys[1], messages[0]) };
    sets[13] = { ...sets[13], publicKey: (sets[13].publicKey as readonly unknown[]).slice(1) as typeof pks };
    sets[9] = { ...sets[9], signature: new Uint8Array(96).fill(0xaa) };
    sets[14] = { ...sets[14], publicKey: [] };
    const result = verifySignatureSets(sets);
    assert.deepEqual(result, { valid: false, invalid: [0, 9, 13, 14], usedFallback: true });
  });

  test("empty and single-set inputs", () => {
    assert.deepEqual(verifySignatureSets([]), { valid: true, invalid: [], usedFallback: false });
    const [one] = validSets();
    assert.deepEqual(verifySignatureSets([one]), { valid: true, invalid: [], usedFallback: false });
    assert.deepEqual(verifySignatureSets([{ ...one, message: messages[3] }]), {
      valid: false,
      invalid: [0],
      usedFallback: false,
    });
  });
});
