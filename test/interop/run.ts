// The interop harness: `node test/interop/run.ts [scenario…] [--vc sextant|lodestar] [--genesis-delay S]
// [--health-interval-ms MS]`. Installs Lodestar 1.5.1 on demand (test/interop/.lodestar, gitignored), runs each
// scenario against real Lodestar beacon nodes on loopback, prints a table and PASS/FAIL lines per scenario, keeps
// every log in test/interop/.lodestar/runs/<scenario>-<time>/, and exits 1 when any scenario failed. Every process
// it started is stopped by PID at the end of each scenario, also on failure or Ctrl-C.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureLodestarInstalled, WORK_DIR } from "./lib/lodestar.ts";
import { killAllNow, stopAll } from "./lib/procs.ts";
import { Report } from "./lib/report.ts";
import type { ScenarioContext } from "./lib/setup.ts";
import { SCENARIOS, type ScenarioResources } from "./scenarios.ts";

const USAGE = `usage: node test/interop/run.ts [scenario…] [options]
scenarios: ${Object.keys(SCENARIOS).join(", ")} (default: all, one after the other)
options:
  --vc sextant|lodestar     validator client under test (default sextant; lodestar = the 1.5.1 stand-in)
  --genesis-delay S         seconds from genesis creation to genesis (default 40, 60 with two nodes)
  --health-interval-ms MS   the client's health-check interval for the syncing/fallback bounds (default 3000)
environment: SEXTANT_LODESTAR_KIT (kit folder), SEXTANT_SYSTEM_NODE / SEXTANT_SYSTEM_NPM (Node 20),
  INTEROP_FALLBACK_FORK / INTEROP_SYNCING_FORK (default phase0)`;

function fail(msg: string): never {
  console.error(`${msg}\n${USAGE}`);
  process.exit(2);
}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        vc: { type: "string", default: process.env.INTEROP_VC ?? "sextant" },
        "genesis-delay": { type: "string" },
        "health-interval-ms": { type: "string", default: "3000" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    return fail((e as Error).message);
  }
})();
if (values.help === true) {
  console.log(USAGE);
  process.exit(0);
}
if (values.vc !== "sextant" && values.vc !== "lodestar") fail(`--vc must be sextant or lodestar, not ${values.vc}`);
const vc: "sextant" | "lodestar" = values.vc;
const names = positionals.length > 0 ? positionals : Object.keys(SCENARIOS);
for (const n of names) if (!(n in SCENARIOS)) fail(`unknown scenario "${n}"`);
const healthIntervalMs = Number(values["health-interval-ms"]);
if (!Number.isFinite(healthIntervalMs) || healthIntervalMs <= 0) fail("--health-interval-ms must be a positive number");
const genesisDelayArg = values["genesis-delay"] !== undefined ? Number(values["genesis-delay"]) : undefined;
if (genesisDelayArg !== undefined && !(genesisDelayArg >= 10)) fail("--genesis-delay must be at least 10 seconds");

const t0 = Date.now();
const print = (line: string): void => {
  const s = ((Date.now() - t0) / 1000).toFixed(0).padStart(4);
  console.log(`[${s}s] ${line}`);
};

// Never leave a Lodestar node or a validator client behind.
process.on("exit", killAllNow);
let interrupted = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n[interop] ${sig}: stopping every process this harness started ...`);
    void stopAll().finally(() => process.exit(130));
  });
}

ensureLodestarInstalled(print);

const reports: Report[] = [];
for (const name of names) {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const runDir = join(WORK_DIR, "runs", `${name}-${stamp}`);
  mkdirSync(runDir, { recursive: true });
  const ctx: ScenarioContext = {
    runDir,
    vc,
    genesisDelay: genesisDelayArg ?? (name === "fallback" ? 60 : 40),
    healthIntervalMs,
    print,
  };
  const res: ScenarioResources = { proxies: [] };
  // node-* scenarios always drive our node with Lodestar's validator client, whatever --vc says.
  const roles = name.startsWith("node-")
    ? "node under test: sextant beacon, validator client: lodestar 1.5.1"
    : `validator client: ${vc}`;
  print(`=== ${name} (${roles}) logs in ${runDir}`);
  let report: Report;
  try {
    report = await SCENARIOS[name](ctx, res);
  } catch (e) {
    report = new Report(name);
    report.check("scenario ran", false, (e as Error).stack ?? String(e));
  } finally {
    print("stopping processes ...");
    await stopAll();
    for (const p of res.proxies) await p.close();
  }
  const text = report.render();
  console.log(`\n${text}\n`);
  writeFileSync(join(runDir, "report.txt"), `${text}\n`);
  reports.push(report);
}

console.log("summary:");
for (const r of reports) console.log(`  ${r.failed() ? "FAIL" : "PASS"}  ${r.scenario}`);
process.exitCode = reports.some((r) => r.failed()) ? 1 : 0;
