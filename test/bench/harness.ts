// A small benchmark harness: runs a function repeatedly, reports per-op time and ops/s as a table. Numbers
// printed here are measurements, never assertions (tests make no timing claims).
import { performance } from "node:perf_hooks";

export interface BenchResult {
  name: string;
  runs: number;
  /** Median wall time of one run, ms. */
  medianMs: number;
  minMs: number;
  /** Operations per second derived from the median (× opsPerRun). */
  opsPerSec: number;
}

export interface BenchOptions {
  /** Stop after this many runs… */
  maxRuns?: number;
  /** …or after this much total time, whichever first (at least minRuns). */
  maxTimeMs?: number;
  minRuns?: number;
  warmupRuns?: number;
  /** How many operations one call of fn performs (e.g. 64 for a batch of 64 signatures). */
  opsPerRun?: number;
  /** Runs before each measured run, untimed. */
  beforeEach?: () => void;
}

export async function bench(name: string, fn: () => unknown, opts: BenchOptions = {}): Promise<BenchResult> {
  const { maxRuns = 1000, maxTimeMs = 3000, minRuns = 3, warmupRuns = 1, opsPerRun = 1 } = opts;
  for (let i = 0; i < warmupRuns; i++) {
    opts.beforeEach?.();
    await fn();
  }
  const times: number[] = [];
  const start = performance.now();
  while (times.length < maxRuns && (times.length < minRuns || performance.now() - start < maxTimeMs)) {
    opts.beforeEach?.();
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const medianMs = times[Math.floor(times.length / 2)];
  return { name, runs: times.length, medianMs, minMs: times[0], opsPerSec: (1000 / medianMs) * opsPerRun };
}

/** Wall time of one call, ms. */
export async function timeOnce(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

export function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4);
}

/** Prints a table with a title: columns are the keys of the first row. */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  const cells = rows.map((r) => cols.map((c) => String(r[c] ?? "")));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  // First column (the label) left-aligned, figures right-aligned.
  const line = (vals: string[]) =>
    `| ${vals.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(" | ")} |`;
  console.log(`\n### ${title}\n`);
  console.log(line(cols));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of cells) console.log(line(r));
}

/** Forces a full GC when the process runs with --expose-gc (memory figures are then comparable). */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
