// The validator client under test: `sextant validator` (our CLI on Node 24, JSON log lines saved per run, Prometheus
// metrics on a free port) or, while ours is being built, Lodestar 1.5.1's validator client as a stand-in that
// proves the harness. Both sign with the 64 interop keys.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Fork, PROJECT_ROOT, startLodestarValidator, VALIDATOR_COUNT } from "./lodestar.ts";
import { freePort, type Proc, startProcess } from "./procs.ts";
import { getJson, getText, sumMetric } from "./rest.ts";

export type VcKind = "sextant" | "lodestar";

/** A started validator client. */
export interface ValidatorClient {
  readonly kind: VcKind;
  readonly proc: Proc;
  /** Metrics URL (sextant only). */
  readonly metricsUrl?: string;
}

export interface VcOptions {
  kind: VcKind;
  runDir: string;
  fork: Fork;
  /** Beacon node URLs in order of preference (usually the counting proxies). */
  beaconUrls: string[];
  /** A node to read GET /eth/v1/config/spec from (saved as the --chain-config file); not through a proxy. */
  specSourceUrl: string;
  broadcast?: boolean;
}

/** Starts the validator client under test. */
export async function startValidatorClient(opts: VcOptions): Promise<ValidatorClient> {
  if (opts.kind === "lodestar") {
    return { kind: "lodestar", proc: startLodestarValidator(opts) };
  }
  const spec = await getJson(`${opts.specSourceUrl}/eth/v1/config/spec`);
  const specFile = join(opts.runDir, "spec.json");
  writeFileSync(specFile, JSON.stringify(spec, null, 2));
  const metricsPort = await freePort();
  const args = [
    join(PROJECT_ROOT, "cli", "src", "main.ts"),
    "validator",
    "--beacon-nodes",
    opts.beaconUrls.join(","),
    "--interop-indexes",
    `0..${VALIDATOR_COUNT - 1}`,
    "--chain-config",
    specFile,
    "--data-dir",
    join(opts.runDir, "vc"),
    "--keymanager",
    "false",
    "--metrics",
    "--metrics.port",
    String(metricsPort),
    "--log-format",
    "json",
    // Doppelganger protection stays on (the default): started before genesis, keys sign from epoch 0. Lodestar 1.5.1
    // predates the standard liveness endpoint, so a start mid-chain against it would wait (and say so).
    ...(opts.broadcast === true ? ["--broadcast"] : []),
  ];
  const proc = startProcess({
    name: "validator",
    // The harness runs on the project's Node 24 (TypeScript type stripping), as our client does.
    command: process.execPath,
    args,
    cwd: PROJECT_ROOT,
    logFile: join(opts.runDir, "validator.jsonl"),
  });
  return { kind: "sextant", proc, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

/** Duty counters of our client's metrics: performed and missed per duty. */
export interface DutyCounters {
  performed: Record<string, number>;
  missed: Record<string, number>;
}

const DUTIES = ["attestation", "aggregate", "block", "sync_committee_message", "sync_committee_contribution"];

/** Scrapes validator_duties_performed_total / validator_duties_missed_total; undefined without metrics. */
export async function scrapeDuties(vc: ValidatorClient): Promise<DutyCounters | undefined> {
  if (vc.metricsUrl === undefined) return undefined;
  try {
    const text = await getText(vc.metricsUrl, 3000);
    const performed: Record<string, number> = {};
    const missed: Record<string, number> = {};
    for (const d of DUTIES) {
      performed[d] = sumMetric(text, "validator_duties_performed_total", { duty: d });
      missed[d] = sumMetric(text, "validator_duties_missed_total", { duty: d });
    }
    return { performed, missed };
  } catch {
    return undefined;
  }
}

/** Per-duty difference b − a. */
export function dutyDelta(a: DutyCounters, b: DutyCounters): DutyCounters {
  const sub = (x: Record<string, number>, y: Record<string, number>): Record<string, number> =>
    Object.fromEntries(DUTIES.map((d) => [d, (y[d] ?? 0) - (x[d] ?? 0)]));
  return { performed: sub(a.performed, b.performed), missed: sub(a.missed, b.missed) };
}

/** `attestation 120, block 15, …` (non-zero entries). */
export function formatCounts(c: Record<string, number>): string {
  const parts = Object.entries(c)
    .filter(([, v]) => v !== 0)
    .map(([k, v]) => `${k} ${v}`);
  return parts.length > 0 ? parts.join(", ") : "none";
}
