import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  computeBeaconProposerIndex,
  computeBeaconProposerIndices,
  computeEpochProposers,
  computeProposerIndex,
  computeProposerIndices,
  computeSeed,
  computeSlotSeed,
  computeSyncCommitteeIndices,
  getLookaheadProposer,
  initializeProposerLookahead,
  type ProposerInputsAt,
  processProposerLookahead,
  proposerLookaheadLength,
  randaoMixIndexForSeed,
  type SamplingPreset,
} from "../../../../consensus/src/committees/index.ts";
import { FORK_NAMES, type ForkName, isForkAtLeast } from "../../../../consensus/src/params/forkName.ts";
import { mainnetPreset } from "../../../../consensus/src/params/presets/mainnet.ts";
import { minimalPreset } from "../../../../consensus/src/params/presets/minimal.ts";
import { Rng } from "../../../support/random.ts";
import { sha256, specSample, uintToBytes } from "./specModel.ts";

/** Gwei per ETH. */
const ETH = 1_000_000_000;

/** Effective balances in Gwei for `n` validators: mostly 32 ETH, some lower (incl. 0), some compounding. */
function balances(rng: Rng, n: number, opts: { maxEth: number; odd?: boolean }): Float64Array {
  const out = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    const r = rng.int(10);
    out[v] = (r < 6 ? 32 : r < 8 ? rng.int(33) : 32 + rng.int(opts.maxEth - 31)) * ETH;
    // Balances that are not multiples of the increment take the exact BigInt comparison.
    if (opts.odd && rng.bool()) out[v] += 1 + rng.int(ETH - 1);
  }
  return out;
}

function activeSubset(rng: Rng, n: number): Uint32Array {
  const out: number[] = [];
  for (let v = 0; v < n; v++) if (rng.int(8) !== 0 || out.length === 0) out.push(v);
  return Uint32Array.from(out);
}

describe("computeProposerIndex", () => {
  test("matches the spec transcription under the phase0 and electra rules", () => {
    const rng = new Rng(31);
    let cases = 0;
    const forks: ForkName[] = ["phase0", "deneb", "electra", "fulu"];
    for (const fork of forks) {
      const electra = isForkAtLeast(fork, "electra");
      // 1 … 100: the whole permutation is built after the first attempt; 5000: after 20 attempts (a switch mid-way
      // on the electra rule); 100,000: lazy lookups throughout.
      for (const n of [1, 2, 3, 100, 5000, 100_000]) {
        const eb = balances(rng, n, { maxEth: electra ? 2048 : 32, odd: n === 100 });
        const active = activeSubset(rng, n);
        for (let k = 0; k < 3; k++) {
          const seed = rng.bytes(32);
          const ours = computeProposerIndex(eb, active, seed, fork, minimalPreset);
          assert.equal(ours, specSample(eb, active, seed, electra, minimalPreset, 1)[0], `${fork} n=${n}`);
          cases++;
        }
      }
    }
    // Mainnet's 90 rounds on a few cases.
    for (const fork of ["capella", "electra"] as const) {
      const eb = balances(rng, 300, { maxEth: 2048 });
      const active = activeSubset(rng, 300);
      const seed = rng.bytes(32);
      const expected = specSample(eb, active, seed, fork === "electra", mainnetPreset, 1)[0];
      assert.equal(computeProposerIndex(eb, active, seed, fork, mainnetPreset), expected);
      cases++;
    }
    assert.equal(cases, 74);
  });

  test("switching from lazy lookups to the whole permutation part-way gives the same proposer", () => {
    // 32 ETH validators under the electra rule: each attempt succeeds with probability 1/64, so many draws take
    // more than n / 256 attempts, where the implementation precomputes the whole permutation.
    const rng = new Rng(38);
    const n = 5000;
    const eb = new Float64Array(n).fill(32 * ETH);
    const active = Uint32Array.from({ length: n }, (_, i) => i);
    let switched = 0;
    for (let k = 0; k < 8; k++) {
      const seed = rng.bytes(32);
      const stats = { attempts: 0 };
      const expected = specSample(eb, active, seed, true, minimalPreset, 1, stats)[0];
      assert.equal(computeProposerIndex(eb, active, seed, "electra", minimalPreset), expected);
      if (stats.attempts > Math.ceil(n / 256)) switched++;
    }
    assert.ok(switched >= 2, `only ${switched} draws went past the switch point`);
  });

  test("the two rules differ: a 2048 ETH validator dominates only from electra on", () => {
    // 1 whale (2048 ETH) among 63 validators of 32 ETH. Under the phase0 rule every validator is accepted on its
    // first try (32 ETH is the maximum), so the whale wins ~1/64 of slots; under electra it holds half the stake.
    const eb = new Float64Array(64).fill(32 * ETH);
    eb[0] = 2048 * ETH;
    const active = Uint32Array.from({ length: 64 }, (_, i) => i);
    let whalePhase0 = 0;
    let whaleElectra = 0;
    const rng = new Rng(32);
    for (let k = 0; k < 200; k++) {
      const seed = rng.bytes(32);
      if (computeProposerIndex(eb, active, seed, "deneb", minimalPreset) === 0) whalePhase0++;
      if (computeProposerIndex(eb, active, seed, "electra", minimalPreset) === 0) whaleElectra++;
    }
    assert.ok(whalePhase0 < 20, `phase0 whale share ${whalePhase0}/200`);
    assert.ok(whaleElectra > 60, `electra whale share ${whaleElectra}/200`);
  });

  test("rejects an empty set, a bad seed and a missing balance", () => {
    const seed = new Uint8Array(32);
    assert.throws(() => computeProposerIndex([], [], seed, "phase0", minimalPreset), RangeError);
    assert.throws(() => computeProposerIndex([32 * ETH], [0], new Uint8Array(31), "phase0", minimalPreset), RangeError);
    assert.throws(() => computeProposerIndex([32 * ETH], [5], seed, "phase0", minimalPreset), RangeError);
  });

  test("a preset whose maximum is not a multiple of the increment takes the exact path", () => {
    const odd: SamplingPreset = { ...minimalPreset, MAX_EFFECTIVE_BALANCE: 32 * ETH + 12_345 };
    const rng = new Rng(33);
    const eb = balances(rng, 50, { maxEth: 32 });
    const active = activeSubset(rng, 50);
    for (let k = 0; k < 10; k++) {
      const seed = rng.bytes(32);
      assert.equal(
        computeProposerIndex(eb, active, seed, "altair", odd),
        specSample(eb, active, seed, false, odd, 1)[0],
      );
    }
  });
});

describe("epoch proposers", () => {
  test("slot seeds are hash(epoch seed + uint64(slot)) and every slot matches computeProposerIndex", () => {
    const rng = new Rng(34);
    const eb = balances(rng, 500, { maxEth: 2048 });
    const active = activeSubset(rng, 500);
    const epochSeed = rng.bytes(32);
    const epoch = 123_456;
    for (const fork of ["bellatrix", "fulu"] as const) {
      const proposers = computeEpochProposers(eb, active, epochSeed, epoch, fork, mainnetPreset);
      assert.equal(proposers.length, 32);
      for (let i = 0; i < 32; i++) {
        const slot = epoch * 32 + i;
        const slotSeed = sha256(epochSeed, uintToBytes(slot, 8));
        assert.deepEqual(computeSlotSeed(epochSeed, slot), slotSeed);
        assert.equal(proposers[i], computeProposerIndex(eb, active, slotSeed, fork, mainnetPreset));
        assert.equal(proposers[i], computeBeaconProposerIndex(eb, active, epochSeed, slot, fork, mainnetPreset));
      }
      assert.deepEqual(computeProposerIndices(eb, active, epochSeed, epoch, fork, mainnetPreset), proposers);
    }
  });
});

describe("fulu proposer lookahead", () => {
  const rng = new Rng(35);
  const eb = balances(rng, 400, { maxEth: 2048 });
  const inputsAt: ProposerInputsAt = (epoch) => ({
    activeIndices: Uint32Array.from({ length: 400 }, (_, i) => i).filter((v) => (v + epoch) % 5 !== 0),
    effectiveBalances: eb,
    seed: sha256(uintToBytes(epoch, 8)),
  });

  test("initialization covers the current and the next MIN_SEED_LOOKAHEAD epochs", () => {
    for (const preset of [minimalPreset, mainnetPreset]) {
      const slots = preset.SLOTS_PER_EPOCH;
      assert.equal(proposerLookaheadLength(preset), 2 * slots);
      const lookahead = initializeProposerLookahead(10, inputsAt, preset);
      assert.equal(lookahead.length, 2 * slots);
      for (const [i, epoch] of [10, 11].entries()) {
        const { activeIndices, seed } = inputsAt(epoch);
        const expected = computeEpochProposers(eb, activeIndices, seed, epoch, "electra", preset);
        assert.deepEqual(lookahead.subarray(i * slots, (i + 1) * slots), expected);
        assert.deepEqual(computeBeaconProposerIndices(epoch, inputsAt, preset), expected);
      }
    }
  });

  test("each epoch transition shifts one epoch out and appends epoch current + 2", () => {
    const preset = minimalPreset;
    const slots = preset.SLOTS_PER_EPOCH;
    let lookahead = initializeProposerLookahead(10, inputsAt, preset);
    for (let current = 10; current < 14; current++) {
      const before = lookahead.slice();
      const next = processProposerLookahead(lookahead, current, inputsAt, preset);
      assert.deepEqual(lookahead, before, "input not modified");
      assert.deepEqual(next.subarray(0, slots), before.subarray(slots));
      assert.deepEqual(next.subarray(slots), computeBeaconProposerIndices(current + 2, inputsAt, preset));
      // After the transition the state is in epoch current + 1; the lookahead equals a fresh initialization.
      assert.deepEqual(next, initializeProposerLookahead(current + 1, inputsAt, preset));
      lookahead = next;
    }
    assert.throws(() => processProposerLookahead(new Uint32Array(3), 10, inputsAt, preset), RangeError);
  });

  test("getLookaheadProposer reads the window and rejects slots outside it", () => {
    const preset = minimalPreset;
    const lookahead = initializeProposerLookahead(10, inputsAt, preset);
    assert.equal(getLookaheadProposer(lookahead, 10, 80, preset), lookahead[0]);
    assert.equal(getLookaheadProposer(lookahead, 10, 95, preset), lookahead[15]);
    assert.throws(() => getLookaheadProposer(lookahead, 10, 79, preset), RangeError);
    assert.throws(() => getLookaheadProposer(lookahead, 10, 96, preset), RangeError);
  });
});

describe("computeSyncCommitteeIndices", () => {
  test("matches the spec transcription under the altair and electra rules", () => {
    const rng = new Rng(36);
    let cases = 0;
    for (const fork of FORK_NAMES.filter((f) => f !== "phase0")) {
      const electra = isForkAtLeast(fork, "electra");
      // 30,000 on the altair rule stays on lazy lookups (~40 attempts < 30,000 / 256); the others precompute the
      // whole permutation.
      for (const n of [1, 7, 1000, 30_000]) {
        if (n === 30_000 && electra) continue;
        const eb = balances(rng, n, { maxEth: electra ? 2048 : 32, odd: n === 7 });
        const active = activeSubset(rng, n);
        const seed = rng.bytes(32);
        const ours = computeSyncCommitteeIndices(eb, active, seed, fork, minimalPreset);
        assert.equal(ours.length, minimalPreset.SYNC_COMMITTEE_SIZE);
        assert.deepEqual(Array.from(ours), specSample(eb, active, seed, electra, minimalPreset, 32), `${fork} n=${n}`);
        cases++;
      }
    }
    assert.equal(cases, 22);
  });

  test("returns SYNC_COMMITTEE_SIZE members with repeats on tiny sets; rejects phase0 and an empty set", () => {
    const eb = [32 * ETH, 32 * ETH];
    const members = computeSyncCommitteeIndices(eb, [0, 1], new Uint8Array(32), "altair", mainnetPreset);
    assert.equal(members.length, 512);
    assert.deepEqual(new Set(members), new Set([0, 1]));
    assert.throws(
      () => computeSyncCommitteeIndices(eb, [0, 1], new Uint8Array(32), "phase0", mainnetPreset),
      RangeError,
    );
    assert.throws(() => computeSyncCommitteeIndices(eb, [], new Uint8Array(32), "altair", mainnetPreset), RangeError);
  });
});

describe("seeds", () => {
  test("computeSeed = hash(domain + uint64(epoch) + mix)", () => {
    const rng = new Rng(37);
    for (let k = 0; k < 50; k++) {
      const mix = rng.bytes(32);
      const domain = rng.bytes(4);
      const epoch = k < 2 ? k : rng.int(2 ** 40);
      assert.deepEqual(computeSeed(mix, domain, epoch), sha256(domain, uintToBytes(epoch, 8), mix));
    }
    assert.throws(() => computeSeed(new Uint8Array(32), new Uint8Array(3), 0), RangeError);
    assert.throws(() => computeSeed(new Uint8Array(31), new Uint8Array(4), 0), RangeError);
  });

  test("randaoMixIndexForSeed reads epoch - MIN_SEED_LOOKAHEAD - 1 without underflow", () => {
    const vector = mainnetPreset.EPOCHS_PER_HISTORICAL_VECTOR;
    assert.equal(randaoMixIndexForSeed(0, mainnetPreset), vector - 2);
    assert.equal(randaoMixIndexForSeed(1, mainnetPreset), vector - 1);
    assert.equal(randaoMixIndexForSeed(2, mainnetPreset), 0);
    assert.equal(randaoMixIndexForSeed(vector + 7, mainnetPreset), 5);
    assert.equal(randaoMixIndexForSeed(0, minimalPreset), minimalPreset.EPOCHS_PER_HISTORICAL_VECTOR - 2);
  });
});
