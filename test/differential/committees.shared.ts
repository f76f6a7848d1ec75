// Differential checks of consensus/src/committees against the Lodestar oracle, shared by the minimal and mainnet
// test files (one preset per process). Lodestar's functions read a state; they get minimal stand-ins carrying
// only the fields those functions touch (randao mixes, slot, epochCtx, proposer lookahead).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import {
  computeCommitteeAssignments,
  computeEpochProposers,
  computeEpochShuffling,
  computeProposerIndex,
  computeSeed,
  computeShuffledIndex,
  computeSyncCommitteeIndices,
  createShuffledIndexFn,
  getBeaconCommittee,
  initializeProposerLookahead,
  isAggregator,
  isSyncCommitteeAggregator,
  type ProposerInputsAt,
  processProposerLookahead,
  randaoMixIndexForSeed,
  shuffleList,
  unshuffleList,
} from "../../consensus/src/committees/index.ts";
import type { ForkName } from "../../consensus/src/params/forkName.ts";
import { mainnetPreset } from "../../consensus/src/params/presets/mainnet.ts";
import { minimalPreset } from "../../consensus/src/params/presets/minimal.ts";
import type { Preset } from "../../consensus/src/params/presets/preset.ts";
import { loadOracle, type Oracle, type OraclePreset, oracleSkip } from "../support/oracle.ts";
import { Rng } from "../support/random.ts";
import { PROJECT_ROOT } from "../support/reference.ts";

// biome-ignore lint/suspicious/noExplicitAny: the oracle's modules are untyped here
type Any = any;

/** Gwei per ETH (EFFECTIVE_BALANCE_INCREMENT in both presets). */
const GWEI_PER_ETH = 1_000_000_000;

const ORACLE_MODULES = join(PROJECT_ROOT, "test", "oracle", "node_modules");

/** Lodestar's own shuffling package (a dependency of the oracle's state-transition), for rounds other than the preset's. */
async function loadSwapOrNot(): Promise<Any> {
  return import(pathToFileURL(join(ORACLE_MODULES, "@chainsafe", "swap-or-not-shuffle", "index.js")).href);
}

/**
 * Lodestar's fulu lookahead functions, which its package root does not export: imported by file from the same
 * files the root loads (after `loadOracle`), so they share its @lodestar/params instance and preset.
 */
async function loadLookahead(): Promise<{ initializeProposerLookahead: Any; processProposerLookahead: Any }> {
  const lib = join(ORACLE_MODULES, "@lodestar", "state-transition", "lib");
  const fulu = await import(pathToFileURL(join(lib, "util", "fulu.js")).href);
  const epoch = await import(pathToFileURL(join(lib, "epoch", "processProposerLookahead.js")).href);
  return {
    initializeProposerLookahead: fulu.initializeProposerLookahead,
    processProposerLookahead: epoch.processProposerLookahead,
  };
}

/** A deterministic RANDAO mix per vector index, and a stand-in state whose `randaoMixes.get` serves them. */
function mixAt(index: number): Uint8Array {
  const rng = new Rng(1_000_003 + index);
  return rng.bytes(32);
}
function stateWithMixes(extra: Record<string, unknown> = {}): Any {
  return { randaoMixes: { get: (i: number) => mixAt(i) }, ...extra };
}

/** A validator registry: effective balances in Gwei (ours) and in increments (Lodestar's Uint16Array). */
interface Registry {
  balances: Float64Array;
  increments: Uint16Array;
  active: Uint32Array;
}

/**
 * `count` validators, about 90% active; effective balances mostly 32 ETH, some 0–32 ETH, some compounding up to
 * `maxEth` (electra's 2048 ETH is only reachable from electra on, but the sampling arithmetic takes any value).
 */
function makeRegistry(rng: Rng, count: number, maxEth: number): Registry {
  const increments = new Uint16Array(count);
  const activeList: number[] = [];
  for (let v = 0; v < count; v++) {
    const r = rng.int(10);
    increments[v] = r < 7 ? 32 : r < 9 ? rng.int(33) : 32 + rng.int(maxEth - 31);
    if (rng.int(10) !== 0) activeList.push(v);
  }
  if (activeList.length === 0 && count > 0) activeList.push(0);
  const balances = Float64Array.from(increments, (x) => x * GWEI_PER_ETH);
  return { balances, increments, active: Uint32Array.from(activeList) };
}

function u32(xs: ArrayLike<number>): number[] {
  return Array.from(xs);
}

/** Registers every differential test for one preset; `scale` sizes are chosen so both files fit the time budget. */
export function registerCommitteeDifferential(presetName: OraclePreset): void {
  const preset: Preset = presetName === "mainnet" ? mainnetPreset : minimalPreset;
  const skip = oracleSkip();
  let oracle: Oracle;
  let st: Any;
  let sos: Any;
  let lookaheadOracle: Any;
  const counts: Record<string, number> = {};
  const count = (name: string, n = 1): void => {
    counts[name] = (counts[name] ?? 0) + n;
  };

  test.before(async () => {
    if (skip) return;
    oracle = await loadOracle(presetName);
    st = oracle.stateTransition;
    sos = await loadSwapOrNot();
    lookaheadOracle = await loadLookahead();
    assert.equal(oracle.params.SHUFFLE_ROUND_COUNT, preset.SHUFFLE_ROUND_COUNT);
    assert.equal(oracle.params.SLOTS_PER_EPOCH, preset.SLOTS_PER_EPOCH);
  });
  test.after(() => {
    if (skip) return;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`committees differential (${presetName}): ${total} cases compared ${JSON.stringify(counts)}`);
  });

  test("computeShuffledIndex and createShuffledIndexFn match the oracle", { skip }, () => {
    const rng = new Rng(11);
    const rounds = preset.SHUFFLE_ROUND_COUNT;
    const sizes = [1, 2, 3, 5, 7, 13, 255, 256, 257, 1000, 65_537, 1_000_000, 2 ** 31 + 11, 2 ** 32 - 1];
    for (const n of sizes) {
      for (let k = 0; k < 12; k++) {
        const seed = rng.bytes(32);
        const index = k === 0 ? 0 : k === 1 ? n - 1 : rng.int(n);
        assert.equal(computeShuffledIndex(index, n, seed, rounds), st.computeShuffledIndex(index, n, seed), `n=${n}`);
        count("computeShuffledIndex");
      }
    }
    // Other round counts against Lodestar's native shuffler class.
    for (let k = 0; k < 40; k++) {
      const n = 1 + rng.int(k < 20 ? 600 : 5_000_000);
      const r = rng.int(120);
      const seed = rng.bytes(32);
      const ours = createShuffledIndexFn(n, seed, r);
      const theirs = new sos.ComputeShuffledIndex(seed, n, r);
      for (let j = 0; j < 25; j++) {
        const i = rng.int(n);
        assert.equal(ours(i), theirs.get(i), `n=${n} rounds=${r} i=${i}`);
        count("createShuffledIndexFn");
      }
    }
  });

  test("whole-list shuffle and unshuffle match the oracle, up to 1,000,000 indices", { skip }, () => {
    const rng = new Rng(12);
    const sizes = [0, 1, 2, 3, 5, 7, 11, 13, 31, 255, 256, 257, 1023, 4099];
    for (let k = 0; k < 10; k++) sizes.push(1 + rng.int(20_000));
    sizes.push(100_003);
    if (presetName === "mainnet") sizes.push(1_000_000);
    for (const n of sizes) {
      const list = new Uint32Array(n);
      for (let i = 0; i < n; i++) list[i] = rng.nextU32();
      const roundsList = n >= 100_000 ? [preset.SHUFFLE_ROUND_COUNT] : [preset.SHUFFLE_ROUND_COUNT, 1 + rng.int(120)];
      for (const rounds of roundsList) {
        const seed = rng.bytes(32);
        const un = unshuffleList(list.slice(), seed, rounds);
        assert.deepEqual(un, sos.unshuffleList(list, seed, rounds), `unshuffle n=${n} rounds=${rounds}`);
        count("unshuffleList");
        if (n >= 100_000) continue;
        const sh = shuffleList(list.slice(), seed, rounds);
        assert.deepEqual(sh, sos.shuffleList(list, seed, rounds), `shuffle n=${n} rounds=${rounds}`);
        count("shuffleList");
      }
    }
  });

  test("seeds match getSeed", { skip }, () => {
    const rng = new Rng(13);
    const domains = [oracle.params.DOMAIN_BEACON_ATTESTER, oracle.params.DOMAIN_BEACON_PROPOSER, rng.bytes(4)];
    for (let k = 0; k < 60; k++) {
      const epoch = k < 3 ? k : rng.int(k < 30 ? 1_000_000 : 2 ** 40);
      const domain = domains[k % domains.length];
      const ours = computeSeed(mixAt(randaoMixIndexForSeed(epoch, preset)), domain, epoch);
      assert.deepEqual(ours, st.getSeed(stateWithMixes(), epoch, domain), `epoch ${epoch}`);
      count("computeSeed");
    }
  });

  test("epoch shuffling, committees and assignments match computeEpochShuffling", { skip }, () => {
    const rng = new Rng(14);
    // The mainnet sizes reach the 64-committees-per-slot cap (≥ 262,144 active validators).
    const big = presetName === "mainnet" ? [300_000] : [20_000];
    const sizes = [0, 1, 2, 7, 64, 65, 257, 1000, 4096 + 5, ...big];
    for (const n of sizes) {
      const registry = makeRegistry(rng, n, 32);
      const epoch = rng.int(100_000);
      const seed = computeSeed(
        mixAt(randaoMixIndexForSeed(epoch, preset)),
        oracle.params.DOMAIN_BEACON_ATTESTER,
        epoch,
      );
      const ours = computeEpochShuffling(epoch, registry.active, seed, preset);
      const theirs = st.computeEpochShuffling(stateWithMixes(), registry.active, epoch);
      assert.deepEqual(ours.shuffling, theirs.shuffling);
      assert.equal(ours.committeesPerSlot, theirs.committeesPerSlot);
      for (let s = 0; s < preset.SLOTS_PER_EPOCH; s++) {
        for (let c = 0; c < ours.committeesPerSlot; c++) {
          const slot = epoch * preset.SLOTS_PER_EPOCH + s;
          assert.deepEqual(getBeaconCommittee(ours, slot, c), st.getBeaconCommittee(theirs, slot, c));
          count("getBeaconCommittee");
        }
      }
      const wanted = Array.from({ length: 50 }, () => rng.int(n + 10));
      const ourDuties = computeCommitteeAssignments(ours, wanted);
      const theirDuties: Map<number, Any> = st.calculateCommitteeAssignments(theirs, wanted);
      assert.equal(ourDuties.size, theirDuties.size);
      for (const [v, d] of theirDuties) {
        assert.deepEqual({ ...ourDuties.get(v) }, { ...d, validatorIndex: v });
        count("computeCommitteeAssignments");
      }
    }
  });

  const forks: ForkName[] = ["phase0", "deneb", "electra", "fulu"];
  // Largest active set on which Lodestar's spec-literal (slow) selection functions also run.
  const naiveLimit = presetName === "mainnet" ? 100 : 5000;

  test("proposer indices under both rules match computeProposerIndex / computeProposers", { skip }, () => {
    const rng = new Rng(15);
    for (const fork of forks) {
      const maxEth = fork === "phase0" || fork === "deneb" ? 32 : 2048;
      for (const n of [1, 2, 3, 100, 5000, presetName === "mainnet" ? 200_000 : 30_000]) {
        const registry = makeRegistry(rng, n, maxEth);
        for (let k = 0; k < 6; k++) {
          const seed = rng.bytes(32);
          const ours = computeProposerIndex(registry.balances, registry.active, seed, fork, preset);
          const forkSeq = oracle.params.ForkSeq[fork];
          assert.equal(ours, st.computeProposerIndex(forkSeq, registry.increments, registry.active, seed));
          // Lodestar's spec-literal version too (slow: two hashes per round per attempt), on the small sets.
          if (n <= naiveLimit) {
            assert.equal(ours, st.naiveComputeProposerIndex(forkSeq, registry.increments, registry.active, seed));
            count(`naiveComputeProposerIndex.${fork}`);
          }
          count(`computeProposerIndex.${fork}`);
        }
        const epoch = rng.int(1_000_000);
        const epochSeed = rng.bytes(32);
        const ours = computeEpochProposers(registry.balances, registry.active, epochSeed, epoch, fork, preset);
        const theirs = st.computeProposers(
          oracle.params.ForkSeq[fork],
          epochSeed,
          { epoch, activeIndices: registry.active },
          registry.increments,
        );
        assert.deepEqual(u32(ours), theirs);
        count(`computeEpochProposers.${fork}`);
      }
    }
  });

  test("fulu proposer lookahead: initialization and per-epoch shift match the oracle", { skip }, () => {
    const rng = new Rng(16);
    const n = presetName === "mainnet" ? 50_000 : 5_000;
    const registry = makeRegistry(rng, n, 2048);
    // The active set changes from epoch to epoch: each epoch drops a few validators.
    const activeAt = (epoch: number): Uint32Array => registry.active.filter((v) => (v * 7 + epoch) % 97 !== 0);
    const inputsAt: ProposerInputsAt = (epoch) => ({
      activeIndices: activeAt(epoch),
      effectiveBalances: registry.balances,
      seed: computeSeed(mixAt(randaoMixIndexForSeed(epoch, preset)), oracle.params.DOMAIN_BEACON_PROPOSER, epoch),
    });
    let epoch = 1000 + rng.int(1000);
    const epochCtx = (e: number): Any => ({
      epoch: e,
      getShufflingAtEpochOrNull: () => null,
      currentShuffling: { activeIndices: activeAt(e) },
      nextActiveIndices: activeAt(e + 1),
      effectiveBalanceIncrements: registry.increments,
    });
    let lookahead = initializeProposerLookahead(epoch, inputsAt, preset);
    const theirInit = lookaheadOracle.initializeProposerLookahead(stateWithMixes({ epochCtx: epochCtx(epoch) }));
    assert.deepEqual(u32(lookahead), theirInit);
    count("initializeProposerLookahead");
    for (let step = 0; step < 4; step++) {
      const state = stateWithMixes({
        epochCtx: epochCtx(epoch),
        proposerLookahead: { getAll: () => u32(lookahead) },
      });
      const cache = { nextShufflingActiveIndices: activeAt(epoch + preset.MIN_SEED_LOOKAHEAD + 1) };
      lookaheadOracle.processProposerLookahead(oracle.params.ForkSeq.fulu, state, cache);
      lookahead = processProposerLookahead(lookahead, epoch, inputsAt, preset);
      assert.deepEqual(u32(lookahead), state.proposerLookahead.getAll());
      count("processProposerLookahead");
      epoch++;
    }
  });

  test("sync committee selection (altair and electra rules) matches getNextSyncCommitteeIndices", { skip }, () => {
    const rng = new Rng(17);
    const syncForks: ForkName[] = ["altair", "deneb", "electra", "fulu"];
    for (const fork of syncForks) {
      const maxEth = fork === "altair" || fork === "deneb" ? 32 : 2048;
      const sizes = [1, 3, 100, presetName === "mainnet" ? 100_000 : 10_000];
      for (const n of sizes) {
        const registry = makeRegistry(rng, n, maxEth);
        const slot = rng.int(10_000_000);
        const nextEpoch = Math.floor(slot / preset.SLOTS_PER_EPOCH) + 1;
        const seed = computeSeed(
          mixAt(randaoMixIndexForSeed(nextEpoch, preset)),
          oracle.params.DOMAIN_SYNC_COMMITTEE,
          nextEpoch,
        );
        const ours = computeSyncCommitteeIndices(registry.balances, registry.active, seed, fork, preset);
        const state = stateWithMixes({ slot });
        const forkSeq = oracle.params.ForkSeq[fork];
        assert.equal(ours.length, preset.SYNC_COMMITTEE_SIZE);
        assert.deepEqual(ours, st.getNextSyncCommitteeIndices(forkSeq, state, registry.active, registry.increments));
        if (n <= naiveLimit && presetName === "minimal") {
          const naive = st.naiveGetNextSyncCommitteeIndices(forkSeq, state, registry.active, registry.increments);
          assert.deepEqual(u32(ours), naive);
          count(`naiveGetNextSyncCommitteeIndices.${fork}`);
        }
        count(`computeSyncCommitteeIndices.${fork}`);
      }
    }
  });

  test("aggregator selection matches isAggregatorFromCommitteeLength / isSyncCommitteeAggregator", { skip }, () => {
    const rng = new Rng(18);
    let selected = 0;
    for (let k = 0; k < 3000; k++) {
      const signature = rng.bytes(96);
      // Every length below 40, then mostly realistic committee sizes, some up to a whole electra slot.
      const length = k < 40 ? k : rng.int(k % 10 === 0 ? preset.MAX_VALIDATORS_PER_COMMITTEE * 64 + 1 : 2049);
      const ours = isAggregator(length, signature);
      assert.equal(ours, st.isAggregatorFromCommitteeLength(length, signature), `length ${length}`);
      if (ours) selected++;
      assert.equal(isSyncCommitteeAggregator(signature, preset), st.isSyncCommitteeAggregator(signature));
      count("isAggregator");
      count("isSyncCommitteeAggregator");
    }
    assert.ok(selected > 40, "some signatures must select an aggregator");
  });
}
