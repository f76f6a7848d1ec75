// Block processing of a full block at mainnet scale, Sextant against the differential oracle (Lodestar's
// @lodestar/state-transition 1.46) on the same inputs in the same run: for each fork (BENCH_BLOCK_FORKS, default
// fulu and deneb) and registry size (BENCH_BLOCK_SIZES, default 100k and 1M validators), a bench state
// (support/bigState.ts) is advanced by one slot and a full block for the next slot is built and signed once with our
// code (support/bigBlock.ts). Both implementations load that advanced state's bytes, check the block once with every
// signature and the state root (the bench aborts if either rejects it), then time the whole state_transition
// (process_slots + process_block + state root) on fresh clones, with signature checks and without, so the table
// shows processing and BLS cost apart; the first run after loading (the check) is shown on its own, as lazily filled
// caches make it slower. One process builds the inputs, one process runs each implementation.
// Both use the native hashtree merkle hasher (Lodestar's nodes do; the oracle's library default is pure JS).
// Measurements, not checks.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { installFastHasher } from "@sextant/consensus/hasher";
import { type CachedState, cloneCachedState, loadCachedState } from "@sextant/consensus/state/cachedState";
import type { AnySignedBeaconBlock } from "@sextant/consensus/transition/blockTypes";
import { stateTransition } from "@sextant/consensus/transition/stateTransition";
import { beaconConfigOf, oracleBeaconConfig } from "../support/dualState.ts";
import { useHashtreeHasher } from "../support/hashtreeHasher.ts";
import { loadOracle, oracleSkip } from "../support/oracle.ts";
import { fmtMs, gc, printTable, timeOnce } from "./harness.ts";
import { type BenchBlock, buildBenchBlock } from "./support/bigBlock.ts";
import { BENCH_CHAIN, type BenchFork, benchPubkeys, buildBenchStateWithCommittees } from "./support/bigState.ts";

const SIZES = (process.env.BENCH_BLOCK_SIZES ?? "100000,1000000").split(",").map(Number);
const FORKS = (process.env.BENCH_BLOCK_FORKS ?? "fulu,deneb").split(",") as BenchFork[];
const IMPLS = ["sextant", "lodestar"] as const;
type Impl = (typeof IMPLS)[number];

// biome-ignore lint/suspicious/noExplicitAny: the oracle's API is untyped in this project
type Any = any;

/** What the build process reports (the block's make-up; its bytes go to files). */
type BuildInfo = Omit<BenchBlock, "stateBytes" | "blockBytes"> & { buildMs: number };

interface CaseResult {
  impl: Impl;
  fork: BenchFork;
  validators: number;
  loadMs: number;
  /**
   * The first run after loading (signatures checked): what caches filled lazily cost (ours deserializes each public
   * key the first time it signs; Lodestar's library deserializes all of them while loading).
   */
  firstRunMs: number;
  /** state_transition with every signature checked (one batch for ours, one by one for Lodestar's library). */
  withSignaturesMs: number[];
  /** The same without signature checks. */
  withoutSignaturesMs: number[];
  peakRssMiB: number;
}

const STATE_FILE = "state.ssz";
const BLOCK_FILE = "block.ssz";

/** Builds the bench state and its full block, writes the advanced state and the block to `dir`. */
async function build(fork: BenchFork, n: number, dir: string): Promise<BuildInfo> {
  const status = await installFastHasher();
  if (!status.fast) throw new Error(`hashtree hasher unavailable: ${status.reason}`);
  const t0 = performance.now();
  const built = buildBenchStateWithCommittees(n, benchPubkeys(n), { fork });
  const cs = loadCachedState(beaconConfigOf(BENCH_CHAIN), built.bytes);
  if (cs.fork !== fork) throw new Error(`the bench state loaded as ${cs.fork}, not ${fork}`);
  const { stateBytes, blockBytes, ...info } = buildBenchBlock(cs, { syncCommittee: built.currentSyncCommittee });
  writeFileSync(join(dir, STATE_FILE), stateBytes);
  writeFileSync(join(dir, BLOCK_FILE), blockBytes);
  return { ...info, buildMs: performance.now() - t0 };
}

interface Loaded {
  /** One state_transition of the block on a fresh clone of the loaded state; returns the time it took. */
  transition(verifySignatures: boolean): Promise<number>;
}

async function load(impl: Impl, fork: BenchFork, stateBytes: Uint8Array, blockBytes: Uint8Array): Promise<Loaded> {
  if (impl === "sextant") {
    const config = beaconConfigOf(BENCH_CHAIN);
    const cs: CachedState = loadCachedState(config, stateBytes, fork);
    cs.state.hashTreeRoot();
    const signed = (config.types[fork].SignedBeaconBlock as Any).deserialize(blockBytes) as AnySignedBeaconBlock;
    return {
      async transition(verifySignatures) {
        const clone = cloneCachedState(cs);
        return timeOnce(() => stateTransition(clone, signed, { verifySignatures, verifyStateRoot: true }));
      },
    };
  }
  const o = await loadOracle("mainnet");
  const view = o.types.ssz[fork].BeaconState.deserializeToViewDU(stateBytes);
  const config = oracleBeaconConfig(o, BENCH_CHAIN, view.genesisValidatorsRoot);
  const state: Any = o.stateTransition.createCachedBeaconState(view, {
    config,
    pubkeyCache: o.stateTransition.createPubkeyCache(),
  });
  state.hashTreeRoot();
  const signed = o.types.ssz[fork].SignedBeaconBlock.deserialize(blockBytes);
  return {
    async transition(verifySignatures) {
      const clone = state.clone();
      return timeOnce(() =>
        o.stateTransition.stateTransition(clone, signed, {
          verifyStateRoot: true,
          verifyProposer: verifySignatures,
          verifySignatures,
          executionPayloadStatus: o.stateTransition.ExecutionPayloadStatus.valid,
          dataAvailabilityStatus: o.stateTransition.DataAvailabilityStatus.Available,
        }),
      );
    },
  };
}

async function runCase(impl: Impl, fork: BenchFork, n: number, dir: string): Promise<CaseResult> {
  const status = await installFastHasher();
  if (!status.fast) throw new Error(`hashtree hasher unavailable: ${status.reason}`);
  if (impl === "lodestar") {
    await loadOracle("mainnet");
    // The oracle's own copy of persistent-merkle-tree, switched to hashtree as ours is.
    await useHashtreeHasher();
  }
  const stateBytes = readFileSync(join(dir, STATE_FILE));
  const blockBytes = readFileSync(join(dir, BLOCK_FILE));
  let loaded: Loaded | undefined;
  const loadMs = await timeOnce(async () => {
    loaded = await load(impl, fork, stateBytes, blockBytes);
  });
  if (!loaded) throw new Error("not loaded");
  // The check (and warm-up): the block passes with every signature and the state root, then without signatures.
  let firstRunMs: number;
  try {
    firstRunMs = await loaded.transition(true);
    await loaded.transition(false);
  } catch (e) {
    throw new Error(`${impl} rejects the bench block (${fork}, ${n} validators): ${e instanceof Error ? e.stack : e}`);
  }
  gc();
  const runs = n >= 1_000_000 ? 3 : 5;
  const withSignaturesMs: number[] = [];
  const withoutSignaturesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    withSignaturesMs.push(await loaded.transition(true));
    gc();
    withoutSignaturesMs.push(await loaded.transition(false));
    gc();
  }
  return {
    impl,
    fork,
    validators: n,
    loadMs,
    firstRunMs,
    withSignaturesMs,
    withoutSignaturesMs,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs this file as a child process with `args`; returns its last stdout line parsed, or exits the bench. */
function child<T>(args: string[], what: string): T {
  const r = spawnSync(
    process.execPath,
    ["--expose-gc", "--max-old-space-size=16384", fileURLToPath(import.meta.url), ...args],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) {
    throw new Error(`${what} failed (exit ${r.status ?? r.signal}): the bench is aborted, no numbers are valid`);
  }
  return JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as T;
}

if (process.argv[2] === "--build") {
  const [fork, n, dir] = process.argv.slice(3);
  console.log(JSON.stringify(await build(fork as BenchFork, Number(n), dir)));
} else if (process.argv[2] === "--case") {
  const [impl, fork, n, dir] = process.argv.slice(3);
  console.log(JSON.stringify(await runCase(impl as Impl, fork as BenchFork, Number(n), dir)));
} else {
  const skip = oracleSkip();
  const impls = skip ? (["sextant"] as const) : IMPLS;
  if (skip) console.log(`(oracle not installed, no ratios: ${skip})`);
  const results: (CaseResult & { info: BuildInfo })[] = [];
  const dir = mkdtempSync(join(tmpdir(), "sextant-block-bench-"));
  let failed = false;
  try {
    for (const fork of FORKS) {
      for (const n of SIZES) {
        const info = child<BuildInfo>(["--build", fork, String(n), dir], `building the ${fork} block at ${n}`);
        console.error(
          `${fork} ${n}: block at slot ${info.slot}, ${info.attestations} attestations, ${info.attesters} attesters, ` +
            `${info.syncParticipants} sync participants, ${info.withdrawals} withdrawals (built in ${(info.buildMs / 1000).toFixed(1)} s)`,
        );
        for (const impl of impls) {
          const r = child<CaseResult>(["--case", impl, fork, String(n), dir], `${impl} ${fork} ${n}`);
          results.push({ ...r, info });
        }
      }
    }
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    failed = true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // A rejected block or a crashed case makes every figure suspect: no table.
  if (failed) process.exit(1);
  const find = (r: CaseResult) =>
    results.find((x) => x.impl === "lodestar" && x.fork === r.fork && x.validators === r.validators);
  const ratio = (ours: number, theirs: number | undefined) => (theirs ? `${(ours / theirs).toFixed(2)}x` : "");
  printTable(
    "full block, mainnet preset: state_transition of one block (process_slots, process_block, state root; median ms)",
    results.map((r) => {
      const ref = find(r);
      const sig = median(r.withSignaturesMs);
      const noSig = median(r.withoutSignaturesMs);
      const ours = r.impl === "sextant";
      return {
        fork: r.fork,
        validators: r.validators.toLocaleString("en-US"),
        impl: r.impl,
        attestations: r.info.attestations,
        attesters: r.info.attesters.toLocaleString("en-US"),
        "ms, signatures": fmtMs(sig),
        "sextant/lodestar": ours ? ratio(sig, ref && median(ref.withSignaturesMs)) : "",
        "ms, no signatures": fmtMs(noSig),
        "sextant/lodestar, no sigs": ours ? ratio(noSig, ref && median(ref.withoutSignaturesMs)) : "",
        "signatures ms": fmtMs(sig - noSig),
        "first run ms": fmtMs(r.firstRunMs),
        "load s": (r.loadMs / 1000).toFixed(2),
        "peak RSS MiB": r.peakRssMiB.toFixed(0),
      };
    }),
  );
}
