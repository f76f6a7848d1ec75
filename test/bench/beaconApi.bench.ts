// The beacon node's REST API under load (issue 7 §6): requests per second and p50/p99 latency at concurrency 16 on a
// running dev node (`sextant dev`: beacon node + validator client as processes, 64 validators, blocks every slot),
// for node/syncing, beacon/headers/head, states/head/finality_checkpoints, POST duties/attester (64 indices),
// duties/proposer and blocks/head (JSON and SSZ). In the same run, when the interop kit is installed (or can be:
// test/interop/.lodestar), the Lodestar 1.5.1 beacon node (driven by its own validator client, capella genesis) is
// measured the same way and the ratio printed. Rate limiting is switched off for the measurement (it is what the
// node would do for an allowlisted client); the load generator runs in this process: 16 keep-alive connections sending prepared requests and skipping
// bodies (a wrk-like client, so that the node and not the client sets the pace on this 2-core machine).
//
// `npm run bench -- beaconApi` (env BENCH_API_SECONDS: seconds per route, default 5; BENCH_API_ROUNDS: passes over
// the routes per node, default 3, the median shown with the range; BENCH_API_LODESTAR=0 skips Lodestar).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { printTable } from "./harness.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const CONCURRENCY = 16;
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 5);
/** Passes over the routes per node; the table shows the median pass of each route (run-to-run noise here is ±15%). */
const ROUNDS = Math.max(1, Number(process.env.BENCH_API_ROUNDS ?? 3));
const WARMUP_MS = 1000;
/** Blocks the chain should have before measuring (so blocks/head is a real block with attestations). */
const MIN_HEAD_SLOT = 6;

interface Route {
  name: string;
  method: "GET" | "POST";
  path: (epoch: number) => string;
  body?: string;
  accept?: string;
}

const INDICES = JSON.stringify(Array.from({ length: 64 }, (_, i) => String(i)));
const ROUTES: Route[] = [
  { name: "node/syncing", method: "GET", path: () => "/eth/v1/node/syncing" },
  { name: "beacon/headers/head", method: "GET", path: () => "/eth/v1/beacon/headers/head" },
  {
    name: "states/head/finality_checkpoints",
    method: "GET",
    path: () => "/eth/v1/beacon/states/head/finality_checkpoints",
  },
  {
    name: "POST duties/attester (64)",
    method: "POST",
    path: (e) => `/eth/v1/validator/duties/attester/${e}`,
    body: INDICES,
  },
  { name: "duties/proposer", method: "GET", path: (e) => `/eth/v1/validator/duties/proposer/${e}` },
  { name: "blocks/head (JSON)", method: "GET", path: () => "/eth/v2/beacon/blocks/head", accept: "application/json" },
  {
    name: "blocks/head (SSZ)",
    method: "GET",
    path: () => "/eth/v2/beacon/blocks/head",
    accept: "application/octet-stream",
  },
];

interface Measured {
  rps: number;
  /** Slowest and fastest pass (req/s), when there were several. */
  minRps?: number;
  maxRps?: number;
  p50: number;
  p99: number;
  errors: number;
  statuses: string;
}

async function getJson(url: string): Promise<{ data: Record<string, unknown> } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return res.ok ? ((await res.json()) as { data: Record<string, unknown> }) : undefined;
  } catch {
    return undefined;
  }
}

async function headSlot(base: string): Promise<number> {
  const head = await getJson(`${base}/eth/v1/beacon/headers/head`);
  const header = head?.data.header as { message?: { slot?: string } } | undefined;
  return Number(header?.message?.slot ?? -1);
}

/**
 * One keep-alive connection sending `request` (prepared bytes) again as soon as the previous answer is complete,
 * reading only the status line, Content-Length (or chunked framing) and skipping the body: a load generator that
 * costs far less CPU than the node it measures (like wrk), so the node, not the client, sets the pace.
 */
class Connection {
  private readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private sentAt = 0;
  private onDone: ((status: number) => void) | undefined;

  constructor(port: number) {
    this.socket = connect({ port, host: "127.0.0.1", noDelay: true });
    this.socket.on("data", (d: Buffer) => this.onData(d));
    this.socket.on("error", () => this.finish(0));
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once("connect", () => resolve());
      this.socket.once("error", reject);
    });
  }

  /** Sends the request; resolves with the status and the latency in ms once the answer is complete. */
  send(request: Buffer): Promise<{ status: number; ms: number }> {
    return new Promise((resolve) => {
      this.sentAt = performance.now();
      this.onDone = (status) => resolve({ status, ms: performance.now() - this.sentAt });
      this.socket.write(request);
    });
  }

  private finish(status: number): void {
    const done = this.onDone;
    this.onDone = undefined;
    done?.(status);
  }

  private onData(d: Buffer): void {
    this.buffer = this.buffer.length === 0 ? d : Buffer.concat([this.buffer, d]);
    const headEnd = this.buffer.indexOf("\r\n\r\n");
    if (headEnd < 0) return;
    const head = this.buffer.subarray(0, headEnd).toString("latin1");
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const bodyStart = headEnd + 4;
    if (length) {
      if (this.buffer.length < bodyStart + Number(length[1])) return;
      this.buffer = this.buffer.subarray(bodyStart + Number(length[1]));
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const end = this.buffer.indexOf("\r\n0\r\n\r\n", bodyStart - 2);
      if (end < 0) return;
      this.buffer = this.buffer.subarray(end + 7);
    }
    this.finish(status);
  }

  close(): void {
    this.socket.destroy();
  }
}

function requestBytes(route: Route, epoch: number): Buffer {
  const body = route.body ?? "";
  const lines = [
    `${route.method} ${route.path(epoch)} HTTP/1.1`,
    "host: 127.0.0.1",
    `accept: ${route.accept ?? "application/json"}`,
    ...(route.body ? ["content-type: application/json", `content-length: ${Buffer.byteLength(body)}`] : []),
  ];
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

/** Drives `route` with CONCURRENCY requests in flight for SECONDS; latencies in ms. */
async function measure(base: string, route: Route, epoch: number): Promise<Measured> {
  const port = Number(new URL(base).port);
  const request = requestBytes(route, epoch);
  const connections = Array.from({ length: CONCURRENCY }, () => new Connection(port));
  await Promise.all(connections.map((c) => c.ready()));
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let errors = 0;
  let recording = false;
  let stop = false;
  const workers = connections.map(async (c) => {
    while (!stop) {
      const { status, ms } = await c.send(request);
      if (status === 0) break;
      if (recording) {
        latencies.push(ms);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 300) errors++;
      }
    }
  });
  await sleep(WARMUP_MS);
  recording = true;
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  recording = false;
  const elapsed = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(workers);
  for (const c of connections) c.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return {
    rps: latencies.length / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
    errors,
    statuses: [...statuses].map(([s, n]) => `${s}×${n}`).join(" "),
  };
}

/** The pass with the median req/s of `passes`, with the spread of all of them. */
function median(passes: Measured[]): Measured {
  const sorted = [...passes].sort((a, b) => a.rps - b.rps);
  return {
    ...sorted[Math.floor((sorted.length - 1) / 2)],
    minRps: sorted[0].rps,
    maxRps: sorted[sorted.length - 1].rps,
  };
}

async function measureAll(label: string, base: string): Promise<Map<string, Measured>> {
  const passes = new Map<string, Measured[]>();
  const genesis = await getJson(`${base}/eth/v1/beacon/genesis`);
  const spec = await getJson(`${base}/eth/v1/config/spec`);
  const secondsPerSlot = Number(spec?.data.SECONDS_PER_SLOT ?? 6);
  const slotsPerEpoch = Number(spec?.data.SLOTS_PER_EPOCH ?? 8);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const route of ROUTES) {
      const now = Date.now() / 1000 - Number(genesis?.data.genesis_time ?? 0);
      const epoch = Math.max(0, Math.floor(now / secondsPerSlot / slotsPerEpoch));
      const m = await measure(base, route, epoch);
      passes.set(route.name, [...(passes.get(route.name) ?? []), m]);
      console.log(
        `  ${label.padEnd(8)} ${`${round}/${ROUNDS}`.padEnd(5)} ${route.name.padEnd(34)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50.toFixed(2)} ms  p99 ${m.p99.toFixed(2)} ms  ${m.statuses}`,
      );
    }
  }
  return new Map([...passes].map(([name, ms]) => [name, median(ms)]));
}

async function waitForHead(base: string, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const slot = await headSlot(base);
    if (slot >= MIN_HEAD_SLOT) return;
    if (Date.now() > deadline) throw new Error(`${what}: head at slot ${slot} after ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return await new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** `sextant dev` as a process; resolves with its REST URL and a stop function. */
async function startSextant(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "sextant-bench-api-"));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "cli/src/main.ts"),
      "--log-level",
      "warn",
      "dev",
      "--data-dir",
      dir,
      "--rest.port",
      String(port),
      // The same 6 s slots as Lodestar's dev chain: the validator clients' load per second is alike.
      "--dev.slot-seconds",
      "6",
      "--rest.rate-limit",
      "off",
    ],
    { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] },
  );
  const exited = new Promise((r) => child.once("exit", r));
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    stop: async () => {
      child.kill("SIGINT");
      await Promise.race([exited, sleep(15_000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Lodestar 1.5.1 node with its validator client (interop kit), or undefined when the kit cannot run. */
async function startLodestar(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  if (process.env.BENCH_API_LODESTAR === "0") return undefined;
  try {
    const { ensureLodestarInstalled, startLodestarValidator, WORK_DIR } = await import("../interop/lib/lodestar.ts");
    const { startChain } = await import("../interop/lib/setup.ts");
    const { stopAll } = await import("../interop/lib/procs.ts");
    ensureLodestarInstalled((line) => console.log(`  [kit] ${line}`));
    const runDir = join(WORK_DIR, "runs", `bench-api-${new Date().toISOString().replace(/[:.]/g, "-")}`);
    (await import("node:fs")).mkdirSync(runDir, { recursive: true });
    const ctx = {
      runDir,
      vc: "lodestar" as const,
      genesisDelay: 30,
      healthIntervalMs: 3000,
      print: (l: string) => console.log(`  [lodestar] ${l}`),
    };
    const chain = await startChain(ctx, "capella", 1);
    startLodestarValidator({ runDir, fork: "capella", beaconUrls: [chain.nodes[0].url] });
    return { url: chain.nodes[0].url, stop: () => stopAll() };
  } catch (e) {
    console.log(`  (Lodestar 1.5.1 not measured: ${(e as Error).message})`);
    return undefined;
  }
}

console.log(
  `concurrency ${CONCURRENCY}, ${SECONDS} s per route after ${WARMUP_MS} ms warm-up, ${ROUNDS} passes per node (median shown)`,
);
const sextant = await startSextant();
let ours: Map<string, Measured>;
let theirs: Map<string, Measured> | undefined;
try {
  await waitForHead(sextant.url, "sextant dev", 120_000);
  ours = await measureAll("sextant", sextant.url);
} finally {
  await sextant.stop();
}
const lodestar = await startLodestar();
if (lodestar) {
  try {
    // Lodestar's dev chain has 6 s slots: a head at slot 6 is ~36 s after genesis.
    await waitForHead(lodestar.url, "lodestar 1.5.1", 180_000);
    theirs = await measureAll("lodestar", lodestar.url);
  } finally {
    await lodestar.stop();
  }
}
const spread = (m: Measured) => (ROUNDS > 1 ? `${m.minRps?.toFixed(0)}–${m.maxRps?.toFixed(0)}` : "-");
printTable(
  `beacon API at concurrency ${CONCURRENCY}, median of ${ROUNDS} passes (req/s with the passes' range, latency ms of the median pass; ratio = sextant req/s ÷ lodestar 1.5.1 req/s, of the medians)`,
  ROUTES.map((r) => {
    const a = ours.get(r.name);
    const b = theirs?.get(r.name);
    return {
      route: r.name,
      "sextant req/s": a ? a.rps.toFixed(0) : "-",
      range: a ? spread(a) : "-",
      "p50 ms": a ? a.p50.toFixed(2) : "-",
      "p99 ms": a ? a.p99.toFixed(2) : "-",
      "non-2xx": a ? a.errors : "-",
      "lodestar req/s": b ? b.rps.toFixed(0) : "-",
      "lodestar range": b ? spread(b) : "-",
      "lodestar p50": b ? b.p50.toFixed(2) : "-",
      "lodestar p99": b ? b.p99.toFixed(2) : "-",
      "lodestar non-2xx": b ? b.errors : "-",
      ratio: a && b && b.rps > 0 ? `${(a.rps / b.rps).toFixed(2)}x` : "-",
    };
  }),
);
