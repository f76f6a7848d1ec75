// Our beacon node as the interop harness runs it: `sextant beacon --network dev` as a process on Node 24 (an interop
// genesis built in, the in-process mock engine for merged forks, forks after `fork` unscheduled), REST on a free
// loopback port, JSON logs in the run directory. And the `--params.*` flags that make Lodestar 1.5.1's validator
// client accept our GET /eth/v1/config/spec: it compares the consensus-critical keys it knows with its own config,
// so it gets our values for every chain-config key it knows (fork versions and MIN_PER_EPOCH_CHURN_LIMIT differ
// between today's dev config and 2023's minimal one).
import { join } from "node:path";
import type { BeaconNode, Fork } from "./lodestar.ts";
import { PROJECT_ROOT } from "./lodestar.ts";
import { freePorts, startProcess } from "./procs.ts";
import { getJson } from "./rest.ts";

/**
 * Chain-config keys of Lodestar 1.5.1 (`chainConfigToJson` of its minimal config, printed once with the kit's
 * @lodestar/config on Node 20). Fork epochs are set by the kit's forkParams, the EIP-4844 keys stay Lodestar's
 * (unscheduled there, unknown here), CONFIG_NAME/PRESET_BASE/terminal keys are not critical.
 */
const LODESTAR_CONFIG_KEYS = [
  "MIN_GENESIS_ACTIVE_VALIDATOR_COUNT",
  "MIN_GENESIS_TIME",
  "GENESIS_FORK_VERSION",
  "GENESIS_DELAY",
  "ALTAIR_FORK_VERSION",
  "BELLATRIX_FORK_VERSION",
  "CAPELLA_FORK_VERSION",
  "SECONDS_PER_SLOT",
  "SECONDS_PER_ETH1_BLOCK",
  "MIN_VALIDATOR_WITHDRAWABILITY_DELAY",
  "SHARD_COMMITTEE_PERIOD",
  "ETH1_FOLLOW_DISTANCE",
  "INACTIVITY_SCORE_BIAS",
  "INACTIVITY_SCORE_RECOVERY_RATE",
  "EJECTION_BALANCE",
  "MIN_PER_EPOCH_CHURN_LIMIT",
  "CHURN_LIMIT_QUOTIENT",
  "PROPOSER_SCORE_BOOST",
  "DEPOSIT_CHAIN_ID",
  "DEPOSIT_NETWORK_ID",
  "DEPOSIT_CONTRACT_ADDRESS",
] as const;

/** Fork epochs of the forks Lodestar 1.5.1 knows. */
const FORK_EPOCH_KEYS = ["ALTAIR_FORK_EPOCH", "BELLATRIX_FORK_EPOCH", "CAPELLA_FORK_EPOCH"] as const;

/** A started `sextant beacon`. */
export interface SextantNode extends Pick<BeaconNode, "name" | "url" | "restPort" | "dataDir" | "proc"> {
  readonly metricsUrl: string;
  readonly genesisTime: number;
}

/** Starts `sextant beacon --network dev` with genesis at `genesisTime` (every fork up to `fork` at epoch 0). */
export async function startSextantNode(runDir: string, fork: Fork, genesisTime: number): Promise<SextantNode> {
  const [restPort, metricsPort] = await freePorts(2);
  const dataDir = join(runDir, "sextant-beacon");
  const proc = startProcess({
    name: "sextant-beacon",
    command: process.execPath,
    args: [
      join(PROJECT_ROOT, "cli", "src", "main.ts"),
      "--log-format",
      "json",
      "--log-level",
      "debug",
      "beacon",
      "--network",
      "dev",
      "--dev.fork",
      fork,
      "--dev.genesis-time",
      String(genesisTime),
      "--data-dir",
      dataDir,
      "--rest.port",
      String(restPort),
      "--metrics",
      "--metrics.port",
      String(metricsPort),
    ],
    cwd: PROJECT_ROOT,
    logFile: join(runDir, "sextant-beacon.log"),
  });
  const url = `http://127.0.0.1:${restPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.hasExited()) throw new Error(`sextant beacon exited (${await proc.exited}); see ${proc.logFile}`);
    try {
      await getJson(`${url}/eth/v1/node/version`, 2000);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`sextant beacon did not serve REST within 60 s; see ${proc.logFile}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return {
    name: "sextant-beacon",
    url,
    restPort,
    dataDir,
    proc,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    genesisTime,
  };
}

/** `--params.KEY value` for every Lodestar 1.5.1 chain-config key, with our node's value. */
export async function lodestarParamsFor(nodeUrl: string): Promise<string[]> {
  const spec = (await getJson(`${nodeUrl}/eth/v1/config/spec`)) as { data: Record<string, string> };
  const out: string[] = [];
  for (const key of LODESTAR_CONFIG_KEYS) {
    const value = spec.data[key];
    if (value !== undefined) out.push(`--params.${key}`, value);
  }
  // Forks after the chain's newest are unscheduled here (2**64-1, which Lodestar reads as Infinity); the scheduled
  // ones are at epoch 0, which the kit's forkParams already passes (a key given twice would become a list).
  for (const key of FORK_EPOCH_KEYS) {
    const value = spec.data[key];
    if (value !== undefined && value !== "0") out.push(`--params.${key}`, value);
  }
  return out;
}
