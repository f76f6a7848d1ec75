import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mainnetChainConfig } from "../../../../consensus/src/params/config/mainnet.ts";
import { minimalChainConfig } from "../../../../consensus/src/params/config/minimal.ts";
import {
  aggregateDueMs,
  attestationDueMs,
  contributionDueMs,
  isBeforeGenesis,
  msIntoSlot,
  msUntilNextSlot,
  msUntilSlot,
  proposerReorgCutoffMs,
  slotAtTime,
  slotComponentDueMs,
  slotDurationMs,
  syncMessageDueMs,
  timeAtSlot,
} from "../../../../consensus/src/time/index.ts";
import { Rng } from "../../../support/random.ts";

const RANDOM_CASES = 3000;
/** Mainnet genesis time (Dec 1, 2020, 12:00:23 UTC), seconds. */
const MAINNET_GENESIS = 1_606_824_023;

describe("slot duration", () => {
  test("SLOT_DURATION_MS wins when present", () => {
    assert.equal(slotDurationMs({ SECONDS_PER_SLOT: 12, SLOT_DURATION_MS: 6000 }), 6000);
    assert.equal(slotDurationMs(mainnetChainConfig), 12_000);
    assert.equal(slotDurationMs(minimalChainConfig), 6000);
  });

  test("falls back to SECONDS_PER_SLOT * 1000 without SLOT_DURATION_MS", () => {
    assert.equal(slotDurationMs({ SECONDS_PER_SLOT: 12 }), 12_000);
    assert.equal(slotDurationMs({ SECONDS_PER_SLOT: 5 }), 5000);
  });

  test("a zero, negative or fractional duration is rejected", () => {
    assert.throws(() => slotDurationMs({ SECONDS_PER_SLOT: 0 }), RangeError);
    assert.throws(() => slotDurationMs({ SECONDS_PER_SLOT: 12, SLOT_DURATION_MS: -1 }), RangeError);
    assert.throws(() => slotDurationMs({ SECONDS_PER_SLOT: 12, SLOT_DURATION_MS: 1.5 }), RangeError);
  });
});

describe("wall clock ↔ slot", () => {
  const cfg = { SECONDS_PER_SLOT: 12 };
  const g = MAINNET_GENESIS;
  const gMs = g * 1000;

  test("slot boundaries around genesis", () => {
    assert.equal(slotAtTime(g, gMs, cfg), 0);
    assert.equal(msIntoSlot(g, gMs, cfg), 0);
    assert.equal(msUntilNextSlot(g, gMs, cfg), 12_000);
    assert.equal(slotAtTime(g, gMs + 11_999, cfg), 0);
    assert.equal(slotAtTime(g, gMs + 12_000, cfg), 1);
    assert.equal(msIntoSlot(g, gMs + 12_001, cfg), 1);
    assert.equal(timeAtSlot(g, 0, cfg), gMs);
    assert.equal(timeAtSlot(g, 13_164_544, cfg), 1_764_798_551_000); // fulu: Dec 3, 2025 21:49:11 UTC
  });

  test("before genesis: slot 0 not started, negative time into slot, countdown to genesis", () => {
    const now = gMs - 2500;
    assert.equal(isBeforeGenesis(g, now), true);
    assert.equal(isBeforeGenesis(g, gMs), false);
    assert.equal(slotAtTime(g, now, cfg), 0);
    assert.equal(msIntoSlot(g, now, cfg), -2500);
    assert.equal(msUntilNextSlot(g, now, cfg), 2500);
    assert.equal(msUntilSlot(g, 0, now, cfg), 2500);
    assert.equal(msUntilSlot(g, 1, now, cfg), 14_500);
    // Far before genesis: still slot 0, never negative.
    assert.equal(slotAtTime(g, 0, cfg), 0);
  });

  test("random slots and offsets round-trip (SLOT_DURATION_MS and SECONDS_PER_SLOT configs)", () => {
    const rng = new Rng(402);
    const configs = [cfg, { SECONDS_PER_SLOT: 12, SLOT_DURATION_MS: 4000 }, minimalChainConfig];
    for (let i = 0; i < RANDOM_CASES; i++) {
      const config = configs[i % configs.length];
      const duration = slotDurationMs(config);
      const genesis = 1_500_000_000 + rng.int(500_000_000);
      const slot = rng.int(100_000_000);
      const offset = rng.int(duration);
      const now = timeAtSlot(genesis, slot, config) + offset;
      assert.equal(now, genesis * 1000 + slot * duration + offset);
      assert.equal(slotAtTime(genesis, now, config), slot);
      assert.equal(msIntoSlot(genesis, now, config), offset);
      assert.equal(msUntilNextSlot(genesis, now, config), duration - offset);
      assert.equal(msUntilSlot(genesis, slot + 1, now, config), duration - offset);
    }
  });
});

describe("due times within a slot (get_slot_component_duration_ms)", () => {
  test("mainnet 12 s slots: integer division rounds down", () => {
    assert.equal(attestationDueMs(mainnetChainConfig), 3999); // 3333 * 12000 / 10000 = 3999.6
    assert.equal(aggregateDueMs(mainnetChainConfig), 8000); // 6667 * 12000 / 10000 = 8000.4
    assert.equal(syncMessageDueMs(mainnetChainConfig), 3999);
    assert.equal(contributionDueMs(mainnetChainConfig), 8000);
    assert.equal(proposerReorgCutoffMs(mainnetChainConfig), 2000); // 1667 * 1.2 = 2000.4
  });

  test("minimal 6 s slots", () => {
    assert.equal(attestationDueMs(minimalChainConfig), 1999); // 1999.8
    assert.equal(aggregateDueMs(minimalChainConfig), 4000); // 4000.2
  });

  test("follows SECONDS_PER_SLOT when SLOT_DURATION_MS is absent", () => {
    assert.equal(slotComponentDueMs({ SECONDS_PER_SLOT: 6 }, 5000), 3000);
    assert.equal(slotComponentDueMs({ SECONDS_PER_SLOT: 6, SLOT_DURATION_MS: 2000 }, 5000), 1000);
    assert.equal(slotComponentDueMs({ SECONDS_PER_SLOT: 12 }, 0), 0);
    assert.equal(slotComponentDueMs({ SECONDS_PER_SLOT: 12 }, 10_000), 12_000);
  });

  test("random basis points match BigInt floor division", () => {
    const rng = new Rng(403);
    for (let i = 0; i < RANDOM_CASES; i++) {
      const ms = 1 + rng.int(60_000);
      const bps = rng.int(10_001);
      assert.equal(
        BigInt(slotComponentDueMs({ SECONDS_PER_SLOT: 1, SLOT_DURATION_MS: ms }, bps)),
        (BigInt(bps) * BigInt(ms)) / 10_000n,
      );
    }
  });

  test("basis points outside [0, 10000] are rejected", () => {
    assert.throws(() => slotComponentDueMs(mainnetChainConfig, 10_001), RangeError);
    assert.throws(() => slotComponentDueMs(mainnetChainConfig, -1), RangeError);
    assert.throws(() => slotComponentDueMs(mainnetChainConfig, 1.5), RangeError);
  });
});
