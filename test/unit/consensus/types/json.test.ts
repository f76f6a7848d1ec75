// The Beacon API JSON mapping: what we write (exact forms) and what we refuse to read (malformed input must throw,
// not turn into other bytes or numbers).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { getSszTypes, parseHexJson, parseUintJson, primitives } from "../../../../consensus/src/types/index.ts";

const t = getSszTypes("minimal");

describe("writing", () => {
  test("uint64 as decimal strings, uint256 in full, booleans as booleans", () => {
    assert.equal(primitives.Slot.toJson(2 ** 53 - 1), "9007199254740991");
    assert.equal(primitives.UintBn64.toJson(2n ** 64n - 1n), "18446744073709551615");
    assert.equal(primitives.UintBn256.toJson(2n ** 256n - 1n), (2n ** 256n - 1n).toString());
    assert.equal(primitives.Bool.toJson(true), true);
  });

  test("bytes and bitvectors as lower-case 0x-hex", () => {
    assert.equal(primitives.Root.toJson(new Uint8Array(32).fill(0xab)), `0x${"ab".repeat(32)}`);
    assert.equal(t.bellatrix.ExecutionPayload.fields.extraData.toJson(new Uint8Array(0)), "0x");
    const bits = t.altair.SyncSubnets.defaultValue();
    bits.set(0, true);
    bits.set(3, true);
    assert.equal(t.altair.SyncSubnets.toJson(bits), "0x09");
  });

  test("execution addresses in EIP-55 checksum case, read back in any case", () => {
    const address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    const bytes = primitives.ExecutionAddress.fromJson(address.toLowerCase());
    assert.equal(primitives.ExecutionAddress.toJson(bytes), address);
    assert.deepEqual(primitives.ExecutionAddress.fromJson(address.toUpperCase().replace("0X", "0x")), bytes);
  });

  test("a whole deneb block round-trips through JSON", () => {
    const block = t.deneb.SignedBeaconBlock.defaultValue();
    block.message.slot = 77;
    block.message.body.executionPayload.baseFeePerGas = 2n ** 200n;
    block.message.body.executionPayload.transactions = [Uint8Array.of(1, 2, 3)];
    const json = t.deneb.SignedBeaconBlock.toJson(block);
    const text = JSON.stringify(json);
    assert.match(text, /"base_fee_per_gas":"1606938044258990275541962092341162602522202993782792835301376"/);
    assert.match(text, /"transactions":\["0x010203"\]/);
    assert.match(text, /"blob_kzg_commitments":\[\]/);
    const back = t.deneb.SignedBeaconBlock.fromJson(JSON.parse(text));
    assert.deepEqual(t.deneb.SignedBeaconBlock.serialize(back), t.deneb.SignedBeaconBlock.serialize(block));
  });
});

describe("reading rejects malformed JSON", () => {
  test("uints: only decimal strings (or safe JSON numbers), within range", () => {
    assert.equal(primitives.Slot.fromJson("42"), 42);
    assert.equal(primitives.Slot.fromJson(42), 42);
    for (const bad of ["12abc", "-1", "", " 1", "0x10", "1e3", 1.5, -1, null, true, "18446744073709551615"]) {
      assert.throws(() => primitives.Slot.fromJson(bad), `Slot ${JSON.stringify(bad)}`);
    }
    assert.throws(() => primitives.Slot.fromJson("9007199254740992"), /2\*\*53/);
    assert.equal(primitives.EpochInf.fromJson("18446744073709551615"), Number.POSITIVE_INFINITY);
    assert.throws(() => primitives.EpochInf.fromJson("18446744073709551614"));
    assert.throws(() => primitives.UintBn64.fromJson("18446744073709551616"), /out of range/);
    assert.throws(() => primitives.Uint8.fromJson("256"), /out of range/);
    assert.equal(parseUintJson("0255", 1), 255n);
  });

  test("hex: 0x prefix, whole bytes, hex digits, exact length", () => {
    assert.deepEqual(parseHexJson("0xABcd"), Uint8Array.of(0xab, 0xcd));
    for (const bad of ["abcd", "0xabc", "0xzz", "0xab cd", "0Xab", 12, null]) {
      assert.throws(() => parseHexJson(bad), `hex ${JSON.stringify(bad)}`);
    }
    assert.throws(() => primitives.Root.fromJson(`0x${"00".repeat(31)}`), /32/);
    assert.throws(() => primitives.BLSSignature.fromJson(`0x${"g0".repeat(96)}`), /invalid JSON hex/);
    assert.throws(() => t.bellatrix.ExecutionPayload.fields.extraData.fromJson(`0x${"00".repeat(33)}`), /32/);
  });

  test("bitfields: hex, and the bitlist length bit must be present", () => {
    const bits = t.phase0.Attestation.fields.aggregationBits;
    assert.throws(() => bits.fromJson("0x00"));
    assert.throws(() => bits.fromJson("0d"));
    assert.throws(() => t.altair.SyncSubnets.fromJson("0x1f"), "bits beyond the bitvector's length");
  });

  test("containers: every key required, lists checked element by element", () => {
    const json = t.phase0.Checkpoint.toJson({ epoch: 1, root: new Uint8Array(32) }) as Record<string, unknown>;
    const { root: _, ...missing } = json;
    assert.throws(() => t.phase0.Checkpoint.fromJson(missing), /root/);
    assert.throws(() => t.phase0.Balances.fromJson(["1", "x"]));
    assert.throws(() => t.phase0.Balances.fromJson("1"));
    assert.deepEqual(t.phase0.Balances.fromJson(["1", "32000000000"]), [1, 32000000000]);
  });
});
