// The beacon node's metrics: the registry renders every standard beacon-metrics name we claim, with the type and help
// text the standard gives (cross-checked against ../shared/reference/beacon-metrics/metrics.md when present) and
// our sextant_ metrics; observeApiResponse and the governor hooks count each refusal once (also through a real
// api-spec server with the governor); the /metrics server answers over real HTTP on an ephemeral port, 404s
// elsewhere, warns beyond loopback and frees its port on close().
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createApiServer, type RequestInfo, type RouteTable, route } from "@sextant/api-spec";
import { emptyResponse, NO_PARAMS } from "@sextant/api-spec/routes/define";
import { createRequestGovernor } from "@sextant/beacon/api/governor/governor";
import {
  createBeaconMetrics,
  isLoopbackAddress,
  metricsForGovernor,
  observeApiResponse,
  rootToMetricValue,
  STANDARD_METRIC_NAMES,
  startMetricsServer,
  statusClass,
} from "@sextant/beacon/metrics/index";
import { createLogger, memoryLogDestination, SextantError } from "@sextant/common";
import type { Counter, Gauge, Histogram } from "prom-client";
import { request } from "undici";

/** The standard's names, types and usage texts that the node registers (from metrics.md). */
const STANDARD: readonly { name: string; type: "gauge" | "counter" | "histogram"; help: string }[] = [
  { name: "libp2p_peers", type: "gauge", help: "Tracks the total number of libp2p peers" },
  { name: "beacon_head_slot", type: "gauge", help: "Latest slot of the beacon chain" },
  { name: "beacon_finalized_epoch", type: "gauge", help: "Current finalized epoch" },
  { name: "beacon_current_justified_epoch", type: "gauge", help: "Current justified epoch" },
  { name: "beacon_previous_justified_epoch", type: "gauge", help: "Current previously justified epoch" },
  { name: "beacon_current_active_validators", type: "gauge", help: "Current total active validators" },
  { name: "beacon_reorgs_total", type: "counter", help: "Total number of chain reorganizations" },
  { name: "beacon_processed_deposits_total", type: "gauge", help: "Total number of deposits processed" },
  {
    name: "beacon_current_validators",
    type: "gauge",
    help: 'Number of `status="pending|active|exited|withdrawable"` validators in current epoch',
  },
  {
    name: "beacon_previous_validators",
    type: "gauge",
    help: 'Number of `status="pending|active|exited|withdrawable"` validators in previous epoch',
  },
  {
    name: "beacon_current_live_validators",
    type: "gauge",
    help: "Number of active validators that successfully included attestation on chain for current epoch",
  },
  {
    name: "beacon_previous_live_validators",
    type: "gauge",
    help: "Number of active validators that successfully included attestation on chain for previous epoch",
  },
  { name: "beacon_pending_deposits", type: "gauge", help: "Number of pending deposits in the current state" },
  {
    name: "beacon_pending_partial_withdrawals",
    type: "gauge",
    help: "Number of pending partial withdrawals in the current state",
  },
  {
    name: "beacon_pending_consolidations",
    type: "gauge",
    help: "Number of pending consolidations in the current state",
  },
  { name: "beacon_pending_exits", type: "gauge", help: "Number of pending voluntary exits in local operation pool" },
  {
    name: "beacon_previous_epoch_orphaned_blocks",
    type: "gauge",
    help: "Number of blocks orphaned in the previous epoch",
  },
  {
    name: "beacon_attestation_delay_count",
    type: "histogram",
    help: "Attestation delay count, bucket size yet to be decided",
  },
  { name: "beacon_block_delay_count", type: "histogram", help: "Block delay count, bucket size yet to be decided" },
  { name: "beacon_head_state_root", type: "gauge", help: "Head state root" },
  { name: "beacon_head_state_finalized_root", type: "gauge", help: "Current finalized root*" },
  { name: "beacon_previous_justified_root", type: "gauge", help: "Current previously justified root*" },
  { name: "beacon_aggregates_received_total", type: "gauge", help: "Total number of aggregates received" },
  { name: "beacon_attestations_received_total", type: "gauge", help: "Total number of attestations received" },
  {
    name: "beacon_attestor_slashing_received_total",
    type: "gauge",
    help: "Total number of attestor slashing received",
  },
  { name: "beacon_block_proposed_total", type: "gauge", help: "Total number of blocks proposed" },
  { name: "beacon_attestations_published_total", type: "gauge", help: "Total number of attestations proposed" },
  {
    name: "beacon_http_api_requests_total",
    type: "gauge",
    help: "Total number of requests to the HTTP API endpoint",
  },
  {
    name: "beacon_http_api_successes_total",
    type: "gauge",
    help: "Total number of successful requests to the HTTP API endpoint",
  },
  {
    name: "beacon_sync_state",
    type: "gauge",
    help: "Beacon sync state, 0 for not syncing, 1 for synced, 2 for syncing",
  },
];

const OURS: readonly { name: string; type: "gauge" | "counter" | "histogram" }[] = [
  { name: "sextant_api_request_duration_seconds", type: "histogram" },
  { name: "sextant_api_responses_total", type: "counter" },
  { name: "sextant_api_rate_limited_total", type: "counter" },
  { name: "sextant_api_shed_total", type: "counter" },
  { name: "sextant_api_queue_depth", type: "gauge" },
  { name: "sextant_duty_cache_requests_total", type: "counter" },
  { name: "sextant_epoch_transitions_total", type: "counter" },
  { name: "sextant_block_import_seconds", type: "histogram" },
  { name: "sextant_block_import_total", type: "counter" },
  { name: "sextant_block_production_seconds", type: "histogram" },
  { name: "sextant_state_regen_seconds", type: "histogram" },
  { name: "sextant_state_cache_size", type: "gauge" },
  { name: "sextant_unknown_parent_queue_size", type: "gauge" },
  { name: "sextant_op_pool_size", type: "gauge" },
  { name: "sextant_head_participation_ratio", type: "gauge" },
  { name: "sextant_sse_subscribers", type: "gauge" },
];

/** prom-client's HELP escaping (backslash and newline). */
function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** The value of a series of a metric whose labels equal `labels` (0 when absent). */
async function value(metric: Counter<string> | Gauge<string>, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await metric.get();
  const want = JSON.stringify(Object.entries(labels).sort());
  const found = values.find((v) => JSON.stringify(Object.entries(v.labels).sort()) === want);
  return found?.value ?? 0;
}

/** Observations counted by a histogram series. */
async function histogramCount(metric: Histogram<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await metric.get();
  const want = JSON.stringify(Object.entries(labels).sort());
  const count = values.find(
    (v) => v.metricName?.endsWith("_count") === true && JSON.stringify(Object.entries(v.labels).sort()) === want,
  );
  return count?.value ?? 0;
}

describe("beacon metrics registry", () => {
  it("renders every standard name we claim, with the standard's type and help text", async () => {
    const m = createBeaconMetrics({ defaults: false });
    const text = await m.registry.metrics();
    assert.deepEqual([...STANDARD_METRIC_NAMES].sort(), STANDARD.map((s) => s.name).sort());
    for (const s of STANDARD) {
      assert.ok(
        text.includes(`\n# TYPE ${s.name} ${s.type}\n`) || text.startsWith(`# TYPE ${s.name} ${s.type}\n`),
        s.name,
      );
      assert.ok(text.includes(`# HELP ${s.name} ${escapeHelp(s.help)}\n`), `help of ${s.name}`);
    }
    for (const o of OURS) assert.ok(text.includes(`# TYPE ${o.name} ${o.type}\n`), o.name);
    // Bounded label sets render at 0 before any event: "request" epoch transitions must be visible as 0.
    assert.match(text, /^sextant_epoch_transitions_total\{cause="request"\} 0$/m);
    assert.match(text, /^sextant_block_import_total\{result="unknown_parent"\} 0$/m);
    assert.match(text, /^beacon_current_validators\{status="withdrawable"\} 0$/m);
  });

  it("the claimed table matches metrics.md (names, types, usage) when the reference is present", (t) => {
    const doc = join(import.meta.dirname, "../../../../../shared/reference/beacon-metrics/metrics.md");
    if (!existsSync(doc)) {
      t.skip(`reference not found at ${doc}`);
      return;
    }
    const rows = new Map<string, { type: string; usage: string }[]>();
    for (const line of readFileSync(doc, "utf8").split("\n")) {
      const cells = line
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, "|"))
        .slice(1, -1);
      const name = /^`([a-zA-Z0-9_]+)`$/.exec(cells[0] ?? "")?.[1];
      if (name === undefined || cells.length < 3) continue;
      rows.set(name, [...(rows.get(name) ?? []), { type: cells[1].toLowerCase(), usage: cells[2] }]);
    }
    for (const s of STANDARD) {
      const found = rows.get(s.name);
      assert.ok(found !== undefined, `${s.name} is not in metrics.md`);
      assert.ok(
        found.some((r) => r.type === s.type && r.usage === s.help),
        `${s.name}: ${JSON.stringify(found)} vs ${s.type} "${s.help}"`,
      );
    }
  });

  it("adds the process defaults unless told not to", async () => {
    const withDefaults = await createBeaconMetrics().registry.metrics();
    assert.match(withDefaults, /^# TYPE process_cpu_seconds_total counter$/m);
    assert.match(withDefaults, /^# TYPE process_resident_memory_bytes gauge$/m);
    const without = await createBeaconMetrics({ defaults: false }).registry.metrics();
    assert.doesNotMatch(without, /process_cpu_seconds_total/);
  });

  it("typed fields set the series they name", async () => {
    const m = createBeaconMetrics({ defaults: false });
    m.headSlot.set(1234);
    m.finalizedEpoch.set(37);
    m.reorgs.inc();
    m.epochTransitions.inc({ cause: "preadvance" });
    m.dutyCacheRequests.inc({ cache: "shuffling", result: "hit" });
    m.opPoolSize.set({ pool: "attestations" }, 12);
    m.blockImportSeconds.observe(0.2);
    const text = await m.registry.metrics();
    assert.match(text, /^beacon_head_slot 1234$/m);
    assert.match(text, /^beacon_finalized_epoch 37$/m);
    assert.match(text, /^beacon_reorgs_total 1$/m);
    assert.match(text, /^sextant_epoch_transitions_total\{cause="preadvance"\} 1$/m);
    assert.match(text, /^sextant_duty_cache_requests_total\{cache="shuffling",result="hit"\} 1$/m);
    assert.match(text, /^sextant_op_pool_size\{pool="attestations"\} 12$/m);
    assert.match(text, /^sextant_block_import_seconds_count 1$/m);
    assert.match(text, /^sextant_block_import_seconds_bucket\{le="0.25"\} 1$/m);
    assert.match(text, /^sextant_block_import_seconds_bucket\{le="0.1"\} 0$/m);
  });

  it("API latency buckets run from 0.5 ms to 10 s", async () => {
    observeApiResponse(undefined, { operationId: "x", status: 200, durationMs: 1, shed: false }); // no metrics: no-op
    const m = createBeaconMetrics({ defaults: false });
    observeApiResponse(m, { operationId: "getHealth", status: 200, durationMs: 0.3, shed: false });
    const rendered = await m.registry.metrics();
    assert.match(
      rendered,
      /^sextant_api_request_duration_seconds_bucket\{le="0.0005",operation="getHealth",status_class="2xx"\} 1$/m,
    );
    assert.match(
      rendered,
      /^sextant_api_request_duration_seconds_bucket\{le="10",operation="getHealth",status_class="2xx"\} 1$/m,
    );
    assert.doesNotMatch(rendered, /sextant_api_request_duration_seconds_bucket\{le="0.0001"/);
  });

  it("rootToMetricValue reads the last 8 bytes as a signed little-endian int64", () => {
    const root = new Uint8Array(32);
    assert.equal(rootToMetricValue(root), 0);
    root[24] = 0x01;
    root[25] = 0x02;
    assert.equal(rootToMetricValue(root), 0x0201);
    root.fill(0xff, 24, 32); // -1
    assert.equal(rootToMetricValue(root), -1);
    root.fill(0, 24, 32);
    root[31] = 0x80; // most negative int64
    assert.equal(rootToMetricValue(root), -(2 ** 63));
    root.fill(0xab, 0, 24); // the first 24 bytes don't matter
    assert.equal(rootToMetricValue(root), -(2 ** 63));
    assert.throws(() => rootToMetricValue(new Uint8Array(31)), /32 bytes, got 31/);
    const view = new Uint8Array(40).subarray(8); // byteOffset honoured
    view[24] = 7;
    assert.equal(rootToMetricValue(view), 7);
  });
});

describe("observeApiResponse", () => {
  it("counts responses, latency, standard http totals, 429s and shed 503s", async () => {
    const m = createBeaconMetrics({ defaults: false });
    observeApiResponse(m, { operationId: "getAttesterDuties", status: 200, durationMs: 4, shed: false });
    observeApiResponse(m, { operationId: "getAttesterDuties", status: 200, durationMs: 6, shed: false });
    observeApiResponse(m, { operationId: "getStateValidators", status: 429, durationMs: 0.2, shed: false });
    observeApiResponse(m, { operationId: "getStateValidators", status: 503, durationMs: 0.1, shed: true });
    observeApiResponse(m, { operationId: "getStateValidators", status: 503, durationMs: 0.1, shed: false }); // not shed
    observeApiResponse(m, { operationId: "getHealth", status: 429, durationMs: 1, shed: false });
    observeApiResponse(m, {
      operationId: "custom",
      status: 429,
      durationMs: 1,
      shed: false,
      routeClass: "validator",
    });
    observeApiResponse(m, { operationId: "", status: 404, durationMs: 1, shed: false });

    assert.equal(await value(m.apiResponses, { operation: "getAttesterDuties", status: "200" }), 2);
    assert.equal(await value(m.apiResponses, { operation: "getStateValidators", status: "503" }), 2);
    assert.equal(await value(m.apiResponses, { operation: "unknown", status: "404" }), 1);
    assert.equal(
      await histogramCount(m.apiRequestDuration, { operation: "getAttesterDuties", status_class: "2xx" }),
      2,
    );
    assert.equal(
      await histogramCount(m.apiRequestDuration, { operation: "getStateValidators", status_class: "5xx" }),
      2,
    );
    assert.equal(await value(m.apiRateLimited, { class: "expensive" }), 1);
    assert.equal(await value(m.apiRateLimited, { class: "cheap" }), 1);
    assert.equal(await value(m.apiRateLimited, { class: "validator" }), 1);
    assert.equal(await value(m.apiShed, { class: "expensive" }), 1);
    assert.equal(await value(m.httpApiRequests), 8);
    assert.equal(await value(m.httpApiSuccesses), 2);
  });

  it("statusClass maps codes to their class", () => {
    assert.equal(statusClass(200), "2xx");
    assert.equal(statusClass(304), "3xx");
    assert.equal(statusClass(429), "4xx");
    assert.equal(statusClass(503), "5xx");
    assert.equal(statusClass(0), "other");
  });
});

describe("metricsForGovernor", () => {
  const info = (operationId: string, ip = "10.0.0.1"): RequestInfo => ({
    operationId,
    method: "GET",
    url: "/",
    ip,
    headers: {},
  });

  it("tracks queue depth and running requests per class, and counts shed requests once", async () => {
    const m = createBeaconMetrics({ defaults: false });
    const governor = createRequestGovernor({
      ratePerSecond: 1000,
      burst: 1000,
      allowlist: [],
      limits: { expensive: { concurrency: 1, queue: 1 } },
      maxQueueWaitMs: 0,
      metrics: metricsForGovernor(m),
    });
    const first = governor.beforeHandler(info("getStateValidators"));
    assert.equal(typeof first, "function");
    assert.equal(await value(m.apiRunning, { class: "expensive" }), 1);
    const queued = governor.beforeHandler(info("getStateValidators"));
    assert.ok(queued instanceof Promise);
    assert.equal(await value(m.apiQueueDepth, { class: "expensive" }), 1);
    assert.throws(() => governor.beforeHandler(info("getStateValidators")), { status: 503 });
    assert.equal(await value(m.apiShed, { class: "expensive" }), 1);
    assert.equal(await value(m.apiShed, { class: "validator" }), 0);
    (first as () => void)();
    const second = await queued;
    assert.equal(await value(m.apiQueueDepth, { class: "expensive" }), 0);
    assert.equal(await value(m.apiRunning, { class: "expensive" }), 1);
    second();
    assert.equal(await value(m.apiRunning, { class: "expensive" }), 0);
  });

  it("leaves shed counting to observeApiResponse when asked (countShed: false)", async () => {
    const m = createBeaconMetrics({ defaults: false });
    const hooks = metricsForGovernor(m, { countShed: false });
    assert.equal(hooks.shed, undefined);
    assert.equal(hooks.rateLimited, undefined); // 429s are always counted from responses
    hooks.queueDepth?.("validator", 3, 2);
    assert.equal(await value(m.apiQueueDepth, { class: "validator" }), 2);
    assert.equal(await value(m.apiRunning, { class: "validator" }), 3);
  });

  it("through a real API server: responses and 429s from onResponse, each counted once", async () => {
    const ROUTES = {
      getHealth: route({
        operationId: "getHealth",
        method: "GET",
        path: "/health",
        params: NO_PARAMS,
        response: emptyResponse(),
      }),
    } satisfies RouteTable;
    const m = createBeaconMetrics({ defaults: false });
    const governor = createRequestGovernor({
      ratePerSecond: 0.001,
      burst: 2,
      allowlist: [],
      metrics: metricsForGovernor(m),
    });
    const server = createApiServer({
      routes: ROUTES,
      handlers: { getHealth: async () => undefined },
      beforeHandler: (i) => governor.beforeHandler(i),
      onResponse: (r) => observeApiResponse(m, { ...r, shed: false }),
    });
    const url = await server.listen();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await request(`${url}/health`);
        await res.body.dump();
        statuses.push(res.statusCode);
      }
      const res = await request(`${url}/nowhere`);
      await res.body.dump();
      assert.equal(res.statusCode, 404);
      assert.deepEqual(statuses.slice(0, 2), [200, 200]);
      assert.deepEqual(statuses.slice(2), [429, 429]);
      // onResponse runs after the answer is written: wait until it has run for every request.
      for (let i = 0; i < 100 && (await value(m.httpApiRequests)) < 5; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(await value(m.apiResponses, { operation: "getHealth", status: "200" }), 2);
      assert.equal(await value(m.apiResponses, { operation: "getHealth", status: "429" }), 2);
      assert.equal(await value(m.apiRateLimited, { class: "cheap" }), 2);
      assert.equal(await value(m.httpApiRequests), 5);
      assert.equal(await value(m.httpApiSuccesses), 2);
    } finally {
      await server.close();
    }
  });
});

/** True when `port` on 127.0.0.1 can be bound again. */
async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

describe("metrics server", () => {
  it("serves GET /metrics over HTTP on an ephemeral port, 404s elsewhere, and frees the port on close()", async () => {
    const m = createBeaconMetrics({ defaults: false });
    m.headSlot.set(77);
    const server = await startMetricsServer({ port: 0, registry: m.registry });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.notEqual(server.port, 0);
    try {
      const res = await request(server.url);
      const body = await res.body.text();
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
      assert.match(body, /^beacon_head_slot 77$/m);
      for (const name of STANDARD_METRIC_NAMES) assert.ok(body.includes(`# TYPE ${name} `), name);

      const withQuery = await request(`${server.url}?x=1`);
      await withQuery.body.dump();
      assert.equal(withQuery.statusCode, 200);

      for (const [method, path] of [
        ["GET", "/"],
        ["GET", "/metrics/x"],
        ["GET", "/eth/v1/node/health"],
        ["POST", "/metrics"],
      ] as const) {
        const r = await request(`http://127.0.0.1:${server.port}${path}`, { method });
        await r.body.dump();
        assert.equal(r.statusCode, 404, `${method} ${path}`);
      }
    } finally {
      await server.close();
    }
    await server.close(); // idempotent
    assert.equal(await portIsFree(server.port), true);
    // A new connection is refused (undici's pooled sockets would report "other side closed" instead).
    await assert.rejects(
      new Promise((resolve, reject) => {
        const socket = connect(server.port, "127.0.0.1", () => {
          socket.destroy();
          resolve(undefined);
        });
        socket.once("error", reject);
      }),
      /ECONNREFUSED/,
    );
  });

  it("warns when bound beyond loopback, not on loopback", async () => {
    const m = createBeaconMetrics({ defaults: false });
    const mem = memoryLogDestination();
    const logger = createLogger({ destination: mem.stream, format: "json" });
    const local = await startMetricsServer({ port: 0, registry: m.registry, logger });
    await local.close();
    assert.equal(mem.lines().filter((l) => l.level === "warn").length, 0);
    const wide = await startMetricsServer({ port: 0, address: "0.0.0.0", registry: m.registry, logger });
    try {
      const warns = mem.lines().filter((l) => l.level === "warn");
      assert.equal(warns.length, 1);
      assert.match(String(warns[0].msg), /beyond loopback/);
      const res = await request(`http://127.0.0.1:${wide.port}/metrics`);
      await res.body.dump();
      assert.equal(res.statusCode, 200);
    } finally {
      await wide.close();
    }
  });

  it("rejects with METRICS_LISTEN_FAILED when the port is taken, and on a bad port", async () => {
    const m = createBeaconMetrics({ defaults: false });
    const first = await startMetricsServer({ port: 0, registry: m.registry });
    try {
      await assert.rejects(startMetricsServer({ port: first.port, registry: m.registry }), (err: unknown) => {
        assert.ok(err instanceof SextantError);
        assert.equal(err.code, "METRICS_LISTEN_FAILED");
        assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${first.port}`));
        return true;
      });
    } finally {
      await first.close();
    }
    await assert.rejects(startMetricsServer({ port: 70000, registry: m.registry }), /0\.\.65535, got 70000/);
  });

  it("isLoopbackAddress", () => {
    for (const a of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"])
      assert.equal(isLoopbackAddress(a), true, a);
    for (const a of ["0.0.0.0", "::", "192.168.1.1", "10.0.0.1", "example.com", "::ffff:10.0.0.1"])
      assert.equal(isLoopbackAddress(a), false, a);
  });
});
