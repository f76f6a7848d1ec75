// The slot clock on a fake time source: slot/epoch arithmetic, due points (basis points and thirds), the slot
// loop over many slots, stalls (skipped slots are not replayed), abort, failing and slow handlers; and FakeTime.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mainnetChainConfig } from "../../../../consensus/src/params/config/mainnet.ts";
import { duePoints, SystemSlotClock } from "../../../../validator/src/clock/slotClock.ts";
import { systemTime } from "../../../../validator/src/clock/time.ts";
import { FakeTime } from "../../../support/fakeTime.ts";

const GENESIS_SEC = 1_600_000_000;
const GENESIS_MS = GENESIS_SEC * 1000;
const SLOT_MS = 12_000;
/** An old node's config: SECONDS_PER_SLOT only, no DUE_BPS. */
const OLD_CONFIG = { SECONDS_PER_SLOT: 12 };

function clockAt(startMs: number, config: Parameters<typeof duePoints>[0] = OLD_CONFIG) {
  const time = new FakeTime(startMs);
  const clock = new SystemSlotClock({ genesisTimeSec: GENESIS_SEC, config, slotsPerEpoch: 32, time });
  return { time, clock };
}

describe("SystemSlotClock arithmetic", () => {
  it("slot and epoch from the time, -1 before genesis", () => {
    const { time, clock } = clockAt(GENESIS_MS - 1);
    assert.equal(clock.currentSlot(), -1);
    assert.equal(clock.currentEpoch(), -1);
    const t2 = new FakeTime(GENESIS_MS);
    const c2 = new SystemSlotClock({ genesisTimeSec: GENESIS_SEC, config: OLD_CONFIG, slotsPerEpoch: 32, time: t2 });
    assert.equal(c2.currentSlot(), 0);
    assert.equal(c2.currentEpoch(), 0);
    const t3 = new FakeTime(GENESIS_MS + 33 * SLOT_MS - 1);
    const c3 = new SystemSlotClock({ genesisTimeSec: GENESIS_SEC, config: OLD_CONFIG, slotsPerEpoch: 32, time: t3 });
    assert.equal(c3.currentSlot(), 32);
    assert.equal(c3.currentEpoch(), 1);
    assert.equal(clock.epochAtSlot(63), 1);
    assert.equal(clock.epochAtSlot(64), 2);
    assert.equal(clock.startSlotOfEpoch(3), 96);
    assert.equal(clock.timeAtSlot(10), GENESIS_MS + 10 * SLOT_MS);
    assert.equal(clock.timeAtSlot(10, 4000), GENESIS_MS + 10 * SLOT_MS + 4000);
    assert.equal(clock.slotDurationMs, SLOT_MS);
    assert.equal(time.now(), GENESIS_MS - 1);
  });

  it("SLOT_DURATION_MS wins over SECONDS_PER_SLOT", () => {
    const { clock } = clockAt(GENESIS_MS, { SECONDS_PER_SLOT: 12, SLOT_DURATION_MS: 6000 });
    assert.equal(clock.slotDurationMs, 6000);
    assert.equal(clock.timeAtSlot(2), GENESIS_MS + 12_000);
  });

  it("due points from *_DUE_BPS (mainnet config: 1/3 and 2/3 in basis points)", () => {
    const due = duePoints(mainnetChainConfig);
    assert.deepEqual(due, { attestation: 3999, aggregate: 8000, syncMessage: 3999, contribution: 8000 });
    const custom = duePoints({
      SECONDS_PER_SLOT: 12,
      SLOT_DURATION_MS: 6000,
      ATTESTATION_DUE_BPS: 2500,
      AGGREGATE_DUE_BPS: 5000,
      SYNC_MESSAGE_DUE_BPS: 2500,
      CONTRIBUTION_DUE_BPS: 7500,
    });
    assert.deepEqual(custom, { attestation: 1500, aggregate: 3000, syncMessage: 1500, contribution: 4500 });
  });

  it("due points in thirds when the config has no DUE_BPS", () => {
    assert.deepEqual(duePoints(OLD_CONFIG), {
      attestation: 4000,
      aggregate: 8000,
      syncMessage: 4000,
      contribution: 8000,
    });
    assert.deepEqual(duePoints({ SECONDS_PER_SLOT: 5 }), {
      attestation: 1666,
      aggregate: 3333,
      syncMessage: 1666,
      contribution: 3333,
    });
  });

  it("sleepUntilSlot wakes at the slot + offset, at once when past, rejects on abort", async () => {
    const { time, clock } = clockAt(GENESIS_MS + 5 * SLOT_MS + 100);
    const ac = new AbortController();
    let woke = 0;
    const p = clock.sleepUntilSlot(6, 4000, ac.signal).then(() => {
      woke = time.now();
    });
    await time.advanceTo(GENESIS_MS + 6 * SLOT_MS + 3999);
    assert.equal(woke, 0);
    await time.advance(1);
    await p;
    assert.equal(woke, GENESIS_MS + 6 * SLOT_MS + 4000);
    await clock.sleepUntilSlot(2, 0, ac.signal); // past: at once
    const pending = clock.sleepUntilSlot(100, 0, ac.signal);
    ac.abort(new Error("stop"));
    await assert.rejects(pending, /stop/);
    assert.equal(time.pendingSleepers(), 0);
  });
});

describe("SystemSlotClock.onEverySlot", () => {
  it("calls every slot start in order over many slots, starting with the next slot", async () => {
    const { time, clock } = clockAt(GENESIS_MS + 7 * SLOT_MS + 5000);
    const calls: [number, number, number][] = [];
    const ac = new AbortController();
    const loop = clock.onEverySlot(
      (slot, _signal, skipped) => {
        calls.push([slot, skipped, time.now()]);
      },
      ac.signal,
      (err) => assert.fail(err as Error),
    );
    await time.advanceTo(GENESIS_MS + 107 * SLOT_MS + 1);
    ac.abort();
    await loop;
    assert.equal(calls.length, 100);
    calls.forEach(([slot, skipped, at], i) => {
      assert.equal(slot, 8 + i);
      assert.equal(skipped, 0);
      assert.equal(at, GENESIS_MS + slot * SLOT_MS);
    });
  });

  it("waits for genesis before the first slot", async () => {
    const { time, clock } = clockAt(GENESIS_MS - 3 * 86_400_000);
    const calls: number[] = [];
    const ac = new AbortController();
    const loop = clock.onEverySlot(
      (slot) => void calls.push(slot),
      ac.signal,
      () => {},
    );
    await time.advanceTo(GENESIS_MS - 1);
    assert.deepEqual(calls, []);
    await time.advance(1);
    assert.deepEqual(calls, [0]);
    await time.advance(SLOT_MS);
    assert.deepEqual(calls, [0, 1]);
    ac.abort();
    await loop;
  });

  it("after a stall of 5 slots the handler sees the current slot once, skipped = 4, nothing replayed", async () => {
    // The time source stands for a machine that slept: the loop's sleep for slot 11 only returns at 15.5.
    const startMs = GENESIS_MS + 10 * SLOT_MS;
    const base = new FakeTime(startMs);
    let stallUntil = 0;
    const stalling = {
      now: () => base.now(),
      sleep: async (ms: number, signal?: AbortSignal) => {
        await base.sleep(ms, signal);
        if (stallUntil > base.now()) await base.sleep(stallUntil - base.now(), signal);
      },
    };
    const clock = new SystemSlotClock({
      genesisTimeSec: GENESIS_SEC,
      config: OLD_CONFIG,
      slotsPerEpoch: 32,
      time: stalling,
    });
    const calls: [number, number][] = [];
    const ac = new AbortController();
    const loop = clock.onEverySlot(
      (slot, _s, skipped) => void calls.push([slot, skipped]),
      ac.signal,
      () => {},
    );
    stallUntil = GENESIS_MS + 15 * SLOT_MS + 6000; // asleep from slot 10 to the middle of slot 15
    await base.advanceTo(GENESIS_MS + 15 * SLOT_MS + 6000);
    assert.deepEqual(calls, [[15, 4]]);
    stallUntil = 0;
    await base.advanceTo(GENESIS_MS + 17 * SLOT_MS);
    assert.deepEqual(calls, [
      [15, 4],
      [16, 0],
      [17, 0],
    ]);
    ac.abort();
    await loop;
  });

  it("abort stops the loop: no call after it, no pending sleep left", async () => {
    const { time, clock } = clockAt(GENESIS_MS);
    const calls: number[] = [];
    const ac = new AbortController();
    const loop = clock.onEverySlot(
      (slot) => void calls.push(slot),
      ac.signal,
      () => {},
    );
    await time.advance(3 * SLOT_MS);
    ac.abort();
    await loop;
    await time.advance(10 * SLOT_MS);
    assert.deepEqual(calls, [1, 2, 3]);
    assert.equal(time.pendingSleepers(), 0);
  });

  it("a handler that throws or rejects goes to onError and the loop carries on", async () => {
    const { time, clock } = clockAt(GENESIS_MS);
    const errors: [string, number][] = [];
    const calls: number[] = [];
    const ac = new AbortController();
    const loop = clock.onEverySlot(
      (slot) => {
        calls.push(slot);
        if (slot === 2) throw new Error("sync boom");
        if (slot === 3) return Promise.reject(new Error("async boom"));
      },
      ac.signal,
      (err, slot) => errors.push([(err as Error).message, slot]),
    );
    await time.advance(5 * SLOT_MS);
    ac.abort();
    await loop;
    assert.deepEqual(calls, [1, 2, 3, 4, 5]);
    assert.deepEqual(errors, [
      ["sync boom", 2],
      ["async boom", 3],
    ]);
  });

  it("a slow handler does not delay the next slot's call", async () => {
    const { time, clock } = clockAt(GENESIS_MS);
    const started: [number, number][] = [];
    const finished: number[] = [];
    const ac = new AbortController();
    const loop = clock.onEverySlot(
      async (slot, signal) => {
        started.push([slot, time.now()]);
        if (slot === 1) {
          await time.sleep(3 * SLOT_MS, signal).catch(() => {}); // runs over three slots
        }
        finished.push(slot);
      },
      ac.signal,
      () => {},
    );
    await time.advance(4 * SLOT_MS);
    assert.deepEqual(
      started,
      [1, 2, 3, 4].map((s) => [s, GENESIS_MS + s * SLOT_MS]),
    );
    assert.deepEqual(finished, [2, 3, 1, 4]);
    ac.abort();
    await loop;
  });
});

describe("FakeTime", () => {
  it("fires sleepers in time order and lets a woken loop schedule its next sleep in the same advance", async () => {
    const time = new FakeTime(1000);
    const fired: string[] = [];
    void time.sleep(300).then(() => fired.push(`b@${time.now()}`));
    void time.sleep(100).then(() => fired.push(`a@${time.now()}`));
    void (async () => {
      for (let i = 0; i < 3; i++) {
        await time.sleep(150);
        fired.push(`loop${i}@${time.now()}`);
      }
    })();
    assert.equal(time.pendingSleepers(), 3);
    await time.advance(500);
    assert.deepEqual(fired, ["a@1100", "loop0@1150", "b@1300", "loop1@1300", "loop2@1450"]);
    assert.equal(time.now(), 1500);
    assert.equal(time.pendingSleepers(), 0);
  });

  it("abort rejects with the signal's reason and removes the sleeper; zero sleeps resolve at once", async () => {
    const time = new FakeTime(0);
    const ac = new AbortController();
    const p = time.sleep(1000, ac.signal);
    assert.equal(time.pendingSleepers(), 1);
    const reason = new Error("gone");
    ac.abort(reason);
    await assert.rejects(p, (err) => err === reason);
    assert.equal(time.pendingSleepers(), 0);
    await assert.rejects(time.sleep(5, ac.signal), (err) => err === reason);
    await time.sleep(0);
    await assert.rejects(time.advanceTo(-1), RangeError);
  });
});

describe("systemTime", () => {
  it("sleeps on real timers and rejects with the abort reason", async () => {
    const t0 = systemTime.now();
    await systemTime.sleep(5);
    assert.ok(systemTime.now() >= t0 + 4);
    const ac = new AbortController();
    const p = systemTime.sleep(60_000, ac.signal);
    const reason = new Error("stop");
    ac.abort(reason);
    await assert.rejects(p, (err) => err === reason);
    await assert.rejects(systemTime.sleep(1, ac.signal), (err) => err === reason);
  });
});
