// The interop scenarios: our validator client (or the Lodestar stand-in) driving Lodestar 1.5.1 beacon nodes.
//  finality-phase0 / finality-capella: epoch 2 finalized by slot 33, then 2 more epochs finalized.
//  node-phase0 / node-capella: the same checks with the roles swapped: Lodestar 1.5.1's validator client (64 interop
//            keys) drives `sextant beacon` (our node under test; it serves the pre-v4 endpoints that client calls).
//  fallback: two peered nodes, node 1 SIGKILLed mid-epoch and restarted two epochs later; no missed duty after the
//            kill slot, requests to the dead node bounded.
//  syncing:  a proxy reports is_syncing: true for 6 slots; the client only polls health (at most once per
//            interval) and performs duties within one slot after the node reports synced.
import { setTimeout as sleep } from "node:timers/promises";
import {
  type ChainTime,
  ChainTime as ChainTimeClass,
  type ChainWatcher,
  epochOf,
  ChainWatcher as Watcher,
} from "./lib/chain.ts";
import {
  type Fork,
  SECONDS_PER_SLOT,
  SLOTS_PER_EPOCH,
  startBeaconNode,
  startLodestarValidator,
  waitForRest,
} from "./lib/lodestar.ts";
import { killProcess } from "./lib/procs.ts";
import { type CountingProxy, countByKey, startProxy } from "./lib/proxy.ts";
import { Report } from "./lib/report.ts";
import { getJson } from "./lib/rest.ts";
import { type Chain, runFile, type ScenarioContext, startChain } from "./lib/setup.ts";
import { lodestarParamsFor, startSextantNode } from "./lib/sextantNode.ts";
import { type DutyCounters, dutyDelta, formatCounts, scrapeDuties, startValidatorClient } from "./lib/vc.ts";

/** Resources a scenario opened in-process (proxies); the runner closes them whatever happens. */
export interface ScenarioResources {
  proxies: CountingProxy[];
}

export type Scenario = (ctx: ScenarioContext, res: ScenarioResources) => Promise<Report>;

/**
 * Epoch 2 is finalized by the epoch transition into epoch 4, i.e. with the first block of slot 32. One slot of
 * margin covers a poll that lands just after that block or a slot-32 proposal that arrives late; a chain that
 * finalizes epoch 2 only at slot 34 or later lost at least one whole slot of the protocol limit.
 */
const FINALITY_MARGIN_SLOTS = 1;
const FIRST_FINALIZED_EPOCH = 2;
const EXTRA_FINALIZED_EPOCHS = 2;
/** Participation under this in an epoch whose inclusion window closed is a failure (64 keys, one client). */
const MIN_PARTICIPATION = 0.9;

function addEpochTable(report: Report, watcher: ChainWatcher, lastSlot: number): void {
  report.table(
    `chain as seen by ${watcher.url} (slots 1..${lastSlot})`,
    ["epoch", "finalized epoch", "participation", "blocks proposed/missed"],
    watcher.epochRows(lastSlot),
  );
}

function participationCheck(report: Report, watcher: ChainWatcher, lastSlot: number, fromEpoch = 0): void {
  const low: string[] = [];
  let checked = 0;
  for (let e = fromEpoch; (e + 2) * SLOTS_PER_EPOCH - 1 <= lastSlot; e++) {
    const p = watcher.participants(e);
    checked++;
    if (p === undefined) low.push(`epoch ${e}: committees unknown`);
    else if (p.size < MIN_PARTICIPATION * 64) low.push(`epoch ${e}: ${p.size}/64`);
  }
  report.check(
    `participation ≥ ${MIN_PARTICIPATION * 100}% in every epoch whose inclusion window closed (from epoch ${fromEpoch})`,
    low.length === 0 && checked > 0,
    low.length === 0 ? `${checked} epochs checked` : low.join("; "),
  );
}

function metricsChecks(
  report: Report,
  name: string,
  before: DutyCounters | undefined,
  after: DutyCounters | undefined,
  kind: string,
): void {
  if (kind !== "sextant") {
    report.skip(name, "the stand-in validator client has no validator_duties_* metrics");
    return;
  }
  if (before === undefined || after === undefined) {
    report.check(name, false, "could not scrape the client's /metrics");
    return;
  }
  const d = dutyDelta(before, after);
  const missed = (d.missed.attestation ?? 0) + (d.missed.block ?? 0);
  const performed = (d.performed.attestation ?? 0) + (d.performed.block ?? 0);
  report.check(
    name,
    missed === 0 && performed > 0,
    `performed: ${formatCounts(d.performed)}; missed: ${formatCounts(d.missed)}`,
  );
}

const ZERO: DutyCounters = { performed: {}, missed: {} };

/** The validator client must still be running (a crash is a failure, with the exit code). */
async function vcAliveCheck(report: Report, proc: { hasExited(): boolean; exited: Promise<number | string> }) {
  if (proc.hasExited()) report.check("validator client ran to the end", false, `it exited: ${await proc.exited}`);
  else report.check("validator client ran to the end", true, "still running");
}

/**
 * Finality with one node and one validator client. `node: "lodestar"`: the client under test (ctx.vc) drives a
 * Lodestar 1.5.1 node. `node: "sextant"`: Lodestar 1.5.1's validator client drives `sextant beacon` (the node under
 * test; it must serve the pre-v4 endpoints that client calls and a config/spec it accepts).
 */
function finality(fork: Fork, nodeKind: "lodestar" | "sextant" = "lodestar"): Scenario {
  return async (ctx) => {
    const report = new Report(nodeKind === "sextant" ? `node-${fork}` : `finality-${fork}`);
    let chain: { genesisTime: number; time: ChainTime };
    let node: { url: string };
    let vc: Awaited<ReturnType<typeof startValidatorClient>>;
    if (nodeKind === "sextant") {
      const genesisTime = Math.floor(Date.now() / 1000) + ctx.genesisDelay;
      ctx.print(
        `genesis: ${fork}, 64 validators, genesis time ${genesisTime} (in ${ctx.genesisDelay} s), sextant beacon`,
      );
      const ours = await startSextantNode(ctx.runDir, fork, genesisTime);
      ctx.print(`sextant beacon: REST ${ours.url}, pid ${ours.proc.pid}`);
      chain = { genesisTime, time: new ChainTimeClass(genesisTime) };
      node = ours;
      const extraArgs = await lodestarParamsFor(ours.url);
      vc = {
        kind: "lodestar",
        proc: startLodestarValidator({ runDir: ctx.runDir, fork, beaconUrls: [ours.url], extraArgs }),
      };
    } else {
      const started = await startChain(ctx, fork, 1);
      chain = started;
      node = started.nodes[0];
      vc = await startValidatorClient({
        kind: ctx.vc,
        runDir: ctx.runDir,
        fork,
        beaconUrls: [node.url],
        specSourceUrl: node.url,
      });
    }
    const startedBeforeGenesis = chain.genesisTime - Date.now() / 1000;
    ctx.print(`validator client (${vc.kind}) pid ${vc.proc.pid}, ${startedBeforeGenesis.toFixed(1)} s before genesis`);
    const watcher: ChainWatcher = new Watcher(node.url, chain.genesisTime, ctx.print);
    watcher.start();
    const limitSlot = (FIRST_FINALIZED_EPOCH + 2) * SLOTS_PER_EPOCH; // 32: the transition into epoch 4
    const target = FIRST_FINALIZED_EPOCH + EXTRA_FINALIZED_EPOCHS;
    const giveUpSlot = (target + 2) * SLOTS_PER_EPOCH + SLOTS_PER_EPOCH; // a whole epoch late
    for (;;) {
      await sleep(1000);
      const wall = chain.time.slotAt();
      if (watcher.finalizedEpoch() >= target) break;
      if (vc.proc.hasExited()) break;
      if (wall > limitSlot + FINALITY_MARGIN_SLOTS && watcher.finalizedEpoch() < FIRST_FINALIZED_EPOCH) break;
      if (wall >= giveUpSlot) break;
    }
    const metrics = await scrapeDuties(vc);
    await watcher.stop();
    const lastSlot = chain.time.slotAt() - 1;
    await watcher.scanBlocks(1, lastSlot);
    addEpochTable(report, watcher, lastSlot);

    const first = watcher.firstFinalized(FIRST_FINALIZED_EPOCH);
    report.check(
      `epoch ${FIRST_FINALIZED_EPOCH} finalized by slot ${limitSlot} + ${FINALITY_MARGIN_SLOTS}`,
      first !== undefined && first.wallSlot <= limitSlot + FINALITY_MARGIN_SLOTS,
      first === undefined
        ? `not finalized (finalized epoch ${watcher.finalizedEpoch()} at slot ${lastSlot})`
        : `first seen at slot ${first.wallSlot} (head ${first.headSlot}), ${(first.t / 1000 - chain.genesisTime) | 0} s after genesis`,
    );
    report.check(
      `then ${EXTRA_FINALIZED_EPOCHS} more epochs finalized`,
      watcher.finalizedEpoch() >= target,
      `finalized epoch ${watcher.finalizedEpoch()} at slot ${lastSlot}`,
    );
    const late: string[] = [];
    for (let e = 2 * FIRST_FINALIZED_EPOCH; (e + 1) * SLOTS_PER_EPOCH - 1 <= lastSlot; e++) {
      const fin = Math.max(-1, ...watcher.samples.filter((s) => epochOf(s.wallSlot) === e).map((s) => s.finalized));
      if (fin < e - 2) late.push(`epoch ${e}: finalized ${fin}`);
    }
    report.check(
      "finality at the protocol limit in every later epoch (epoch e finalizes e−2)",
      late.length === 0,
      late.length === 0 ? "yes" : late.join("; "),
    );
    const empty = watcher.emptySlots(1, lastSlot);
    report.check(
      "no missed block",
      empty.length === 0,
      `${lastSlot - empty.length}/${lastSlot} slots have a block${empty.length > 0 ? `; empty: ${empty.join(",")}` : ""}`,
    );
    participationCheck(report, watcher, lastSlot);
    metricsChecks(report, "our metrics: no missed attestation or block", ZERO, metrics, vc.kind);
    await vcAliveCheck(report, vc.proc);
    return report;
  };
}

async function fallback(ctx: ScenarioContext, res: ScenarioResources, fork: Fork): Promise<Report> {
  const report = new Report(`fallback-${fork}`);
  const chain: Chain = await startChain(ctx, fork, 2);
  const [node1, node2] = chain.nodes;
  report.check("two Lodestar nodes peer on loopback", true, `node2 connected to node1 after ${chain.peeringSeconds} s`);
  const p1 = await startProxy({ name: "proxy1", target: node1.url, logFile: runFile(ctx, "proxy1.jsonl") });
  const p2 = await startProxy({ name: "proxy2", target: node2.url, logFile: runFile(ctx, "proxy2.jsonl") });
  res.proxies.push(p1, p2);
  const vc = await startValidatorClient({
    kind: ctx.vc,
    runDir: ctx.runDir,
    fork,
    beaconUrls: [p1.url, p2.url],
    specSourceUrl: node1.url,
  });
  ctx.print(`validator client (${ctx.vc}) pid ${vc.proc.pid} → ${p1.url} (node1), ${p2.url} (node2)`);
  // node2 stays up all along: the harness reads the chain there.
  const watcher = new Watcher(node2.url, chain.genesisTime, ctx.print);
  watcher.start();

  const killSlot = 2 * SLOTS_PER_EPOCH + SLOTS_PER_EPOCH / 2; // slot 20, mid-epoch 2
  const restartSlot = killSlot + 2 * SLOTS_PER_EPOCH; // two epochs later
  const endSlot = restartSlot + SLOTS_PER_EPOCH + 2;
  const midSlotMs = (SECONDS_PER_SLOT * 1000) / 2;

  await chain.time.waitFor(killSlot, midSlotMs);
  const followed = (await getJson(`${node1.url}/eth/v1/beacon/headers/head`)) as {
    data: { root: string; header: { message: { slot: string } } };
  };
  const follow2 = (await getJson(`${node2.url}/eth/v1/beacon/headers/head`)) as typeof followed;
  const tKill = Date.now();
  await killProcess(node1.proc);
  ctx.print(`>>> node1 SIGKILLed at slot ${killSlot} + ${midSlotMs / 1000} s`);
  report.check(
    "node2 followed node1's chain before the kill",
    followed.data.root === follow2.data.root,
    `heads at the kill: node1 ${followed.data.header.message.slot} ${followed.data.root.slice(0, 10)}, node2 ${follow2.data.header.message.slot} ${follow2.data.root.slice(0, 10)}`,
  );
  await chain.time.waitFor(killSlot + 1, 1000);
  const mAfterKill = await scrapeDuties(vc);

  await chain.time.waitFor(restartSlot, midSlotMs);
  const identity2 = (await getJson(`${node2.url}/eth/v1/node/identity`)) as { data: { enr: string } };
  const restarted = startBeaconNode({ ...node1.options, name: "node1-restarted", bootnodes: [identity2.data.enr] });
  chain.nodes.push(restarted);
  await waitForRest(restarted);
  const tUp = Date.now();
  ctx.print(`>>> node1 restarted (pid ${restarted.proc.pid}), REST up at slot ${chain.time.slotAt(tUp)}`);

  await chain.time.waitFor(endSlot);
  const mEnd = await scrapeDuties(vc);
  let head1 = -1;
  let head2 = -1;
  try {
    const h1 = (await getJson(`${node1.url}/eth/v1/beacon/headers/head`)) as typeof followed;
    const h2 = (await getJson(`${node2.url}/eth/v1/beacon/headers/head`)) as typeof followed;
    head1 = Number(h1.data.header.message.slot);
    head2 = Number(h2.data.header.message.slot);
  } catch {
    // reported below
  }
  await watcher.stop();
  const lastSlot = endSlot - 1;
  await watcher.scanBlocks(1, lastSlot);
  addEpochTable(report, watcher, lastSlot);

  const dead = p1.entries.filter((e) => e.t >= tKill && e.t < tUp);
  const deadConnections = p1.connections.filter((t) => t >= tKill && t < tUp).length;
  const deadSeconds = (tUp - tKill) / 1000;
  report.table(
    `requests to node1 while it was dead (${deadSeconds.toFixed(0)} s, through proxy1)`,
    ["method path", "count"],
    countByKey(dead).map(([k, v]) => [k, String(v)]),
  );
  report.table(
    "requests to node2 over the whole run (through proxy2)",
    ["method path", "count"],
    countByKey(p2.entries).map(([k, v]) => [k, String(v)]),
  );
  // One health request per interval, plus the requests in flight at the kill and the event stream's reconnects.
  const bound = Math.ceil((deadSeconds * 1000) / ctx.healthIntervalMs) + 10;
  report.check(
    "requests to the dead node stay bounded",
    dead.length <= bound,
    `${dead.length} requests, ${deadConnections} connections in ${deadSeconds.toFixed(0)} s (bound ${bound}: one per ${ctx.healthIntervalMs} ms health interval + 10)`,
  );
  const empty = watcher.emptySlots(killSlot + 1, lastSlot);
  report.check(
    `no missed block after the kill slot (slots ${killSlot + 1}..${lastSlot})`,
    empty.length === 0,
    empty.length === 0 ? "every slot has a block" : `empty slots: ${empty.join(",")}`,
  );
  const lastAttSlot = lastSlot - 2; // attestations of later slots may not be included yet
  const missingAtt: string[] = [];
  for (let s = killSlot + 1; s <= lastAttSlot; s++) {
    const m = watcher.missingAttesters(s);
    if (m === undefined) missingAtt.push(`slot ${s}: committees unknown`);
    else if (m.length > 0) missingAtt.push(`slot ${s}: ${m.join(",")}`);
  }
  report.check(
    `no missed attestation after the kill slot (slots ${killSlot + 1}..${lastAttSlot}, from blocks)`,
    missingAtt.length === 0,
    missingAtt.length === 0 ? "every due validator's attestation included" : missingAtt.join("; "),
  );
  metricsChecks(report, "our metrics: no missed attestation or block after the kill slot", mAfterKill, mEnd, ctx.vc);
  report.check(
    "node1 restarted and caught up with node2",
    head1 >= 0 && head1 >= head2 - 1,
    `heads at slot ${endSlot}: node1 ${head1}, node2 ${head2}`,
  );
  report.check(
    "finality continued through the failover",
    watcher.finalizedEpoch() >= epochOf(lastSlot) - 3,
    `finalized epoch ${watcher.finalizedEpoch()} at slot ${lastSlot}`,
  );
  await vcAliveCheck(report, vc.proc);
  return report;
}

/** Slots during which the proxy reports the node syncing (from genesis). */
const SYNCING_WINDOW_SLOTS = 6;

/** Paths a client may call while its only node reports syncing: health and the start-up data. */
const ALLOWED_WHILE_SYNCING = new Set([
  "GET /eth/v1/node/syncing",
  "GET /eth/v1/beacon/genesis",
  "GET /eth/v1/config/spec",
  "GET /eth/v1/node/version",
]);

async function syncing(ctx: ScenarioContext, res: ScenarioResources, fork: Fork): Promise<Report> {
  const report = new Report(`syncing-${fork}`);
  const chain = await startChain(ctx, fork, 1);
  const node = chain.nodes[0];
  // Less than an epoch: the client is the chain's only proposer, so while it waits no block is made, and Lodestar
  // 1.5.1 itself refuses validator requests (503 "waiting for peers") once its head is more than an epoch behind.
  const switchSlot = SYNCING_WINDOW_SLOTS;
  const switchAt = chain.time.slotStart(switchSlot);
  const proxy = await startProxy({
    name: "proxy",
    target: node.url,
    logFile: runFile(ctx, "proxy.jsonl"),
    reportSyncing: () => Date.now() < switchAt,
  });
  res.proxies.push(proxy);
  const vc = await startValidatorClient({
    kind: ctx.vc,
    runDir: ctx.runDir,
    fork,
    beaconUrls: [proxy.url],
    specSourceUrl: node.url,
  });
  ctx.print(
    `validator client (${ctx.vc}) pid ${vc.proc.pid} → ${proxy.url}; node reports syncing until slot ${switchSlot}`,
  );
  const watcher = new Watcher(node.url, chain.genesisTime, ctx.print);
  watcher.start();
  const endSlot = switchSlot + 5;
  await chain.time.waitFor(endSlot);
  await watcher.stop();
  const lastSlot = endSlot - 1;
  await watcher.scanBlocks(1, lastSlot);
  addEpochTable(report, watcher, lastSlot);

  const window = proxy.entries.filter((e) => e.t < switchAt);
  report.table(
    `requests while the node reported syncing (until slot ${switchSlot})`,
    ["method path", "count"],
    countByKey(window).map(([k, v]) => [k, String(v)]),
  );
  const others = window.filter((e) => !ALLOWED_WHILE_SYNCING.has(`${e.method} ${e.key}`));
  report.check(
    "while syncing: only node/syncing (+ genesis, spec, version at start)",
    others.length === 0,
    others.length === 0
      ? `${window.length} requests, all allowed`
      : `${others.length} other requests: ${countByKey(others)
          .map(([k, v]) => `${k} ×${v}`)
          .join(", ")}`,
  );
  const polls = window.filter((e) => e.key === "/eth/v1/node/syncing");
  let minGap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < polls.length; i++) minGap = Math.min(minGap, polls[i].t - polls[i - 1].t);
  const span = polls.length > 0 ? switchAt - polls[0].t : 0;
  const maxPolls = Math.floor(span / ctx.healthIntervalMs) + 1;
  report.check(
    `at most one health request per interval (${ctx.healthIntervalMs} ms)`,
    polls.length > 0 && minGap >= 0.9 * ctx.healthIntervalMs && polls.length <= maxPolls,
    polls.length === 0
      ? "the client never asked GET /eth/v1/node/syncing"
      : `${polls.length} syncing requests in ${(span / 1000).toFixed(0)} s (at most ${maxPolls}), smallest gap ${
          Number.isFinite(minGap) ? `${minGap} ms` : "n/a"
        }`,
  );
  const early = watcher.emptySlots(1, switchSlot - 1).length;
  report.check(
    "no block proposed while the node reported syncing",
    early === switchSlot - 1,
    `${switchSlot - 1 - early} of slots 1..${switchSlot - 1} have a block`,
  );
  const synced = proxy.entries.find((e) => e.key === "/eth/v1/node/syncing" && e.t >= switchAt && e.status === 200);
  if (synced === undefined) {
    report.check("duties within one slot after the node reports synced", false, "the client never asked again");
  } else {
    const s = chain.time.slotAt(synced.t);
    const block = watcher.blocks.get(s + 1);
    const missing = watcher.missingAttesters(s + 1);
    const firstPost = proxy.entries.find(
      (e) => e.t >= synced.t && e.method === "POST" && /\/beacon\/pool\/attestations$|\/beacon\/blocks$/.test(e.key),
    );
    const ok =
      block !== undefined && block !== null && missing !== undefined && missing.length === 0 && firstPost !== undefined;
    report.check(
      "duties within one slot after the node reports synced",
      ok,
      `synced reported at slot ${s} + ${chain.time.secondsIntoSlot(synced.t).toFixed(1)} s; slot ${s + 1}: block ${
        block ? "proposed" : "missing"
      }, attestations missing ${missing === undefined ? "? (committees unknown)" : missing.length}; first publish ${
        firstPost
          ? `${firstPost.method} ${firstPost.key} at slot ${chain.time.slotAt(firstPost.t)} + ${chain.time.secondsIntoSlot(firstPost.t).toFixed(1)} s`
          : "none"
      }`,
    );
  }
  await vcAliveCheck(report, vc.proc);
  return report;
}

/** Every scenario by name. */
export const SCENARIOS: Record<string, Scenario> = {
  "finality-phase0": finality("phase0"),
  "finality-capella": finality("capella"),
  "node-phase0": finality("phase0", "sextant"),
  "node-capella": finality("capella", "sextant"),
  fallback: (ctx, res) => fallback(ctx, res, (process.env.INTEROP_FALLBACK_FORK as Fork | undefined) ?? "phase0"),
  syncing: (ctx, res) => syncing(ctx, res, (process.env.INTEROP_SYNCING_FORK as Fork | undefined) ?? "phase0"),
};
