// Tests of the beacon database's binary layouts: slot keys sort numerically as bytes, and the fixed SSZ offsets the
// store reads (block slot and parent root, state slot) agree with real SSZ encodings of every fork.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  beaconStateSlot,
  decodeBlockRecord,
  decodeSlotKey,
  decodeStateRecord,
  encodeBlockRecord,
  encodeSlotKey,
  encodeStateRecord,
  signedBlockParentRoot,
  signedBlockSlot,
} from "../../../../beacon/src/db/codec.ts";
import { isDbError } from "../../../../beacon/src/db/errors.ts";
import { FORK_NAMES } from "../../../../consensus/src/params/forkName.ts";
import { getSszTypes } from "../../../../consensus/src/types/index.ts";
import { Rng } from "../../../support/random.ts";

const t = getSszTypes("minimal");
const rng = new Rng(7);

describe("slot keys", () => {
  it("round-trip and compare bytewise like the numbers they encode", () => {
    const slots = [
      0,
      1,
      2,
      255,
      256,
      65_535,
      65_536,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 45 + 17,
      Number.MAX_SAFE_INTEGER,
    ];
    for (let i = 0; i < 200; i++) slots.push(Math.floor(rng.float() * 2 ** 40));
    for (const s of slots) assert.equal(decodeSlotKey(encodeSlotKey(s)), s);
    for (let i = 0; i < slots.length; i++) {
      for (let j = 0; j < slots.length; j += 7) {
        const bytes = Math.sign(Buffer.compare(encodeSlotKey(slots[i]), encodeSlotKey(slots[j])));
        assert.equal(bytes, Math.sign(slots[i] - slots[j]), `${slots[i]} vs ${slots[j]}`);
      }
    }
  });

  it("refuses negative, fractional and unsafe slots", () => {
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN]) {
      assert.throws(
        () => encodeSlotKey(bad),
        (e: unknown) => isDbError(e, "DB_INVALID_ARGUMENT"),
      );
    }
  });
});

describe("fixed SSZ offsets", () => {
  it("read slot and parent root from a SignedBeaconBlock of every fork, and from blinded blocks", () => {
    for (const fork of FORK_NAMES) {
      const types = t[fork];
      const block = types.SignedBeaconBlock.defaultValue();
      block.message.slot = 123_456_789_012;
      block.message.parentRoot = rng.bytes(32);
      const bytes = types.SignedBeaconBlock.serialize(block as never);
      assert.equal(signedBlockSlot(bytes), 123_456_789_012, fork);
      assert.deepEqual(signedBlockParentRoot(bytes), block.message.parentRoot, fork);
      const record = decodeBlockRecord(encodeBlockRecord(fork, bytes));
      assert.equal(record.fork, fork);
      assert.equal(record.slot, 123_456_789_012);
      assert.deepEqual(new Uint8Array(record.bytes), bytes);
    }
    const blinded = t.deneb.SignedBlindedBeaconBlock.defaultValue();
    blinded.message.slot = 42;
    assert.equal(signedBlockSlot(t.deneb.SignedBlindedBeaconBlock.serialize(blinded)), 42);
  });

  it("read the slot of a BeaconState of every fork", () => {
    for (const fork of FORK_NAMES) {
      const types = t[fork];
      const state = types.BeaconState.defaultValue();
      state.slot = 9_876_543;
      const bytes = types.BeaconState.serialize(state as never);
      assert.equal(beaconStateSlot(bytes), 9_876_543, fork);
      const { record, slot } = encodeStateRecord(fork, bytes);
      assert.equal(slot, 9_876_543);
      const decoded = decodeStateRecord(record);
      assert.equal(decoded.fork, fork);
      assert.equal(decoded.slot, 9_876_543);
      assert.deepEqual(new Uint8Array(decoded.bytes), bytes);
    }
  });

  it("reports a state record whose header slot contradicts its bytes as corrupt", () => {
    const state = t.phase0.BeaconState.defaultValue();
    state.slot = 5;
    const { record } = encodeStateRecord("phase0", t.phase0.BeaconState.serialize(state));
    record[1 + "phase0".length + 7] = 6; // header slot 5 → 6
    assert.throws(
      () => decodeStateRecord(record),
      (e: unknown) => isDbError(e, "DB_CORRUPT"),
    );
    const block = new Uint8Array(
      encodeBlockRecord("phase0", t.phase0.SignedBeaconBlock.serialize(t.phase0.SignedBeaconBlock.defaultValue())),
    );
    block[1] = "x".charCodeAt(0);
    assert.throws(
      () => decodeBlockRecord(block),
      (e: unknown) => isDbError(e, "DB_CORRUPT"),
    );
  });
});
