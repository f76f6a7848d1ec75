// Whole-list shuffling of 1M indices (mainnet: 90 rounds) and the selections built on it, ours against the oracle's
// in the same process. Lodestar 1.46 shuffles with @chainsafe/swap-or-not-shuffle, a native (Rust, napi) module;
// ours is TypeScript.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  computeEpochProposers,
  computeEpochShuffling,
  computeSlotSeed,
  computeSyncCommitteeIndices,
  unshuffleList,
} from "@sextant/consensus/committees/index";
import { mainnetPreset } from "@sextant/consensus/params/presets/mainnet";
import { loadOracle, oracleSkip } from "../support/oracle.ts";
import { Rng } from "../support/random.ts";
import { PROJECT_ROOT } from "../support/reference.ts";
import { bench, fmtMs, printTable } from "./harness.ts";

const N = Number(process.env.BENCH_SHUFFLE_SIZE ?? 1_000_000);
const ROUNDS = mainnetPreset.SHUFFLE_ROUND_COUNT;
const rng = new Rng(11);
const seed = rng.bytes(32);
const indices = Uint32Array.from({ length: N }, (_, i) => i);
const balances = new Array<number>(N).fill(32_000_000_000);
const balanceIncrements = new Uint16Array(N).fill(32);

const ours = [
  await bench(`unshuffle ${N.toLocaleString("en-US")} indices`, () => unshuffleList(indices.slice(), seed, ROUNDS), {
    maxRuns: 10,
    minRuns: 5,
  }),
  await bench("epoch shuffling (committees)", () => computeEpochShuffling(1, indices, seed, mainnetPreset), {
    maxRuns: 10,
    minRuns: 5,
  }),
  await bench(
    "epoch proposers (electra rule)",
    () => computeEpochProposers(balances, indices, seed, 1, "electra", mainnetPreset),
    { maxRuns: 10, minRuns: 5 },
  ),
  await bench(
    "sync committee (electra rule)",
    () => computeSyncCommitteeIndices(balances, indices, seed, "electra", mainnetPreset),
    { maxRuns: 10, minRuns: 5 },
  ),
];

const skip = oracleSkip();
const theirs: (number | undefined)[] = [];
if (skip === false) {
  const o = await loadOracle("mainnet");
  const mod = join(PROJECT_ROOT, "test/oracle/node_modules/@chainsafe/swap-or-not-shuffle/index.js");
  const native = await import(pathToFileURL(mod).href);
  theirs.push(
    (await bench("oracle unshuffle", () => native.unshuffleList(indices.slice(), seed, ROUNDS), { maxRuns: 10 }))
      .medianMs,
  );
  theirs.push(undefined);
  const startSlot = 1 * mainnetPreset.SLOTS_PER_EPOCH;
  theirs.push(
    (
      await bench(
        "oracle epoch proposers",
        () => {
          for (let i = 0; i < mainnetPreset.SLOTS_PER_EPOCH; i++) {
            native.computeProposerIndexElectra(
              computeSlotSeed(seed, startSlot + i),
              indices,
              balanceIncrements,
              o.params.MAX_EFFECTIVE_BALANCE_ELECTRA,
              o.params.EFFECTIVE_BALANCE_INCREMENT,
              ROUNDS,
            );
          }
        },
        { maxRuns: 10 },
      )
    ).medianMs,
  );
  theirs.push(
    (
      await bench(
        "oracle sync committee",
        () =>
          native.computeSyncCommitteeIndicesElectra(
            seed,
            indices,
            balanceIncrements,
            mainnetPreset.SYNC_COMMITTEE_SIZE,
            o.params.MAX_EFFECTIVE_BALANCE_ELECTRA,
            o.params.EFFECTIVE_BALANCE_INCREMENT,
            ROUNDS,
          ),
        { maxRuns: 10 },
      )
    ).medianMs,
  );
} else {
  console.log(`oracle column skipped: ${skip}`);
}

printTable(
  `Shuffling, mainnet preset (${ROUNDS} rounds), ${N.toLocaleString("en-US")} active validators`,
  ours.map((r, i) => ({
    operation: r.name,
    "Sextant ms": fmtMs(r.medianMs),
    "oracle ms (Lodestar 1.46, native)": theirs[i] === undefined ? "n/a" : fmtMs(theirs[i] as number),
    "Sextant / oracle time": theirs[i] === undefined ? "" : `${(r.medianMs / (theirs[i] as number)).toFixed(2)}`,
  })),
);
