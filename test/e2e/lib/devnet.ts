// The end-to-end harness's devnet: `sextant dev` started as a child process (the beacon node runs in that process,
// the validator client is its child), on free REST and metrics ports, with a fresh data directory holding the
// node's output. Helpers read the chain through the REST API (genesis, head, canonical block per slot, finality,
// committees, attestations), the node's memory (VmRSS of the `sextant dev` process) and its metrics; `stop()`
// sends SIGINT, waits, and falls back to SIGKILL of the whole process group. The data directory (with the logs)
// is removed after a passing run and kept after a failing one.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, "..", "..", "..");

/** Options of startDevnet. */
export interface DevnetOptions {
  /** Name used in the data directory (sextant-e2e-<name>-…). */
  name: string;
  /** SECONDS_PER_SLOT (default: SEXTANT_E2E_SLOT_SECONDS, else 6: the minimal preset's rhythm). */
  slotSeconds?: number;
  /** Interop validators (default 64). */
  validators?: number;
  /** Extra `sextant dev` flags (e.g. ["--rest.rate-limit", "20/s:40"]). */
  extraArgs?: string[];
  /** How long to wait for the REST API, ms (default 120 s: interop keys and genesis take a while). */
  startTimeoutMs?: number;
}

/** A JSON answer of the REST API. */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** A running `sextant dev`. */
export interface Devnet {
  readonly pid: number;
  readonly apiUrl: string;
  readonly apiPort: number;
  readonly metricsUrl: string;
  readonly dataDir: string;
  readonly genesisTime: number;
  readonly slotSeconds: number;
  readonly slotsPerEpoch: number;
  /** The wall-clock slot. */
  currentSlot(): number;
  /** Milliseconds until the start of `slot` (negative when past). */
  msUntilSlot(slot: number): number;
  /** Sleeps until `slot` has started plus `afterMs`. */
  waitForSlot(slot: number, afterMs?: number): Promise<void>;
  /** GET `path` on the REST API as JSON (status and parsed body; body undefined when not JSON). */
  getJson(path: string): Promise<JsonAnswer>;
  /** The head block's slot. */
  headSlot(): Promise<number>;
  /** Whether the canonical chain has a block at `slot` (GET headers/{slot}: 404 = empty slot). */
  hasBlockAt(slot: number): Promise<boolean>;
  /** The slots in [from, to] without a canonical block. */
  emptySlots(from: number, to: number): Promise<number[]>;
  /** The head state's finalized and justified epochs. */
  finality(): Promise<{ finalized: number; justified: number }>;
  /** The node's resident memory, bytes (VmRSS of the `sextant dev` process). */
  rssBytes(): number;
  /** The node's peak resident memory since start, bytes (VmHWM). */
  peakRssBytes(): number;
  /** The metrics page text. */
  scrapeMetrics(): Promise<string>;
  /** Whether the `sextant dev` process is still running. */
  alive(): boolean;
  /** Exit code or signal when it exited. */
  exitInfo(): string | undefined;
  /** The last `lines` lines of the node's output (stdout and stderr). */
  logTail(lines?: number): string;
  /** Lines of the node's output matching `re`. */
  logLines(re: RegExp): string[];
  /** Stops the devnet (SIGINT, SIGKILL of the group after `timeoutMs`); removes the data dir unless `failed`. */
  stop(opts: { failed: boolean; timeoutMs?: number }): Promise<{ exitCode: number | null; signal: string | null }>;
}

/** A free TCP port on 127.0.0.1 (closed again: the node binds it a moment later). */
export async function freePort(): Promise<number> {
  return await new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** GET a URL as JSON with a timeout; status 0 when the request failed. */
export async function fetchJson(url: string, timeoutMs = 10_000): Promise<JsonAnswer> {
  try {
    const res = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, body };
  } catch {
    return { status: 0, body: undefined };
  }
}

/** A field of /proc/<pid>/status in bytes (kB there); 0 when the process is gone. */
function procStatusBytes(pid: number, field: string): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** One metric's value from a Prometheus text page: the sum over series whose labels contain `labels`. */
export function metricValue(page: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of page.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labelText = m[2] ?? "";
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

function slotOfHeader(body: unknown): number {
  const slot = (body as { data?: { header?: { message?: { slot?: string } } } }).data?.header?.message?.slot;
  if (slot === undefined) throw new Error(`a header answer without data.header.message.slot: ${JSON.stringify(body)}`);
  return Number(slot);
}

/** Starts `sextant dev` and waits for its REST API and genesis. */
export async function startDevnet(opts: DevnetOptions): Promise<Devnet> {
  const slotSeconds = opts.slotSeconds ?? Number(process.env.SEXTANT_E2E_SLOT_SECONDS ?? 6);
  const dataDir = mkdtempSync(join(tmpdir(), `sextant-e2e-${opts.name}-`));
  const apiPort = await freePort();
  const metricsPort = await freePort();
  const args = [
    join(ROOT, "cli/src/main.ts"),
    "dev",
    "--log-format",
    "json",
    "--data-dir",
    dataDir,
    "--rest.port",
    String(apiPort),
    "--metrics",
    "--metrics.port",
    String(metricsPort),
    "--dev.slot-seconds",
    String(slotSeconds),
    "--dev.validators",
    String(opts.validators ?? 64),
    ...(opts.extraArgs ?? []),
  ];
  const logPath = join(dataDir, "node.log");
  const log = createWriteStream(logPath);
  // Its own process group: the SIGKILL fallback reaches the validator client too.
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${process.execPath} ${args.join(" ")}`);
  const tail: string[] = [];
  const keepLine = (line: string) => {
    tail.push(line);
    if (tail.length > 20_000) tail.splice(0, 10_000);
  };
  let partial = "";
  const onData = (d: Buffer) => {
    log.write(d);
    const text = partial + d.toString("utf8");
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    for (const l of lines) keepLine(l);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  let exit: string | undefined;
  const exited = new Promise<{ exitCode: number | null; signal: string | null }>((res) =>
    child.once("exit", (code, signal) => {
      exit = signal ?? `code ${code}`;
      res({ exitCode: code, signal });
    }),
  );
  // Never leave the devnet running when this process ends.
  const killGroup = () => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.once("exit", killGroup);
  console.log(`devnet ${opts.name}: pid ${pid}, data dir ${dataDir}, REST :${apiPort}, metrics :${metricsPort}`);
  console.log(`devnet ${opts.name}: ${process.execPath} ${args.join(" ")}`);

  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 120_000);
  let genesisTime: number | undefined;
  while (genesisTime === undefined) {
    if (exit !== undefined) throw new Error(`sextant dev exited (${exit}) before serving REST:\n${tail.join("\n")}`);
    if (Date.now() > deadline) {
      killGroup();
      throw new Error(`sextant dev did not serve /eth/v1/beacon/genesis in time:\n${tail.slice(-50).join("\n")}`);
    }
    const g = await fetchJson(`${apiUrl}/eth/v1/beacon/genesis`, 3000);
    const time = (g.body as { data?: { genesis_time?: string } } | undefined)?.data?.genesis_time;
    if (g.status === 200 && time !== undefined) genesisTime = Number(time);
    else await sleep(500);
  }
  const spec = await fetchJson(`${apiUrl}/eth/v1/config/spec`);
  const specData = (spec.body as { data?: Record<string, string> } | undefined)?.data ?? {};
  const slotsPerEpoch = Number(specData.SLOTS_PER_EPOCH ?? 8);
  const specSlotSeconds = Number(specData.SECONDS_PER_SLOT ?? slotSeconds);
  const gt = genesisTime;

  const devnet: Devnet = {
    pid,
    apiUrl,
    apiPort,
    metricsUrl,
    dataDir,
    genesisTime: gt,
    slotSeconds: specSlotSeconds,
    slotsPerEpoch,
    currentSlot: () => Math.max(0, Math.floor((Date.now() / 1000 - gt) / specSlotSeconds)),
    msUntilSlot: (slot) => (gt + slot * specSlotSeconds) * 1000 - Date.now(),
    async waitForSlot(slot, afterMs = 0) {
      const ms = devnet.msUntilSlot(slot) + afterMs;
      if (ms > 0) await sleep(ms);
    },
    getJson: (path) => fetchJson(`${apiUrl}${path}`),
    async headSlot() {
      const r = await fetchJson(`${apiUrl}/eth/v1/beacon/headers/head`);
      if (r.status !== 200) throw new Error(`GET /eth/v1/beacon/headers/head answered ${r.status}`);
      return slotOfHeader(r.body);
    },
    async hasBlockAt(slot) {
      for (let attempt = 0; ; attempt++) {
        const r = await fetchJson(`${apiUrl}/eth/v1/beacon/headers/${slot}`);
        if (r.status === 200) return slotOfHeader(r.body) === slot;
        if (r.status === 404) return false;
        if (attempt >= 2) throw new Error(`GET /eth/v1/beacon/headers/${slot} answered ${r.status}`);
        await sleep(300);
      }
    },
    async emptySlots(from, to) {
      const empty: number[] = [];
      for (let s = Math.max(1, from); s <= to; s++) if (!(await devnet.hasBlockAt(s))) empty.push(s);
      return empty;
    },
    async finality() {
      const r = await fetchJson(`${apiUrl}/eth/v1/beacon/states/head/finality_checkpoints`);
      const d = (r.body as { data?: { finalized?: { epoch: string }; current_justified?: { epoch: string } } })?.data;
      if (r.status !== 200 || !d) throw new Error(`GET states/head/finality_checkpoints answered ${r.status}`);
      return { finalized: Number(d.finalized?.epoch), justified: Number(d.current_justified?.epoch) };
    },
    rssBytes: () => procStatusBytes(pid, "VmRSS"),
    peakRssBytes: () => procStatusBytes(pid, "VmHWM"),
    async scrapeMetrics() {
      const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`GET ${metricsUrl} answered ${res.status}`);
      return await res.text();
    },
    alive: () => exit === undefined,
    exitInfo: () => exit,
    logTail: (lines = 40) => tail.slice(-lines).join("\n"),
    logLines: (re) => tail.filter((l) => re.test(l)),
    async stop({ failed, timeoutMs = 30_000 }) {
      if (exit === undefined) {
        child.kill("SIGINT");
        const timer = setTimeout(() => {
          console.log(`devnet ${opts.name}: no exit ${timeoutMs} ms after SIGINT; SIGKILL to the process group`);
          killGroup();
        }, timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      const result = await exited;
      // The validator client must not outlive the node.
      killGroup();
      process.removeListener("exit", killGroup);
      await new Promise<void>((res) => log.end(() => res()));
      if (failed) console.log(`devnet ${opts.name}: logs kept in ${dataDir} (node.log)`);
      else rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
  };
  return devnet;
}
