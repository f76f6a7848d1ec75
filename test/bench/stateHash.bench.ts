// hashTreeRoot of a fulu BeaconState (mainnet preset) with 16k, 100k and 1M validators: the first hash of a freshly
// built tree and the re-hash after changing 1% of balances, with each merkle hasher (hashtree: native SIMD, installed
// by installFastHasher at startup; as-sha256: WebAssembly; noble: pure JS, persistent-merkle-tree's default), plus
// heap and RSS once the state is built and hashed. Each case runs in its own process so memory figures are its own.
import { spawnSync } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { fileURLToPath } from "node:url";
import { setHasher } from "@chainsafe/persistent-merkle-tree";
import { hasher as asSha256 } from "@chainsafe/persistent-merkle-tree/hasher/as-sha256";
import { hasher as noble } from "@chainsafe/persistent-merkle-tree/hasher/noble";
import { activeHasherName, installFastHasher } from "@sextant/consensus/hasher";
import { getSszTypes } from "@sextant/consensus/types/index";
import { fmtMs, gc, mib, printTable, timeOnce } from "./harness.ts";

const SIZES = (process.env.BENCH_STATE_SIZES ?? "16384,100000,1000000").split(",").map(Number);
const HASHERS = (process.env.BENCH_HASHERS ?? "hashtree,as-sha256,noble").split(",");
/** Share of balances changed before the re-hash. */
const CHANGED_SHARE = 0.01;
const MAX_EFFECTIVE_BALANCE = 32_000_000_000;

interface CaseResult {
  validators: number;
  hasher: string;
  buildMs: number;
  firstHashMs: number;
  rehashMs: number;
  heapMiB: number;
  rssMiB: number;
}

async function runCase(n: number, hasherName: string): Promise<CaseResult> {
  if (hasherName === "hashtree") {
    const status = await installFastHasher();
    if (!status.fast) throw new Error(`hashtree unavailable: ${status.reason}`);
  } else setHasher(hasherName === "as-sha256" ? asSha256 : noble);
  if (activeHasherName() !== hasherName) throw new Error(`wanted ${hasherName}, active ${activeHasherName()}`);

  const { BeaconState } = getSszTypes("mainnet").fulu;
  const value = BeaconState.defaultValue();
  const keys = randomFillSync(Buffer.alloc(n * 48));
  const creds = randomFillSync(Buffer.alloc(n * 32));
  for (let i = 0; i < n; i++) {
    value.validators.push({
      pubkey: keys.subarray(i * 48, i * 48 + 48),
      withdrawalCredentials: creds.subarray(i * 32, i * 32 + 32),
      effectiveBalance: MAX_EFFECTIVE_BALANCE,
      slashed: false,
      activationEligibilityEpoch: 0,
      activationEpoch: 0,
      exitEpoch: Number.POSITIVE_INFINITY,
      withdrawableEpoch: Number.POSITIVE_INFINITY,
    });
    value.balances.push(MAX_EFFECTIVE_BALANCE + (i % 1000));
    value.inactivityScores.push(0);
    value.previousEpochParticipation.push(7);
    value.currentEpochParticipation.push(3);
  }
  let state = BeaconState.toViewDU(value);
  const buildMs = await timeOnce(() => {
    state = BeaconState.toViewDU(value);
  });
  const firstHashMs = await timeOnce(() => state.hashTreeRoot());
  const changed = Math.max(1, Math.floor(n * CHANGED_SHARE));
  const step = Math.floor(n / changed);
  for (let i = 0; i < changed; i++) state.balances.set(i * step, MAX_EFFECTIVE_BALANCE - i);
  const rehashMs = await timeOnce(() => state.hashTreeRoot());
  value.validators.length = 0; // keep only the tree for the memory figure
  gc();
  const mem = process.memoryUsage();
  return {
    validators: n,
    hasher: hasherName,
    buildMs,
    firstHashMs,
    rehashMs,
    heapMiB: Number(mib(mem.heapUsed)),
    rssMiB: Number(mib(mem.rss)),
  };
}

if (process.argv[2] === "--case") {
  const r = await runCase(Number(process.argv[3]), process.argv[4]);
  console.log(JSON.stringify(r));
} else {
  const results: CaseResult[] = [];
  for (const n of SIZES) {
    for (const h of HASHERS) {
      const child = spawnSync(
        process.execPath,
        ["--expose-gc", "--max-old-space-size=16384", fileURLToPath(import.meta.url), "--case", String(n), h],
        { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
      );
      if (child.status !== 0) throw new Error(`case ${n}/${h} failed with ${child.status ?? child.signal}`);
      results.push(JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}") as CaseResult);
    }
  }
  const byKey = new Map(results.map((r) => [`${r.validators}/${r.hasher}`, r]));
  printTable(
    "fulu BeaconState hashTreeRoot (mainnet preset)",
    results.map((r) => {
      const ref = byKey.get(`${r.validators}/noble`);
      return {
        validators: r.validators.toLocaleString("en-US"),
        hasher: r.hasher,
        "build tree ms": fmtMs(r.buildMs),
        "first hash ms": fmtMs(r.firstHashMs),
        "re-hash 1% balances ms": fmtMs(r.rehashMs),
        "first hash vs noble": ref ? `${(ref.firstHashMs / r.firstHashMs).toFixed(1)}x` : "",
        "heap MiB": r.heapMiB,
        "RSS MiB": r.rssMiB,
      };
    }),
  );
}
