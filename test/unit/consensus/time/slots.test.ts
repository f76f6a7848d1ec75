import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mainnetPreset } from "../../../../consensus/src/params/presets/mainnet.ts";
import { minimalPreset } from "../../../../consensus/src/params/presets/minimal.ts";
import {
  endSlotOfEpoch,
  epochAtSlot,
  isEpochStartSlot,
  slotInEpoch,
  startEpochOfSyncPeriod,
  startSlotOfEpoch,
  syncPeriodAtEpoch,
  syncPeriodAtSlot,
} from "../../../../consensus/src/time/index.ts";
import { Rng } from "../../../support/random.ts";

const RANDOM_CASES = 2000;

describe("slot / epoch arithmetic", () => {
  test("mainnet fixed values (32 slots per epoch, 256 epochs per sync period)", () => {
    assert.equal(epochAtSlot(0, mainnetPreset), 0);
    assert.equal(epochAtSlot(31, mainnetPreset), 0);
    assert.equal(epochAtSlot(32, mainnetPreset), 1);
    assert.equal(epochAtSlot(13_164_544, mainnetPreset), 411_392); // mainnet fulu fork slot
    assert.equal(startSlotOfEpoch(411_392, mainnetPreset), 13_164_544);
    assert.equal(endSlotOfEpoch(0, mainnetPreset), 31);
    assert.equal(slotInEpoch(33, mainnetPreset), 1);
    assert.equal(isEpochStartSlot(64, mainnetPreset), true);
    assert.equal(isEpochStartSlot(65, mainnetPreset), false);
    assert.equal(syncPeriodAtEpoch(255, mainnetPreset), 0);
    assert.equal(syncPeriodAtEpoch(256, mainnetPreset), 1);
    assert.equal(syncPeriodAtSlot(256 * 32 - 1, mainnetPreset), 0);
    assert.equal(syncPeriodAtSlot(256 * 32, mainnetPreset), 1);
    assert.equal(startEpochOfSyncPeriod(3, mainnetPreset), 768);
  });

  test("minimal fixed values (8 slots per epoch, 8 epochs per sync period)", () => {
    assert.equal(epochAtSlot(7, minimalPreset), 0);
    assert.equal(epochAtSlot(8, minimalPreset), 1);
    assert.equal(startSlotOfEpoch(3, minimalPreset), 24);
    assert.equal(slotInEpoch(23, minimalPreset), 7);
    assert.equal(syncPeriodAtEpoch(16, minimalPreset), 2);
    assert.equal(syncPeriodAtSlot(63, minimalPreset), 0);
    assert.equal(syncPeriodAtSlot(64, minimalPreset), 1);
  });

  test("random slots decompose into epoch start + position (BigInt cross-check)", () => {
    const rng = new Rng(401);
    for (const preset of [mainnetPreset, minimalPreset]) {
      const spe = BigInt(preset.SLOTS_PER_EPOCH);
      for (let i = 0; i < RANDOM_CASES; i++) {
        const slot = rng.int(2 ** 40);
        const epoch = epochAtSlot(slot, preset);
        assert.equal(BigInt(epoch), BigInt(slot) / spe);
        assert.equal(BigInt(slotInEpoch(slot, preset)), BigInt(slot) % spe);
        assert.equal(startSlotOfEpoch(epoch, preset) + slotInEpoch(slot, preset), slot);
        assert.ok(endSlotOfEpoch(epoch, preset) >= slot);
        assert.equal(
          BigInt(syncPeriodAtSlot(slot, preset)),
          BigInt(slot) / spe / BigInt(preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD),
        );
      }
    }
  });

  test("negative, fractional and unsafe inputs are rejected", () => {
    assert.throws(() => epochAtSlot(-1, mainnetPreset), RangeError);
    assert.throws(() => epochAtSlot(1.5, mainnetPreset), RangeError);
    assert.throws(() => startSlotOfEpoch(Number.NaN, mainnetPreset), RangeError);
    assert.throws(() => slotInEpoch(2 ** 53, mainnetPreset), RangeError);
    assert.throws(() => syncPeriodAtEpoch(Infinity, mainnetPreset), RangeError);
  });
});
