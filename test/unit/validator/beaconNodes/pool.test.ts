// The beacon-node pool against fake nodes on real loopback HTTP servers, with the health loop on a fake clock:
// failover order, 4xx answers, backoff growth and cap with a bounded request count, syncing nodes, one health
// request per interval, node-synced, incompatible specs, broadcast, NoUsableNodeError without a request, and
// log lines once per state change.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type ApiClientError, beaconRoutes, isApiClientError } from "@sextant/api-spec";
import { createLogger, isSextantError, memoryLogDestination } from "@sextant/common";
import { mainnetChainConfig } from "../../../../consensus/src/params/config/mainnet.ts";
import { mainnetPreset } from "../../../../consensus/src/params/presets/mainnet.ts";
import { getSszTypes } from "../../../../consensus/src/types/index.ts";
import {
  BeaconNodePool,
  type BeaconNodePoolOptions,
  NoUsableNodeError,
} from "../../../../validator/src/beaconNodes/pool.ts";
import { checkSpecCompatible } from "../../../../validator/src/beaconNodes/spec.ts";
import { createValidatorMetrics } from "../../../../validator/src/metrics.ts";
import type { BeaconNodesEvent, NodeCall } from "../../../../validator/src/ports.ts";
import { eventually, FakeTime } from "../../../support/fakeTime.ts";
import { deadUrl, type FakeNode, PEER_COUNT, SPEC, SYNCING, specOf, startFakeNode, VERSION } from "./support.ts";

const routes = beaconRoutes({ types: getSszTypes("mainnet") });
const T0 = 1_700_000_000_000;
const INTERVAL = 6000;
const SPEC_MAINNET = specOf(mainnetChainConfig, mainnetPreset, { withBlobSchedule: false });

/** The sample data request: which node answered (its peer count identifies it). */
const peerCount: NodeCall<number> = async (api) => (await api.getPeerCount()).data.connected;

const servers: FakeNode[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function node(init: Parameters<typeof startFakeNode>[0] = {}): Promise<FakeNode> {
  const n = await startFakeNode({ spec: SPEC_MAINNET, ...init });
  servers.push(n);
  return n;
}

/** A pool on a fake clock over `urls`, its events and log lines, and a way to run the clock. */
async function harness(urls: string[], opts: Partial<BeaconNodePoolOptions> = {}) {
  const time = new FakeTime(T0);
  const mem = memoryLogDestination();
  const logger = createLogger({ level: "debug", format: "json", destination: mem.stream });
  const pool = new BeaconNodePool({
    urls,
    routes,
    time,
    logger,
    healthIntervalMs: INTERVAL,
    requestTimeoutMs: 150,
    random: () => 0.5,
    checkSpec: (spec) => checkSpecCompatible({ config: mainnetChainConfig, preset: mainnetPreset }, spec),
    ...opts,
  });
  const events: BeaconNodesEvent[] = [];
  pool.on((e) => events.push(e));
  const ac = new AbortController();
  pool.start(ac.signal);
  await pool.settled();
  /** Runs the fake clock `ms` forward, one wake-up at a time, waiting for each health check's real HTTP answer. */
  const run = async (ms: number) => {
    const target = time.now() + ms;
    for (;;) {
      const next = time.pendingWakeTimes()[0];
      if (next === undefined || next > target) break;
      await time.advanceTo(Math.max(next, time.now()));
      await pool.settled();
    }
    await time.advanceTo(target);
    await pool.settled();
  };
  const logs = (level?: string) =>
    mem.lines().filter((l) => (level === undefined || l.level === level) && typeof l.msg === "string");
  return {
    time,
    pool,
    events,
    run,
    logs,
    state: (i: number) => pool.nodes()[i].state,
    close: async () => {
      ac.abort();
      await pool.close();
    },
  };
}

describe("BeaconNodePool: request routing", () => {
  it("uses synced nodes in the operator's order, fails over on 5xx/timeout/network, then returns to the first", async () => {
    const a = await node({ peerCount: 1 });
    const b = await node({ peerCount: 2 });
    const c = await node({ peerCount: 3 });
    const h = await harness([a.url, b.url, c.url]);
    try {
      assert.deepEqual(
        h.pool.nodes().map((n) => n.state),
        ["synced", "synced", "synced"],
      );
      assert.equal(h.pool.nodes()[0].version, "Fake/v1.0.0");
      assert.equal(await h.pool.request("peers", peerCount), 1);

      a.mode = "500";
      b.mode = "slow";
      b.slowMs = 400; // > requestTimeoutMs (150)
      assert.equal(await h.pool.request("peers", peerCount), 3);
      // a answered (500): the request moved on, but a is up — its health checks decide about it. b did not answer
      // in time: it backs off.
      assert.equal(h.state(0), "synced");
      assert.equal(h.state(1), "unreachable");
      assert.match(h.pool.nodes()[1].reason ?? "", /no answer within 150 ms/);

      // A backing-off node is not asked again; the answering one is: a (500 again), then straight to c.
      const aBefore = a.total();
      const bBefore = b.total();
      assert.equal(await h.pool.request("peers", peerCount), 3);
      assert.equal(a.total(), aBefore + 1);
      assert.equal(b.total(), bBefore);

      // a's health check fails too (500 on node/syncing): now it backs off, and requests go to c.
      await h.run(INTERVAL);
      assert.equal(h.state(0), "unreachable");
      assert.match(h.pool.nodes()[0].reason ?? "", /HTTP 500/);
      const primaryChanges = h.events.filter((e) => e.kind === "primary-changed");
      assert.equal(primaryChanges.at(-1)?.to, c.url);

      // a recovers: its next check (after the backoff) finds it synced, requests go back to it.
      a.mode = "up";
      b.mode = "up";
      await h.run(2000);
      assert.equal(h.state(0), "synced");
      assert.ok(h.events.some((e) => e.kind === "node-synced" && e.url === a.url));
      assert.deepEqual(h.events.filter((e) => e.kind === "primary-changed").at(-1), {
        kind: "primary-changed",
        from: c.url,
        to: a.url,
      });
      assert.equal(await h.pool.request("peers", peerCount), 1);
    } finally {
      await h.close();
    }
  });

  it("a 4xx is an answer: rethrown at once, no failover, the node stays synced", async () => {
    const a = await node({ peerCount: 1, peerCountStatus: 404 });
    const b = await node({ peerCount: 2 });
    const h = await harness([a.url, b.url]);
    try {
      await assert.rejects(h.pool.request("peers", peerCount), (err) => {
        assert.ok(isApiClientError(err, "API_CLIENT_HTTP"));
        assert.equal((err as ApiClientError).status, 404);
        return true;
      });
      assert.equal(b.count(PEER_COUNT), 0);
      assert.equal(h.state(0), "synced");
      assert.equal(h.pool.nodes()[0].consecutiveFailures, 0);
    } finally {
      await h.close();
    }
  });

  it("degraded nodes (optimistic, EL offline) only when no node is synced", async () => {
    const a = await node({ peerCount: 1, elOffline: true });
    const b = await node({ peerCount: 2 });
    const h = await harness([a.url, b.url]);
    try {
      assert.equal(h.state(0), "degraded");
      assert.match(h.pool.nodes()[0].reason ?? "", /execution client is offline/);
      assert.equal(await h.pool.request("peers", peerCount), 2);
      b.isOptimistic = true;
      await h.run(INTERVAL);
      assert.equal(h.state(1), "degraded");
      assert.equal(await h.pool.request("peers", peerCount), 1); // both degraded: operator order
      b.isOptimistic = false;
      b.mode = "down";
      await h.run(INTERVAL);
      assert.equal(h.state(1), "unreachable");
      assert.equal(await h.pool.request("peers", peerCount), 1);
      assert.ok(h.pool.isUsable());
    } finally {
      await h.close();
    }
  });

  it("a caller's non-API error is rethrown without touching the node", async () => {
    const a = await node({ peerCount: 1 });
    const b = await node({ peerCount: 2 });
    const h = await harness([a.url, b.url]);
    try {
      await assert.rejects(
        h.pool.request("bug", async () => {
          throw new TypeError("caller bug");
        }),
        TypeError,
      );
      assert.equal(h.state(0), "synced");
    } finally {
      await h.close();
    }
  });
});

describe("BeaconNodePool: health and backoff", () => {
  it("a dead node backs off exponentially up to the cap; one request per backoff window", async () => {
    const dead = await node({ mode: "down" });
    const h = await harness([dead.url], { backoff: { baseMs: 1000, maxMs: 8000 }, random: () => 0.5 });
    try {
      assert.equal(h.state(0), "unreachable");
      assert.equal(dead.total(), 1);
      // Jitter 0.5 → 0.75·d: 750, 1500, 3000, 6000, then capped 8000·0.75 = 6000.
      const gaps: number[] = [];
      let last = h.time.now();
      for (let i = 0; i < 8; i++) {
        const next = h.pool.nodes()[0].nextCheckAt;
        gaps.push(next - last);
        last = next;
        const before = dead.total();
        await h.run(next - h.time.now() - 1);
        assert.equal(dead.total(), before, "nothing is sent before nextCheckAt");
        await h.run(1);
        assert.equal(dead.total(), before + 1, "one request per backoff window");
      }
      assert.deepEqual(gaps, [750, 1500, 3000, 6000, 6000, 6000, 6000, 6000]);
      assert.equal(h.pool.nodes()[0].consecutiveFailures, 9);
      // Only the spec is asked while the node never answered (first contact not made).
      assert.equal(dead.count(SPEC), 9);
      assert.equal(dead.count(SYNCING), 0);
    } finally {
      await h.close();
    }
  });

  it("jitter stays in [d/2, d]", async () => {
    const url = await deadUrl();
    for (const r of [0, 0.999]) {
      const h = await harness([url], { backoff: { baseMs: 1000, maxMs: 60_000 }, random: () => r });
      try {
        const wait = h.pool.nodes()[0].nextCheckAt - h.time.now();
        assert.equal(wait, r === 0 ? 500 : 1000);
      } finally {
        await h.close();
      }
    }
  });

  it("a syncing node is asked once per interval, refused for requests, and used once synced", async () => {
    const a = await node({ peerCount: 1, syncDistance: 1234, isSyncing: true, headSlot: 10 });
    const h = await harness([a.url]);
    try {
      assert.equal(h.state(0), "syncing");
      assert.equal(a.count(SPEC), 1);
      assert.equal(a.count(VERSION), 1);
      assert.equal(a.count(SYNCING), 1);
      // 10 intervals, run in 500 ms steps: exactly one syncing request per interval, nothing else.
      for (let i = 0; i < 120; i++) await h.run(500);
      assert.equal(a.count(SYNCING), 11);
      assert.equal(a.count(SPEC), 1);
      assert.equal(a.count(VERSION), 1);
      assert.equal(a.count(PEER_COUNT), 0);

      await assert.rejects(h.pool.request("peers", peerCount), (err) => {
        assert.ok(err instanceof NoUsableNodeError);
        assert.equal(err.code, "NO_USABLE_BEACON_NODE");
        assert.match(err.message, /syncing, 1,234 slots behind/);
        return true;
      });
      assert.equal(a.count(PEER_COUNT), 0);

      // Within tolerance (4 slots) counts as synced even though is_syncing still says true.
      a.syncDistance = 3;
      const waiting = h.pool.waitUntilUsable(AbortSignal.timeout(5000));
      await h.run(INTERVAL);
      await waiting;
      assert.equal(h.state(0), "synced");
      assert.deepEqual(
        h.events.filter((e) => e.kind === "node-synced"),
        [{ kind: "node-synced", url: a.url }],
      );
      assert.equal(await h.pool.request("peers", peerCount), 1);
      // is_syncing false is believed whatever the distance (slots without blocks leave a synced node's head behind).
      a.isSyncing = false;
      a.syncDistance = 5;
      await h.run(INTERVAL);
      assert.equal(h.state(0), "synced");
      // is_syncing true beyond the tolerance: syncing.
      a.isSyncing = true;
      await h.run(INTERVAL);
      assert.equal(h.state(0), "syncing");
      assert.deepEqual(h.events.at(-1), { kind: "no-usable-node" });
    } finally {
      await h.close();
    }
  });

  it("a 503 health answer backs off like a dead node", async () => {
    const a = await node({ mode: "503" });
    const h = await harness([a.url], { backoff: { baseMs: 1000, maxMs: 60_000 } });
    try {
      assert.equal(h.state(0), "unreachable");
      assert.match(h.pool.nodes()[0].reason ?? "", /HTTP 503/);
      await h.run(700);
      assert.equal(a.total(), 1);
      a.mode = "up";
      await h.run(100);
      assert.equal(h.state(0), "synced");
      assert.equal(h.pool.nodes()[0].consecutiveFailures, 0);
    } finally {
      await h.close();
    }
  });

  it("a node on another network is refused for good, with the reason in the error log", async () => {
    const other = await node({
      spec: { ...SPEC_MAINNET, GENESIS_FORK_VERSION: "0x10000910" },
    });
    const h = await harness([other.url]);
    try {
      assert.equal(h.state(0), "incompatible");
      assert.match(h.pool.nodes()[0].reason ?? "", /GENESIS_FORK_VERSION 0x10000910 ≠ ours 0x00000000/);
      const errors = h.logs("error");
      assert.equal(errors.length, 1);
      assert.match(String(errors[0].msg), /is on another network or configuration: GENESIS_FORK_VERSION 0x10000910/);
      assert.match(String(errors[0].msg), /--beacon-nodes/);
      const sent = other.total();
      await h.run(10 * INTERVAL);
      assert.equal(other.total(), sent);
      await assert.rejects(h.pool.request("peers", peerCount), /incompatible|another network/);
    } finally {
      await h.close();
    }
  });

  it("state changes are logged once, not per check or request", async () => {
    const a = await node({ peerCount: 1 });
    const b = await node({ peerCount: 2 });
    const h = await harness([a.url, b.url], { backoff: { baseMs: 1000, maxMs: 4000 } });
    try {
      a.mode = "down";
      assert.equal(await h.pool.request("peers", peerCount), 2);
      await h.run(60_000); // many failed checks
      for (let i = 0; i < 5; i++) assert.equal(await h.pool.request("peers", peerCount), 2);
      const unreachable = h.logs("warn").filter((l) => String(l.msg).includes("is unreachable"));
      assert.equal(unreachable.length, 1);
      assert.match(
        String(unreachable[0].msg),
        new RegExp(`beacon node ${a.url} is unreachable \\(.+\\); retrying in 1 s; using ${b.url}`),
      );
      const switches = h.logs("info").filter((l) => String(l.msg).startsWith("requests now go to"));
      assert.equal(switches.length, 1);
      a.mode = "up";
      await h.run(5000);
      const back = h.logs("info").filter((l) => String(l.msg).includes(`${a.url} is synced again`));
      assert.equal(back.length, 1);
    } finally {
      await h.close();
    }
  });

  it("metrics: node state, primary, request latency and errors", async () => {
    const metrics = createValidatorMetrics({ defaults: false });
    const a = await node({ peerCount: 1 });
    const h = await harness([a.url], { metrics });
    try {
      await h.pool.request("peers", peerCount);
      a.peerCountStatus = 400;
      await assert.rejects(h.pool.request("peers", peerCount));
      const text = await metrics.registry.metrics();
      assert.match(text, new RegExp(`validator_beacon_node_state\\{node="${a.url}",state="synced"\\} 1`));
      assert.match(text, new RegExp(`validator_beacon_node_primary\\{node="${a.url}"\\} 1`));
      assert.match(text, /validator_beacon_node_request_seconds_count\{node="[^"]+",operation="peers"\} 2/);
      assert.match(
        text,
        /validator_beacon_node_request_errors_total\{node="[^"]+",operation="peers",kind="http_4xx"\} 1/,
      );
    } finally {
      await h.close();
    }
  });
});

describe("BeaconNodePool: no usable node, publish", () => {
  it("NoUsableNodeError names every node and why, without sending a request", async () => {
    const refused = await deadUrl();
    const syncing = await node({ syncDistance: 1234, isSyncing: true });
    const h = await harness([refused, syncing.url], { backoff: { baseMs: 8000, maxMs: 60_000 }, random: () => 0.999 });
    try {
      const before = syncing.total();
      const err = await h.pool.request("getGenesis", peerCount).then(
        () => assert.fail("expected NoUsableNodeError"),
        (e: unknown) => e,
      );
      assert.ok(isSextantError(err, "NO_USABLE_BEACON_NODE"));
      assert.equal(syncing.total(), before);
      assert.match(
        err.message,
        new RegExp(
          `${refused}: unreachable \\(.*ECONNREFUSED.*\\), retry in 8 s; ${syncing.url}: syncing, 1,234 slots behind`,
        ),
      );
      const ctx = (err as NoUsableNodeError).context;
      assert.deepEqual(
        ctx.nodes.map((n) => n.state),
        ["unreachable", "syncing"],
      );
      await assert.rejects(h.pool.publish("attestations", peerCount), NoUsableNodeError);
      assert.equal(syncing.total(), before);
    } finally {
      await h.close();
    }
  });

  it("broadcast publishes to every usable node, resolves when one accepted", async () => {
    const a = await node({ peerCount: 1 });
    const b = await node({ peerCount: 2 });
    const c = await node({ peerCount: 3, syncDistance: 100, isSyncing: true });
    const h = await harness([a.url, b.url, c.url], { broadcast: true });
    try {
      await h.pool.publish("attestations", peerCount);
      assert.equal(a.count(PEER_COUNT), 1);
      assert.equal(b.count(PEER_COUNT), 1);
      assert.equal(c.count(PEER_COUNT), 0); // syncing: not usable

      a.mode = "down";
      await h.pool.publish("attestations", peerCount); // resolved by b, without waiting for a's failure
      assert.equal(b.count(PEER_COUNT), 2);
      await eventually(() => h.state(0) === "unreachable", "a marked unreachable after its failed publish");

      // b refuses (400) and a is backing off: the preferred usable node's error is the answer.
      b.peerCountStatus = 400;
      const aBefore = a.count(PEER_COUNT);
      await assert.rejects(h.pool.publish("attestations", peerCount), (err) => {
        assert.equal((err as ApiClientError).status, 400);
        return true;
      });
      assert.equal(a.count(PEER_COUNT), aBefore);
    } finally {
      await h.close();
    }
  });

  it("without broadcast, publish is a request to the best node only", async () => {
    const a = await node({ peerCount: 1 });
    const b = await node({ peerCount: 2 });
    const h = await harness([a.url, b.url]);
    try {
      await h.pool.publish("attestations", peerCount);
      assert.equal(a.count(PEER_COUNT), 1);
      assert.equal(b.count(PEER_COUNT), 0);
    } finally {
      await h.close();
    }
  });

  it("waitUntilUsable rejects on abort; close stops the health loops", async () => {
    const url = await deadUrl();
    const h = await harness([url]);
    const ac = new AbortController();
    const waiting = h.pool.waitUntilUsable(ac.signal);
    ac.abort(new Error("gave up"));
    await assert.rejects(waiting, /gave up/);
    await h.close();
    assert.equal(h.time.pendingSleepers(), 0);
    await assert.rejects(h.pool.waitUntilUsable(new AbortController().signal), /closed/);
  });

  it("refuses bad URLs with a message saying how to write them", () => {
    const time = new FakeTime(T0);
    const logger = createLogger({ level: "silent" });
    assert.throws(
      () => new BeaconNodePool({ urls: ["localhost:5052"], routes, time, logger }),
      /not an http\(s\) URL|not a URL/,
    );
    assert.throws(() => new BeaconNodePool({ urls: [], routes, time, logger }), /--beacon-nodes/);
  });

  it("credentials in a URL never appear in health records or messages", async () => {
    const a = await node();
    const withCreds = a.url.replace("http://", "http://user:hunter2@");
    const h = await harness([withCreds]);
    try {
      assert.equal(h.state(0), "synced");
      assert.ok(!h.pool.nodes()[0].url.includes("hunter2"));
      assert.ok(!JSON.stringify(h.logs()).includes("hunter2"));
    } finally {
      await h.close();
    }
  });
});
