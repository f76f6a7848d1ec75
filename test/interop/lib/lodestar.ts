// Lodestar 1.5.1 as the reference beacon node of the interop runs: installs the shared kit on demand into the
// gitignored test/interop/.lodestar/ (system Node 20 and npm; the kit only runs there), makes an interop genesis,
// starts the kit's mock execution layer for merged forks, and starts `lodestar beacon` with no validators of its
// own (and `lodestar validator`, the stand-in validator client) on loopback ports.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Proc, runToCompletion, startProcess } from "./procs.ts";
import { getJson } from "./rest.ts";

export const INTEROP_DIR = resolve(import.meta.dirname, "..");
export const PROJECT_ROOT = resolve(INTEROP_DIR, "..", "..");
/** Gitignored: the kit install (kit/), a Node 20 shim for npm's install scripts, and the runs (runs/). */
export const WORK_DIR = join(INTEROP_DIR, ".lodestar");
export const KIT_INSTALL_DIR = join(WORK_DIR, "kit");
/** Where the read-only kit lives (package.json recipe and scripts). */
export const KIT_SOURCE_DIR = resolve(
  PROJECT_ROOT,
  process.env.SEXTANT_LODESTAR_KIT ?? "../shared/interop/lodestar-1.5.1",
);
/** Lodestar 1.5.1 runs on the system Node 20 only (its native blst build). */
export const SYSTEM_NODE = process.env.SEXTANT_SYSTEM_NODE ?? "/usr/bin/node";
const SYSTEM_NPM = process.env.SEXTANT_SYSTEM_NPM ?? "/usr/bin/npm";
const LODESTAR_BIN = join(KIT_INSTALL_DIR, "node_modules", ".bin", "lodestar");

/** Forks the harness can start at (every fork up to it at epoch 0). */
export type Fork = "phase0" | "altair" | "bellatrix" | "capella";
export const FORKS: readonly Fork[] = ["phase0", "altair", "bellatrix", "capella"];

/** Seconds per slot of the minimal preset. */
export const SECONDS_PER_SLOT = 6;
export const SLOTS_PER_EPOCH = 8;
export const VALIDATOR_COUNT = 64;

/** Lodestar's environment: no bootnode fetch, no deprecation noise. */
function lodestarEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_NO_WARNINGS: "1", SKIP_FETCH_NETWORK_BOOTNODES: "1" };
}

/**
 * Installs the kit into test/interop/.lodestar/kit unless it is there already (about 1–2 minutes, offline registry).
 * npm puts the `node_modules/.bin` of every parent folder first on the PATH of install scripts, which would make
 * them run on the project's Node 24: a `node` → system Node shim in .lodestar/node_modules/.bin comes first.
 */
export function ensureLodestarInstalled(log: (line: string) => void): void {
  mkdirSync(join(KIT_INSTALL_DIR, "scripts"), { recursive: true });
  for (const script of ["make-genesis.mjs", "mock-el.mjs"]) {
    copyFileSync(join(KIT_SOURCE_DIR, "scripts", script), join(KIT_INSTALL_DIR, "scripts", script));
  }
  if (existsSync(LODESTAR_BIN)) return;
  if (!existsSync(join(KIT_SOURCE_DIR, "package.json"))) {
    throw new Error(
      `the Lodestar 1.5.1 kit is not at ${KIT_SOURCE_DIR}: set SEXTANT_LODESTAR_KIT to the folder holding its package.json`,
    );
  }
  if (!existsSync(SYSTEM_NODE)) {
    throw new Error(`Lodestar 1.5.1 needs the system Node 20 at ${SYSTEM_NODE} (set SEXTANT_SYSTEM_NODE)`);
  }
  const shimDir = join(WORK_DIR, "node_modules", ".bin");
  mkdirSync(shimDir, { recursive: true });
  if (!existsSync(join(shimDir, "node"))) symlinkSync(SYSTEM_NODE, join(shimDir, "node"));
  copyFileSync(join(KIT_SOURCE_DIR, "package.json"), join(KIT_INSTALL_DIR, "package.json"));
  log(`installing Lodestar 1.5.1 into ${KIT_INSTALL_DIR} (system node/npm, ~1-2 min) ...`);
  try {
    execFileSync(SYSTEM_NPM, ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: KIT_INSTALL_DIR,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, PATH: `${shimDir}:${process.env.PATH ?? ""}` },
    });
  } catch (e) {
    throw new Error(
      `npm install of the Lodestar 1.5.1 kit failed in ${KIT_INSTALL_DIR} (${(e as Error).message}); ` +
        "check that npm's nodedir points at the system Node headers, then delete that folder and retry",
    );
  }
  if (!existsSync(LODESTAR_BIN)) throw new Error(`npm install finished but ${LODESTAR_BIN} is missing`);
}

/** The `--params.*` flags that put every fork up to `fork` at epoch 0 (valid for beacon and validator). */
export function forkParams(fork: Fork): string[] {
  const k = FORKS.indexOf(fork);
  const out: string[] = [];
  if (k >= 1) out.push("--params.ALTAIR_FORK_EPOCH", "0");
  if (k >= 2) out.push("--params.BELLATRIX_FORK_EPOCH", "0", "--params.TERMINAL_TOTAL_DIFFICULTY", "0");
  if (k >= 3) out.push("--params.CAPELLA_FORK_EPOCH", "0");
  return out;
}

export function isMerged(fork: Fork): boolean {
  return FORKS.indexOf(fork) >= 2;
}

/** Writes an interop genesis state (64 validators) with the kit's script; returns the file. */
export async function makeGenesis(runDir: string, fork: Fork, genesisTime: number): Promise<string> {
  const out = join(runDir, "genesis.ssz");
  await runToCompletion({
    name: "make-genesis",
    command: SYSTEM_NODE,
    args: [
      join(KIT_INSTALL_DIR, "scripts", "make-genesis.mjs"),
      fork,
      String(VALIDATOR_COUNT),
      String(genesisTime),
      out,
    ],
    cwd: KIT_INSTALL_DIR,
    logFile: join(runDir, "genesis.log"),
    env: { ...lodestarEnv(), LODESTAR_PRESET: "minimal" },
    timeoutMs: 60_000,
  });
  return out;
}

/** Starts the kit's Engine API mock (merged forks): genesis payload hash 0x0b…, capella at genesis when asked. */
export function startMockEl(runDir: string, port: number, fork: Fork, genesisTime: number): Proc {
  return startProcess({
    name: "mock-el",
    command: SYSTEM_NODE,
    args: [
      join(KIT_INSTALL_DIR, "scripts", "mock-el.mjs"),
      String(port),
      `0x${"0b".repeat(32)}`,
      fork === "capella" ? String(genesisTime) : "",
      "3600",
    ],
    cwd: KIT_INSTALL_DIR,
    logFile: join(runDir, "mock-el.log"),
    env: lodestarEnv(),
  });
}

export interface BeaconNodeOptions {
  name: string;
  runDir: string;
  fork: Fork;
  genesisFile: string;
  restPort: number;
  p2pPort: number;
  /** Engine API URL (merged forks). */
  elUrl?: string;
  /** ENRs to dial directly at start (static peers on loopback). */
  bootnodes?: string[];
  /** Reuse this data directory (a restart); default `<runDir>/<name>`. */
  dataDir?: string;
}

/** A started Lodestar beacon node. */
export interface BeaconNode {
  readonly name: string;
  readonly url: string;
  readonly restPort: number;
  readonly p2pPort: number;
  readonly dataDir: string;
  readonly proc: Proc;
  readonly options: BeaconNodeOptions;
}

/**
 * Starts `lodestar beacon` with no validators: minimal preset, REST and libp2p on 127.0.0.1, no mdns/eth1/metrics,
 * single-node sync mode (it keeps serving duties when it has no peers, as after the other node dies). With
 * `bootnodes`, it dials those ENRs at start (`--network.connectToDiscv5Bootnodes`); discovery reaches nothing else.
 */
export function startBeaconNode(opts: BeaconNodeOptions): BeaconNode {
  const dataDir = opts.dataDir ?? join(opts.runDir, opts.name);
  const bootnodes = opts.bootnodes ?? [];
  const args = [
    LODESTAR_BIN,
    "beacon",
    "--network",
    "dev",
    "--preset",
    "minimal",
    "--dataDir",
    dataDir,
    "--genesisStateFile",
    opts.genesisFile,
    "--sync.isSingleNode",
    "--network.allowPublishToZeroPeers",
    "--rest",
    "--rest.namespace",
    "*",
    "--rest.address",
    "127.0.0.1",
    "--rest.port",
    String(opts.restPort),
    "--listenAddress",
    "127.0.0.1",
    "--port",
    String(opts.p2pPort),
    "--mdns",
    "false",
    "--eth1",
    "false",
    "--metrics",
    "false",
    "--enr.ip",
    "127.0.0.1",
    "--enr.tcp",
    String(opts.p2pPort),
    "--enr.udp",
    String(opts.p2pPort),
    ...(bootnodes.length > 0
      ? ["--bootnodes", ...bootnodes, "--network.connectToDiscv5Bootnodes", "true"]
      : ["--discv5", "false", "--network.connectToDiscv5Bootnodes", "false"]),
    ...forkParams(opts.fork),
    ...(opts.elUrl !== undefined ? ["--execution.urls", opts.elUrl] : []),
    "--logFile",
    join(opts.runDir, `${opts.name}.log`),
    "--logFileLevel",
    "debug",
    "--logFileDailyRotate",
    "0",
  ];
  const proc = startProcess({
    name: opts.name,
    command: SYSTEM_NODE,
    args,
    cwd: KIT_INSTALL_DIR,
    logFile: join(opts.runDir, `${opts.name}.stdout`),
    env: lodestarEnv(),
  });
  return {
    name: opts.name,
    url: `http://127.0.0.1:${opts.restPort}`,
    restPort: opts.restPort,
    p2pPort: opts.p2pPort,
    dataDir,
    proc,
    options: { ...opts, dataDir },
  };
}

/** Waits until the node answers GET /eth/v1/node/version; fails early when the process exits. */
export async function waitForRest(node: BeaconNode, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (node.proc.hasExited()) {
      throw new Error(`${node.name} exited (${await node.proc.exited}) before serving REST; see ${node.proc.logFile}`);
    }
    try {
      await getJson(`${node.url}/eth/v1/node/version`, 1000);
      return;
    } catch {
      await sleep(500);
    }
  }
  throw new Error(`${node.name} did not serve REST on ${node.url} within ${timeoutMs / 1000} s; see its logs`);
}

/** The node's ENR and peer id (GET /eth/v1/node/identity). */
export async function nodeIdentity(node: BeaconNode): Promise<{ enr: string; peerId: string }> {
  const body = (await getJson(`${node.url}/eth/v1/node/identity`)) as { data: { enr: string; peer_id: string } };
  return { enr: body.data.enr, peerId: body.data.peer_id };
}

/** Peer ids the node has a connection with. */
export async function connectedPeers(node: BeaconNode): Promise<string[]> {
  const body = (await getJson(`${node.url}/eth/v1/node/peers?state=connected`)) as { data: { peer_id: string }[] };
  return body.data.map((p) => p.peer_id);
}

/** Waits until `a` reports a connection to `b` (libp2p peering on loopback). */
export async function waitForPeering(a: BeaconNode, b: BeaconNode, timeoutMs = 60_000): Promise<number> {
  const { peerId } = await nodeIdentity(b);
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    try {
      if ((await connectedPeers(a)).includes(peerId)) return Date.now() - t0;
    } catch {
      // not serving yet
    }
    await sleep(1000);
  }
  throw new Error(
    `${a.name} did not connect to ${b.name} (${peerId}) within ${timeoutMs / 1000} s: check both logs for libp2p dial errors`,
  );
}

export interface LodestarValidatorOptions {
  runDir: string;
  fork: Fork;
  beaconUrls: string[];
  /** More flags (e.g. `--params.*` matching a node that is not Lodestar). */
  extraArgs?: string[];
}

/** The stand-in validator client: `lodestar validator --interopIndexes 0..63` over REST. */
export function startLodestarValidator(opts: LodestarValidatorOptions): Proc {
  return startProcess({
    name: "validator",
    command: SYSTEM_NODE,
    args: [
      LODESTAR_BIN,
      "validator",
      "--network",
      "dev",
      "--preset",
      "minimal",
      "--dataDir",
      join(opts.runDir, "vc"),
      ...forkParams(opts.fork),
      ...(opts.extraArgs ?? []),
      "--beaconNodes",
      ...opts.beaconUrls,
      "--interopIndexes",
      `0..${VALIDATOR_COUNT - 1}`,
      "--logFile",
      join(opts.runDir, "validator.log"),
      "--logFileLevel",
      "debug",
      "--logFileDailyRotate",
      "0",
    ],
    cwd: KIT_INSTALL_DIR,
    logFile: join(opts.runDir, "validator.stdout"),
    env: lodestarEnv(),
  });
}

/** Reads the genesis summary the kit's script printed (genesis validators root, fork version). */
export function readGenesisSummary(runDir: string): string {
  try {
    return readFileSync(join(runDir, "genesis.log"), "utf8").trim().split("\n").at(-1) ?? "";
  } catch {
    return "";
  }
}
