// The state transition at mainnet scale, Sextant against the differential oracle (Lodestar's
// @lodestar/state-transition 1.46) on the same inputs in the same run: a fulu state (mainnet preset) with 100k
// and 1M validators (BENCH_TRANSITION_SIZES), loaded from SSZ bytes to a ready-to-process state (deserialize,
// caches, first hashTreeRoot), then the epoch transition (process_slots across the epoch boundary) and its re-hash.
// Each implementation and size runs in its own process so heap and peak RSS are its own. Measurements, not checks.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { installFastHasher } from "@sextant/consensus/hasher";
import { type CachedState, cloneCachedState, loadCachedState } from "@sextant/consensus/state/cachedState";
import { processSlots } from "@sextant/consensus/transition/stateTransition";
import { beaconConfigOf, oracleBeaconConfig } from "../support/dualState.ts";
import { useHashtreeHasher } from "../support/hashtreeHasher.ts";
import { loadOracle, oracleSkip } from "../support/oracle.ts";
import { fmtMs, gc, printTable, timeOnce } from "./harness.ts";
import { BENCH_CHAIN, benchPubkeys, buildBenchState } from "./support/bigState.ts";

const SIZES = (process.env.BENCH_TRANSITION_SIZES ?? "100000,1000000").split(",").map(Number);
const IMPLS = ["sextant", "lodestar"] as const;
type Impl = (typeof IMPLS)[number];

interface CaseResult {
  impl: Impl;
  validators: number;
  loadMs: number;
  /** Heap (V8 heapUsed) held by the loaded state and its caches, per validator. */
  heapBytesPerValidator: number;
  /** Off-heap buffers (typed arrays, native) held by the loaded state, per validator. */
  externalBytesPerValidator: number;
  epochMs: number[];
  rehashMs: number[];
  peakRssMiB: number;
}

// biome-ignore lint/suspicious/noExplicitAny: the oracle's API is untyped in this project
type Any = any;

interface Loaded {
  root(): Uint8Array;
  /** A mutable copy and a function that runs the epoch transition on it. */
  epochRun(): { run: () => void; rehash: () => void };
}

async function load(impl: Impl, bytes: Uint8Array): Promise<Loaded> {
  if (impl === "sextant") {
    const config = beaconConfigOf(BENCH_CHAIN);
    const cs: CachedState = loadCachedState(config, bytes);
    return {
      root: () => cs.state.hashTreeRoot(),
      epochRun() {
        const copy = cloneCachedState(cs);
        return { run: () => processSlots(copy, copy.state.slot + 1), rehash: () => copy.state.hashTreeRoot() };
      },
    };
  }
  const o = await loadOracle("mainnet");
  const view = o.types.ssz.fulu.BeaconState.deserializeToViewDU(bytes);
  const config = oracleBeaconConfig(o, BENCH_CHAIN, view.genesisValidatorsRoot);
  const state: Any = o.stateTransition.createCachedBeaconState(view, {
    config,
    pubkeyCache: o.stateTransition.createPubkeyCache(),
  });
  return {
    root: () => state.hashTreeRoot(),
    epochRun() {
      const copy: Any = state.clone();
      let post: Any = copy;
      return {
        run: () => {
          post = o.stateTransition.processSlots(copy, copy.slot + 1);
        },
        rehash: () => post.hashTreeRoot(),
      };
    },
  };
}

async function runCase(impl: Impl, n: number): Promise<CaseResult> {
  await installFastHasher();
  if (impl === "lodestar") {
    await loadOracle("mainnet");
    // The oracle's own merkle-tree copy defaults to a pure-JS hasher: give it the same native hasher as ours.
    await useHashtreeHasher();
  }
  const bytes = buildBenchState(n, benchPubkeys(n));
  gc();
  const before = process.memoryUsage();
  let loaded: Loaded | undefined;
  const loadMs = await timeOnce(async () => {
    loaded = await load(impl, bytes);
    loaded.root();
  });
  if (!loaded) throw new Error("not loaded");
  gc();
  const after = process.memoryUsage();
  const runs = n >= 1_000_000 ? 3 : 5;
  const epochMs: number[] = [];
  const rehashMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { run, rehash } = loaded.epochRun();
    epochMs.push(await timeOnce(run));
    rehashMs.push(await timeOnce(rehash));
    gc();
  }
  return {
    impl,
    validators: n,
    loadMs,
    heapBytesPerValidator: (after.heapUsed - before.heapUsed) / n,
    externalBytesPerValidator: (after.external - before.external) / n,
    epochMs,
    rehashMs,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (process.argv[2] === "--case") {
  const r = await runCase(process.argv[3] as Impl, Number(process.argv[4]));
  console.log(JSON.stringify(r));
} else {
  const skip = oracleSkip();
  const impls = skip ? (["sextant"] as const) : IMPLS;
  if (skip) console.log(`(oracle not installed, no ratios: ${skip})`);
  const results: CaseResult[] = [];
  for (const n of SIZES) {
    for (const impl of impls) {
      const child = spawnSync(
        process.execPath,
        ["--expose-gc", "--max-old-space-size=16384", fileURLToPath(import.meta.url), "--case", impl, String(n)],
        { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
      );
      if (child.status !== 0) {
        console.error(`case ${impl}/${n} failed with ${child.status ?? child.signal}`);
        continue;
      }
      results.push(JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}") as CaseResult);
    }
  }
  const find = (impl: Impl, n: number) => results.find((r) => r.impl === impl && r.validators === n);
  const ratio = (ours: number, theirs: number | undefined) => (theirs ? `${(ours / theirs).toFixed(2)}x` : "");
  printTable(
    "fulu epoch transition, mainnet preset (process_slots across the epoch boundary; median)",
    results.map((r) => {
      const ref = find("lodestar", r.validators);
      return {
        validators: r.validators.toLocaleString("en-US"),
        impl: r.impl,
        "epoch ms": fmtMs(median(r.epochMs)),
        "vs lodestar": r.impl === "sextant" ? ratio(median(r.epochMs), ref && median(ref.epochMs)) : "",
        "re-hash ms": fmtMs(median(r.rehashMs)),
        "epoch + re-hash ms": fmtMs(median(r.epochMs.map((x, i) => x + r.rehashMs[i]))),
        "(+ re-hash) vs lodestar":
          r.impl === "sextant" && ref
            ? ratio(
                median(r.epochMs.map((x, i) => x + r.rehashMs[i])),
                median(ref.epochMs.map((x, i) => x + ref.rehashMs[i])),
              )
            : "",
        "load to ready s": (r.loadMs / 1000).toFixed(2),
        "load vs lodestar": r.impl === "sextant" ? ratio(r.loadMs, ref?.loadMs) : "",
        "heap B/validator": r.heapBytesPerValidator.toFixed(0),
        "off-heap B/validator": r.externalBytesPerValidator.toFixed(0),
        "peak RSS MiB": r.peakRssMiB.toFixed(0),
      };
    }),
  );
}
